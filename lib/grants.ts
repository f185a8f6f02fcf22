import { Stack } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type * as sqs from 'aws-cdk-lib/aws-sqs';

/*
 * Grants narrower than CDK's own, each still made by a grant method (`grant`, `iam.Grant`):
 * CDK's `grantReadData`/`grantWriteData` on a table add the stream reads (`GetRecords`,
 * `GetShardIterator`) whether or not the table has a stream, and a secret's `grantRead` adds
 * `DescribeSecret`, which Powertools' `getSecret` never calls (only `GetSecretValue`).
 */

/** Item reads: what `grantReadData` grants, without the stream reads (the table has no stream). */
export const TABLE_READ_ACTIONS = [
  'dynamodb:BatchGetItem',
  'dynamodb:Query',
  'dynamodb:GetItem',
  'dynamodb:Scan',
  'dynamodb:ConditionCheckItem',
  'dynamodb:DescribeTable',
] as const;
/** Item writes, as `grantWriteData` grants them. */
export const TABLE_WRITE_ACTIONS = ['dynamodb:BatchWriteItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'] as const;
const KEY_READ_ACTIONS = ['kms:Decrypt', 'kms:DescribeKey'] as const;
const KEY_WRITE_ACTIONS = ['kms:Encrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*'] as const;

/** Reads the table's items (and its indexes'), and decrypts them with the table's key. */
export function grantTableRead(table: dynamodb.Table, grantee: iam.IGrantable): void {
  table.grant(grantee, ...TABLE_READ_ACTIONS);
  table.encryptionKey?.grant(grantee, ...KEY_READ_ACTIONS);
}

/** Reads and writes the table's items, with the table's key. */
export function grantTableReadWrite(table: dynamodb.Table, grantee: iam.IGrantable): void {
  table.grant(grantee, ...TABLE_READ_ACTIONS, ...TABLE_WRITE_ACTIONS);
  table.encryptionKey?.grant(grantee, ...KEY_READ_ACTIONS, ...KEY_WRITE_ACTIONS);
}

/** Puts items only (no reads, updates or deletes), with the table's key. */
export function grantTablePutItem(table: dynamodb.Table, grantee: iam.IGrantable): void {
  table.grant(grantee, 'dynamodb:PutItem');
  table.encryptionKey?.grant(grantee, ...KEY_READ_ACTIONS, ...KEY_WRITE_ACTIONS);
}

/** Reads the secret's value (`GetSecretValue` only) and decrypts it through Secrets Manager, as `grantRead` does. */
export function grantSecretValue(secret: secretsmanager.Secret, grantee: iam.IGrantable): void {
  iam.Grant.addToPrincipalOrResource({ grantee, actions: ['secretsmanager:GetSecretValue'], resourceArns: [secret.secretArn], resource: secret });
  secret.encryptionKey?.grantDecrypt(new kms.ViaServicePrincipal(`secretsmanager.${Stack.of(secret).region}.amazonaws.com`, grantee.grantPrincipal));
}

/**
 * An EventBridge rule's target on an SQS queue, with `SqsQueue`'s props (dead-letter queue,
 * retries, message), whose queue policy admits EventBridge only on behalf of this rule
 * (`aws:SourceArn`). CDK's `SqsQueue` target leaves that condition off a KMS-encrypted queue:
 * its grant writes the key policy too, and a key policy naming the rule would be a cycle
 * (key, rule, queue, key). Here the grant is on the queue alone; EventBridge's use of the
 * queue's key is granted in the key policy (whose requests from EventBridge carry no
 * `aws:SourceArn` to condition on). The dead-letter queue's policy is CDK's own, conditioned
 * on the rule's ARN.
 */
export class RuleScopedSqsQueue implements events.IRuleTarget {
  constructor(
    private readonly queue: sqs.IQueue,
    private readonly props: targets.SqsQueueProps = {},
  ) {}

  bind(rule: events.IRuleRef): events.RuleTargetConfig {
    const fromThisRule = new iam.ServicePrincipal('events.amazonaws.com', { conditions: { ArnEquals: { 'aws:SourceArn': events.CfnRule.arnForRule(rule) } } });
    this.queue.grant(fromThisRule, 'sqs:SendMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl');
    if (this.props.deadLetterQueue) targets.addToDeadLetterQueueResourcePolicy(rule, this.props.deadLetterQueue);
    return {
      ...targets.bindBaseTargetConfig(this.props),
      arn: this.queue.queueArn,
      input: this.props.message,
      targetResource: this.queue,
      sqsParameters: this.props.messageGroupId ? { messageGroupId: this.props.messageGroupId } : undefined,
    };
  }
}

/**
 * Lets SES store the messages a receipt rule receives under `prefix` of `bucket`: `s3:PutObject`
 * in the bucket policy, for SES acting for that rule only (`aws:SourceAccount` and
 * `aws:SourceArn`, as SES's guide writes it); and, the bucket being SSE-KMS, a data key of its
 * key, asked by S3 on SES's behalf (`kms:ViaService`). The key encrypts that bucket alone. The
 * key statement carries no `aws:SourceArn`: it is S3, not the rule, that calls KMS.
 */
export function grantSesStore(bucket: s3.IBucket, key: kms.IKey, prefix: string, receiptRuleArn: string): void {
  const stack = Stack.of(bucket);
  const forThisRule = new iam.ServicePrincipal('ses.amazonaws.com', {
    conditions: { StringEquals: { 'aws:SourceAccount': stack.account, 'aws:SourceArn': receiptRuleArn } },
  });
  iam.Grant.addToPrincipalOrResource({ grantee: forThisRule, actions: ['s3:PutObject'], resourceArns: [bucket.arnForObjects(`${prefix}*`)], resource: bucket });
  key.grant(
    new iam.ServicePrincipal('ses.amazonaws.com', { conditions: { StringEquals: { 'kms:ViaService': `s3.${stack.region}.amazonaws.com` } } }),
    'kms:GenerateDataKey',
  );
}
