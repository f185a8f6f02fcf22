import { ArnFormat, CfnOutput, Duration, Stack } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpIamAuthorizer, HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { EVENT_SOURCE } from '../functions/adapters/eventbridge/event-publisher.ts';
import type { ServiceConfig } from './config.ts';
import { grantSecretValue, grantTablePutItem, grantTableRead, grantTableReadWrite, RuleScopedSqsQueue } from './grants.ts';
import { ImrFunction } from './imr-function.ts';
import { ReviewConsole } from './review-console.ts';
import { CONSUMER_TIMEOUTS, MAX_RECEIVE_COUNT, RAW_EMAIL_PREFIX, type StatefulResources } from './stateful-resources.ts';
import { ROUTES, type RouteFunction } from '../functions/query/route-table.ts';
import { EMAIL_KEY_PREFIX } from '../functions/intake/email.ts';
import { EmailReceiving } from './email-receiving.ts';

/** Props of the service resources. */
export interface ServiceResourcesProps {
  readonly config: ServiceConfig;
  readonly data: StatefulResources;
}

/**
 * Everything stateless: the four functions, the HTTP API, the event rule and the alarms.
 * Permissions come only from grant methods on the stateful resources (`grant*`, or `grant`
 * with the actions a function calls: `grants.ts`), each for what the function's code calls.
 */
export class ServiceResources extends Construct {
  readonly api: apigw.HttpApi;
  readonly ingest: ImrFunction;
  readonly textractComplete: ImrFunction;
  readonly sweep: ImrFunction;
  readonly query: ImrFunction;
  readonly review: ImrFunction;
  readonly pages: ImrFunction;
  readonly webhook: ImrFunction;
  /** The review console and its login (context `auth` = `cognito`, the default); null otherwise. */
  readonly console: ReviewConsole | null;
  /** Email intake's function and SES receiving (context `emailRecipients`); null without it. */
  readonly email: { readonly function: ImrFunction; readonly receiving: EmailReceiving } | null;

  constructor(scope: Construct, id: string, props: ServiceResourcesProps) {
    super(scope, id);
    const { config, data } = props;
    // Secrets live with the functions that read them, under their own key: granting a
    // function the data key through Secrets Manager would make the data stack depend on it.
    const secretsKey = new kms.Key(this, 'SecretsKey', { enableKeyRotation: true, description: 'Encrypts the webhook and cursor secrets' });
    const webhookSecret = new secretsmanager.Secret(this, 'WebhookSecret', {
      description: 'Standard Webhooks signing secret shared with case systems',
      encryptionKey: secretsKey,
      generateSecretString: { passwordLength: 32, excludePunctuation: true },
    });
    const cursorSecret = new secretsmanager.Secret(this, 'CursorSecret', {
      description: 'Signs the query API cursors',
      encryptionKey: secretsKey,
      generateSecretString: { passwordLength: 48, excludePunctuation: true },
    });
    const common = { TABLE_NAME: data.table.tableName, TEXT_BUCKET: data.textBucket.bucketName, EVENT_BUS_NAME: data.bus.eventBusName };

    const textractRole = new iam.Role(this, 'TextractPublishRole', {
      assumedBy: new iam.ServicePrincipal('textract.amazonaws.com'),
      description: 'Lets Textract announce finished jobs on the completion topic',
    });
    data.textractTopic.grantPublish(textractRole);

    this.ingest = new ImrFunction(this, 'Ingest', {
      handlerFolder: 'ingest',
      logKey: data.key,
      timeout: CONSUMER_TIMEOUTS.ingest,
      memorySize: 1536,
      reservedConcurrentExecutions: config.ingestConcurrency,
      nodeModules: ['@hyzyla/pdfium'],
      environment: {
        ...common,
        TEXTRACT_SNS_TOPIC_ARN: data.textractTopic.topicArn,
        TEXTRACT_ROLE_ARN: textractRole.roleArn,
        MAX_RECEIVE_COUNT: String(MAX_RECEIVE_COUNT),
        POWERTOOLS_SERVICE_NAME: 'imr-ingest',
      },
    });
    this.textractComplete = new ImrFunction(this, 'TextractComplete', {
      handlerFolder: 'textract-complete',
      logKey: data.key,
      timeout: CONSUMER_TIMEOUTS.textractComplete,
      reservedConcurrentExecutions: config.ingestConcurrency,
      nodeModules: ['@hyzyla/pdfium'],
      environment: { ...common, MAX_RECEIVE_COUNT: String(MAX_RECEIVE_COUNT), POWERTOOLS_SERVICE_NAME: 'imr-textract-complete' },
    });
    // Documents whose Textract notice never came: their job asked again, or failed with the
    // reason (functions/service/sweep.ts), every 15 minutes.
    this.sweep = new ImrFunction(this, 'Sweep', {
      handlerFolder: 'sweep',
      logKey: data.key,
      timeout: Duration.minutes(5),
      reservedConcurrentExecutions: 1,
      nodeModules: ['@hyzyla/pdfium'],
      environment: { ...common, POWERTOOLS_SERVICE_NAME: 'imr-sweep' },
    });
    new events.Rule(this, 'SweepSchedule', {
      schedule: events.Schedule.rate(Duration.minutes(15)),
      targets: [new targets.LambdaFunction(this.sweep.function, { retryAttempts: 2, deadLetterQueue: data.eventDeadLetters })],
    });
    for (const fn of [this.ingest.function, this.textractComplete.function, this.sweep.function]) {
      grantTableReadWrite(data.table, fn);
      // They write what they read (text/<id>.txt and its reading context); ingest and
      // textract-complete index a letter's words from the text in hand, never reading it back.
      data.textBucket.grantPut(fn, 'text/*');
      data.bus.grantPutEventsTo(fn);
    }
    // The sweep builds the search entries left behind (functions/service/search.ts): from the text as read.
    data.textBucket.grantRead(this.sweep.function, 'text/*');
    data.inbox.grantRead(this.ingest.function);
    textractRole.grantPassRole(this.ingest.function.role!);
    for (const [fn, actionsAllowed] of [
      [this.ingest.function, ['textract:DetectDocumentText', 'textract:StartDocumentTextDetection']],
      [this.textractComplete.function, ['textract:GetDocumentTextDetection']],
      [this.sweep.function, ['textract:GetDocumentTextDetection']],
    ] as const) {
      // Textract actions have no resource-level permissions: "*" is the only resource they take.
      fn.addToRolePolicy(new iam.PolicyStatement({ actions: [...actionsAllowed], resources: ['*'] }));
    }
    // Only ingest reads the inbox: Textract reads a scan for an asynchronous job as the caller
    // that started it (ingest); textract-complete reads the job's results, never the document.

    this.ingest.function.addEventSource(
      new SqsEventSource(data.ingestQueue, { batchSize: 5, reportBatchItemFailures: true, maxConcurrency: Math.max(2, config.ingestConcurrency) }),
    );
    this.textractComplete.function.addEventSource(
      new SqsEventSource(data.textractQueue, { batchSize: 5, reportBatchItemFailures: true, maxConcurrency: Math.max(2, config.ingestConcurrency) }),
    );

    this.query = new ImrFunction(this, 'Query', {
      handlerFolder: 'query',
      logKey: data.key,
      reservedConcurrentExecutions: 20,
      environment: { ...common, CURSOR_SECRET_ARN: cursorSecret.secretArn, POWERTOOLS_SERVICE_NAME: 'imr-query' },
    });
    grantTableRead(data.table, this.query.function);
    // GET /documents/{id}/text: read access to the letters' text, nothing more.
    data.textBucket.grantRead(this.query.function, 'text/*');
    // GET /documents/{id}/original answers a five-minute presigned link, signed with this role.
    data.inbox.grantRead(this.query.function);
    grantSecretValue(cursorSecret, this.query.function);

    // Pages for the console: rendered on demand, kept beside the text (pages/<id>/<n>.png).
    // ARM64 like the others: sharp is installed beside the bundle for Linux ARM64 (ImrFunction).
    this.pages = new ImrFunction(this, 'Pages', {
      handlerFolder: 'pages',
      logKey: data.key,
      memorySize: 2048,
      reservedConcurrentExecutions: 10,
      nodeModules: ['@hyzyla/pdfium', 'sharp'],
      environment: { ...common, POWERTOOLS_SERVICE_NAME: 'imr-pages' },
    });
    grantTableRead(data.table, this.pages.function);
    data.inbox.grantRead(this.pages.function);
    data.textBucket.grantReadWrite(this.pages.function, 'pages/*');

    // Corrections: the only function that may write them (the query function reads only).
    this.review = new ImrFunction(this, 'Review', {
      handlerFolder: 'review',
      logKey: data.key,
      reservedConcurrentExecutions: 5,
      environment: { ...common, INBOX_BUCKET: data.inbox.bucketName, POWERTOOLS_SERVICE_NAME: 'imr-review' },
    });
    grantTableReadWrite(data.table, this.review.function);
    data.bus.grantPutEventsTo(this.review.function);
    // It signs the form a reviewer's browser posts a file with: the form can do no more than its signer may, here put under console/.
    data.inbox.grantPut(this.review.function, 'console/*');
    // A corrected letter's search entry is built at once, from its text as read.
    data.textBucket.grantRead(this.review.function, 'text/*');

    this.webhook = new ImrFunction(this, 'Webhook', {
      handlerFolder: 'webhook',
      logKey: data.key,
      reservedConcurrentExecutions: 5,
      timeout: CONSUMER_TIMEOUTS.webhook,
      environment: {
        WEBHOOK_ENDPOINTS: JSON.stringify(config.webhookEndpoints),
        WEBHOOK_SECRET_ARN: webhookSecret.secretArn,
        DELIVERY_QUEUE_URL: data.deliveryQueue.queueUrl,
        DELIVERY_DLQ_URL: data.deliveryDeadLetters.queueUrl,
        TABLE_NAME: data.table.tableName,
        POWERTOOLS_SERVICE_NAME: 'imr-webhook',
      },
    });
    grantSecretValue(webhookSecret, this.webhook.function);
    data.deliveryQueue.grantSendMessages(this.webhook.function);
    data.deliveryDeadLetters.grantSendMessages(this.webhook.function);
    // The webhook function only records attempts (PutItem: recordDeliveryAttempt).
    grantTablePutItem(data.table, this.webhook.function);
    this.webhook.function.addEventSource(new SqsEventSource(data.deliveryQueue, { batchSize: 10, reportBatchItemFailures: true, maxConcurrency: 5 }));
    // Every event goes to the delivery queue; the webhook function fans it out per endpoint
    // and retries each with backoff for 24 hours (SQS delays), then dead-letters it. An event
    // EventBridge cannot put on the delivery queue (after its own retries) goes to the rule
    // target's dead-letter queue; the queues admit EventBridge for this rule only.
    new events.Rule(this, 'DeliverEvents', {
      eventBus: data.bus,
      eventPattern: { source: [EVENT_SOURCE] },
      targets: [new RuleScopedSqsQueue(data.deliveryQueue, { deadLetterQueue: data.eventDeadLetters })],
    });

    // Email intake: SES stores each message in the raw-email bucket, whose notification queue the
    // email function reads; it puts the attachments of allowed senders into the inbox under
    // email/, where S3 notifies ingest as for any upload. It reads raw messages only and writes
    // email/ only.
    this.email = null;
    if (config.email && data.rawEmail) {
      const emailFunction = new ImrFunction(this, 'Email', {
        handlerFolder: 'email',
        logKey: data.key,
        timeout: CONSUMER_TIMEOUTS.email,
        reservedConcurrentExecutions: 2,
        environment: {
          INBOX_BUCKET: data.inbox.bucketName,
          EMAIL_SENDERS: config.email.senders,
          MAX_RECEIVE_COUNT: String(MAX_RECEIVE_COUNT),
          POWERTOOLS_SERVICE_NAME: 'imr-email',
        },
      });
      data.rawEmail.bucket.grantRead(emailFunction.function, `${RAW_EMAIL_PREFIX}*`);
      data.inbox.grantPut(emailFunction.function, `${EMAIL_KEY_PREFIX}*`);
      emailFunction.function.addEventSource(new SqsEventSource(data.rawEmail.queue, { batchSize: 5, reportBatchItemFailures: true, maxConcurrency: 2 }));
      const receiving = new EmailReceiving(this, 'EmailReceiving', { stage: config.stage, recipients: config.email.recipients, storage: data.rawEmail });
      this.email = { function: emailFunction, receiving };
    }

    const accessLogs = new logs.LogGroup(this, 'ApiAccessLogs', { retention: logs.RetentionDays.THREE_MONTHS, encryptionKey: data.key });
    this.api = new apigw.HttpApi(this, 'Api', { description: 'IMR determinations API and review console', createDefaultStage: false });
    // Events link to letters where people reach them: the configured address, else the API's own URL.
    for (const fn of [this.ingest, this.textractComplete, this.sweep, this.review])
      fn.function.addEnvironment('PUBLIC_BASE_URL', config.publicUrl ?? this.api.apiEndpoint);
    // The console posts uploads straight to the inbox (a signed form): the browser may read S3's answer from the console's origin only.
    data.inbox.addCorsRule({
      allowedMethods: [s3.HttpMethods.POST],
      allowedOrigins: [config.publicUrl ?? this.api.apiEndpoint],
      allowedHeaders: ['*'],
      maxAge: 3000,
    });
    const stage = this.api.addStage('Stage', { stageName: '$default', autoDeploy: true, throttle: { rateLimit: 50, burstLimit: 100 } });
    const cfnStage = stage.node.defaultChild as apigw.CfnStage;
    cfnStage.accessLogSettings = {
      destinationArn: accessLogs.logGroupArn,
      format: JSON.stringify({
        requestId: '$context.requestId',
        routeKey: '$context.routeKey',
        status: '$context.status',
        latency: '$context.responseLatency',
        caller: '$context.identity.caller',
        user: '$context.authorizer.claims.email',
      }),
    };

    // With the default login, the console signs reviewers in (authorization code with PKCE) and
    // integrations use client credentials; the JWT authoriser accepts those two clients only.
    this.console = null;
    let authorizer: apigw.IHttpRouteAuthorizer;
    if (config.auth.kind === 'cognito' && data.reviewers) {
      this.console = new ReviewConsole(this, 'ReviewConsole', {
        api: this.api,
        reviewers: data.reviewers,
        domainPrefix: config.auth.domainPrefix ?? `imr-${config.stage}-${Stack.of(this).account}`,
        logKey: data.key,
        uploadOrigin: `https://${data.inbox.bucketRegionalDomainName}`,
      });
      authorizer = this.console.authorizer;
    } else if (config.auth.kind === 'jwt') {
      authorizer = new HttpJwtAuthorizer('Jwt', config.auth.issuer, { jwtAudience: config.auth.audience });
    } else {
      authorizer = new HttpIamAuthorizer();
    }

    // Every route from the one route table, each to the function the table names.
    const integrations: Record<RouteFunction, HttpLambdaIntegration> = {
      query: new HttpLambdaIntegration('QueryIntegration', this.query.function),
      pages: new HttpLambdaIntegration('PagesIntegration', this.pages.function),
      review: new HttpLambdaIntegration('ReviewIntegration', this.review.function),
    };
    for (const route of ROUTES.filter((spec) => spec.aws)) {
      this.api.addRoutes({ path: route.path, methods: [apigw.HttpMethod[route.method]], integration: integrations[route.function], authorizer });
    }

    const alarmTopic = new sns.Topic(this, 'Alarms', { masterKey: data.messagingKey, enforceSSL: true });
    // CloudWatch publishes the alarms to the topic, encrypting with its key: both the topic
    // policy and the key policy must name it, for this account's alarms only.
    alarmTopic.grantPublish(
      new iam.ServicePrincipal('cloudwatch.amazonaws.com', {
        conditions: {
          StringEquals: { 'aws:SourceAccount': Stack.of(this).account },
          ArnLike: {
            'aws:SourceArn': Stack.of(this).formatArn({
              service: 'cloudwatch',
              resource: 'alarm',
              resourceName: '*',
              arnFormat: ArnFormat.COLON_RESOURCE_NAME,
            }),
          },
        },
      }),
    );
    if (config.alarmEmail) alarmTopic.addSubscription(new subscriptions.EmailSubscription(config.alarmEmail));
    const alarm = (name: string, metric: cloudwatch.IMetric, threshold: number) => {
      new cloudwatch.Alarm(this, name, {
        metric,
        threshold,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }).addAlarmAction(new actions.SnsAction(alarmTopic));
    };
    const deadLetterQueues: Array<[string, sqs.IQueue]> = [
      ['IngestDlq', data.ingestDeadLetters],
      ['TextractDlq', data.textractDeadLetters],
      ['WebhookDlq', data.deliveryDeadLetters],
      ['EventDlq', data.eventDeadLetters],
      ...(data.rawEmail ? [['EmailDlq', data.rawEmail.deadLetters] as [string, sqs.IQueue]] : []),
    ];
    for (const [name, queue] of deadLetterQueues) alarm(`${name}Depth`, queue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5) }), 1);
    alarm('IngestBacklogAge', data.ingestQueue.metricApproximateAgeOfOldestMessage({ period: Duration.minutes(5) }), 3600);
    // A Textract notice lost (the sweep had to settle a document): its document was read late, or failed.
    alarm(
      'OcrNoticesLost',
      new cloudwatch.Metric({
        namespace: 'ImrLetters',
        metricName: 'ocr_notices_lost',
        dimensionsMap: { service: 'sweep' },
        statistic: 'Sum',
        period: Duration.minutes(15),
      }),
      1,
    );
    for (const fn of [
      this.ingest,
      this.textractComplete,
      this.sweep,
      this.query,
      this.review,
      this.pages,
      this.webhook,
      ...(this.console ? [this.console.site] : []),
      ...(this.email ? [this.email.function] : []),
    ]) {
      alarm(`${fn.node.id}Errors`, fn.function.metricErrors({ period: Duration.minutes(5) }), 5);
    }

    if (this.email && data.rawEmail) {
      // A message of an allowed sender that could not be read (no PDF or TIFF, too large): a fax someone expects.
      alarm(
        'EmailsUnreadable',
        new cloudwatch.Metric({
          namespace: 'ImrLetters',
          metricName: 'emails_unreadable',
          dimensionsMap: { service: 'email' },
          statistic: 'Sum',
          period: Duration.minutes(5),
        }),
        1,
      );
      new CfnOutput(this, 'RawEmailBucket', { value: data.rawEmail.bucket.bucketName });
      new CfnOutput(this, 'EmailReceiptRuleSet', { value: this.email.receiving.ruleSet.receiptRuleSetName });
      new CfnOutput(this, 'EmailDeadLettersArn', { value: data.rawEmail.deadLetters.queueArn });
    }

    new CfnOutput(this, 'ApiUrl', { value: this.api.apiEndpoint });
    new CfnOutput(this, 'InboxBucket', { value: data.inbox.bucketName });
    new CfnOutput(this, 'TextBucket', { value: data.textBucket.bucketName });
    new CfnOutput(this, 'TableName', { value: data.table.tableName });
    new CfnOutput(this, 'EventBusName', { value: data.bus.eventBusName });
    new CfnOutput(this, 'IngestDeadLettersArn', { value: data.ingestDeadLetters.queueArn });
    new CfnOutput(this, 'TextractDeadLettersArn', { value: data.textractDeadLetters.queueArn });
    new CfnOutput(this, 'WebhookDeadLettersArn', { value: data.deliveryDeadLetters.queueArn });
    new CfnOutput(this, 'EventDeadLettersArn', { value: data.eventDeadLetters.queueArn });
    new CfnOutput(this, 'WebhookSecretArn', { value: webhookSecret.secretArn });
  }
}
