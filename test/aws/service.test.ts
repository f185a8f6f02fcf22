/**
 * `npm run test:aws`: the service as shipped, end to end on emulated AWS. The synthesized
 * bundles run in their own Node processes (the runtime's Node major, only the AWS SDK above
 * them, the template's environment) against moto, provisioned from the template; every AWS
 * call goes through a recording proxy and is checked against the template's grants at the end.
 * Steps run in order and build on each other, each checked as a user would check it.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { GetQueueAttributesCommand, ListQueuesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DescribeTableCommand, DynamoDBClient, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { receiver, type ImrEvent } from '../../docs/webhook-receiver.ts';
import { SERVICE_EVENT_TYPES } from '../../functions/service/ports.ts';
import { loadGoldenLetters, type GoldenLetter } from '../fixtures/golden.ts';
import { renderScan, typesetPdf } from '../fixtures/scans.ts';
import { printedLines } from '../fixtures/variants.ts';
import { ROOT, startEmulatedStack, type EmulatedStack } from './emulated-stack.ts';
import { cfnLint, freePort, pythonFor } from './moto.ts';
import { checkGrants, rolePolicies, type Acknowledgement } from './iam.ts';
import { LAMBDA_PAYLOAD_LIMIT_BYTES } from './lambda.ts';
import { HARNESS_CREDENTIALS } from './provision.ts';
import { REGION, resourcesOfType } from './template.ts';
import { documentId } from '../../functions/service/ingest.ts';

/**
 * Grants this run does not exercise, each with why it is kept. Any other unused grant fails
 * the test (remove it from lib/), and an acknowledgement no longer needed fails too.
 */
const ACKNOWLEDGED: Acknowledgement[] = [
  { role: '*', action: 'xray:PutTraceSegments', reason: "active tracing: the Lambda runtime's X-Ray daemon sends segments, not the code" },
  { role: '*', action: 'xray:PutTelemetryRecords', reason: "active tracing: sent by the runtime's X-Ray daemon" },
  {
    role: '*',
    action: 'sqs:ChangeMessageVisibility',
    reason:
      "the event source mapping's grant (CDK SqsEventSource): Lambda's poller may change a message's visibility; the emulated poller only receives and deletes",
  },
  { role: '*', action: 'sqs:GetQueueUrl', reason: "the event source mapping's grant (CDK SqsEventSource), for Lambda's poller" },
  {
    role: '*',
    action: 'sqs:GetQueueAttributes',
    reason: "the event source mapping's grant (CDK SqsEventSource): Lambda reads the queue's attributes when the mapping is created",
  },
  {
    role: '*',
    action: 'dynamodb:DescribeTable',
    reason: 'part of the table read grant (lib/grants.ts TABLE_READ_ACTIONS, as grantReadData); no call of the service describes the table',
  },
  { role: '*', action: 'dynamodb:Scan', reason: 'part of the table read grant; the store reads by key and index only' },
  { role: '*', action: 'dynamodb:BatchGetItem', reason: 'part of the table read grant' },
  { role: '*', action: 'dynamodb:ConditionCheckItem', reason: 'part of the table read grant (the store conditions its writes inside them)' },
  { role: '*', action: 'dynamodb:BatchWriteItem', reason: 'part of the table write grant (TABLE_WRITE_ACTIONS)' },
  {
    role: 'ServiceIngest*',
    action: 'dynamodb:Query',
    reason:
      'same-letter recognition queries letters with the same fingerprint (decision date, injury date, decisions); none of the sample letters yields a decision date, so it is never asked',
  },
  { role: 'ServiceTextractComplete*', action: 'dynamodb:Query', reason: 'same-letter recognition, as for ingest' },
  { role: '*', action: 'kms:DescribeKey', reason: 'part of the key grants CDK writes with a table or bucket grant; no call describes a key' },
  {
    role: '*',
    action: 'kms:Encrypt',
    reason: 'part of the key write grant (CDK); S3 and SQS ask for data keys, and DynamoDB uses the table key through its own grant, which moto does not show',
  },
  { role: '*', action: 'kms:ReEncrypt*', reason: 'part of the key write grant (CDK); never called' },
  {
    role: '*',
    action: 'kms:Decrypt',
    resourceIncludes: 'DataDataKey',
    reason: "the table is encrypted with the data key: DynamoDB decrypts on the reader's behalf (not visible on moto, which records no KMS use for DynamoDB)",
  },
  {
    role: '*',
    action: 'kms:GenerateDataKey*',
    resourceIncludes: 'DataDataKey',
    reason: "the table is encrypted with the data key: DynamoDB encrypts on the writer's behalf (not visible on moto)",
  },
  { role: '*', action: 's3:GetBucket*', reason: 'CDK grantRead/grantReadWrite bundle: no bucket-level read is made' },
  { role: '*', action: 's3:List*', reason: 'CDK grantRead bundle: the service never lists a bucket' },
  { role: '*', action: 's3:DeleteObject*', reason: 'CDK grantReadWrite bundle: the service deletes no object' },
  { role: '*', action: 's3:PutObjectLegalHold', reason: 'CDK grantReadWrite bundle' },
  { role: '*', action: 's3:PutObjectRetention', reason: 'CDK grantReadWrite bundle' },
  { role: '*', action: 's3:PutObjectTagging', reason: 'CDK grantReadWrite bundle' },
  { role: '*', action: 's3:PutObjectVersionTagging', reason: 'CDK grantReadWrite bundle' },
  { role: '*', action: 's3:Abort*', reason: 'CDK grantReadWrite bundle: uploads are single PUTs (no multipart)' },
  {
    role: 'ServiceWebhook*',
    action: 'sqs:SendMessage',
    resourceIncludes: 'DeadLetters',
    reason: 'a delivery is dead-lettered after 24 hours of retries; not provoked here',
  },
  {
    role: 'BucketNotificationsHandler*',
    action: 's3:PutBucketNotification',
    reason: "CDK's custom resource that writes the inbox's notification configuration at deploy; the emulation applies that configuration itself",
  },
];

const TIMINGS: Array<{ step: string; seconds: number }> = [];
let stack: EmulatedStack;
let letters: GoldenLetter[];
let s3: S3Client;
let inbox: string;
let receiverServer: Server;
const received: Array<{ event: ImrEvent; webhookId: string }> = [];
const attempts: Array<{ webhookId: string; status: number; type?: string }> = [];
let failNextDelivery = 0;
let webhookSecret = '';
const reviewer = { sub: '1f0c3a52-7b1e-4f2d-9a57-2c1c1f0e9b11', email: 'reviewer@example.com', 'cognito:groups': 'reviewers', token_use: 'access' };

/** Uploads a file to the inbox as a user would (harness credentials) and lets the queues settle. */
async function upload(key: string, body: Uint8Array | string) {
  await s3.send(new PutObjectCommand({ Bucket: inbox, Key: key, Body: body }));
  return stack.pollers.settle();
}

const get = (path: string) => stack.api.request({ path, claims: reviewer });
const statusOf = async (id: string) => (await get(`/documents/${id}/status`)).json<{ status: string; reason?: string }>();
const callsOf = (caller: string, operation?: string) =>
  stack.proxy.calls.filter((call) => call.caller === caller && (!operation || call.operation === operation));
const fn = (prefix: string) => stack.id('AWS::Lambda::Function', prefix);

/** What a reader of the letter sees in a determination: its outcome and each item's decision, as annotated by hand. */
async function expectReadAs(id: string, letter: GoldenLetter) {
  const determination = (await get(`/determinations/${id}`)).json<{
    outcome: string;
    items: Array<{ decision: string }>;
    revision: number;
    sourceKeys: string[];
  }>();
  expect({ outcome: determination.outcome, decisions: determination.items.map((item) => item.decision) }).toEqual({
    outcome: letter.golden.outcome,
    decisions: letter.golden.items.map((item) => item.decision),
  });
  return determination;
}

async function timed<T>(step: string, body: () => Promise<T>): Promise<T> {
  const started = Date.now();
  try {
    return await body();
  } finally {
    TIMINGS.push({ step, seconds: (Date.now() - started) / 1000 });
  }
}

/** A self-signed certificate for 127.0.0.1 (the receiver is HTTPS, as configured endpoints must be). */
function certificate(dir: string): { key: string; cert: string; certPath: string } {
  const keyPath = join(dir, 'receiver.key');
  const certPath = join(dir, 'receiver.crt');
  const made = spawnSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      keyPath,
      '-out',
      certPath,
      '-days',
      '1',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
    ],
    { encoding: 'utf8' },
  );
  if (made.status !== 0) throw new Error(`openssl could not make the receiver's certificate: ${made.stderr}`);
  return { key: readFileSync(keyPath, 'utf8'), cert: readFileSync(certPath, 'utf8'), certPath };
}

beforeAll(async () => {
  const started = Date.now();
  letters = loadGoldenLetters();
  const dir = mkdtempSync(join(tmpdir(), 'imr-aws-receiver-'));
  const tls = certificate(dir);
  const port = await freePort();
  // A case system's receiver: docs/webhook-receiver.ts verifying every signature, behind a front that can answer 503 once.
  let verify: ReturnType<typeof receiver> | null = null;
  receiverServer = createServer({ key: tls.key, cert: tls.cert }, (request, response) => {
    const webhookId = String(request.headers['webhook-id'] ?? '');
    if (failNextDelivery > 0) {
      failNextDelivery -= 1;
      attempts.push({ webhookId, status: 503 });
      request.resume();
      response.writeHead(503, { 'retry-after': '1' }).end();
      return;
    }
    response.on('finish', () => attempts.push({ webhookId, status: response.statusCode }));
    verify!(request, response);
  });
  await new Promise<void>((resolveListen) => receiverServer.listen(port, '127.0.0.1', resolveListen));
  const url = `https://127.0.0.1:${port}/imr-events`;
  stack = await startEmulatedStack({
    context: { webhookEndpoints: JSON.stringify([{ url, events: SERVICE_EVENT_TYPES }]) },
    // Only the webhook function needs it: trust for the receiver's self-signed certificate.
    extraEnvironment: (specs) =>
      Object.fromEntries(
        specs.filter((spec) => spec.logicalId.startsWith('ServiceWebhook')).map((spec) => [spec.logicalId, { NODE_EXTRA_CA_CERTS: tls.certPath }]),
      ),
  });
  const secretArn = stack.deployment.physical.get(stack.id('AWS::SecretsManager::Secret', 'ServiceWebhookSecret'))!.ref;
  webhookSecret = stack.deployment.secretValues.get(secretArn)!;
  verify = receiver(webhookSecret, async (event) => {
    // The id of the request being handled: read from the attempt the front recorded last.
    received.push({ event, webhookId: '' });
  });
  s3 = new S3Client({ region: REGION, endpoint: stack.proxy.endpoint, credentials: HARNESS_CREDENTIALS, forcePathStyle: true });
  inbox = stack.deployment.physical.get(stack.id('AWS::S3::Bucket', 'DataInbox'))!.ref;
  TIMINGS.push({ step: `synth ${stack.synthSeconds.toFixed(1)} s, moto, provision, stage`, seconds: (Date.now() - started) / 1000 });
});

afterAll(async () => {
  s3?.destroy();
  await stack?.stop();
  await new Promise<void>((resolveClose) => (receiverServer ? receiverServer.close(() => resolveClose()) : resolveClose()));
  const total = TIMINGS.reduce((sum, timing) => sum + timing.seconds, 0);
  console.log(
    [
      'step timings (s):',
      ...TIMINGS.map((timing) => `  ${timing.seconds.toFixed(1).padStart(6)}  ${timing.step}`),
      `  ${total.toFixed(1).padStart(6)}  total`,
    ].join('\n'),
  );
});

describe('the synthesized service on emulated AWS', () => {
  const ids: Record<string, string> = {};

  it('provisions every resource moto runs from the template: queues with redrive policies, the table with every GSI, the bus, rule and target DLQ, secrets', async () => {
    const { template, deployment } = stack;
    const sqs = new SQSClient({ region: REGION, endpoint: stack.moto.endpoint, credentials: HARNESS_CREDENTIALS });
    const dynamodb = new DynamoDBClient({ region: REGION, endpoint: stack.moto.endpoint, credentials: HARNESS_CREDENTIALS });
    try {
      const { QueueUrls = [] } = await sqs.send(new ListQueuesCommand({}));
      expect(QueueUrls.length).toBe(resourcesOfType(template, 'AWS::SQS::Queue').length);
      for (const [id, resource] of resourcesOfType(template, 'AWS::SQS::Queue')) {
        const { Attributes = {} } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: deployment.physical.get(id)!.ref, AttributeNames: ['All'] }));
        const declared = resource.Properties?.RedrivePolicy as { maxReceiveCount: number } | undefined;
        if (declared) expect(JSON.parse(Attributes.RedrivePolicy!)).toMatchObject({ maxReceiveCount: declared.maxReceiveCount });
        if (resource.Properties?.VisibilityTimeout) expect(Number(Attributes.VisibilityTimeout)).toBe(resource.Properties.VisibilityTimeout);
      }
      for (const [id, resource] of resourcesOfType(template, 'AWS::DynamoDB::Table')) {
        const { Table } = await dynamodb.send(new DescribeTableCommand({ TableName: deployment.physical.get(id)!.ref }));
        const declared = (resource.Properties!.GlobalSecondaryIndexes as Array<{ IndexName: string; KeySchema: unknown }>).map((index) => ({
          name: index.IndexName,
          keys: index.KeySchema,
        }));
        expect(
          (Table!.GlobalSecondaryIndexes ?? [])
            .map((index) => ({ name: index.IndexName, keys: index.KeySchema }))
            .sort((a, b) => a.name!.localeCompare(b.name!)),
        ).toEqual(declared.sort((a, b) => a.name.localeCompare(b.name)));
      }
      const notCreated = [...deployment.report].filter(([, what]) => what.startsWith('named only')).length;
      console.log(
        `provisioned ${deployment.report.size - notCreated} resources on moto ${stack.moto.version}; ${notCreated} named only (roles, functions, API, Cognito, alarms, logs)\n${stack.staging.notes.join('\n')}`,
      );
    } finally {
      sqs.destroy();
      dynamodb.destroy();
    }
  });

  it('the template passes cfn-lint (errors fail; warnings are reported)', () => {
    const version = cfnLint(ROOT, ['--version']);
    expect(
      version.status,
      `cfn-lint is not installed for ${pythonFor(ROOT)} (.ci/run installs it into .venv-aws when PyPI is reachable): ${version.stderr}`,
    ).toBe(0);
    const lint = cfnLint(ROOT, ['--format', 'parseable', stack.templatePath]);
    const findings = lint.stdout.split('\n').filter(Boolean);
    const errors = findings.filter((line) => /:E\d{4}:/.test(line));
    console.log(
      `${version.stdout.trim()}: exit ${lint.status}, ${errors.length} errors, ${findings.length - errors.length} warnings/informational\n${findings.map((line) => line.replace(stack.templatePath, 'template')).join('\n')}`,
    );
    expect(errors).toEqual([]);
    expect((lint.status ?? 0) & 2).toBe(0);
  });

  it('a text letter is read, classified and queryable', async () => {
    const letter = letters[0]!;
    const stats = await timed('text letter', () => upload(`mail/${letter.golden.letter}`, letter.text));
    ids.text = documentId(Buffer.from(letter.text, 'latin1'));
    expect(stats.invocationErrors).toEqual([]);
    expect((await statusOf(ids.text)).status).toBe('CLASSIFIED');
    const determination = await expectReadAs(ids.text, letter);
    expect(determination.revision).toBe(1);
    expect(determination.sourceKeys).toEqual([`${inbox}/mail/${letter.golden.letter}`]);
  });

  it('a text-layer PDF is read without Textract', async () => {
    const letter = letters[1]!;
    const pdf = await typesetPdf(printedLines(letter.text));
    const textractBefore = stack.proxy.calls.filter((call) => call.service === 'textract').length;
    await timed('text-layer PDF', () => upload('mail/letter-1.pdf', pdf));
    ids.pdf = documentId(pdf);
    expect((await statusOf(ids.pdf)).status).toBe('CLASSIFIED');
    await expectReadAs(ids.pdf, letter);
    expect(stack.proxy.calls.filter((call) => call.service === 'textract').length).toBe(textractBefore);
  });

  it('a phone photo is read by Textract synchronously (DetectDocumentText)', async () => {
    const letter = letters[2]!;
    const [photo] = (await renderScan(printedLines(letter.text).slice(0, 30), 'photo', 1)).files;
    stack.proxy.textract.register(photo!, [printedLines(letter.text)]);
    await timed('photo (sync Textract)', () => upload('phone/IMG_0001.png', photo!));
    ids.photo = documentId(photo!);
    expect((await statusOf(ids.photo)).status).toBe('CLASSIFIED');
    await expectReadAs(ids.photo, letter);
    expect(callsOf(fn('ServiceIngest'), 'DetectDocumentText').map((call) => call.status)).toEqual([200]);
  });

  it('a scanned PDF goes through an asynchronous Textract job, its SNS completion notice and the completion function', async () => {
    const letter = letters[3]!;
    const lines = printedLines(letter.text);
    const scan = (await renderScan(lines, 'scanned-pdf', 2)).files[0]!;
    stack.proxy.textract.register(scan, [lines.slice(0, 50), lines.slice(50, 100), lines.slice(100)]);
    await timed('scanned PDF (async Textract + SNS)', () => upload('scans/letter-3.pdf', scan));
    ids.scan = documentId(scan);
    expect((await statusOf(ids.scan)).status).toBe('CLASSIFIED');
    await expectReadAs(ids.scan, letter);
    const [start] = callsOf(fn('ServiceIngest'), 'StartDocumentTextDetection');
    const role = stack.deployment.physical.get(stack.id('AWS::IAM::Role', 'ServiceTextractPublishRole'))!.attributes.Arn;
    const topic = stack.deployment.physical.get(stack.id('AWS::SNS::Topic', 'DataTextractCompletions'))!.ref;
    expect(start?.detail?.notificationChannel).toEqual({ SNSTopicArn: topic, RoleArn: role });
    expect(stack.proxy.textract.notices.filter((notice) => notice.status !== 'LOST')).toContainEqual(
      expect.objectContaining({ topicArn: topic, status: 'SUCCEEDED', roleArn: role }),
    );
    // Every NextToken page read: the stand-in pages at MaxResults (1000 blocks).
    expect(callsOf(fn('ServiceTextractComplete'), 'GetDocumentTextDetection').length).toBeGreaterThanOrEqual(2);
  });

  it('a faxed TIFF (multi-page, asynchronous Textract) is read as annotated', async () => {
    const letter = letters[0]!;
    const lines = printedLines(letter.text);
    const tiff = (await renderScan(lines, 'fax-fine', 3)).files[0]!;
    stack.proxy.textract.register(tiff, [lines.slice(0, 55), lines.slice(55)]);
    await timed('fax TIFF (async Textract)', () => upload('fax/0001.tif', tiff));
    ids.tiff = documentId(tiff);
    expect((await statusOf(ids.tiff)).status).toBe('CLASSIFIED');
    await expectReadAs(ids.tiff, letter);
    const determination = (await get(`/determinations/${ids.tiff}`)).json<{ sameLetterAs?: string; warnings: string[] }>();
    console.log(`fax TIFF of the text letter: sameLetterAs ${determination.sameLetterAs ?? 'none'}; warnings ${JSON.stringify(determination.warnings)}`);
  });

  it("a lost Textract notice does not stall a letter: the scheduled sweep reads the job's results", async () => {
    const letter = letters[1]!;
    const lines = printedLines(letter.text);
    const scan = (await renderScan(lines, 'scanned-pdf', 4)).files[0]!;
    stack.proxy.textract.register(scan, [lines.slice(0, 60), lines.slice(60)]);
    stack.proxy.textract.loseNotices = 1;
    await timed('lost notice + sweep', async () => {
      await upload('scans/lost-notice.pdf', scan);
      ids.lost = documentId(scan);
      expect((await statusOf(ids.lost)).status).toBe('OCR_PENDING');
      // Time passes: the document's record says it has waited 31 minutes (the sweep's grace is 30).
      const dynamodb = new DynamoDBClient({ region: REGION, endpoint: stack.moto.endpoint, credentials: HARNESS_CREDENTIALS });
      const table = stack.deployment.physical.get(stack.id('AWS::DynamoDB::Table', 'DataDeterminations'))!.ref;
      await dynamodb.send(
        new UpdateItemCommand({
          TableName: table,
          Key: { pk: { S: `DOC#${ids.lost}` }, sk: { S: 'DOC' } },
          UpdateExpression: 'SET updatedAt = :at',
          ExpressionAttributeValues: { ':at': { S: new Date(Date.now() - 31 * 60_000).toISOString() } },
        }),
      );
      dynamodb.destroy();
      const report = await stack.schedules.fire('ServiceSweep');
      expect(report).toMatchObject({ recovered: 1, failed: 0, errors: 0 });
      await stack.pollers.settle();
    });
    expect((await statusOf(ids.lost!)).status).toBe('CLASSIFIED');
    await expectReadAs(ids.lost!, letter);
    expect(callsOf(fn('ServiceSweep'), 'GetDocumentTextDetection').length).toBeGreaterThanOrEqual(1);
  });

  it('the same bytes under another key are one document (DUPLICATE): the key is added, nothing is read again', async () => {
    const letter = letters[0]!;
    const before = callsOf(fn('ServiceIngest'), 'PutObject').length;
    await timed('duplicate', () => upload('mail/again/copy.txt', letter.text));
    const determination = (await get(`/determinations/${ids.text}`)).json<{ sourceKeys: string[]; revision: number }>();
    expect(determination.sourceKeys.sort()).toEqual([`${inbox}/mail/${letter.golden.letter}`, `${inbox}/mail/again/copy.txt`].sort());
    expect(determination.revision).toBe(1);
    expect(callsOf(fn('ServiceIngest'), 'PutObject').length).toBe(before);
  });

  it('full-text search finds a letter by its words as soon as it is read, and by a new file name once the sweep built what the upload left marked', async () => {
    const search = async (q: string) =>
      (await get(`/search?q=${encodeURIComponent(q)}`)).json<{ data: Array<{ id: string }> }>().data.map((letter) => letter.id);
    await timed('search', async () => {
      // Read through an asynchronous Textract job: indexed by the completion function that read it, from the text in hand.
      expect(await search('Percocet')).toContain(ids.scan);
      expect(await search('perco acupuncture')).toContain(ids.scan);
      expect((await get('/search?q=the')).status).toBe(400);
      // The same bytes under another name (copy.txt): the letter is marked behind and nothing built it yet.
      expect(await search('copy')).not.toContain(ids.text);
      const report = await stack.schedules.fire('ServiceSweep');
      expect(report).toMatchObject({ search: { indexed: expect.any(Number), failed: 0 } });
      expect((report as { search: { indexed: number } }).search.indexed).toBeGreaterThanOrEqual(1);
      expect(await search('copy')).toEqual([ids.text]);
    });
    // The sweep read the letter's text back to index it (ingest and completion index what they have just read: they may not read it back).
    expect(callsOf(fn('ServiceSweep'), 'GetObject').length).toBeGreaterThanOrEqual(1);
  });

  it('a corrupt file ends FAILED with its reason, and is listed among the documents to look at', async () => {
    const corrupt = Buffer.concat([Buffer.from('%PDF-1.7\n1 0 obj\n<< /Type /Catalog'), randomBytes(2048)]);
    await timed('corrupt file', () => upload('mail/broken.pdf', corrupt));
    ids.corrupt = documentId(corrupt);
    const status = await statusOf(ids.corrupt);
    expect(status.status).toBe('FAILED');
    expect(status.reason).toMatch(/^[A-Z_]+: ./);
    const failed = (await get('/documents?status=FAILED')).json<{ data: Array<{ id: string; reason: string }> }>();
    expect(failed.data.map((document) => document.id)).toContain(ids.corrupt);
  });

  it('query routes: list, items, stats, CSV, calendar, text, original (presigned), OpenAPI, the console page; 401 without a token, 404 off the routes', async () => {
    await timed('query routes', async () => {
      const list = (await get('/determinations?limit=50')).json<{ data: Array<{ id: string }> }>();
      expect(list.data.map((d) => d.id)).toEqual(expect.arrayContaining([ids.text, ids.pdf, ids.photo, ids.scan]));
      const items = (await get('/items?limit=100')).json<{ data: unknown[] }>();
      expect(items.data.length).toBeGreaterThanOrEqual(letters.reduce((sum, letter) => sum + letter.golden.items.length, 0));
      expect((await get('/stats?groupBy=category')).status).toBe(200);
      const csv = await get('/determinations?format=csv');
      expect(csv.headers['content-type']).toMatch(/^text\/csv/);
      const rows = csv
        .text()
        .replace(/^\uFEFF/, '')
        .trim()
        .split('\n');
      expect(rows.length).toBeGreaterThanOrEqual(1 + 4);
      expect(csv.text()).toContain(ids.pdf);
      const calendar = await get('/deadlines.ics');
      expect(calendar.headers['content-type']).toMatch(/^text\/calendar/);
      expect(calendar.text()).toMatch(/^BEGIN:VCALENDAR/);
      expect(calendar.text()).toContain('BEGIN:VEVENT');
      const text = await get(`/documents/${ids.text}/text`);
      expect(text.text()).toContain(
        printedLines(letters[0]!.text)
          .find((line) => line.trim().length > 30)!
          .trim(),
      );
      const original = await get(`/documents/${ids.pdf}/original`);
      expect(original.status).toBe(302);
      // The user follows the presigned link (to the proxy standing in for S3): the bytes uploaded come back.
      const link = original.headers.location!;
      expect(link.startsWith(stack.proxy.endpoint)).toBe(true);
      const bytes = Buffer.from(await (await fetch(link)).arrayBuffer());
      expect(documentId(bytes)).toBe(ids.pdf);
      expect((await get('/openapi.json')).json()).toMatchObject({ openapi: expect.stringMatching(/^3\./) });
      // The console's files need no login (they hold no data); everything else does.
      const site = await stack.api.request({ path: '/' });
      expect([site.status, site.headers['content-type']]).toEqual([200, expect.stringMatching(/^text\/html/)]);
      expect((await stack.api.request({ path: '/determinations' })).status).toBe(401);
      expect((await get('/nowhere')).status).toBe(404);
    });
  });

  it("page images stay within Lambda's 6 MB response: a rendered page, and a 12-megapixel phone photo", async () => {
    await timed('pages', async () => {
      // An id prefix, as the console and the log lines print ids (resolved by a Query).
      const page = await get(`/documents/${ids.scan!.slice(0, 12)}/pages/1`);
      expect(page.status).toBe(200);
      expect(page.headers['content-type']).toBe('image/png');
      expect((await sharp(page.body).metadata()).format).toBe('png');
      // A 4000 x 3000 JPEG of a letter page with sensor noise: as a phone sends it.
      const letter = letters[1]!;
      const noise = await sharp(randomBytes(4000 * 3000 * 3), { raw: { width: 4000, height: 3000, channels: 3 } })
        .jpeg({ quality: 85 })
        .toBuffer();
      stack.proxy.textract.register(noise, [printedLines(letter.text)]);
      await upload('phone/IMG_0002.jpg', noise);
      const id = documentId(noise);
      const big = await get(`/documents/${id}/pages/1`);
      expect(big.status).toBe(200);
      expect(big.body.length).toBeLessThanOrEqual(LAMBDA_PAYLOAD_LIMIT_BYTES);
      const again = await get(`/documents/${id}/pages/1`);
      expect(again.status).toBe(200);
    });
  });

  it('a review PATCH needs If-Match, refuses a stale revision, records the change in the history and announces it', async () => {
    await timed('review PATCH', async () => {
      const patch = (headers: Record<string, string>, body: unknown) =>
        stack.api.request({
          method: 'PATCH',
          path: `/determinations/${ids.pdf!.slice(0, 12)}`,
          headers: { 'content-type': 'application/json', ...headers },
          body: JSON.stringify(body),
          claims: reviewer,
        });
      const current = (await get(`/determinations/${ids.pdf}`)).json<{ revision: number; caseNumber: string }>();
      expect((await patch({}, { reviewed: true })).status).toBe(428);
      expect((await patch({ 'if-match': `"${current.revision + 5}"` }, { reviewed: true })).status).toBe(412);
      const corrected = await patch({ 'if-match': `"${current.revision}"` }, { reviewed: true, note: 'checked against the letter' });
      expect(corrected.status, corrected.text()).toBe(200);
      expect(corrected.json()).toMatchObject({ revision: current.revision + 1, reviewedBy: reviewer.email });
      const history = (await get(`/determinations/${ids.pdf}/history`)).json<{ data: Array<{ revision: number; by: string; note: string | null }> }>();
      expect(history.data[0]).toMatchObject({ revision: current.revision + 1, by: reviewer.email, note: 'checked against the letter' });
      await stack.pollers.settle();
    });
  });

  it("a reviewer's upload from the console: a signed form from POST /uploads, the file posted to the inbox with it, read with the reviewer as its source", async () => {
    await timed('console upload', async () => {
      const letter = letters[3]!;
      const bytes = Buffer.from(`${letter.text}\n\nBrought in through the console.\n`, 'latin1');
      const id = documentId(bytes);
      const ask = (body: unknown) =>
        stack.api.request({ method: 'POST', path: '/uploads', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), claims: reviewer });
      expect((await ask({ fileName: 'letter.txt', size: 600 * 1024 * 1024, sha256: id })).status).toBe(400);
      const signed = await ask({ fileName: 'from the fax tray/letter.txt', size: bytes.length, sha256: id });
      expect(signed.status, signed.text()).toBe(201);
      const { upload: form } = signed.json<{ upload: { url: string; fields: Record<string, string> } }>();
      // Who brought it is fixed in the signed policy, not left to the browser.
      expect(form.fields).toMatchObject({ 'x-amz-meta-imr-channel': 'console', 'x-amz-meta-imr-sender': encodeURIComponent(reviewer.email) });
      expect(form.fields.key).toMatch(/^console\/\d{4}-\d{2}-\d{2}\/\d{6}-[0-9a-f]{8}\/letter\.txt$/);
      // The browser's post, as the console makes it: the fields, then the file.
      const body = new FormData();
      for (const [name, value] of Object.entries(form.fields)) body.append(name, value);
      body.append('file', new Blob([bytes]), 'letter.txt');
      const posted = await fetch(form.url, { method: 'POST', body });
      expect(posted.status, await posted.text()).toBeLessThan(300);
      await stack.pollers.settle();
      expect((await statusOf(id)).status).toBe('CLASSIFIED');
      const document = (await get(`/documents/${id}`)).json<{ source?: { channel: string; sender?: string; fileName?: string } }>();
      expect(document.source).toMatchObject({ channel: 'console', sender: reviewer.email, fileName: 'letter.txt' });
    });
  });

  it('webhooks: every event reaches the receiver signed (verified by docs/webhook-receiver.ts), once, and a 503 is retried with the same webhook-id', async () => {
    await timed('webhook retry', async () => {
      // The next delivery is refused once; the function schedules its retry 15-30 s out (an SQS delay), and the test waits for it.
      failNextDelivery = 1;
      const letter = letters[2]!;
      const variant = `${letter.text}\n`;
      await upload('mail/resend.txt', variant);
      await stack.pollers.settle({ quietMs: 2500, timeoutMs: 90_000 });
    });
    const types = received.map((r) => r.event.type);
    expect(types.filter((type) => type === 'determination.classified').length).toBeGreaterThanOrEqual(4);
    expect(types).toContain('document.failed');
    expect(types).toContain('determination.reviewed');
    const refused = attempts.find((attempt) => attempt.status === 503)!;
    expect(refused).toBeDefined();
    const retried = attempts.filter((attempt) => attempt.webhookId === refused.webhookId);
    expect(retried.map((attempt) => attempt.status)).toEqual([503, 204]);
    const delays = callsOf(fn('ServiceWebhook'), 'SendMessage')
      .map((call) => call.detail?.delaySeconds as number)
      .filter((delay) => delay > 0);
    expect(delays.length).toBe(1);
    expect(delays[0]).toBeGreaterThanOrEqual(15);
    expect(delays[0]).toBeLessThanOrEqual(30);
    // Every attempt answered but the refused one was 2xx; no id delivered twice.
    expect(attempts.filter((attempt) => attempt.status !== 503 && attempt.status !== 204)).toEqual([]);
    const delivered = attempts.filter((attempt) => attempt.status === 204).map((attempt) => attempt.webhookId);
    expect(new Set(delivered).size).toBe(delivered.length);
    expect(received.length).toBe(delivered.length);
  });

  it('nothing in any dead-letter queue, nothing left in any queue', async () => {
    const sqs = new SQSClient({ region: REGION, endpoint: stack.moto.endpoint, credentials: HARNESS_CREDENTIALS });
    try {
      const depths: Record<string, number> = {};
      for (const [id] of resourcesOfType(stack.template, 'AWS::SQS::Queue')) {
        const { Attributes = {} } = await sqs.send(
          new GetQueueAttributesCommand({
            QueueUrl: stack.deployment.physical.get(id)!.ref,
            AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesDelayed'],
          }),
        );
        depths[id] =
          Number(Attributes.ApproximateNumberOfMessages) +
          Number(Attributes.ApproximateNumberOfMessagesNotVisible) +
          Number(Attributes.ApproximateNumberOfMessagesDelayed);
      }
      expect(Object.entries(depths).filter(([, depth]) => depth > 0)).toEqual([]);
      console.log(`poller totals: ${JSON.stringify(stack.pollers.totals)}\nfunctions: ${JSON.stringify(stack.lambdas.stats())}`);
      expect(stack.pollers.totals.invocationErrors).toEqual([]);
    } finally {
      sqs.destroy();
    }
  });

  it("every recorded AWS call is within the template's grants, and every grant is used or acknowledged with its reason", () => {
    const policies = rolePolicies(stack.template, stack.deployment.physical);
    const callerRoles = new Map<string, string>(stack.specs.map((spec) => [spec.logicalId, spec.roleLogicalId]));
    for (const [id, physical] of stack.deployment.physical)
      if (stack.template.Resources[id]?.Type === 'AWS::IAM::Role') callerRoles.set(physical.attributes.Arn!, id);
    const report = checkGrants(stack.proxy.calls, policies, callerRoles, ACKNOWLEDGED, [...policies.keys()]);
    const byService = new Map<string, number>();
    for (const call of stack.proxy.calls)
      byService.set(
        `${call.caller === 'harness' ? 'harness' : 'function'} ${call.service}`,
        (byService.get(`${call.caller === 'harness' ? 'harness' : 'function'} ${call.service}`) ?? 0) + 1,
      );
    console.log(
      `recorded ${stack.proxy.calls.length} calls (${[...byService].map(([k, v]) => `${k} ${v}`).join(', ')}); checked ${report.checkedCalls} calls, ${report.checkedAuthorizations} authorizations; grants used ${report.used}, acknowledged ${report.acknowledged.length}`,
    );
    expect(report.outside).toEqual([]);
    expect(report.unused).toEqual([]);
    expect(report.staleAcknowledgements).toEqual([]);
  });
});
