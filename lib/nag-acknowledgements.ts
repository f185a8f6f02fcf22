import { Stack, Validations, type CfnResource } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import type { ImrStack } from './imr-stack.ts';

/** `<LogicalId.Arn>` as cdk-nag writes a resource's ARN in a finding. */
function arnOf(construct: IConstruct): string {
  const resource = construct.node.defaultChild as CfnResource;
  return `<${Stack.of(construct).getLogicalId(resource)}.Arn>`;
}

/**
 * Every cdk-nag finding this service accepts, each with its reason. Anything not listed here
 * fails `cdk synth`.
 */
export function acknowledgeFindings(stack: ImrStack): void {
  const { data } = stack;
  const acknowledge = (scope: IConstruct, reason: string, ...ids: string[]) => {
    for (const id of ids) Validations.of(scope).acknowledge({ id, reason });
  };

  acknowledge(
    stack,
    'Lambda basic execution (CreateLogStream/PutLogEvents) is the least a function needs to log; CDK attaches the AWS managed policy for it.',
    'AwsSolutions::AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
  );
  acknowledge(
    stack,
    'Permissions come from CDK grant* methods, which write each role its own inline default policy scoped to the resources granted.',
    'HIPAA.Security::HIPAA.Security-IAMNoInlinePolicy',
  );
  acknowledge(
    stack,
    'Wildcards written by grant* methods: KMS actions (GenerateDataKey*, ReEncrypt*) and S3 object actions (GetObject*, List*, ...) on the granted key and buckets only.',
    ...['kms:GenerateDataKey*', 'kms:ReEncrypt*', 's3:GetObject*', 's3:GetBucket*', 's3:List*', 's3:DeleteObject*', 's3:Abort*'].map(
      (action) => `AwsSolutions::AwsSolutions-IAM5[Action::${action}]`,
    ),
    `AwsSolutions::AwsSolutions-IAM5[Resource::${arnOf(data.table)}/index/*]`,
    `AwsSolutions::AwsSolutions-IAM5[Resource::${arnOf(data.inbox)}/*]`,
    `AwsSolutions::AwsSolutions-IAM5[Resource::${arnOf(data.textBucket)}/*]`,
    // Narrower than the bucket: the query function reads only the text, the pages function only its page images.
    `AwsSolutions::AwsSolutions-IAM5[Resource::${arnOf(data.textBucket)}/text/*]`,
    `AwsSolutions::AwsSolutions-IAM5[Resource::${arnOf(data.textBucket)}/pages/*]`,
  );
  if (data.rawEmail && stack.service.email) {
    acknowledge(
      stack.service.email.function,
      'Email intake: the email function reads only the messages SES stored (raw-email/* of the raw-email bucket) and writes only email/* of the inbox; object keys under a prefix can only be granted with a wildcard, and these are narrower than the buckets.',
      `AwsSolutions::AwsSolutions-IAM5[Resource::${arnOf(data.rawEmail.bucket)}/raw-email/*]`,
      `AwsSolutions::AwsSolutions-IAM5[Resource::${arnOf(data.inbox)}/email/*]`,
    );
  }
  acknowledge(
    stack.service.review.function,
    "Console uploads: the review function signs the form a signed-in reviewer's browser posts a file with, and may put only under console/ of the inbox (what the form can do is no more than its signer may); object keys under a prefix can only be granted with a wildcard, narrower than the bucket.",
    `AwsSolutions::AwsSolutions-IAM5[Resource::${arnOf(data.inbox)}/console/*]`,
  );
  for (const route of stack.service.console?.publicRoutes ?? []) {
    acknowledge(
      route,
      "The review console's static files (the page, its script and stylesheet, and the app client id of the sign-in) must load before anyone signs in; they hold no data. Every data route needs the login.",
      'AwsSolutions::AwsSolutions-APIG4',
    );
  }
  acknowledge(
    stack,
    'Textract text detection actions support no resource-level permissions; "*" is the only resource they accept. X-Ray PutTraceSegments likewise.',
    'AwsSolutions::AwsSolutions-IAM5[Resource::*]',
  );
  acknowledge(
    stack,
    'No VPC: the functions reach only AWS APIs (S3, DynamoDB, Textract, EventBridge, Secrets Manager) over TLS with IAM auth; a VPC would need NAT gateways or endpoints that cost money while idle, against the pay-per-use requirement.',
    'HIPAA.Security::HIPAA.Security-LambdaInsideVPC',
  );
  acknowledge(
    stack,
    'Failures are kept by the event sources: the three SQS-triggered functions have queue dead-letter queues, and the query function is synchronous (the caller sees the error).',
    'HIPAA.Security::HIPAA.Security-LambdaDLQ',
  );
  acknowledge(
    stack,
    'Single-region service: versioning, retention and point-in-time recovery protect the data; cross-region replication would double storage cost. Enable it per deployment if the firm requires it.',
    'HIPAA.Security::HIPAA.Security-S3BucketReplicationEnabled',
  );
  acknowledge(
    stack,
    'Point-in-time recovery (35 days) protects the table; an AWS Backup plan is left to the account owner, who may already run one organisation-wide.',
    'HIPAA.Security::HIPAA.Security-DynamoDBInBackupPlan',
  );
  acknowledge(
    stack,
    'The webhook secret is shared by hand with case systems and the cursor secret only signs list positions: rotating either on a schedule would break receivers and cursors. Rotation with two active secrets is planned with the webhook work.',
    'AwsSolutions::AwsSolutions-SMG4',
    'HIPAA.Security::HIPAA.Security-SecretsManagerRotationEnabled',
  );
  acknowledge(
    data,
    'S3 server access logs cannot be delivered to a bucket encrypted with SSE-KMS; the log bucket uses SSE-S3, is private, TLS-only and versioned.',
    'HIPAA.Security::HIPAA.Security-S3DefaultEncryptionKMS',
  );
  acknowledge(
    data.eventDeadLetters,
    "It is a dead-letter queue: the event rule's target's (EventBridge's DeadLetterConfig), which cdk-nag does not recognise, as it looks only for queues' redrive policies. A dead-letter queue has none of its own.",
    'AwsSolutions::AwsSolutions-SQS3',
  );
}
