import { describe, expect, it } from 'vitest';
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { buildApp } from '../../../lib/app.ts';
import { ROUTES } from '../../../functions/query/route-table.ts';

function synth(context: Record<string, unknown> = {}) {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [], ...context } });
  const stack = buildApp(app);
  return { app, stack, template: Template.fromStack(stack) };
}

const { app, template } = synth({ ingestConcurrency: 3, retentionDays: 2555, alarmEmail: 'ops@example.com' });

/* The template read as data, to check relations between its resources (who writes where, under which key). */
/** Untyped JSON, as `Template.toJSON()` gives it. */
type TemplateJson = ReturnType<Template['toJSON']>;
interface CfnResourceJson {
  readonly Type: string;
  readonly Properties?: TemplateJson;
}
interface PolicyStatementJson {
  readonly Effect: 'Allow' | 'Deny';
  readonly Principal?: { Service?: unknown; AWS?: unknown } | '*';
  readonly Action: string | string[];
  readonly Resource?: unknown;
  readonly Condition?: Record<string, Record<string, unknown>>;
}
const resourcesOf = (checked: Template) => checked.toJSON().Resources as Record<string, CfnResourceJson>;
const resources = resourcesOf(template);
/** The logical id a value refers to (`{ Ref }` or `{ Fn::GetAtt: [id, ...] }`), if it is a reference. */
function referenced(value: unknown): string | undefined {
  const reference = value as { Ref?: string; 'Fn::GetAtt'?: [string, string] } | undefined;
  return reference?.Ref ?? reference?.['Fn::GetAtt']?.[0];
}
const actionsOf = (statement: PolicyStatementJson) => [statement.Action].flat();
const servicesOf = (statement: PolicyStatementJson) =>
  typeof statement.Principal === 'object' ? [statement.Principal.Service].flat().filter((service) => service !== undefined) : [];
const logicalIdsOf = (checked: Template, type: string) => Object.keys(checked.findResources(type));

/** A service that writes to a topic or queue, found in the template, and what in the template makes it write there. */
interface Writer {
  readonly target: string;
  readonly service: string;
  readonly because: string;
}
/**
 * Every service principal that sends to a topic or queue of the template: CloudWatch for an
 * alarm's actions, EventBridge for a rule's targets and their dead-letter queues, S3 for a
 * bucket's notifications, SNS for a topic's SQS subscriptions.
 */
function writersIn(all: Record<string, CfnResourceJson>): Writer[] {
  const writers: Writer[] = [];
  const add = (value: unknown, service: string, because: string) => {
    const target = referenced(value);
    if (target) writers.push({ target, service, because });
  };
  for (const [id, resource] of Object.entries(all)) {
    const properties = resource.Properties ?? {};
    if (resource.Type === 'AWS::CloudWatch::Alarm') {
      for (const action of [...(properties.AlarmActions ?? []), ...(properties.OKActions ?? []), ...(properties.InsufficientDataActions ?? [])])
        add(action, 'cloudwatch.amazonaws.com', `alarm ${id}`);
    }
    if (resource.Type === 'AWS::Events::Rule') {
      for (const target of properties.Targets ?? []) {
        // A target with a role is written by that role (its identity policy), not by the service principal.
        if (!target.RoleArn) add(target.Arn, 'events.amazonaws.com', `rule ${id}`);
        add(target.DeadLetterConfig?.Arn, 'events.amazonaws.com', `rule ${id}'s dead-letter queue`);
      }
    }
    if (resource.Type === 'Custom::S3BucketNotifications' || resource.Type === 'AWS::S3::Bucket') {
      const notifications = properties.NotificationConfiguration ?? {};
      for (const queue of notifications.QueueConfigurations ?? []) add(queue.QueueArn, 's3.amazonaws.com', `notifications ${id}`);
      for (const topic of notifications.TopicConfigurations ?? []) add(topic.TopicArn, 's3.amazonaws.com', `notifications ${id}`);
    }
    if (resource.Type === 'AWS::SNS::Subscription' && properties.Protocol === 'sqs') add(properties.Endpoint, 'sns.amazonaws.com', `subscription ${id}`);
  }
  return writers;
}

describe('cdk-nag', () => {
  it('AwsSolutions and HIPAA Security packs pass: every finding is fixed or acknowledged with a reason', () => {
    expect(() => app.synth()).not.toThrow();
  });

  it('is really checking: an unencrypted queue added to the stack fails synth', () => {
    const checked = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const stack = buildApp(checked);
    new Queue(stack, 'Careless', { encryption: QueueEncryption.UNENCRYPTED });
    expect(() => checked.synth()).toThrow(/SQS/);
  });
});

describe('storage', () => {
  it('buckets are private, TLS-only, versioned, KMS-encrypted, logged, with lifecycle rules', () => {
    const buckets = template.findResources('AWS::S3::Bucket', {
      Properties: { BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms' } }] } },
    });
    expect(Object.keys(buckets)).toHaveLength(2);
    for (const bucket of Object.values(buckets)) {
      expect(bucket.Properties).toMatchObject({
        PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
        VersioningConfiguration: { Status: 'Enabled' },
        LoggingConfiguration: expect.any(Object),
      });
      expect(bucket.Properties.LifecycleConfiguration.Rules).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ NoncurrentVersionExpiration: { NoncurrentDays: 30 } }),
          expect.objectContaining({ ExpirationInDays: 2555 }),
        ]),
      );
      expect(bucket.DeletionPolicy).toBe('Retain');
    }
    template.allResourcesProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    });
  });

  it('the table is on-demand, KMS-encrypted, with point-in-time recovery and the query indexes', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      BillingMode: 'PAY_PER_REQUEST',
      SSESpecification: { SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: Match.anyValue() },
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      GlobalSecondaryIndexes: ['gsi1', 'gsi2', 'gsi3', 'gsi4', 'gsi5'].map((name) => Match.objectLike({ IndexName: name })),
    });
  });

  it('queues and topics are KMS-encrypted; work queues redrive to dead-letter queues after 5 receives', () => {
    template.allResourcesProperties('AWS::SQS::Queue', { KmsMasterKeyId: Match.anyValue() });
    expect(Object.keys(template.findResources('AWS::SQS::Queue', { Properties: { RedrivePolicy: { maxReceiveCount: 5 } } }))).toHaveLength(3);
    template.allResourcesProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
    template.allResourcesProperties('AWS::KMS::Key', { EnableKeyRotation: true });
  });
});

describe('functions', () => {
  it('run on the newest Node.js runtime on ARM64 with X-Ray and JSON logs', () => {
    template.resourcePropertiesCountIs(
      'AWS::Lambda::Function',
      { Runtime: 'nodejs24.x', Architectures: ['arm64'], TracingConfig: { Mode: 'Active' }, LoggingConfig: Match.objectLike({ LogFormat: 'JSON' }) },
      8,
    );
  });

  it("every function runs on ARM64: the page renderer (sharp) and CDK's own handlers too, with data kept or not", () => {
    for (const checked of [template, synth({ retainData: false }).template]) {
      expect(logicalIdsOf(checked, 'AWS::Lambda::Function').length).toBeGreaterThanOrEqual(8);
      checked.allResourcesProperties('AWS::Lambda::Function', { Architectures: ['arm64'] });
    }
    template.hasResourceProperties('AWS::Lambda::Function', {
      Architectures: ['arm64'],
      Environment: { Variables: Match.objectLike({ POWERTOOLS_SERVICE_NAME: 'imr-pages' }) },
    });
  });

  it('bound Textract use: ingest and completion reserved to the configured concurrency', () => {
    template.resourcePropertiesCountIs(
      'AWS::Lambda::Function',
      { ReservedConcurrentExecutions: 3, Environment: { Variables: Match.objectLike({ MAX_RECEIVE_COUNT: '5' }) } },
      2,
    );
  });

  it('read their queues in batches reporting partial failures', () => {
    template.resourcePropertiesCountIs('AWS::Lambda::EventSourceMapping', { FunctionResponseTypes: ['ReportBatchItemFailures'] }, 3);
  });

  it("hide a received message for at least six times its consumer function's timeout (every event source queue)", () => {
    const mappings = Object.values(template.findResources('AWS::Lambda::EventSourceMapping'));
    expect(mappings).toHaveLength(3);
    for (const mapping of mappings) {
      const queue = resources[referenced(mapping.Properties.EventSourceArn)!]!;
      const fn = resources[referenced(mapping.Properties.FunctionName)!]!;
      expect(queue.Type).toBe('AWS::SQS::Queue');
      expect(fn.Type).toBe('AWS::Lambda::Function');
      // CloudFormation's defaults: 30 s visibility, 3 s function timeout.
      const visibility = Number(queue.Properties?.VisibilityTimeout ?? 30);
      const timeout = Number(fn.Properties?.Timeout ?? 3);
      expect(visibility, `${referenced(mapping.Properties.EventSourceArn)}: visibility ${visibility} s for a ${timeout} s function`).toBeGreaterThanOrEqual(
        6 * timeout,
      );
    }
  });

  it('log to their own KMS-encrypted log groups kept 90 days', () => {
    template.allResourcesProperties('AWS::Logs::LogGroup', { RetentionInDays: 90, KmsKeyId: Match.anyValue() });
  });

  it('hold no secret in their environment, only the secret ARN', () => {
    const functions = template.findResources('AWS::Lambda::Function');
    for (const fn of Object.values(functions)) {
      const variables = Object.keys(fn.Properties.Environment?.Variables ?? {});
      expect(variables.filter((name) => /SECRET(?!_ARN)/.test(name))).toEqual([]);
    }
  });

  it('are granted no DynamoDB stream reads: the table has no stream', () => {
    expect(Object.values(template.findResources('AWS::DynamoDB::Table')).some((table) => table.Properties.StreamSpecification)).toBe(false);
    const statements = Object.values(template.findResources('AWS::IAM::Policy')).flatMap(
      (policy) => policy.Properties.PolicyDocument.Statement as PolicyStatementJson[],
    );
    expect(statements.flatMap(actionsOf).filter((action) => /^dynamodb:(?:GetRecords|GetShardIterator|DescribeStream|ListStreams)$/.test(action))).toEqual([]);
  });

  it('read secrets with GetSecretValue only (what Powertools getSecret calls), never DescribeSecret', () => {
    const statements = Object.values(template.findResources('AWS::IAM::Policy')).flatMap(
      (policy) => policy.Properties.PolicyDocument.Statement as PolicyStatementJson[],
    );
    const secretActions = statements.flatMap(actionsOf).filter((action) => action.startsWith('secretsmanager:'));
    expect(secretActions.filter((action) => action !== 'secretsmanager:GetSecretValue')).toEqual([]);
    // One grant per reader: the query function (cursor secret) and the webhook function (signing secret).
    expect(secretActions).toHaveLength(2);
  });

  it("textract-complete may not read the inbox (it reads Textract's results, never the document); ingest may", () => {
    const statementsOf = (role: RegExp) =>
      Object.values(template.findResources('AWS::IAM::Policy'))
        .filter((policy) => (policy.Properties.Roles as Array<{ Ref: string }>).some((ref) => role.test(ref.Ref)))
        .flatMap((policy) => policy.Properties.PolicyDocument.Statement as PolicyStatementJson[]);
    expect(JSON.stringify(statementsOf(/ServiceTextractComplete/))).not.toMatch(/DataInbox/);
    expect(JSON.stringify(statementsOf(/ServiceTextractComplete/))).toMatch(/textract:GetDocumentTextDetection/);
    expect(JSON.stringify(statementsOf(/ServiceIngest/))).toMatch(/DataInbox/);
  });

  it("lets the reading functions write the text bucket's readings (text/*); only the sweep reads them back (to index what was left behind), and the review function (to index a correction)", () => {
    const statementsOf = (role: RegExp) =>
      Object.values(template.findResources('AWS::IAM::Policy'))
        .filter((policy) => (policy.Properties.Roles as Array<{ Ref: string }>).some((ref) => role.test(ref.Ref)))
        .flatMap((policy) => policy.Properties.PolicyDocument.Statement as PolicyStatementJson[]);
    const writes = ['s3:Abort*', 's3:PutObject', 's3:PutObjectLegalHold', 's3:PutObjectRetention', 's3:PutObjectTagging', 's3:PutObjectVersionTagging'];
    const reads = ['s3:GetBucket*', 's3:GetObject*', 's3:List*'];
    for (const [role, expected] of [
      [/ServiceIngest/, writes],
      [/ServiceTextractComplete/, writes],
      [/ServiceSweep/, [...writes, ...reads].sort()],
      [/ServiceReview/, reads],
    ] as const) {
      const onText = statementsOf(role).filter((statement) => JSON.stringify(statement.Resource).includes('DataText'));
      expect(
        onText
          .flatMap(actionsOf)
          .filter((action) => action.startsWith('s3:'))
          .sort(),
        String(role),
      ).toEqual(expected);
      expect(JSON.stringify(onText), String(role)).toMatch(/\/text\/\*/);
      expect(JSON.stringify(onText), String(role)).not.toMatch(/\/pages\/\*/);
    }
  });

  it('lets the webhook function only put items in the table (its attempt records), with the table key', () => {
    const webhook = Object.values(template.findResources('AWS::IAM::Policy')).filter((policy) =>
      (policy.Properties.Roles as Array<{ Ref: string }>).some((ref) => /ServiceWebhook/.test(ref.Ref)),
    );
    const statements = webhook.flatMap((policy) => policy.Properties.PolicyDocument.Statement as PolicyStatementJson[]);
    expect(statements.flatMap(actionsOf).filter((action) => action.startsWith('dynamodb:'))).toEqual(['dynamodb:PutItem']);
    expect(statements).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          Action: expect.arrayContaining(['kms:GenerateDataKey*']),
          Resource: { 'Fn::GetAtt': [expect.stringMatching(/DataDataKey/), 'Arn'] },
        }),
      ]),
    );
  });

  it('may call Textract only with the text-detection actions', () => {
    const statements = Object.values(template.findResources('AWS::IAM::Policy')).flatMap(
      (policy) => policy.Properties.PolicyDocument.Statement as Array<{ Action: string | string[] }>,
    );
    const textract = statements.flatMap((statement) => [statement.Action].flat()).filter((action) => action.startsWith('textract:'));
    expect(new Set(textract)).toEqual(new Set(['textract:DetectDocumentText', 'textract:StartDocumentTextDetection', 'textract:GetDocumentTextDetection']));
  });
});

describe('API, events, alarms', () => {
  it('routes corrections to the review function, the only one that may write the table besides ingest and webhooks, and reads to the query function', () => {
    const routes = Object.values(template.findResources('AWS::ApiGatewayV2::Route')).map((route) => route.Properties.RouteKey as string);
    expect(routes).toEqual(
      expect.arrayContaining([
        'GET /determinations',
        'GET /determinations/{id}/history',
        'GET /documents',
        'GET /documents/{id}/text',
        'GET /search',
        'PATCH /determinations/{id}',
      ]),
    );
    expect(routes).not.toContain('PATCH /determinations');
    // The API's routes are the route table's (those it gives AWS), each to the function it names; the rest are the console's.
    const api = routes.filter((key) => ROUTES.some((spec) => spec.path === key.slice(key.indexOf(' ') + 1)));
    expect(api.sort()).toEqual(
      ROUTES.filter((spec) => spec.aws)
        .map((spec) => `${spec.method} ${spec.path}`)
        .sort(),
    );
    const targets = Object.values(template.findResources('AWS::ApiGatewayV2::Route')).map(
      (route) => [route.Properties.RouteKey as string, JSON.stringify(route.Properties.Target)] as const,
    );
    const integrationOf = (key: string) => targets.find(([routeKey]) => routeKey === key)![1];
    for (const spec of ROUTES.filter((candidate) => candidate.aws))
      expect(integrationOf(`${spec.method} ${spec.path}`)).toMatch(new RegExp(`${spec.function[0]!.toUpperCase()}${spec.function.slice(1)}Integration`));
    const writers = Object.values(template.findResources('AWS::IAM::Policy'))
      .filter((policy) =>
        (policy.Properties.PolicyDocument.Statement as Array<{ Action: string | string[] }>).some((statement) =>
          [statement.Action].flat().includes('dynamodb:PutItem'),
        ),
      )
      .flatMap((policy) => (policy.Properties.Roles as Array<{ Ref: string }>).map((role) => role.Ref));
    expect(writers.some((role) => /Query/.test(role))).toBe(false);
    expect(writers.some((role) => /Review/.test(role))).toBe(true);
  });

  it('puts every data route behind the login by default, and only the console files outside it, throttled', () => {
    const routes = Object.values(template.findResources('AWS::ApiGatewayV2::Route')).map((route) => [
      route.Properties.RouteKey as string,
      route.Properties.AuthorizationType as string,
    ]);
    expect(routes.filter(([, type]) => type !== 'JWT').sort()).toEqual([
      ['GET /', 'NONE'],
      ['GET /console/{file+}', 'NONE'],
    ]);
    for (const route of ['GET /determinations', 'GET /documents/{id}/original', 'GET /documents/{id}/pages/{n}', 'PATCH /determinations/{id}'])
      expect(routes).toContainEqual([route, 'JWT']);
    template.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      AuthorizerType: 'JWT',
      JwtConfiguration: {
        Audience: Match.arrayWith([{ Ref: Match.stringLikeRegexp('ReviewConsole') }, { Ref: Match.stringLikeRegexp('Integrations') }]),
        Issuer: Match.anyValue(),
      },
    });
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      DefaultRouteSettings: { ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 },
      AccessLogSettings: Match.objectLike({ DestinationArn: Match.anyValue() }),
    });
  });

  it('signs reviewers in with the hosted sign-in: invited only, MFA required, threat protection enforced, code flow with PKCE back to the console', () => {
    template.hasResourceProperties('AWS::Cognito::UserPool', {
      AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
      MfaConfiguration: 'ON',
      EnabledMfas: ['SOFTWARE_TOKEN_MFA'],
      UserPoolTier: 'PLUS',
      UserPoolAddOns: { AdvancedSecurityMode: 'ENFORCED' },
      Policies: { PasswordPolicy: Match.objectLike({ MinimumLength: 14, RequireSymbols: true }) },
    });
    template.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      GenerateSecret: false,
      AllowedOAuthFlows: ['code'],
      AllowedOAuthScopes: ['openid', 'email'],
      CallbackURLs: [Match.objectLike({ 'Fn::Join': Match.anyValue() })],
    });
    template.hasResourceProperties('AWS::Cognito::UserPoolClient', { GenerateSecret: true, AllowedOAuthFlows: ['client_credentials'] });
    template.hasResourceProperties('AWS::Cognito::UserPoolDomain', { Domain: Match.anyValue() });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({ CONSOLE_CLIENT_ID: Match.anyValue(), CONSOLE_LOGIN_DOMAIN: Match.anyValue(), CONSOLE_REDIRECT_URI: Match.anyValue() }),
      },
    });
  });

  it('lets the page renderer read originals and write only page images; the query function reads originals to sign links, and writes nothing', () => {
    const policies = Object.values(template.findResources('AWS::IAM::Policy'));
    const statementsOf = (role: RegExp) =>
      policies
        .filter((policy) => (policy.Properties.Roles as Array<{ Ref: string }>).some((ref) => role.test(ref.Ref)))
        .flatMap((policy) => policy.Properties.PolicyDocument.Statement as Array<{ Action: string | string[]; Resource: unknown }>);
    const writes = (role: RegExp) =>
      statementsOf(role).filter((statement) =>
        [statement.Action].flat().some((action) => /^s3:PutObject|^dynamodb:(?:PutItem|UpdateItem|DeleteItem)/.test(action)),
      );
    expect(JSON.stringify(writes(/Pages/).map((statement) => statement.Resource))).toMatch(/\/pages\/\*/);
    expect(JSON.stringify(writes(/Pages/).map((statement) => statement.Resource))).not.toMatch(/\/text\/\*|Inbox/);
    expect(writes(/ServiceQuery/)).toEqual([]);
    expect(JSON.stringify(statementsOf(/ServiceQuery/))).toMatch(/DataInbox/);
  });

  it('serves the API with IAM authorisation when asked, with no login and no console', () => {
    const iam = synth({ auth: 'iam' }).template;
    for (const route of [
      'GET /determinations',
      'GET /determinations/{id}',
      'GET /items',
      'GET /documents/{id}/status',
      'GET /stats',
      'GET /openapi.json',
      'PATCH /determinations/{id}',
    ]) {
      iam.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: route, AuthorizationType: 'AWS_IAM' });
    }
    iam.resourceCountIs('AWS::Cognito::UserPool', 0);
    expect(Object.values(iam.findResources('AWS::ApiGatewayV2::Route')).map((route) => route.Properties.RouteKey)).not.toContain('GET /');
  });

  it("gives the functions that announce letters the address events link under: the API's URL, or the configured one", () => {
    const announcers = ['imr-ingest', 'imr-textract-complete', 'imr-sweep', 'imr-review'];
    const variablesOf = (checked: Template, service: string) =>
      Object.values(checked.findResources('AWS::Lambda::Function', { Properties: { Environment: { Variables: { POWERTOOLS_SERVICE_NAME: service } } } }))[0]!
        .Properties.Environment.Variables;
    const api = Object.keys(template.findResources('AWS::ApiGatewayV2::Api'))[0]!;
    for (const service of announcers) expect(variablesOf(template, service).PUBLIC_BASE_URL).toEqual({ 'Fn::GetAtt': [api, 'ApiEndpoint'] });
    expect(variablesOf(template, 'imr-query').PUBLIC_BASE_URL).toBeUndefined();
    const custom = synth({ publicUrl: 'https://imr.example.com/' }).template;
    for (const service of announcers) expect(variablesOf(custom, service).PUBLIC_BASE_URL).toBe('https://imr.example.com');
    expect(() => synth({ publicUrl: 'http://imr.example.com' })).toThrow(/context publicUrl must be an https address/);
    expect(() => synth({ publicUrl: 'https://imr.example.com/api?x=1' })).toThrow(/context publicUrl/);
  });

  it("lets a reviewer's browser post a file to the inbox with a form the review function signs: put under console/ only, CORS for the console's origin only", () => {
    const review = Object.entries(
      template.findResources('AWS::Lambda::Function', { Properties: { Environment: { Variables: { POWERTOOLS_SERVICE_NAME: 'imr-review' } } } }),
    )[0]!;
    const inbox = Object.keys(template.findResources('AWS::S3::Bucket')).find((id) => id.includes('Inbox'))!;
    expect(review[1].Properties.Environment.Variables.INBOX_BUCKET).toEqual({ Ref: inbox });
    const role = review[1].Properties.Role['Fn::GetAtt'][0] as string;
    const statements = Object.values(template.findResources('AWS::IAM::Policy'))
      .filter((policy) => (policy.Properties.Roles as Array<{ Ref: string }>).some((r) => r.Ref === role))
      .flatMap((policy) => policy.Properties.PolicyDocument.Statement as PolicyStatementJson[]);
    const inboxWrites = statements.filter(
      (statement) => JSON.stringify(statement.Resource).includes(inbox) && JSON.stringify(statement.Action).includes('s3:PutObject'),
    );
    expect(inboxWrites).toHaveLength(1);
    expect(JSON.stringify(inboxWrites[0]!.Resource)).toContain('/console/*');
    const api = Object.keys(template.findResources('AWS::ApiGatewayV2::Api'))[0]!;
    template.hasResourceProperties('AWS::S3::Bucket', {
      CorsConfiguration: {
        CorsRules: [{ AllowedMethods: ['POST'], AllowedOrigins: [{ 'Fn::GetAtt': [api, 'ApiEndpoint'] }], AllowedHeaders: ['*'], MaxAge: 3000 }],
      },
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ POWERTOOLS_SERVICE_NAME: 'imr-console', CONSOLE_UPLOAD_ORIGIN: Match.anyValue() }) },
    });
    template.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: 'POST /uploads', AuthorizationType: 'JWT' });
  });

  it('refuses an unknown auth mode and a malformed sign-in prefix at synth', () => {
    expect(() => synth({ auth: 'basic' })).toThrow(/context auth must be/);
    expect(() => synth({ loginDomainPrefix: 'Has Spaces' })).toThrow(/loginDomainPrefix/);
  });

  it('uses a JWT authoriser when an issuer is configured', () => {
    const jwt = synth({ jwtIssuer: 'https://cognito-idp.us-west-2.amazonaws.com/pool', jwtAudience: 'client-1' }).template;
    jwt.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      AuthorizerType: 'JWT',
      JwtConfiguration: { Issuer: 'https://cognito-idp.us-west-2.amazonaws.com/pool', Audience: ['client-1'] },
    });
    jwt.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: 'GET /determinations', AuthorizationType: 'JWT' });
  });

  it('puts every event on the webhook delivery queue, read by the webhook function, with a dead-letter queue', () => {
    template.hasResourceProperties('AWS::Events::Rule', { EventPattern: { source: ['imr.letters'] }, Targets: [Match.objectLike({ Arn: Match.anyValue() })] });
    expect(Object.keys(template.findResources('AWS::SQS::Queue', { Properties: { RedrivePolicy: { maxReceiveCount: 5 } } }))).toHaveLength(3);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ DELIVERY_QUEUE_URL: Match.anyValue(), DELIVERY_DLQ_URL: Match.anyValue() }) },
    });
  });

  it("gives the event rule's queue target an encrypted dead-letter queue that keeps events 14 days, and alarms on it", () => {
    const rules = Object.entries(template.findResources('AWS::Events::Rule'));
    // The delivery rule and the sweep's schedule.
    expect(rules).toHaveLength(2);
    for (const [, rule] of rules) {
      for (const target of rule.Properties.Targets) {
        const deadLetters = referenced(target.DeadLetterConfig?.Arn);
        expect(deadLetters, `target ${target.Id} has a dead-letter queue`).toBeDefined();
        expect(resources[deadLetters!]).toMatchObject({
          Type: 'AWS::SQS::Queue',
          Properties: { KmsMasterKeyId: expect.anything(), MessageRetentionPeriod: 1209600 },
        });
        template.hasResourceProperties('AWS::CloudWatch::Alarm', {
          MetricName: 'ApproximateNumberOfMessagesVisible',
          Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [deadLetters, 'QueueName'] } }],
        });
      }
    }
  });

  it("admits EventBridge to the rule's queues only on behalf of that rule (aws:SourceArn)", () => {
    const policies = Object.values(template.findResources('AWS::SQS::QueuePolicy'));
    const ruleIds = Object.keys(template.findResources('AWS::Events::Rule'));
    let checked = 0;
    for (const [ruleId, rule] of Object.entries(template.findResources('AWS::Events::Rule'))) {
      for (const target of rule.Properties.Targets) {
        for (const queue of [referenced(target.Arn), referenced(target.DeadLetterConfig?.Arn)].filter(
          (id) => id && resources[id]?.Type === 'AWS::SQS::Queue',
        )) {
          const statements = policies
            .filter((policy) => (policy.Properties.Queues as unknown[]).some((ref) => referenced(ref) === queue))
            .flatMap((policy) => policy.Properties.PolicyDocument.Statement as PolicyStatementJson[])
            .filter((statement) => statement.Effect === 'Allow' && servicesOf(statement).includes('events.amazonaws.com'));
          expect(statements.length, `${queue} admits EventBridge`).toBeGreaterThan(0);
          // This rule is admitted on its own behalf; a queue two rules share (the dead-letter queue) admits each for itself only.
          const onBehalfOf = statements.map((statement) => JSON.stringify(statement.Condition));
          expect(onBehalfOf, `${queue} admits ${ruleId}`).toContain(JSON.stringify({ ArnEquals: { 'aws:SourceArn': { 'Fn::GetAtt': [ruleId, 'Arn'] } } }));
          for (const statement of statements)
            expect(ruleIds, `${queue}: ${JSON.stringify(statement)}`).toContainEqual(
              (statement.Condition as { ArnEquals?: { 'aws:SourceArn'?: { 'Fn::GetAtt'?: unknown[] } } } | undefined)?.ArnEquals?.['aws:SourceArn']?.[
                'Fn::GetAtt'
              ]?.[0],
            );
          checked += 1;
        }
      }
    }
    // The delivery queue and its dead-letter queue for the delivery rule, the dead-letter queue for the sweep's schedule.
    expect(checked).toBe(3);
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      Queues: [{ Ref: Match.stringLikeRegexp('WebhookDeliveries') }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Allow',
            Principal: { Service: 'events.amazonaws.com' },
            Action: Match.arrayWith(['sqs:SendMessage']),
            Condition: { ArnEquals: { 'aws:SourceArn': { 'Fn::GetAtt': [Match.stringLikeRegexp('DeliverEvents'), 'Arn'] } } },
          }),
        ]),
      },
    });
  });

  it("lets CloudWatch publish alarms to the encrypted alarm topic: key policy and topic policy, for this account's alarms only", () => {
    const alarmTopics = new Set(
      Object.values(template.findResources('AWS::CloudWatch::Alarm')).flatMap((alarm) => (alarm.Properties.AlarmActions as unknown[]).map(referenced)),
    );
    expect(alarmTopics.size).toBe(1);
    const [topic] = [...alarmTopics];
    const key = referenced(resources[topic!]!.Properties!.KmsMasterKeyId);
    const fromThisAccountsAlarms = {
      StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
      ArnLike: {
        'aws:SourceArn': {
          'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':cloudwatch:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':alarm:*']],
        },
      },
    };
    expect(resources[key!]!.Properties!.KeyPolicy.Statement).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          Effect: 'Allow',
          Principal: { Service: 'cloudwatch.amazonaws.com' },
          Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
          Condition: fromThisAccountsAlarms,
        }),
      ]),
    );
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      Topics: [{ Ref: topic }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Allow', Principal: { Service: 'cloudwatch.amazonaws.com' }, Action: 'sns:Publish', Condition: fromThisAccountsAlarms }),
        ]),
      },
    });
  });

  it('names in the key policy of every KMS-encrypted topic and queue each service that writes to it (alarms, rules, S3 notifications, SNS subscriptions)', () => {
    const writers = writersIn(resources);
    // The check is not empty: each kind of writer of this stack is found in the template.
    expect(new Set(writers.map((writer) => writer.service))).toEqual(
      new Set(['cloudwatch.amazonaws.com', 'events.amazonaws.com', 's3.amazonaws.com', 'sns.amazonaws.com']),
    );
    const missing: string[] = [];
    for (const writer of writers) {
      const target = resources[writer.target];
      if (target?.Type !== 'AWS::SNS::Topic' && target?.Type !== 'AWS::SQS::Queue') continue;
      const key = referenced(target.Properties?.KmsMasterKeyId);
      if (!key) continue;
      const statements = (resources[key]!.Properties!.KeyPolicy.Statement as PolicyStatementJson[]).filter(
        (statement) => statement.Effect === 'Allow' && servicesOf(statement).includes(writer.service),
      );
      const allowed = (action: string) =>
        statements.some((statement) =>
          actionsOf(statement).some(
            (granted) => granted === 'kms:*' || granted === action || (granted.endsWith('*') && action.startsWith(granted.slice(0, -1))),
          ),
        );
      if (!allowed('kms:Decrypt') || !allowed('kms:GenerateDataKey'))
        missing.push(`${writer.service} (${writer.because}) writes to ${writer.target}, encrypted with ${key}, whose policy does not let it`);
    }
    expect(missing).toEqual([]);
  });

  it('expires webhook attempt records with a TTL', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', { TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true } });
  });

  it('alarms on dead-letter depth, oldest message age and function errors, to an email topic', () => {
    template.resourcePropertiesCountIs('AWS::CloudWatch::Alarm', { MetricName: 'ApproximateNumberOfMessagesVisible' }, 4);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'ApproximateAgeOfOldestMessage', Threshold: 3600 });
    template.resourcePropertiesCountIs('AWS::CloudWatch::Alarm', { MetricName: 'Errors' }, 8);
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'ops@example.com' });
  });

  it('sweeps documents whose Textract notice never came every 15 minutes, and alarms when it had to', () => {
    const sweep = logicalIdsOf(template, 'AWS::Lambda::Function').find((id) => id.startsWith('ServiceSweep'))!;
    expect(sweep).toBeDefined();
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(15 minutes)',
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [sweep, 'Arn'] }, RetryPolicy: { MaximumRetryAttempts: 2 }, DeadLetterConfig: Match.anyValue() })],
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'ImrLetters',
      MetricName: 'ocr_notices_lost',
      Dimensions: [{ Name: 'service', Value: 'sweep' }],
      Threshold: 1,
      AlarmActions: Match.anyValue(),
    });
    // It asks Textract for a job's results, and nothing else of Textract.
    const policies = Object.values(template.findResources('AWS::IAM::Policy')).filter((policy) =>
      JSON.stringify(policy.Properties.Roles).includes('ServiceSweep'),
    );
    const textractActions = policies
      .flatMap((policy) => policy.Properties.PolicyDocument.Statement as Array<{ Action: string | string[] }>)
      .flatMap((statement) => [statement.Action].flat())
      .filter((action) => action.startsWith('textract:'));
    expect(textractActions).toEqual(['textract:GetDocumentTextDetection']);
  });

  it('has nothing always on: no NAT gateway, no VPC, no provisioned capacity', () => {
    template.resourceCountIs('AWS::EC2::NatGateway', 0);
    template.resourceCountIs('AWS::EC2::VPC', 0);
    expect(template.findResources('AWS::Lambda::Function', { Properties: { VpcConfig: Match.anyValue() } })).toEqual({});
  });

  it('notifies the ingest queue of every object created in the inbox', () => {
    template.hasResourceProperties('Custom::S3BucketNotifications', {
      NotificationConfiguration: { QueueConfigurations: [Match.objectLike({ Events: ['s3:ObjectCreated:*'] })] },
    });
  });
});

describe('environment', () => {
  const REGION = /\b(?:us|eu|ap|sa|ca|me|af|il|mx|cn)(?:-gov|-iso[a-z]?)?-(?:north|south|east|west|central|northeast|southeast|northwest|southwest)-\d\b/;
  /** Runs with the variables the CDK CLI sets when nothing is configured (it falls back to us-east-1). */
  function asTheCliRuns<T>(run: () => T): T {
    const saved = { region: process.env.CDK_DEFAULT_REGION, account: process.env.CDK_DEFAULT_ACCOUNT };
    process.env.CDK_DEFAULT_REGION = 'us-east-1';
    process.env.CDK_DEFAULT_ACCOUNT = '111122223333';
    try {
      return run();
    } finally {
      for (const [name, value] of [
        ['CDK_DEFAULT_REGION', saved.region],
        ['CDK_DEFAULT_ACCOUNT', saved.account],
      ] as const) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    }
  }

  it('bakes no region and no account into a template synthesized without one: it is environment-agnostic', () => {
    // The CLI also asks for version reporting (the CDKMetadata resource, whose condition names every region).
    const { stack, template: agnostic } = asTheCliRuns(() => synth({ 'aws:cdk:version-reporting': true }));
    const json = JSON.stringify(agnostic.toJSON());
    expect(json).not.toMatch(REGION);
    expect(json).not.toMatch(/111122223333/);
    expect(stack.resolve(stack.region)).toEqual({ Ref: 'AWS::Region' });
    expect(json).toMatch(/"Ref":"AWS::Region"/);
  });

  it('is pinned to an account and region only when they are given', () => {
    const { stack } = asTheCliRuns(() => synth({ region: 'eu-west-1', account: '444455556666' }));
    expect([stack.region, stack.account]).toEqual(['eu-west-1', '444455556666']);
  });
});

describe('configuration', () => {
  it('refuses a malformed webhook endpoint at synth', () => {
    expect(() => synth({ webhookEndpoints: [{ url: 'http://insecure', events: ['determination.classified'] }] })).toThrow(/webhookEndpoints/);
  });
});
