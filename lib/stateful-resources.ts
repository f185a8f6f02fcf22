import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import * as s3n from 'aws-cdk-lib/aws-s3-notifications';
import { Construct } from 'constructs';
import { TABLE_DESIGN } from '../functions/adapters/dynamodb/table-design.ts';
import type { ServiceConfig } from './config.ts';

/** How many times a message is delivered before it goes to its dead-letter queue. */
export const MAX_RECEIVE_COUNT = 5;

/** The timeout of each function that reads a queue (its event source). */
export const CONSUMER_TIMEOUTS = {
  ingest: Duration.minutes(5),
  textractComplete: Duration.minutes(5),
  webhook: Duration.seconds(60),
  email: Duration.minutes(2),
} as const;

/** Where SES stores each message it receives, in the raw-email bucket (the notification to the email function filters on it). */
export const RAW_EMAIL_PREFIX = 'raw-email/';
/**
 * Days a raw message is kept (or the letters' own retention, when shorter): its documents are
 * in the inbox by then; the raw copy is kept this long only so that a message whose reading
 * failed (dead-lettered) can be read again, and it holds more than the letters (the body, every
 * attachment), so it is not kept as long as they are.
 */
export const RAW_EMAIL_RETENTION_DAYS = 30;

/** Email intake's stateful part (context `emailRecipients`): the raw-email bucket, its key, and the email function's queue. */
export interface RawEmailStorage {
  /** What SES stores received messages in (under {@link RAW_EMAIL_PREFIX}). */
  readonly bucket: s3.Bucket;
  /** Encrypts the raw-email bucket only: SES may use it, through S3, and nothing else of the service's. */
  readonly key: kms.Key;
  readonly queue: sqs.Queue;
  readonly deadLetters: sqs.Queue;
}

/**
 * A queue that is a Lambda event source hides a received message for at least six times its
 * function's timeout (AWS's advice: room for the poller's retries of a throttled or failed
 * batch), so a message still being worked on is never delivered a second time.
 */
export const VISIBILITY_PER_FUNCTION_TIMEOUT = 6;

/** Props of the stateful resources. */
export interface StatefulResourcesProps {
  readonly config: ServiceConfig;
}

/**
 * Everything that holds data (a construct of its own, apart from the functions): the KMS key, the inbox and text buckets (and their access-log
 * bucket), the table, the queues and their dead-letter queues, the Textract completion topic,
 * and the event bus. Kept apart from the functions so a change of code never
 * replaces data; buckets, table and keys are retained when the stack is deleted.
 */
export class StatefulResources extends Construct {
  readonly key: kms.Key;
  /** Encrypts queues and topics (kept apart from the data key: S3 notifies a queue under it). */
  readonly messagingKey: kms.Key;
  readonly inbox: s3.Bucket;
  readonly textBucket: s3.Bucket;
  readonly table: dynamodb.Table;
  readonly ingestQueue: sqs.Queue;
  readonly ingestDeadLetters: sqs.Queue;
  readonly textractQueue: sqs.Queue;
  readonly textractDeadLetters: sqs.Queue;
  readonly textractTopic: sns.Topic;
  /** Webhook deliveries waiting for their next attempt; exhausted ones in its dead-letter queue. */
  readonly deliveryQueue: sqs.Queue;
  readonly deliveryDeadLetters: sqs.Queue;
  /** Events EventBridge could not put on the delivery queue (the rule target's dead-letter queue). */
  readonly eventDeadLetters: sqs.Queue;
  readonly bus: events.EventBus;
  /** The people who review letters (context `auth` = `cognito`, the default); null otherwise. */
  readonly reviewers: cognito.UserPool | null;
  /** Email intake's bucket, key and queue (context `emailRecipients`); null without it. */
  readonly rawEmail: RawEmailStorage | null;

  constructor(scope: Construct, id: string, props: StatefulResourcesProps) {
    super(scope, id);
    const { config } = props;
    const removalPolicy = config.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;

    this.key = new kms.Key(this, 'DataKey', {
      enableKeyRotation: true,
      description: 'Encrypts IMR letters, their text and determinations, and the logs',
      removalPolicy,
    });
    this.messagingKey = new kms.Key(this, 'MessagingKey', {
      enableKeyRotation: true,
      description: 'Encrypts the queues and topics of the IMR letter service',
      removalPolicy,
    });

    const accessLogs = new s3.Bucket(this, 'AccessLogs', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      versioned: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_PREFERRED,
      lifecycleRules: [{ expiration: Duration.days(365), noncurrentVersionExpiration: Duration.days(30) }],
      removalPolicy,
    });
    const dataBucket = (name: string, prefix: string, encryptionKey: kms.Key = this.key, expirationDays = config.retentionDays) =>
      new s3.Bucket(this, name, {
        encryption: s3.BucketEncryption.KMS,
        encryptionKey,
        bucketKeyEnabled: true,
        blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
        enforceSSL: true,
        versioned: true,
        serverAccessLogsBucket: accessLogs,
        serverAccessLogsPrefix: prefix,
        lifecycleRules: [
          { noncurrentVersionExpiration: Duration.days(30), abortIncompleteMultipartUploadAfter: Duration.days(7) },
          ...(expirationDays > 0 ? [{ expiration: Duration.days(expirationDays) }] : []),
        ],
        removalPolicy,
        autoDeleteObjects: !config.retainData,
      });
    this.inbox = dataBucket('Inbox', 'inbox/');
    this.textBucket = dataBucket('Text', 'text/');

    this.table = new dynamodb.Table(this, 'Determinations', {
      partitionKey: { name: TABLE_DESIGN.partitionKey, type: dynamodb.AttributeType.STRING },
      sortKey: { name: TABLE_DESIGN.sortKey, type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: this.key,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: config.retainData,
      // Webhook attempt records expire after 90 days.
      timeToLiveAttribute: 'expiresAt',
      removalPolicy,
    });
    for (const index of TABLE_DESIGN.indexes) {
      this.table.addGlobalSecondaryIndex({
        indexName: index.name,
        partitionKey: { name: index.partitionKey, type: dynamodb.AttributeType.STRING },
        sortKey: { name: index.sortKey, type: dynamodb.AttributeType.STRING },
      });
    }

    const deadLetterQueue = (name: string) =>
      new sqs.Queue(this, name, {
        encryption: sqs.QueueEncryption.KMS,
        encryptionMasterKey: this.messagingKey,
        enforceSSL: true,
        retentionPeriod: Duration.days(14),
      });
    const queue = (name: string, consumerTimeout: Duration) => {
      const deadLetters = deadLetterQueue(`${name}DeadLetters`);
      const main = new sqs.Queue(this, name, {
        encryption: sqs.QueueEncryption.KMS,
        encryptionMasterKey: this.messagingKey,
        enforceSSL: true,
        visibilityTimeout: Duration.seconds(consumerTimeout.toSeconds() * VISIBILITY_PER_FUNCTION_TIMEOUT),
        retentionPeriod: Duration.days(4),
        deadLetterQueue: { queue: deadLetters, maxReceiveCount: MAX_RECEIVE_COUNT },
      });
      return [main, deadLetters] as const;
    };
    [this.ingestQueue, this.ingestDeadLetters] = queue('IngestQueue', CONSUMER_TIMEOUTS.ingest);
    [this.textractQueue, this.textractDeadLetters] = queue('TextractQueue', CONSUMER_TIMEOUTS.textractComplete);
    [this.deliveryQueue, this.deliveryDeadLetters] = queue('WebhookDeliveries', CONSUMER_TIMEOUTS.webhook);
    this.eventDeadLetters = deadLetterQueue('EventDeadLetters');

    this.inbox.addEventNotification(s3.EventType.OBJECT_CREATED, new s3n.SqsDestination(this.ingestQueue));

    // Email intake: a bucket of its own rather than a prefix of the inbox. S3 refuses two
    // notification configurations of one event type whose key filters overlap, and the inbox's
    // (every key, to ingest) overlaps any prefix; SES must be able to encrypt under the bucket's
    // key, which in the inbox is the data key of letters, text, table and logs; and a raw
    // message (body, signature, every attachment) is kept for less time than the letters.
    if (config.email) {
      const rawEmailKey = new kms.Key(this, 'RawEmailKey', {
        enableKeyRotation: true,
        description: 'Encrypts received email as SES stored it (the raw-email bucket only)',
        removalPolicy,
      });
      const [emailQueue, emailDeadLetters] = queue('EmailQueue', CONSUMER_TIMEOUTS.email);
      const bucket = dataBucket(
        'RawEmail',
        'raw-email/',
        rawEmailKey,
        config.retentionDays > 0 ? Math.min(config.retentionDays, RAW_EMAIL_RETENTION_DAYS) : RAW_EMAIL_RETENTION_DAYS,
      );
      bucket.addEventNotification(s3.EventType.OBJECT_CREATED, new s3n.SqsDestination(emailQueue), { prefix: RAW_EMAIL_PREFIX });
      this.rawEmail = { bucket, key: rawEmailKey, queue: emailQueue, deadLetters: emailDeadLetters };
    } else {
      this.rawEmail = null;
    }

    this.textractTopic = new sns.Topic(this, 'TextractCompletions', { masterKey: this.messagingKey, enforceSSL: true });
    this.textractTopic.addSubscription(new subscriptions.SqsSubscription(this.textractQueue));

    this.bus = new events.EventBus(this, 'Events', { eventBusName: `imr-${config.stage}` });

    // CloudWatch Logs encrypts the functions' log groups with this key. EventBridge puts events
    // on the delivery queue, and those it cannot put there on the rule target's dead-letter
    // queue, both encrypted with the messaging key (EventBridge's requests to KMS carry no
    // aws:SourceArn: the queues' policies name the rule, the key policy cannot).
    this.key.grantEncryptDecrypt(new iam.ServicePrincipal(`logs.${Stack.of(this).region}.amazonaws.com`));
    this.messagingKey.grantEncryptDecrypt(new iam.ServicePrincipal('events.amazonaws.com'));

    // Reviewers sign in to read medical records: invited by an administrator only, with a
    // strong password and a one-time code (TOTP) every time, and threat protection enforced.
    this.reviewers =
      config.auth.kind === 'cognito'
        ? new cognito.UserPool(this, 'Reviewers', {
            selfSignUpEnabled: false,
            signInAliases: { email: true },
            autoVerify: { email: true },
            mfa: cognito.Mfa.REQUIRED,
            mfaSecondFactor: { otp: true, sms: false },
            passwordPolicy: {
              minLength: 14,
              requireLowercase: true,
              requireUppercase: true,
              requireDigits: true,
              requireSymbols: true,
              tempPasswordValidity: Duration.days(3),
            },
            accountRecovery: cognito.AccountRecovery.EMAIL_ONLY,
            featurePlan: cognito.FeaturePlan.PLUS,
            standardThreatProtectionMode: cognito.StandardThreatProtectionMode.FULL_FUNCTION,
            deletionProtection: config.retainData,
            removalPolicy,
          })
        : null;
  }
}
