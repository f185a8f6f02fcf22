import { describe, expect, it } from 'vitest';
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { buildApp } from '../../../lib/app.ts';

function synth(context: Record<string, unknown> = {}) {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [], stage: 'test', ...context } });
  const stack = buildApp(app);
  return { app, stack, template: Template.fromStack(stack) };
}

const EMAIL = { emailRecipients: 'imr@mail.firm.example', emailSenders: '@efax.example,fax@firm.example' };
const { app, stack, template } = synth(EMAIL);
/** Logical id of the one resource of a type whose id is `name` and CDK's 8-character hash. */
function idOf(checked: Template, type: string, name: string): string {
  const ids = Object.keys(checked.findResources(type)).filter((id) => new RegExp(`^${name}[0-9A-F]{8}$`).test(id));
  expect(ids, `${type} ${name}`).toHaveLength(1);
  return ids[0]!;
}
const rawBucket = idOf(template, 'AWS::S3::Bucket', 'DataRawEmail');
const inbox = idOf(template, 'AWS::S3::Bucket', 'DataInbox');
const rawKey = idOf(template, 'AWS::KMS::Key', 'DataRawEmailKey');
const dataKey = idOf(template, 'AWS::KMS::Key', 'DataDataKey');
const emailQueue = idOf(template, 'AWS::SQS::Queue', 'DataEmailQueue');
const ingestQueue = idOf(template, 'AWS::SQS::Queue', 'DataIngestQueue');
const emailFunction = idOf(template, 'AWS::Lambda::Function', 'ServiceEmailFunction');
/** The statements of the policies attached to the role of a function whose role id starts with `rolePrefix`. */
function roleStatements(rolePrefix: string): Array<{ Action: string | string[]; Resource: unknown }> {
  return Object.values(template.findResources('AWS::IAM::Policy'))
    .filter((policy) => JSON.stringify(policy.Properties.Roles).includes(rolePrefix))
    .flatMap((policy) => policy.Properties.PolicyDocument.Statement);
}

describe('email intake on AWS (context emailRecipients, emailSenders)', () => {
  it('adds nothing when not configured: no SES resource, no raw-email bucket, no email function', () => {
    const { template: plain } = synth();
    plain.resourceCountIs('AWS::SES::ReceiptRuleSet', 0);
    plain.resourceCountIs('AWS::SES::ReceiptRule', 0);
    expect(Object.keys(plain.findResources('AWS::S3::Bucket')).filter((id) => id.startsWith('DataRawEmail'))).toEqual([]);
    expect(plain.findResources('AWS::Lambda::Function', { Properties: { Environment: { Variables: { EMAIL_SENDERS: Match.anyValue() } } } })).toEqual({});
  });

  it('passes cdk-nag (AwsSolutions and HIPAA Security) with email intake configured', () => {
    expect(() => app.synth()).not.toThrow();
  });

  it('has an SES rule set with a rule for the recipients that requires TLS, scans, and stores raw messages under raw-email/ of their own bucket', () => {
    template.hasResourceProperties('AWS::SES::ReceiptRuleSet', { RuleSetName: 'imr-test-email' });
    template.hasResource('AWS::SES::ReceiptRule', {
      Properties: {
        Rule: {
          Name: 'store-raw-email',
          Enabled: true,
          Recipients: ['imr@mail.firm.example'],
          ScanEnabled: true,
          TlsPolicy: 'Require',
          Actions: [{ S3Action: { BucketName: { Ref: rawBucket }, ObjectKeyPrefix: 'raw-email/' } }],
        },
      },
      // SES checks that it may write when the rule is created: after the bucket policy.
      DependsOn: Match.arrayWith([idOf(template, 'AWS::S3::BucketPolicy', 'DataRawEmailPolicy')]),
    });
  });

  it("lets SES write only raw-email/* of that bucket, for this account's rule only (aws:SourceAccount, aws:SourceArn)", () => {
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: rawBucket },
      PolicyDocument: {
        Statement: Match.arrayWith([
          {
            Effect: 'Allow',
            Principal: { Service: 'ses.amazonaws.com' },
            Action: 's3:PutObject',
            Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [rawBucket, 'Arn'] }, '/raw-email/*']] },
            Condition: {
              StringEquals: {
                'aws:SourceAccount': { Ref: 'AWS::AccountId' },
                'aws:SourceArn': {
                  'Fn::Join': [
                    '',
                    [
                      'arn:',
                      { Ref: 'AWS::Partition' },
                      ':ses:',
                      { Ref: 'AWS::Region' },
                      ':',
                      { Ref: 'AWS::AccountId' },
                      ':receipt-rule-set/imr-test-email:receipt-rule/store-raw-email',
                    ],
                  ],
                },
              },
            },
          },
        ]),
      },
    });
  });

  it('encrypts raw messages under a key of their own, which SES may use through S3 only; the data key never names SES', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [
          { BucketKeyEnabled: true, ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: { 'Fn::GetAtt': [rawKey, 'Arn'] } } },
        ],
      },
      VersioningConfiguration: { Status: 'Enabled' },
      LifecycleConfiguration: { Rules: Match.arrayWith([Match.objectLike({ ExpirationInDays: 30 })]) },
    });
    template.hasResourceProperties('AWS::KMS::Key', {
      EnableKeyRotation: true,
      KeyPolicy: {
        Statement: Match.arrayWith([
          {
            Effect: 'Allow',
            Principal: { Service: 'ses.amazonaws.com' },
            Action: 'kms:GenerateDataKey',
            Resource: '*',
            Condition: { StringEquals: { 'kms:ViaService': { 'Fn::Join': ['', ['s3.', { Ref: 'AWS::Region' }, '.amazonaws.com']] } } },
          },
        ]),
      },
    });
    expect(JSON.stringify(template.toJSON().Resources[dataKey].Properties.KeyPolicy)).not.toContain('ses.amazonaws.com');
    expect(JSON.stringify(template.toJSON().Resources[rawKey].Properties.KeyPolicy)).toContain('ses.amazonaws.com');
  });

  it('keeps raw messages no longer than the letters when those are kept less than 30 days', () => {
    const { template: short } = synth({ ...EMAIL, retentionDays: 7 });
    short.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [
          Match.objectLike({ ServerSideEncryptionByDefault: Match.objectLike({ KMSMasterKeyID: { 'Fn::GetAtt': [rawKey, 'Arn'] } }) }),
        ],
      },
      LifecycleConfiguration: { Rules: Match.arrayWith([Match.objectLike({ ExpirationInDays: 7 })]) },
    });
  });

  it('notifies the email queue of raw-email/ objects only; the inbox still notifies ingest of every key, and no raw message reaches ingest', () => {
    template.hasResourceProperties('Custom::S3BucketNotifications', {
      BucketName: { Ref: rawBucket },
      NotificationConfiguration: {
        QueueConfigurations: [
          {
            Events: ['s3:ObjectCreated:*'],
            Filter: { Key: { FilterRules: [{ Name: 'prefix', Value: 'raw-email/' }] } },
            QueueArn: { 'Fn::GetAtt': [emailQueue, 'Arn'] },
          },
        ],
      },
    });
    template.hasResourceProperties('Custom::S3BucketNotifications', {
      BucketName: { Ref: inbox },
      NotificationConfiguration: { QueueConfigurations: [{ Events: ['s3:ObjectCreated:*'], QueueArn: { 'Fn::GetAtt': [ingestQueue, 'Arn'] } }] },
    });
    // The ingest function may not even read the raw-email bucket.
    expect(JSON.stringify(roleStatements('ServiceIngestFunction'))).not.toContain(rawBucket);
  });

  it('runs the email function on its queue (partial batch failures, a dead-letter queue), with the allow-list and the inbox in its environment', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ INBOX_BUCKET: { Ref: inbox }, EMAIL_SENDERS: '@efax.example,fax@firm.example', MAX_RECEIVE_COUNT: '5' }) },
      Timeout: 120,
      Architectures: ['arm64'],
    });
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: emailFunction },
      EventSourceArn: { 'Fn::GetAtt': [emailQueue, 'Arn'] },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
    template.hasResourceProperties('AWS::SQS::Queue', {
      RedrivePolicy: { deadLetterTargetArn: Match.anyValue(), maxReceiveCount: 5 },
      VisibilityTimeout: 720,
      KmsMasterKeyId: Match.anyValue(),
    });
  });

  it('lets the email function read raw-email/* and write only email/* of the inbox, through grants', () => {
    const statements = roleStatements('ServiceEmailFunction');
    const s3Statements = statements.filter((statement) => [statement.Action].flat().some((action) => action.startsWith('s3:')));
    const resources = (statement: { Resource: unknown }) => [statement.Resource].flat().map((resource) => JSON.stringify(resource));
    const reads = s3Statements.filter((statement) => [statement.Action].flat().includes('s3:GetObject*'));
    const writes = s3Statements.filter((statement) => [statement.Action].flat().includes('s3:PutObject'));
    expect(reads.flatMap(resources)).toEqual([
      JSON.stringify({ 'Fn::GetAtt': [rawBucket, 'Arn'] }),
      JSON.stringify({ 'Fn::Join': ['', [{ 'Fn::GetAtt': [rawBucket, 'Arn'] }, '/raw-email/*']] }),
    ]);
    expect(writes.flatMap(resources)).toEqual([JSON.stringify({ 'Fn::Join': ['', [{ 'Fn::GetAtt': [inbox, 'Arn'] }, '/email/*']] })]);
    // Nothing else of the inbox: no reads, no deletes.
    expect(s3Statements.filter((statement) => resources(statement).some((resource) => resource.includes(inbox)))).toEqual(writes);
  });

  it("alarms on its dead-letter queue, its errors, and an allowed sender's message that could not be read", () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'Errors', Dimensions: [{ Name: 'FunctionName', Value: { Ref: emailFunction } }] });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [idOf(template, 'AWS::SQS::Queue', 'DataEmailQueueDeadLetters'), 'QueueName'] } }],
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'ImrLetters',
      MetricName: 'emails_unreadable',
      Dimensions: [{ Name: 'service', Value: 'email' }],
      Threshold: 1,
    });
    expect(stack.service.email).not.toBeNull();
  });

  it('refuses incomplete or malformed email settings at synth, naming the setting and never the senders', () => {
    expect(() => synth({ emailRecipients: 'imr@mail.firm.example' })).toThrow(/emailSenders is not set/);
    expect(() => synth({ emailSenders: '@efax.example' })).toThrow(/emailSenders is set but emailRecipients is not/);
    expect(() => synth({ ...EMAIL, emailRecipients: 'not an address' })).toThrow(/emailRecipients must be addresses/);
    const failure = (() => {
      try {
        synth({ ...EMAIL, emailSenders: '@efax.example,private partner' });
      } catch (error) {
        return (error as Error).message;
      }
      return '';
    })();
    expect(failure).toMatch(/context emailSenders: entry 2/);
    expect(failure).not.toContain('private partner');
  });
});
