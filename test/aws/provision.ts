/**
 * Creates the template's resources on moto's server, from the template itself: every KMS key,
 * bucket (versioning, default encryption, notifications), queue (with its redrive policy and
 * every attribute), topic and subscription, table (every GSI as declared, TTL), event bus,
 * rule and target (with its dead-letter queue), secret (its value generated as
 * `GenerateSecretString` asks) and resource policy. Resources moto does not run here (roles,
 * functions, API, Cognito, alarms, log groups) get CloudFormation-shaped names and ARNs so
 * the functions' environments resolve; the functions themselves run in `lambda.ts`.
 */
import { randomBytes, randomInt } from 'node:crypto';
import {
  CreateBucketCommand,
  PutBucketEncryptionCommand,
  PutBucketNotificationConfigurationCommand,
  PutBucketVersioningCommand,
  S3Client,
  type ServerSideEncryptionConfiguration,
} from '@aws-sdk/client-s3';
import { CreateQueueCommand, GetQueueAttributesCommand, SetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { CreateTableCommand, DynamoDBClient, UpdateTimeToLiveCommand, type CreateTableCommandInput } from '@aws-sdk/client-dynamodb';
import { CreateEventBusCommand, EventBridgeClient, PutRuleCommand, PutTargetsCommand, type Target } from '@aws-sdk/client-eventbridge';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { ACCOUNT, REGION, resolve, type Physical, type Template } from './template.ts';

/** Credentials of the harness's own calls (setting up, uploading as a user, reading as a user). */
export const HARNESS_CREDENTIALS = { accessKeyId: 'AKIAHARNESS000000000', secretAccessKey: 'harness-secret' };

/** What was provisioned: physical names by logical id, and what was done with each resource. */
export interface Deployment {
  readonly physical: Map<string, Physical>;
  /** Logical id to what happened: `created ...`, `named only (...)`. */
  readonly report: Map<string, string>;
  /** Secret values generated, by secret ARN. */
  readonly secretValues: Map<string, string>;
  /** Queue URL by queue ARN. */
  readonly queueUrls: Map<string, string>;
}

/** Resource types created on moto. */
const PROVISIONED = new Set([
  'AWS::KMS::Key',
  'AWS::S3::Bucket',
  'AWS::S3::BucketPolicy',
  'Custom::S3BucketNotifications',
  'AWS::SQS::Queue',
  'AWS::SQS::QueuePolicy',
  'AWS::SNS::Topic',
  'AWS::SNS::TopicPolicy',
  'AWS::SNS::Subscription',
  'AWS::DynamoDB::Table',
  'AWS::Events::EventBus',
  'AWS::Events::Rule',
  'AWS::SecretsManager::Secret',
]);

/** A CloudFormation-style physical name: stack, logical id, random suffix. */
function physicalName(stack: string, id: string, max: number, lower = false): string {
  const suffix = randomBytes(6).toString('hex').toUpperCase().slice(0, 12);
  const name = `${stack}-${id}`.slice(0, max - suffix.length - 1) + '-' + suffix;
  return lower ? name.toLowerCase() : name;
}

/** A raw AWS request to moto for services the project has no SDK client for (KMS, SNS). */
async function raw(endpoint: string, service: string, request: { target?: string; form?: Record<string, string>; json?: unknown }): Promise<string> {
  const headers: Record<string, string> = {
    authorization: `AWS4-HMAC-SHA256 Credential=${HARNESS_CREDENTIALS.accessKeyId}/20260101/${REGION}/${service}/aws4_request, SignedHeaders=host, Signature=0`,
  };
  let body: string;
  if (request.target) {
    headers['x-amz-target'] = request.target;
    headers['content-type'] = 'application/x-amz-json-1.1';
    body = JSON.stringify(request.json ?? {});
  } else {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    body = new URLSearchParams(request.form).toString();
  }
  const response = await fetch(endpoint, { method: 'POST', headers, body });
  const text = await response.text();
  if (!response.ok) throw new Error(`${service} ${request.target ?? request.form?.Action}: ${response.status} ${text.slice(0, 300)}`);
  return text;
}

/** The value `GenerateSecretString` asks for (length, excluded characters and character classes). */
export function generateSecretValue(spec: Record<string, unknown>): string {
  const length = Number(spec.PasswordLength ?? 32);
  let alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~';
  if (spec.ExcludePunctuation) alphabet = alphabet.replace(/[^a-z0-9]/gi, '');
  if (spec.ExcludeUppercase) alphabet = alphabet.replace(/[A-Z]/g, '');
  if (spec.ExcludeLowercase) alphabet = alphabet.replace(/[a-z]/g, '');
  if (spec.ExcludeNumbers) alphabet = alphabet.replace(/\d/g, '');
  if (spec.IncludeSpace) alphabet += ' ';
  for (const excluded of String(spec.ExcludeCharacters ?? '')) alphabet = alphabet.split(excluded).join('');
  const password = Array.from({ length }, () => alphabet[randomInt(alphabet.length)]).join('');
  if (spec.SecretStringTemplate && spec.GenerateStringKey)
    return JSON.stringify({ ...(JSON.parse(String(spec.SecretStringTemplate)) as object), [String(spec.GenerateStringKey)]: password });
  return password;
}

/** Names and ARNs of the resources moto does not run here, as CloudFormation would give them. */
function nameOnly(stack: string, id: string, type: string): Physical {
  const name = physicalName(stack, id, 64);
  const arn = (service: string, resource: string) => `arn:aws:${service}:${REGION}:${ACCOUNT}:${resource}`;
  switch (type) {
    case 'AWS::IAM::Role':
      return { ref: name, attributes: { Arn: `arn:aws:iam::${ACCOUNT}:role/${name}`, RoleId: `AROA${randomBytes(8).toString('hex').toUpperCase()}` } };
    case 'AWS::Lambda::Function':
      return { ref: name, attributes: { Arn: arn('lambda', `function:${name}`) } };
    case 'AWS::Logs::LogGroup':
      return { ref: `/aws/emulated/${name}`, attributes: { Arn: arn('logs', `log-group:/aws/emulated/${name}:*`) } };
    case 'AWS::ApiGatewayV2::Api': {
      const apiId = randomBytes(5).toString('hex');
      return { ref: apiId, attributes: { ApiId: apiId, ApiEndpoint: `https://${apiId}.execute-api.${REGION}.amazonaws.com` } };
    }
    case 'AWS::Cognito::UserPool': {
      const poolId = `${REGION}_${randomBytes(5).toString('hex')}`;
      return {
        ref: poolId,
        attributes: {
          Arn: arn('cognito-idp', `userpool/${poolId}`),
          ProviderName: `cognito-idp.${REGION}.amazonaws.com/${poolId}`,
          ProviderURL: `https://cognito-idp.${REGION}.amazonaws.com/${poolId}`,
          UserPoolId: poolId,
        },
      };
    }
    case 'AWS::Cognito::UserPoolDomain':
      return { ref: `imr-emulated-${randomBytes(4).toString('hex')}`, attributes: {} };
    case 'AWS::Cognito::UserPoolClient':
      return { ref: randomBytes(13).toString('hex'), attributes: {} };
    default:
      return { ref: name, attributes: { Arn: arn('emulated', name) } };
  }
}

/**
 * Provisions the template on moto at `endpoint`. Queue URLs name `publicEndpoint` (the
 * recording proxy) as their host, as they name SQS's on AWS: the SDK sends a queue's calls to
 * the host of its URL, so a URL naming moto would take them around the proxy.
 */
export async function provision(template: Template, stack: string, endpoint: string, publicEndpoint: string): Promise<Deployment> {
  const config = { region: REGION, endpoint, credentials: HARNESS_CREDENTIALS, forcePathStyle: true };
  const s3 = new S3Client(config);
  const sqs = new SQSClient(config);
  const dynamodb = new DynamoDBClient(config);
  const events = new EventBridgeClient(config);
  const secrets = new SecretsManagerClient(config);
  const physical = new Map<string, Physical>();
  const report = new Map<string, string>();
  const secretValues = new Map<string, string>();
  const queueUrls = new Map<string, string>();

  for (const [id, resource] of Object.entries(template.Resources)) {
    if (PROVISIONED.has(resource.Type)) continue;
    physical.set(id, nameOnly(stack, id, resource.Type));
    report.set(id, `named only (${resource.Type} is not emulated)`);
  }

  const create = async (id: string, type: string, props: Record<string, unknown>): Promise<void> => {
    switch (type) {
      case 'AWS::KMS::Key': {
        const { KeyMetadata } = JSON.parse(
          await raw(endpoint, 'kms', {
            target: 'TrentService.CreateKey',
            json: { Description: props.Description, KeyUsage: props.KeyUsage ?? 'ENCRYPT_DECRYPT', Policy: JSON.stringify(props.KeyPolicy) },
          }),
        ) as { KeyMetadata: { KeyId: string; Arn: string } };
        physical.set(id, { ref: KeyMetadata.KeyId, attributes: { Arn: KeyMetadata.Arn, KeyId: KeyMetadata.KeyId } });
        report.set(id, `created KMS key ${KeyMetadata.KeyId}`);
        return;
      }
      case 'AWS::S3::Bucket': {
        const name = (props.BucketName as string | undefined) ?? physicalName(stack, id, 63, true);
        await s3.send(new CreateBucketCommand({ Bucket: name }));
        const versioning = props.VersioningConfiguration as { Status: 'Enabled' | 'Suspended' } | undefined;
        if (versioning) await s3.send(new PutBucketVersioningCommand({ Bucket: name, VersioningConfiguration: { Status: versioning.Status } }));
        const encryption = props.BucketEncryption as
          | {
              ServerSideEncryptionConfiguration: Array<{
                BucketKeyEnabled?: boolean;
                ServerSideEncryptionByDefault: { SSEAlgorithm: string; KMSMasterKeyID?: string };
              }>;
            }
          | undefined;
        if (encryption) {
          const rules = encryption.ServerSideEncryptionConfiguration.map((rule) => ({
            BucketKeyEnabled: rule.BucketKeyEnabled,
            ApplyServerSideEncryptionByDefault: rule.ServerSideEncryptionByDefault,
          }));
          await s3.send(
            new PutBucketEncryptionCommand({ Bucket: name, ServerSideEncryptionConfiguration: { Rules: rules } as ServerSideEncryptionConfiguration }),
          );
        }
        physical.set(id, {
          ref: name,
          attributes: { Arn: `arn:aws:s3:::${name}`, DomainName: `${name}.s3.amazonaws.com`, RegionalDomainName: `${name}.s3.${REGION}.amazonaws.com` },
        });
        report.set(
          id,
          `created bucket ${name}${versioning ? ', versioned' : ''}${encryption ? `, default encryption ${encryption.ServerSideEncryptionConfiguration[0]?.ServerSideEncryptionByDefault.SSEAlgorithm}` : ''}`,
        );
        return;
      }
      case 'AWS::S3::BucketPolicy': {
        // Not applied: moto evaluates the policy's `aws:SecureTransport` deny (enforceSSL), and
        // the emulation speaks plain HTTP where the SDK speaks HTTPS to AWS.
        physical.set(id, { ref: id, attributes: {} });
        report.set(id, `bucket policy of ${String(props.Bucket)} NOT applied (its aws:SecureTransport deny would refuse the emulation's plain HTTP)`);
        return;
      }
      case 'Custom::S3BucketNotifications': {
        const notification = props.NotificationConfiguration as { QueueConfigurations?: Array<{ Events: string[]; QueueArn: string; Filter?: unknown }> };
        await s3.send(new PutBucketNotificationConfigurationCommand({ Bucket: props.BucketName as string, NotificationConfiguration: notification as never }));
        physical.set(id, { ref: id, attributes: {} });
        report.set(id, `notifications of ${String(props.BucketName)}: ${JSON.stringify(notification)}`);
        return;
      }
      case 'AWS::SQS::Queue': {
        const name = (props.QueueName as string | undefined) ?? physicalName(stack, id, 80);
        const attributes = Object.fromEntries(
          Object.entries(props)
            .filter(([key]) => key !== 'Tags' && key !== 'QueueName')
            .map(([key, value]) => [key, typeof value === 'object' ? JSON.stringify(value) : String(value)]),
        );
        const created = await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }));
        const QueueUrl = created.QueueUrl!.replace(new URL(created.QueueUrl!).origin, publicEndpoint);
        const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }));
        physical.set(id, { ref: QueueUrl!, attributes: { Arn: Attributes!.QueueArn!, QueueName: name, QueueUrl: QueueUrl! } });
        queueUrls.set(Attributes!.QueueArn!, QueueUrl!);
        report.set(id, `created queue ${name} with ${Object.keys(attributes).join(', ')}`);
        return;
      }
      case 'AWS::SQS::QueuePolicy': {
        for (const url of props.Queues as string[])
          await sqs.send(new SetQueueAttributesCommand({ QueueUrl: url, Attributes: { Policy: JSON.stringify(props.PolicyDocument) } }));
        physical.set(id, { ref: id, attributes: {} });
        report.set(id, 'queue policy set');
        return;
      }
      case 'AWS::SNS::Topic': {
        const name = (props.TopicName as string | undefined) ?? physicalName(stack, id, 256);
        const form: Record<string, string> = { Action: 'CreateTopic', Version: '2010-03-31', Name: name };
        if (props.KmsMasterKeyId) Object.assign(form, { 'Attributes.entry.1.key': 'KmsMasterKeyId', 'Attributes.entry.1.value': String(props.KmsMasterKeyId) });
        const arn = /<TopicArn>([^<]+)<\/TopicArn>/.exec(await raw(endpoint, 'sns', { form }))![1]!;
        physical.set(id, { ref: arn, attributes: { TopicArn: arn, TopicName: name } });
        report.set(id, `created topic ${name}`);
        return;
      }
      case 'AWS::SNS::TopicPolicy': {
        for (const topic of props.Topics as string[])
          await raw(endpoint, 'sns', {
            form: {
              Action: 'SetTopicAttributes',
              Version: '2010-03-31',
              TopicArn: topic,
              AttributeName: 'Policy',
              AttributeValue: JSON.stringify(props.PolicyDocument),
            },
          });
        physical.set(id, { ref: id, attributes: {} });
        report.set(id, 'topic policy set');
        return;
      }
      case 'AWS::SNS::Subscription': {
        const text = await raw(endpoint, 'sns', {
          form: {
            Action: 'Subscribe',
            Version: '2010-03-31',
            TopicArn: String(props.TopicArn),
            Protocol: String(props.Protocol),
            Endpoint: String(props.Endpoint),
            ReturnSubscriptionArn: 'true',
          },
        });
        const arn = /<SubscriptionArn>([^<]+)<\/SubscriptionArn>/.exec(text)![1]!;
        if (props.RawMessageDelivery !== undefined)
          await raw(endpoint, 'sns', {
            form: {
              Action: 'SetSubscriptionAttributes',
              Version: '2010-03-31',
              SubscriptionArn: arn,
              AttributeName: 'RawMessageDelivery',
              AttributeValue: String(props.RawMessageDelivery),
            },
          });
        physical.set(id, { ref: arn, attributes: {} });
        report.set(id, `subscribed ${String(props.Protocol)} ${String(props.Endpoint)}`);
        return;
      }
      case 'AWS::DynamoDB::Table': {
        const name = (props.TableName as string | undefined) ?? physicalName(stack, id, 255);
        const sse = props.SSESpecification as { SSEEnabled?: boolean; KMSMasterKeyId?: string; SSEType?: string } | undefined;
        const input: CreateTableCommandInput = {
          TableName: name,
          AttributeDefinitions: props.AttributeDefinitions as CreateTableCommandInput['AttributeDefinitions'],
          KeySchema: props.KeySchema as CreateTableCommandInput['KeySchema'],
          BillingMode: props.BillingMode as CreateTableCommandInput['BillingMode'],
          ProvisionedThroughput: props.ProvisionedThroughput as CreateTableCommandInput['ProvisionedThroughput'],
          GlobalSecondaryIndexes: props.GlobalSecondaryIndexes as CreateTableCommandInput['GlobalSecondaryIndexes'],
          LocalSecondaryIndexes: props.LocalSecondaryIndexes as CreateTableCommandInput['LocalSecondaryIndexes'],
          StreamSpecification: props.StreamSpecification as CreateTableCommandInput['StreamSpecification'],
          SSESpecification: sse ? { Enabled: sse.SSEEnabled, KMSMasterKeyId: sse.KMSMasterKeyId, SSEType: (sse.SSEType ?? 'KMS') as 'KMS' } : undefined,
        };
        const { TableDescription } = await dynamodb.send(new CreateTableCommand(input));
        const ttl = props.TimeToLiveSpecification as { AttributeName: string; Enabled: boolean } | undefined;
        if (ttl) await dynamodb.send(new UpdateTimeToLiveCommand({ TableName: name, TimeToLiveSpecification: ttl }));
        physical.set(id, {
          ref: name,
          attributes: { Arn: TableDescription!.TableArn!, ...(TableDescription!.LatestStreamArn ? { StreamArn: TableDescription!.LatestStreamArn } : {}) },
        });
        report.set(
          id,
          `created table ${name} with ${(input.GlobalSecondaryIndexes ?? []).map((index) => index.IndexName).join(', ') || 'no'} GSIs${ttl ? `, TTL on ${ttl.AttributeName}` : ''}`,
        );
        return;
      }
      case 'AWS::Events::EventBus': {
        const name = props.Name as string;
        const { EventBusArn } = await events.send(new CreateEventBusCommand({ Name: name }));
        physical.set(id, { ref: name, attributes: { Arn: EventBusArn!, Name: name } });
        report.set(id, `created event bus ${name}`);
        return;
      }
      case 'AWS::Events::Rule': {
        const name = (props.Name as string | undefined) ?? physicalName(stack, id, 64);
        const bus = props.EventBusName as string | undefined;
        const { RuleArn } = await events.send(
          new PutRuleCommand({
            Name: name,
            EventBusName: bus,
            EventPattern: props.EventPattern ? JSON.stringify(props.EventPattern) : undefined,
            ScheduleExpression: props.ScheduleExpression as string | undefined,
            State: props.State as 'ENABLED' | undefined,
          }),
        );
        const targets = (props.Targets ?? []) as Target[];
        if (targets.length) await events.send(new PutTargetsCommand({ Rule: name, EventBusName: bus, Targets: targets }));
        physical.set(id, { ref: bus && bus !== 'default' ? `${bus}|${name}` : name, attributes: { Arn: RuleArn! } });
        report.set(
          id,
          `created rule ${name} on ${bus ?? 'default'} with ${targets.length} target(s)${targets.some((target) => target.DeadLetterConfig) ? ', dead-letter queue on the target' : ''}`,
        );
        return;
      }
      case 'AWS::SecretsManager::Secret': {
        const name = (props.Name as string | undefined) ?? physicalName('', id, 40).replace(/^-/, '');
        const value = (props.SecretString as string | undefined) ?? generateSecretValue((props.GenerateSecretString ?? {}) as Record<string, unknown>);
        const { ARN } = await secrets.send(
          new CreateSecretCommand({
            Name: name,
            SecretString: value,
            KmsKeyId: props.KmsKeyId as string | undefined,
            Description: props.Description as string | undefined,
          }),
        );
        physical.set(id, { ref: ARN!, attributes: { Id: ARN! } });
        secretValues.set(ARN!, value);
        report.set(id, `created secret ${name} (${props.GenerateSecretString ? 'value generated as GenerateSecretString asks' : 'value given'})`);
        return;
      }
      default:
        throw new Error(`unhandled ${type}`);
    }
  };

  // Created in dependency order: a resource whose references do not all resolve yet waits for the next round.
  let pending = Object.entries(template.Resources).filter(([, resource]) => PROVISIONED.has(resource.Type));
  while (pending.length) {
    const waiting: typeof pending = [];
    for (const [id, resource] of pending) {
      let props: Record<string, unknown>;
      try {
        props = resolve(resource.Properties ?? {}, physical) as Record<string, unknown>;
      } catch {
        waiting.push([id, resource]);
        continue;
      }
      await create(id, resource.Type, props);
    }
    if (waiting.length === pending.length) throw new Error(`cannot resolve the references of ${waiting.map(([id]) => id).join(', ')}`);
    pending = waiting;
  }
  for (const client of [s3, sqs, dynamodb, events, secrets]) client.destroy();
  return { physical, report, secretValues, queueUrls };
}
