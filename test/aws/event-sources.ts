/**
 * What invokes the functions on AWS, from the template: the HTTP API (its routes, their
 * integrations and authorizers: API Gateway's payload 2.0 events with a JWT authorizer's
 * claims) and the SQS event source mappings (Lambda's poller: it receives with the
 * function's own role, invokes with the documented SQS event, deletes what succeeded and
 * leaves the batch item failures for their visibility timeout, as Lambda does).
 */
import { randomUUID } from 'node:crypto';
import {
  ChangeMessageVisibilityCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
  type Message,
} from '@aws-sdk/client-sqs';
import type { FunctionSpec, LambdaService } from './lambda.ts';
import { HARNESS_CREDENTIALS } from './provision.ts';
import { ACCOUNT, REGION, resolve, resourcesOfType, type Physical, type Template } from './template.ts';

/** One route of the HTTP API. */
interface Route {
  readonly method: string;
  readonly pattern: RegExp;
  readonly routeKey: string;
  readonly names: string[];
  readonly functionId: string;
  readonly authorization: string;
}

/** An HTTP answer as API Gateway gives it to the caller. */
export interface HttpAnswer {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: Buffer;
  text(): string;
  json<T = unknown>(): T;
}

/** A request to the HTTP API. */
export interface HttpRequest {
  readonly method?: string;
  readonly path: string;
  readonly headers?: Record<string, string>;
  readonly body?: string;
  /** The JWT's claims the authorizer vouched for; none: no Authorization header. */
  readonly claims?: Record<string, string>;
}

/** The HTTP API of the template. */
export class HttpApi {
  readonly routes: Route[];
  readonly apiId: string;

  constructor(
    template: Template,
    physical: ReadonlyMap<string, Physical>,
    private readonly lambdas: LambdaService,
  ) {
    const integrations = new Map(
      resourcesOfType(template, 'AWS::ApiGatewayV2::Integration').map(([id, resource]) => [
        id,
        (resource.Properties!.IntegrationUri as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0],
      ]),
    );
    this.routes = resourcesOfType(template, 'AWS::ApiGatewayV2::Route').map(([, resource]) => {
      const props = resource.Properties!;
      const routeKey = String(props.RouteKey);
      const [method, path] = routeKey.split(' ') as [string, string];
      const target = JSON.stringify(props.Target);
      const integration = [...integrations.keys()].find((id) => target.includes(`"${id}"`))!;
      const names: string[] = [];
      const pattern = new RegExp(
        '^' +
          path.replace(/\{([^{}]+)\}|[^{]+/g, (match, name: string | undefined) => {
            if (!name) return match.replace(/[.*+?^$()|[\]\\]/g, '\\$&');
            names.push(name.replace(/\+$/, ''));
            return name.endsWith('+') ? '(.+)' : '([^/]+)';
          }) +
          '$',
      );
      return { method, pattern, routeKey, names, functionId: integrations.get(integration)!, authorization: String(props.AuthorizationType ?? 'NONE') };
    });
    this.apiId = physical.get(resourcesOfType(template, 'AWS::ApiGatewayV2::Api')[0]![0])!.ref;
  }

  /** The function a request reaches, or null (API Gateway's 404). */
  routeOf(method: string, path: string): { route: Route; parameters: Record<string, string> } | null {
    for (const route of this.routes) {
      const match = route.method === method ? route.pattern.exec(path) : null;
      if (match) return { route, parameters: Object.fromEntries(route.names.map((name, i) => [name, decodeURIComponent(match[i + 1]!)])) };
    }
    return null;
  }

  /** Sends a request through the API: API Gateway's event (payload 2.0) in, its answer out. */
  async request(request: HttpRequest): Promise<HttpAnswer> {
    const method = request.method ?? 'GET';
    const url = new URL(request.path, `https://${this.apiId}.execute-api.${REGION}.amazonaws.com`);
    const found = this.routeOf(method, url.pathname);
    const answer = (status: number, headers: Record<string, string>, body: Buffer): HttpAnswer => ({
      status,
      headers,
      body,
      text: () => body.toString('utf8'),
      json: <T>() => JSON.parse(body.toString('utf8')) as T,
    });
    if (!found) return answer(404, { 'content-type': 'application/json' }, Buffer.from('{"message":"Not Found"}'));
    if (found.route.authorization === 'JWT' && !request.claims)
      return answer(401, { 'content-type': 'application/json' }, Buffer.from('{"message":"Unauthorized"}'));
    const headers: Record<string, string> = {
      host: url.host,
      'x-forwarded-proto': 'https',
      'user-agent': 'vitest',
      ...(request.claims ? { authorization: 'Bearer emulated.jwt' } : {}),
      ...Object.fromEntries(Object.entries(request.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v])),
    };
    const query = Object.fromEntries(url.searchParams);
    const now = new Date();
    const event = {
      version: '2.0',
      routeKey: found.route.routeKey,
      rawPath: url.pathname,
      rawQueryString: url.searchParams.toString(),
      headers,
      ...(Object.keys(query).length ? { queryStringParameters: query } : {}),
      ...(Object.keys(found.parameters).length ? { pathParameters: found.parameters } : {}),
      requestContext: {
        accountId: ACCOUNT,
        apiId: this.apiId,
        ...(request.claims ? { authorizer: { jwt: { claims: request.claims, scopes: null } } } : {}),
        domainName: url.host,
        domainPrefix: this.apiId,
        http: { method, path: url.pathname, protocol: 'HTTP/1.1', sourceIp: '203.0.113.7', userAgent: 'vitest' },
        requestId: randomUUID(),
        routeKey: found.route.routeKey,
        stage: '$default',
        time: now.toUTCString(),
        timeEpoch: now.getTime(),
      },
      ...(request.body !== undefined ? { body: request.body, isBase64Encoded: false } : { isBase64Encoded: false }),
    };
    const result = (await this.lambdas.invoke(found.route.functionId, event)) as
      { statusCode?: number; headers?: Record<string, string>; body?: string; isBase64Encoded?: boolean } | string | null;
    // Payload 2.0: an object with statusCode is the response; anything else is a JSON body with 200.
    if (result && typeof result === 'object' && 'statusCode' in result) {
      const body = result.body === undefined ? Buffer.alloc(0) : result.isBase64Encoded ? Buffer.from(result.body, 'base64') : Buffer.from(result.body);
      return answer(result.statusCode ?? 200, Object.fromEntries(Object.entries(result.headers ?? {}).map(([k, v]) => [k.toLowerCase(), String(v)])), body);
    }
    return answer(200, { 'content-type': 'application/json' }, Buffer.from(JSON.stringify(result)));
  }
}

/** One SQS event source mapping. */
interface Mapping {
  readonly functionId: string;
  readonly queueArn: string;
  readonly queueUrl: string;
  readonly batchSize: number;
  readonly reportBatchItemFailures: boolean;
  readonly client: SQSClient;
}

/** What a poll round did. */
export interface PollStats {
  invocations: number;
  messages: number;
  batchItemFailures: number;
  invocationErrors: string[];
  /** S3 notification records moto sent without fields S3 always sends, completed by the poller (see {@link completeS3Record}). */
  s3RecordsCompleted: number;
}

/**
 * moto 5.2.1's S3 notification omits fields S3 always sends (`userIdentity`,
 * `requestParameters`, `responseElements`, the bucket's `ownerIdentity`, the object's
 * `sequencer`) and writes `eventTime` without its zone; the poller adds the fields, with AWS's
 * documented example values, and writes the time as S3 does (milliseconds, `Z`), so the
 * function parses the record S3 would send. Nothing else moto sent is changed.
 */
export function completeS3Record(body: string): { body: string; completed: boolean } {
  const json = JSON.parse(body) as {
    Records?: Array<Record<string, unknown> & { eventSource?: string; s3?: { bucket: Record<string, unknown>; object: Record<string, unknown> } }>;
  };
  if (!Array.isArray(json.Records) || !json.Records.every((record) => record.eventSource === 'aws:s3')) return { body, completed: false };
  let completed = false;
  for (const record of json.Records) {
    const fill = (target: Record<string, unknown>, key: string, value: unknown) => {
      if (target[key] === undefined) {
        target[key] = value;
        completed = true;
      }
    };
    // moto writes the time without a zone, to the microsecond (2026-11-30T07:53:28.449648); S3 writes 2026-11-30T07:53:28.449Z.
    if (typeof record.eventTime === 'string' && /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?$/.test(record.eventTime)) {
      record.eventTime = `${record.eventTime.slice(0, 23)}${record.eventTime.length > 19 ? '' : '.000'}Z`;
      completed = true;
    }
    fill(record, 'userIdentity', { principalId: 'AWS:AIDAEXAMPLE' });
    fill(record, 'requestParameters', { sourceIPAddress: '203.0.113.10' });
    fill(record, 'responseElements', {
      'x-amz-request-id': 'C3D13FE58DE4C810',
      'x-amz-id-2': 'FMyUVURIY8/IgAtTv8xRjskZQpcIZ9KG4V5Wp6S7S/JRWeUWerMUE5JgHvANOjpD',
    });
    if (record.s3) {
      fill(record.s3.bucket, 'ownerIdentity', { principalId: 'A3NL1KOZZKExample' });
      fill(record.s3.object, 'sequencer', '0055AED6DCD90281E5');
    }
  }
  return { body: completed ? JSON.stringify(json) : body, completed };
}

/** The SQS event (Lambda's documented shape) for received messages. */
export function sqsEvent(messages: Message[], queueArn: string, stats: PollStats) {
  return {
    Records: messages.map((message) => {
      const { body, completed } = completeS3Record(message.Body ?? '');
      if (completed) stats.s3RecordsCompleted += 1;
      return {
        messageId: message.MessageId,
        receiptHandle: message.ReceiptHandle,
        body,
        attributes: {
          ApproximateReceiveCount: message.Attributes?.ApproximateReceiveCount ?? '1',
          SentTimestamp: message.Attributes?.SentTimestamp ?? String(Date.now()),
          SenderId: message.Attributes?.SenderId ?? 'AIDAEXAMPLE',
          ApproximateFirstReceiveTimestamp: message.Attributes?.ApproximateFirstReceiveTimestamp ?? String(Date.now()),
        },
        messageAttributes: Object.fromEntries(
          Object.entries(message.MessageAttributes ?? {}).map(([name, value]) => [
            name,
            {
              stringValue: value.StringValue,
              binaryValue: value.BinaryValue ? Buffer.from(value.BinaryValue).toString('base64') : undefined,
              stringListValues: [],
              binaryListValues: [],
              dataType: value.DataType,
            },
          ]),
        ),
        md5OfBody: message.MD5OfBody,
        eventSource: 'aws:sqs',
        eventSourceARN: queueArn,
        awsRegion: REGION,
      };
    }),
  };
}

/** Lambda's pollers for the template's SQS event source mappings. */
export class SqsPollers {
  readonly mappings: Mapping[];
  private readonly harness: SQSClient;
  readonly totals: PollStats = { invocations: 0, messages: 0, batchItemFailures: 0, invocationErrors: [], s3RecordsCompleted: 0 };

  constructor(
    template: Template,
    physical: ReadonlyMap<string, Physical>,
    queueUrls: ReadonlyMap<string, string>,
    specs: readonly FunctionSpec[],
    endpoint: string,
    private readonly lambdas: LambdaService,
  ) {
    this.mappings = resourcesOfType(template, 'AWS::Lambda::EventSourceMapping').map(([, resource]) => {
      const props = resolve(resource.Properties, physical) as {
        EventSourceArn: string;
        FunctionName: string;
        BatchSize?: number;
        FunctionResponseTypes?: string[];
      };
      const spec = specs.find((candidate) => candidate.name === props.FunctionName)!;
      // The poller acts with the function's execution role, as Lambda's does.
      const client = new SQSClient({ region: REGION, endpoint, credentials: { accessKeyId: spec.accessKeyId, secretAccessKey: 'emulated-secret' } });
      return {
        functionId: spec.logicalId,
        queueArn: props.EventSourceArn,
        queueUrl: queueUrls.get(props.EventSourceArn)!,
        batchSize: props.BatchSize ?? 10,
        reportBatchItemFailures: (props.FunctionResponseTypes ?? []).includes('ReportBatchItemFailures'),
        client,
      };
    });
    this.harness = new SQSClient({ region: REGION, endpoint: endpoint, credentials: HARNESS_CREDENTIALS });
  }

  /** One receive-invoke-delete round on every mapping; what it did. */
  async pollOnce(): Promise<PollStats> {
    const stats: PollStats = { invocations: 0, messages: 0, batchItemFailures: 0, invocationErrors: [], s3RecordsCompleted: 0 };
    for (const mapping of this.mappings) {
      const { Messages = [] } = await mapping.client.send(
        new ReceiveMessageCommand({
          QueueUrl: mapping.queueUrl,
          MaxNumberOfMessages: Math.min(10, mapping.batchSize),
          MessageSystemAttributeNames: ['All'],
          MessageAttributeNames: ['All'],
          WaitTimeSeconds: 0,
        }),
      );
      if (!Messages.length) continue;
      stats.invocations += 1;
      stats.messages += Messages.length;
      let failed = new Set<string>();
      try {
        const result = (await this.lambdas.invoke(mapping.functionId, sqsEvent(Messages, mapping.queueArn, stats))) as {
          batchItemFailures?: Array<{ itemIdentifier: string }>;
        } | null;
        if (mapping.reportBatchItemFailures) failed = new Set((result?.batchItemFailures ?? []).map((failure) => failure.itemIdentifier));
      } catch (error) {
        // The whole batch failed: every message returns after its visibility timeout.
        stats.invocationErrors.push((error as Error).message);
        failed = new Set(Messages.map((message) => message.MessageId!));
      }
      stats.batchItemFailures += failed.size;
      const done = Messages.filter((message) => !failed.has(message.MessageId!));
      if (done.length)
        await mapping.client.send(
          new DeleteMessageBatchCommand({
            QueueUrl: mapping.queueUrl,
            Entries: done.map((message, i) => ({ Id: String(i), ReceiptHandle: message.ReceiptHandle })),
          }),
        );
    }
    for (const key of ['invocations', 'messages', 'batchItemFailures', 's3RecordsCompleted'] as const) this.totals[key] += stats[key];
    this.totals.invocationErrors.push(...stats.invocationErrors);
    return stats;
  }

  /** Messages of each mapped queue: visible, in flight (a failure waiting for its visibility timeout), delayed. */
  async depths(): Promise<Array<{ functionId: string; visible: number; inFlight: number; delayed: number }>> {
    return Promise.all(
      this.mappings.map(async (mapping) => {
        const { Attributes = {} } = await this.harness.send(
          new GetQueueAttributesCommand({
            QueueUrl: mapping.queueUrl,
            AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesDelayed'],
          }),
        );
        return {
          functionId: mapping.functionId,
          visible: Number(Attributes.ApproximateNumberOfMessages),
          inFlight: Number(Attributes.ApproximateNumberOfMessagesNotVisible),
          delayed: Number(Attributes.ApproximateNumberOfMessagesDelayed),
        };
      }),
    );
  }

  /**
   * Polls until every mapped queue holds nothing visible or delayed for `quietMs` (a Textract
   * notice is published a moment after its job starts). Messages held by a batch item
   * failure wait for their visibility timeout (minutes), so they are not waited for; the
   * harness makes one visible again only when a test asks ({@link retryNow}).
   */
  async settle(options: { quietMs?: number; timeoutMs?: number } = {}): Promise<PollStats> {
    const quietMs = options.quietMs ?? 1200;
    const deadline = Date.now() + (options.timeoutMs ?? 120_000);
    const before = { ...this.totals, invocationErrors: [...this.totals.invocationErrors] };
    let quietSince = Date.now();
    while (Date.now() < deadline) {
      const round = await this.pollOnce();
      if (round.messages > 0) {
        quietSince = Date.now();
        continue;
      }
      const depths = await this.depths();
      if (depths.some((depth) => depth.visible > 0 || depth.delayed > 0)) quietSince = Date.now();
      else if (Date.now() - quietSince >= quietMs) break;
      await new Promise((resolveWait) => setTimeout(resolveWait, 150));
    }
    if (Date.now() >= deadline) throw new Error(`queues did not settle: ${JSON.stringify(await this.depths())}`);
    return {
      invocations: this.totals.invocations - before.invocations,
      messages: this.totals.messages - before.messages,
      batchItemFailures: this.totals.batchItemFailures - before.batchItemFailures,
      invocationErrors: this.totals.invocationErrors.slice(before.invocationErrors.length),
      s3RecordsCompleted: this.totals.s3RecordsCompleted - before.s3RecordsCompleted,
    };
  }

  /** Stands in for a visibility timeout running out: makes one queue's in-flight messages visible again (harness credentials). */
  async retryNow(functionId: string, receiptHandles: string[]): Promise<void> {
    const mapping = this.mappings.find((candidate) => candidate.functionId === functionId)!;
    for (const handle of receiptHandles)
      await this.harness.send(new ChangeMessageVisibilityCommand({ QueueUrl: mapping.queueUrl, ReceiptHandle: handle, VisibilityTimeout: 0 }));
  }

  stop(): void {
    for (const mapping of this.mappings) mapping.client.destroy();
    this.harness.destroy();
  }
}

/** The template's scheduled rules with a function target: invoked as EventBridge Scheduler's documented "Scheduled Event". */
export class ScheduledRules {
  readonly rules: Array<{ ruleId: string; ruleArn: string; schedule: string; functionId: string }>;

  constructor(
    template: Template,
    physical: ReadonlyMap<string, Physical>,
    private readonly lambdas: LambdaService,
  ) {
    this.rules = resourcesOfType(template, 'AWS::Events::Rule')
      .filter(([, resource]) => resource.Properties?.ScheduleExpression)
      .flatMap(([ruleId, resource]) =>
        ((resource.Properties!.Targets ?? []) as Array<{ Arn: { 'Fn::GetAtt'?: [string, string] } }>)
          .map((target) => target.Arn['Fn::GetAtt']?.[0])
          .filter((id): id is string => Boolean(id && template.Resources[id]?.Type === 'AWS::Lambda::Function'))
          .map((functionId) => ({
            ruleId,
            ruleArn: physical.get(ruleId)!.attributes.Arn!,
            schedule: String(resource.Properties!.ScheduleExpression),
            functionId,
          })),
      );
  }

  /** Fires the rule whose target is the function with this logical id prefix, once. */
  async fire(functionPrefix: string): Promise<unknown> {
    const rule = this.rules.find((candidate) => candidate.functionId.startsWith(functionPrefix));
    if (!rule) throw new Error(`no scheduled rule targets ${functionPrefix}*`);
    return this.lambdas.invoke(rule.functionId, {
      version: '0',
      id: randomUUID(),
      'detail-type': 'Scheduled Event',
      source: 'aws.events',
      account: ACCOUNT,
      time: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
      region: REGION,
      resources: [rule.ruleArn],
      detail: {},
    });
  }
}
