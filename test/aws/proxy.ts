/**
 * The recording proxy every emulated AWS call goes through (`AWS_ENDPOINT_URL` of each
 * function): it names the caller by its access key (each function has its own), forwards the
 * request to moto, and records the call as IAM sees it: the action and the resource ARN, plus
 * the calls a service makes with the caller's permissions (KMS for an SSE-KMS object or an
 * encrypted queue, S3 for a Textract job, `iam:PassRole` for its notification role).
 * Textract requests are answered by {@link TextractStandIn}, not moto (whose Textract is canned).
 */
import { createHash, randomUUID } from 'node:crypto';
import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { textractResponseFor } from '../fixtures/textract-factory.ts';
import { ACCOUNT, REGION } from './template.ts';

/** One IAM authorization a call needed. */
export interface Authorization {
  readonly action: string;
  readonly resource: string;
  /** Set when the service asked it on the caller's behalf (KMS for S3, S3 for Textract, ...). */
  readonly via?: string;
}

/** One recorded call. */
export interface RecordedCall {
  readonly seq: number;
  /** The function (or `harness`, or a role ARN for a service acting as a role). */
  readonly caller: string;
  readonly service: string;
  readonly operation: string;
  readonly status: number;
  readonly authorizations: Authorization[];
  /** What the call asked for that a test may check (a queue delay, a Textract notification channel). */
  readonly detail?: Record<string, unknown>;
}

/** What the proxy must know of the deployment to name resources. */
export interface ResourceContext {
  /** Access key id to caller name. */
  readonly callers: ReadonlyMap<string, string>;
  /** Bucket name to the ARN of its default KMS key, for SSE-KMS buckets. */
  readonly bucketKeys: ReadonlyMap<string, string>;
  /** Queue ARN to its KMS key ARN. */
  readonly queueKeys: ReadonlyMap<string, string>;
  /** Topic ARN to its KMS key ARN. */
  readonly topicKeys: ReadonlyMap<string, string>;
  /** Secret name to ARN (a secret may be asked for by name). */
  readonly secretArns: ReadonlyMap<string, string>;
}

const arn = (service: string, resource: string) => `arn:aws:${service}:${REGION}:${ACCOUNT}:${resource}`;
const queueArnOf = (url: string) => arn('sqs', new URL(url).pathname.split('/').filter(Boolean).pop()!);

/** The IAM action of an SQS operation (batch operations are authorized as their single form). */
const SQS_ACTIONS: Record<string, string> = {
  SendMessageBatch: 'SendMessage',
  DeleteMessageBatch: 'DeleteMessage',
  ChangeMessageVisibilityBatch: 'ChangeMessageVisibility',
};

/** Authorizations of a JSON-protocol call (`X-Amz-Target`). */
function jsonAuthorizations(service: string, operation: string, params: Record<string, unknown>, context: ResourceContext): Authorization[] {
  switch (service) {
    case 'dynamodb': {
      const table = (name: unknown, index?: unknown) => arn('dynamodb', `table/${String(name)}${index ? `/index/${String(index)}` : ''}`);
      if (operation === 'TransactWriteItems') {
        return (params.TransactItems as Array<Record<string, { TableName: string }>>).flatMap((item) =>
          Object.entries(item).map(([kind, body]) => ({
            action: `dynamodb:${kind === 'Put' ? 'PutItem' : kind === 'Update' ? 'UpdateItem' : kind === 'Delete' ? 'DeleteItem' : 'ConditionCheckItem'}`,
            resource: table(body.TableName),
          })),
        );
      }
      if (operation === 'TransactGetItems')
        return (params.TransactItems as Array<{ Get: { TableName: string } }>).map((item) => ({
          action: 'dynamodb:GetItem',
          resource: table(item.Get.TableName),
        }));
      if (operation === 'BatchGetItem' || operation === 'BatchWriteItem')
        return Object.keys(params.RequestItems as object).map((name) => ({ action: `dynamodb:${operation}`, resource: table(name) }));
      return [{ action: `dynamodb:${operation}`, resource: table(params.TableName, params.IndexName) }];
    }
    case 'sqs': {
      const queue = params.QueueUrl ? queueArnOf(String(params.QueueUrl)) : arn('sqs', String(params.QueueName));
      const action = `sqs:${SQS_ACTIONS[operation] ?? operation}`;
      const key = context.queueKeys.get(queue);
      const kms: Authorization[] = [];
      if (key && (operation === 'SendMessage' || operation === 'SendMessageBatch'))
        kms.push({ action: 'kms:GenerateDataKey', resource: key, via: 'sqs' }, { action: 'kms:Decrypt', resource: key, via: 'sqs' });
      if (key && operation === 'ReceiveMessage') kms.push({ action: 'kms:Decrypt', resource: key, via: 'sqs' });
      return [{ action, resource: queue }, ...kms];
    }
    case 'events': {
      const buses = new Set((params.Entries as Array<{ EventBusName?: string }> | undefined)?.map((entry) => entry.EventBusName ?? 'default') ?? []);
      return [...buses].map((bus) => ({ action: `events:${operation}`, resource: bus.startsWith('arn:') ? bus : arn('events', `event-bus/${bus}`) }));
    }
    case 'secretsmanager': {
      const id = String(params.SecretId);
      return [
        { action: `secretsmanager:${operation}`, resource: id.startsWith('arn:') ? id : (context.secretArns.get(id) ?? arn('secretsmanager', `secret:${id}`)) },
      ];
    }
    case 'textract': {
      const out: Authorization[] = [{ action: `textract:${operation}`, resource: '*' }];
      const location = (params.DocumentLocation as { S3Object?: { Bucket: string; Name: string } } | undefined)?.S3Object;
      if (location) {
        // Textract reads the document as the caller that started the job.
        out.push({ action: 's3:GetObject', resource: `arn:aws:s3:::${location.Bucket}/${location.Name}`, via: 'textract' });
        const key = context.bucketKeys.get(location.Bucket);
        if (key) out.push({ action: 'kms:Decrypt', resource: key, via: 'textract' });
      }
      const role = (params.NotificationChannel as { RoleArn?: string } | undefined)?.RoleArn;
      if (role) out.push({ action: 'iam:PassRole', resource: role, via: 'textract' });
      return out;
    }
    case 'kms':
      return [{ action: `kms:${operation}`, resource: String(params.KeyId ?? '*') }];
    default:
      return [{ action: `${service}:${operation}`, resource: '*' }];
  }
}

/** Operation and authorizations of an S3 REST request (path-style). */
function s3Call(
  method: string,
  url: URL,
  headers: IncomingMessage['headers'],
  context: ResourceContext,
): { operation: string; authorizations: Authorization[] } {
  const [bucket = '', ...rest] = url.pathname.slice(1).split('/');
  const key = decodeURIComponent(rest.join('/'));
  const q = url.searchParams;
  const bucketArn = `arn:aws:s3:::${bucket}`;
  const objectArn = `${bucketArn}/${key}`;
  const kmsKey = context.bucketKeys.get(bucket);
  if (!key) {
    if (method === 'GET' && q.has('versions'))
      return { operation: 'ListObjectVersions', authorizations: [{ action: 's3:ListBucketVersions', resource: bucketArn }] };
    if (method === 'GET' && q.has('location'))
      return { operation: 'GetBucketLocation', authorizations: [{ action: 's3:GetBucketLocation', resource: bucketArn }] };
    if (method === 'GET')
      return { operation: q.get('list-type') === '2' ? 'ListObjectsV2' : 'ListObjects', authorizations: [{ action: 's3:ListBucket', resource: bucketArn }] };
    if (method === 'HEAD') return { operation: 'HeadBucket', authorizations: [{ action: 's3:ListBucket', resource: bucketArn }] };
    if (method === 'POST' && q.has('delete'))
      return { operation: 'DeleteObjects', authorizations: [{ action: 's3:DeleteObject', resource: `${bucketArn}/*` }] };
    return { operation: `${method} bucket`, authorizations: [{ action: `s3:${method}Bucket`, resource: bucketArn }] };
  }
  const version = q.has('versionId') ? 'Version' : '';
  const decrypt = kmsKey ? [{ action: 'kms:Decrypt', resource: kmsKey, via: 's3' }] : [];
  if (method === 'GET' || method === 'HEAD') {
    if (q.has('tagging')) return { operation: 'GetObjectTagging', authorizations: [{ action: `s3:GetObject${version}Tagging`, resource: objectArn }] };
    return {
      operation: method === 'GET' ? 'GetObject' : 'HeadObject',
      authorizations: [{ action: `s3:GetObject${version}`, resource: objectArn }, ...(method === 'GET' ? decrypt : [])],
    };
  }
  if (method === 'PUT' || method === 'POST') {
    if (q.has('tagging')) return { operation: 'PutObjectTagging', authorizations: [{ action: `s3:PutObject${version}Tagging`, resource: objectArn }] };
    const source = headers['x-amz-copy-source'];
    const copied: Authorization[] = source
      ? [{ action: 's3:GetObject', resource: `arn:aws:s3:::${decodeURIComponent(String(source).replace(/^\//, '').split('?')[0]!)}` }]
      : [];
    const encrypt = kmsKey ? [{ action: 'kms:GenerateDataKey', resource: kmsKey, via: 's3' }] : [];
    return {
      operation: source ? 'CopyObject' : q.has('uploadId') || q.has('uploads') ? 'MultipartUpload' : 'PutObject',
      authorizations: [{ action: 's3:PutObject', resource: objectArn }, ...copied, ...encrypt],
    };
  }
  if (method === 'DELETE') {
    if (q.has('uploadId')) return { operation: 'AbortMultipartUpload', authorizations: [{ action: 's3:AbortMultipartUpload', resource: objectArn }] };
    return { operation: 'DeleteObject', authorizations: [{ action: `s3:DeleteObject${version}`, resource: objectArn }] };
  }
  return { operation: `${method} object`, authorizations: [{ action: `s3:${method}`, resource: objectArn }] };
}

const TARGET_SERVICES: Record<string, string> = {
  DynamoDB_20120810: 'dynamodb',
  AmazonSQS: 'sqs',
  AWSEvents: 'events',
  secretsmanager: 'secretsmanager',
  Textract: 'textract',
  TrentService: 'kms',
};

/** A registered document the Textract stand-in can read: its pages of printed lines. */
interface Reading {
  readonly pages: string[][];
  readonly confidence: number;
  readonly wordConfidence: Record<string, number>;
}

interface Job {
  readonly jobId: string;
  readonly status: 'SUCCEEDED' | 'FAILED';
  readonly statusMessage?: string;
  readonly response: ReturnType<typeof textractResponseFor> | null;
}

/**
 * Amazon Textract as the service sees it: `DetectDocumentText` for one image's bytes,
 * `StartDocumentTextDetection` reading the document from S3 (moto) and announcing the job on its
 * SNS topic as Textract does, `GetDocumentTextDetection` answering real block shapes (PAGE,
 * LINE, WORD with geometry and confidence) paged by `MaxResults`/`NextToken`. It knows a
 * document by its bytes: the test registers what each uploaded file says. Bytes it was not
 * told of are a document Textract cannot read (`UnsupportedDocumentException`, or a FAILED job).
 */
export class TextractStandIn {
  private readonly readings = new Map<string, Reading>();
  private readonly jobs = new Map<string, Job>();
  private readonly tokens = new Map<string, string>();
  /** Jobs whose completion notice is lost (never published), as SNS or a misconfigured role can lose one. */
  loseNotices = 0;
  /** How long a job runs before its notice is published (the benchmark sets a realistic one). */
  jobMs = 200;
  /** Completion notices published: job id, topic, status. */
  readonly notices: Array<{ jobId: string; topicArn: string; status: string; roleArn: string }> = [];

  constructor(
    private readonly motoEndpoint: string,
    /** The KMS key of an encrypted topic: publishing to it needs the key as well. */
    private readonly topicKey: (topicArn: string) => string | undefined,
  ) {}

  /** What a file's bytes say, page by page. */
  register(bytes: Uint8Array, pages: string[][], confidence = 98.5, wordConfidence: Record<string, number> = {}): void {
    this.readings.set(createHash('sha256').update(bytes).digest('hex'), { pages, confidence, wordConfidence });
  }

  private reading(bytes: Uint8Array): Reading | undefined {
    return this.readings.get(createHash('sha256').update(bytes).digest('hex'));
  }

  /** Answers one Textract operation: status and JSON body. */
  async answer(
    operation: string,
    params: Record<string, unknown>,
    record: (call: Omit<RecordedCall, 'seq'>) => void,
  ): Promise<{ status: number; body: unknown }> {
    const error = (type: string, message: string) => ({ status: 400, body: { __type: type, Message: message } });
    if (operation === 'DetectDocumentText') {
      const bytes = Buffer.from(String((params.Document as { Bytes?: string }).Bytes ?? ''), 'base64');
      const reading = this.reading(bytes);
      if (!reading) return error('UnsupportedDocumentException', 'Request has unsupported document format');
      const { JobStatus: _status, ...response } = textractResponseFor([reading.pages.flat()], reading.confidence, reading.wordConfidence);
      return { status: 200, body: { ...response, DetectDocumentTextModelVersion: '1.0' } };
    }
    if (operation === 'StartDocumentTextDetection') {
      const token = params.ClientRequestToken as string | undefined;
      if (token && this.tokens.has(token)) return { status: 200, body: { JobId: this.tokens.get(token) } };
      const location = (params.DocumentLocation as { S3Object: { Bucket: string; Name: string; Version?: string } }).S3Object;
      const object = await fetch(
        `${this.motoEndpoint}/${location.Bucket}/${location.Name.split('/').map(encodeURIComponent).join('/')}${location.Version ? `?versionId=${location.Version}` : ''}`,
        { headers: { authorization: `AWS4-HMAC-SHA256 Credential=AKIATEXTRACT00000000/20260101/${REGION}/s3/aws4_request, SignedHeaders=host, Signature=0` } },
      );
      if (!object.ok) return error('InvalidS3ObjectException', 'Unable to get object metadata from S3. Check object key, region and/or access permissions.');
      const reading = this.reading(new Uint8Array(await object.arrayBuffer()));
      const jobId = createHash('sha256').update(randomUUID()).digest('hex');
      this.jobs.set(
        jobId,
        reading
          ? { jobId, status: 'SUCCEEDED', response: textractResponseFor(reading.pages, reading.confidence, reading.wordConfidence) }
          : { jobId, status: 'FAILED', statusMessage: 'Unsupported document format', response: null },
      );
      if (token) this.tokens.set(token, jobId);
      const channel = params.NotificationChannel as { SNSTopicArn: string; RoleArn: string } | undefined;
      if (channel && this.loseNotices > 0) {
        this.loseNotices -= 1;
        this.notices.push({ jobId, topicArn: channel.SNSTopicArn, status: 'LOST', roleArn: channel.RoleArn });
      } else if (channel) {
        // Textract finishes the job, then publishes the notice to the topic as the role it was passed.
        setTimeout(() => {
          const job = this.jobs.get(jobId)!;
          const message = {
            JobId: jobId,
            Status: job.status,
            API: 'StartDocumentTextDetection',
            JobTag: params.JobTag,
            Timestamp: Date.now(),
            DocumentLocation: { S3ObjectName: location.Name, S3Bucket: location.Bucket },
          };
          void this.publish(channel.SNSTopicArn, JSON.stringify(message)).then((status) => {
            this.notices.push({ jobId, topicArn: channel.SNSTopicArn, status: job.status, roleArn: channel.RoleArn });
            const key = this.topicKey(channel.SNSTopicArn);
            const encryption = key
              ? [
                  { action: 'kms:GenerateDataKey', resource: key, via: 'sns' },
                  { action: 'kms:Decrypt', resource: key, via: 'sns' },
                ]
              : [];
            record({
              caller: channel.RoleArn,
              service: 'sns',
              operation: 'Publish',
              status,
              authorizations: [{ action: 'sns:Publish', resource: channel.SNSTopicArn }, ...encryption],
              detail: { by: 'textract.amazonaws.com' },
            });
          });
        }, this.jobMs);
      }
      return { status: 200, body: { JobId: jobId } };
    }
    if (operation === 'GetDocumentTextDetection') {
      const job = this.jobs.get(String(params.JobId));
      if (!job) return error('InvalidJobIdException', 'An invalid job identifier was passed.');
      if (!job.response) return { status: 200, body: { JobStatus: 'FAILED', StatusMessage: job.statusMessage, DetectDocumentTextModelVersion: '1.0' } };
      const start = Number(params.NextToken ?? 0);
      const size = Number(params.MaxResults ?? 1000);
      const blocks = job.response.Blocks!.slice(start, start + size);
      const next = start + size < job.response.Blocks!.length ? String(start + size) : undefined;
      return {
        status: 200,
        body: {
          JobStatus: 'SUCCEEDED',
          DocumentMetadata: job.response.DocumentMetadata,
          Blocks: blocks,
          ...(next ? { NextToken: next } : {}),
          DetectDocumentTextModelVersion: '1.0',
        },
      };
    }
    return error('InvalidParameterException', `the stand-in does not answer ${operation}`);
  }

  private async publish(topicArn: string, message: string): Promise<number> {
    const response = await fetch(this.motoEndpoint, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `AWS4-HMAC-SHA256 Credential=AKIATEXTRACT00000000/20260101/${REGION}/sns/aws4_request, SignedHeaders=host, Signature=0`,
      },
      body: new URLSearchParams({ Action: 'Publish', Version: '2010-03-31', TopicArn: topicArn, Message: message }).toString(),
    });
    await response.text();
    return response.status;
  }
}

/** The running proxy. */
export interface RecordingProxy {
  readonly endpoint: string;
  readonly calls: RecordedCall[];
  readonly textract: TextractStandIn;
  /** Set once the stack is provisioned. */
  context: ResourceContext;
  /**
   * SQS delays asked for are recorded as asked and shortened to this many seconds (null: kept),
   * so a webhook retry scheduled 15-30 s out is tried within the test's time.
   */
  compressDelaysTo: number | null;
  stop(): Promise<void>;
}

/** The signer and key of a browser's form upload to a bucket (multipart/form-data POST), or null for any other request. */
function formUploadOf(request: IncomingMessage, body: Buffer): { accessKey: string; service: string; key: string } | null {
  if (request.method !== 'POST' || !String(request.headers['content-type'] ?? '').startsWith('multipart/form-data')) return null;
  // The fields come before the file: only the head of the body is searched.
  const head = body.subarray(0, 64 * 1024).toString('latin1');
  const field = (name: string) => new RegExp(`name="${name}"\\r\\n\\r\\n([^\\r]*)\\r\\n`, 'i').exec(head)?.[1];
  const credential = field('X-Amz-Credential');
  const key = field('key');
  if (!credential || !key) return null;
  const [accessKey = '', , , service = ''] = credential.split('/');
  return { accessKey, service, key };
}

function credentialOf(request: IncomingMessage, url: URL): { accessKey: string; service: string } {
  const header = String(request.headers.authorization ?? '');
  const credential = /Credential=([^,\s]+)/.exec(header)?.[1] ?? url.searchParams.get('X-Amz-Credential') ?? '';
  const [accessKey = '', , , service = ''] = credential.split('/');
  return { accessKey, service };
}

/** Starts the proxy on 127.0.0.1 in front of moto. */
export async function startProxy(motoEndpoint: string): Promise<RecordingProxy> {
  const moto = new URL(motoEndpoint);
  const calls: RecordedCall[] = [];
  const textract = new TextractStandIn(motoEndpoint, (topicArn) => proxy.context.topicKeys.get(topicArn));
  const record = (call: Omit<RecordedCall, 'seq'>) => calls.push({ seq: calls.length + 1, ...call });
  const proxy: RecordingProxy = {
    endpoint: '',
    calls,
    textract,
    context: { callers: new Map(), bucketKeys: new Map(), queueKeys: new Map(), topicKeys: new Map(), secretArns: new Map() },
    compressDelaysTo: null,
    stop: async () => undefined,
  };

  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    let body = Buffer.concat(chunks);
    const url = new URL(request.url ?? '/', 'http://proxy');
    // A browser's form upload (an S3 presigned POST) carries its credential and key as form fields, not headers.
    const form = formUploadOf(request, body);
    const { accessKey, service: scopeService } = form ?? credentialOf(request, url);
    const caller = proxy.context.callers.get(accessKey) ?? (accessKey ? `unknown key ${accessKey}` : 'anonymous');
    const target = request.headers['x-amz-target'] as string | undefined;
    let service: string;
    let operation: string;
    let authorizations: Authorization[];
    const detail: Record<string, unknown> = {};
    if (target) {
      const [prefix = '', name = ''] = target.split('.');
      service = TARGET_SERVICES[prefix] ?? prefix.toLowerCase();
      operation = name;
      const params = body.length ? (JSON.parse(body.toString('utf8')) as Record<string, unknown>) : {};
      authorizations = jsonAuthorizations(service, operation, params, proxy.context);
      if (service === 'textract') {
        if (params.NotificationChannel) detail.notificationChannel = params.NotificationChannel;
        const answer = await textract.answer(operation, params, record);
        record({ caller, service, operation, status: answer.status, authorizations, detail });
        const text = JSON.stringify(answer.body);
        response.writeHead(answer.status, {
          'content-type': 'application/x-amz-json-1.1',
          'x-amzn-requestid': randomUUID(),
          'content-length': Buffer.byteLength(text),
        });
        response.end(text);
        return;
      }
      if (service === 'sqs' && operation === 'SendMessage' && typeof params.DelaySeconds === 'number') {
        detail.delaySeconds = params.DelaySeconds;
        if (proxy.compressDelaysTo !== null && params.DelaySeconds > proxy.compressDelaysTo) {
          body = Buffer.from(JSON.stringify({ ...params, DelaySeconds: proxy.compressDelaysTo }));
          detail.delayCompressedTo = proxy.compressDelaysTo;
        }
      }
    } else if (form) {
      // PostObject: allowed as s3:PutObject on the key, for the principal that signed the form.
      service = 's3';
      operation = 'PostObject';
      const bucket = url.pathname.slice(1).split('/')[0] ?? '';
      const kmsKey = proxy.context.bucketKeys.get(bucket);
      authorizations = [
        { action: 's3:PutObject', resource: `arn:aws:s3:::${bucket}/${form.key}` },
        ...(kmsKey ? [{ action: 'kms:GenerateDataKey', resource: kmsKey, via: 's3' }] : []),
      ];
    } else if (scopeService === 's3' || (!scopeService && request.method && url.pathname !== '/')) {
      service = 's3';
      ({ operation, authorizations } = s3Call(request.method ?? 'GET', url, request.headers, proxy.context));
      if (url.searchParams.has('X-Amz-Signature')) detail.presigned = true;
    } else {
      service = scopeService || 'unknown';
      const form = new URLSearchParams(body.toString('utf8'));
      operation = form.get('Action') ?? url.searchParams.get('Action') ?? `${request.method} ${url.pathname}`;
      const resource = form.get('TopicArn') ?? form.get('QueueUrl') ?? '*';
      authorizations = [{ action: `${service}:${operation}`, resource }];
      const key = proxy.context.topicKeys.get(resource);
      if (service === 'sns' && operation === 'Publish' && key)
        authorizations.push({ action: 'kms:GenerateDataKey', resource: key, via: 'sns' }, { action: 'kms:Decrypt', resource: key, via: 'sns' });
    }
    const headers = { ...request.headers, host: moto.host, 'content-length': String(body.length) };
    const upstream = httpRequest({ host: moto.hostname, port: moto.port, method: request.method, path: request.url, headers }, (answer) => {
      record({ caller, service, operation, status: answer.statusCode ?? 0, authorizations, ...(Object.keys(detail).length ? { detail } : {}) });
      response.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(response);
    });
    upstream.on('error', (error) => {
      record({ caller, service, operation, status: 502, authorizations, detail: { error: error.message } });
      response.writeHead(502).end(error.message);
    });
    upstream.end(body);
  };

  const server: Server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      response.writeHead(500, { 'content-type': 'text/plain' }).end(String(error));
    });
  });
  await new Promise<void>((resolveListen) => server.listen(0, '127.0.0.1', resolveListen));
  const { port } = server.address() as { port: number };
  Object.assign(proxy, {
    endpoint: `http://127.0.0.1:${port}`,
    stop: () => new Promise<void>((resolveStop) => server.close(() => resolveStop())),
  });
  server.keepAliveTimeout = 1000;
  return proxy;
}
