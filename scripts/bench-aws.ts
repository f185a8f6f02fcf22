/**
 * `npm run bench -- --aws [--documents N]`: a backlog of documents (default 1,000) through the
 * synthesized service on emulated AWS (test/aws: moto provisioned from the template, each
 * bundle in its own Node process, the recording proxy), with the Textract stand-in enforcing
 * Textract's default quotas (test/aws/textract-quotas.ts; `--quotas us-east-1|us-east-2|other`).
 *
 * Driven as S3 drives it: every document is uploaded to the inbox bucket first (a backlog), S3
 * notifies the ingest queue, and Lambda's pollers are emulated with the concurrency the template
 * declares (the smaller of the function's reserved concurrency and the event source mapping's
 * maximum concurrency; each poller with an execution environment of its own, a Node process, as
 * Lambda runs one invocation at a time in each), batch size as declared, deleting what succeeded and leaving batch item
 * failures for their visibility timeout (compressed to `--visibility-seconds`, reported).
 * Textract's completion notices reach the completion function through SNS and its queue. The
 * delivery queue (the EventBridge rule's target) is read by the benchmark itself to count the
 * announcements (webhook delivery is `npm run test:aws`'s).
 *
 * The mix: mostly scanned faxes (multi-page TIFFs and image-only PDFs: asynchronous Textract
 * jobs), some phone photos (DetectDocumentText), some text letters, and 1% corrupt files, each
 * upload a distinct document (the rendered scans' bytes varied per copy). It ends by checking
 * the table (every document CLASSIFIED or FAILED with a reason, once; none RECEIVED or
 * OCR_PENDING), the announcements (one per document, none twice) and every dead-letter queue,
 * and prints wall time, documents a minute, Textract calls and refusals by API, retries, DLQ
 * counts, statuses and what bounds the throughput. The last line is a JSON object of the figures;
 * the exit code is 1 when a document is lost, stuck, duplicated or wrongly ended.
 */
import { parseArgs } from 'node:util';
import { availableParallelism } from 'node:os';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import {
  ChangeMessageVisibilityCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
  type Message,
} from '@aws-sdk/client-sqs';
import { DynamoDBClient, ScanCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import pLimit from 'p-limit';
import { documentId } from '../functions/service/ingest.ts';
import { loadGoldenLetters } from '../test/fixtures/golden.ts';
import { renderScan, type ScanKind } from '../test/fixtures/scans.ts';
import { printedLines } from '../test/fixtures/variants.ts';
import { join } from 'node:path';
import { RUNTIME_DIR, startEmulatedStack, type EmulatedStack } from '../test/aws/emulated-stack.ts';
import { lambdaService, type LambdaService } from '../test/aws/lambda.ts';
import { sqsEvent, type PollStats } from '../test/aws/event-sources.ts';
import { HARNESS_CREDENTIALS } from '../test/aws/provision.ts';
import { REGION, resourcesOfType } from '../test/aws/template.ts';
import { enforceQuotas, QUOTA_SOURCE, TEXTRACT_DEFAULT_QUOTAS } from '../test/aws/textract-quotas.ts';

type Kind = 'fax' | 'scanned-pdf' | 'photo' | 'text' | 'corrupt';

/** One document of the backlog. */
interface BenchDocument {
  readonly key: string;
  readonly kind: Kind;
  readonly bytes: Uint8Array;
  readonly id: string;
  /** What it must end as. */
  readonly expect: 'CLASSIFIED' | 'FAILED';
  /** What the Textract stand-in says it says (scans and photos). */
  readonly pages: string[][] | null;
}

/** A template (rendered once) that copies are made of. */
interface Original {
  readonly kind: Kind;
  readonly extension: string;
  readonly bytes: Buffer;
  /** What the Textract stand-in says the scan says, page by page (null: not a scan). */
  readonly pages: string[][] | null;
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const byte of bytes) c = CRC_TABLE[(c ^ byte) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** A PNG with a tEXt chunk naming the copy, inserted before IEND: a valid, distinct image. */
function pngCopy(png: Buffer, copy: number): Buffer {
  const data = Buffer.from(`Comment\0imr-bench copy ${copy}`, 'latin1');
  const chunk = Buffer.alloc(12 + data.length);
  chunk.writeUInt32BE(data.length, 0);
  chunk.write('tEXt', 4, 'latin1');
  data.copy(chunk, 8);
  chunk.writeUInt32BE(crc32(chunk.subarray(4, 8 + data.length)), 8 + data.length);
  return Buffer.concat([png.subarray(0, png.length - 12), chunk, png.subarray(png.length - 12)]);
}

/** A distinct copy of an original: a TIFF or PDF with bytes after its end (readers ignore them), a PNG with a comment, a letter with a line. */
function copyOf(original: Original, copy: number): Uint8Array {
  switch (original.extension) {
    case 'png':
      return pngCopy(original.bytes, copy);
    case 'txt':
      return Buffer.concat([original.bytes, Buffer.from(`\n\nCopy ${copy} of the benchmark backlog.\n`, 'latin1')]);
    case 'pdf':
      return Buffer.concat([original.bytes, Buffer.from(`\n%imr-bench copy ${copy}\n`, 'latin1')]);
    default:
      return Buffer.concat([original.bytes, Buffer.from(`imr-bench copy ${copy}`, 'latin1')]);
  }
}

const PAGE_LINES = 55;
const pagesOf = (lines: string[]) => Array.from({ length: Math.ceil(lines.length / PAGE_LINES) }, (_, p) => lines.slice(p * PAGE_LINES, (p + 1) * PAGE_LINES));

/** Renders the originals: a few faxes and scanned PDFs, photos of first pages, the text letters. */
async function renderOriginals(): Promise<Original[]> {
  const letters = loadGoldenLetters();
  const originals: Original[] = [];
  for (const [i, letter] of letters.entries()) {
    const lines = printedLines(letter.text);
    const scans: Array<[ScanKind, Kind]> = [
      ['fax-fine', 'fax'],
      [i % 2 === 0 ? 'fax-standard' : 'scanned-pdf', i % 2 === 0 ? 'fax' : 'scanned-pdf'],
    ];
    for (const [scanKind, kind] of scans) {
      const scan = await renderScan(lines, scanKind, 101 + i);
      originals.push({ kind, extension: scan.extension, bytes: scan.files[0]!, pages: pagesOf(lines) });
    }
    const photo = await renderScan(lines.slice(0, 30), 'photo', 201 + i);
    originals.push({ kind: 'photo', extension: 'png', bytes: photo.files[0]!, pages: [lines] });
    originals.push({ kind: 'text', extension: 'txt', bytes: Buffer.from(letter.text, 'latin1'), pages: null });
  }
  return originals;
}

/** The backlog: 74% scans (async), 15% text letters, 10% photos (sync), 1% corrupt. */
function backlog(originals: Original[], count: number): BenchDocument[] {
  const byKind = (kinds: Kind[]) => originals.filter((original) => kinds.includes(original.kind));
  const scans = byKind(['fax', 'scanned-pdf']);
  const photos = byKind(['photo']);
  const texts = byKind(['text']);
  const documents: BenchDocument[] = [];
  for (let n = 0; n < count; n++) {
    // Spread through the backlog (37 and 100 are coprime: every 100 documents hold each slot once).
    const slot = (n * 37) % 100;
    if (slot === 99) {
      const bytes = Buffer.from(`%PDF-1.7\n${'\u0000\u00ff'.repeat(64)}corrupt ${n}\n`, 'latin1');
      documents.push({ key: `bench/corrupt/${String(n).padStart(5, '0')}.pdf`, kind: 'corrupt', bytes, id: documentId(bytes), expect: 'FAILED', pages: null });
      continue;
    }
    const pool = slot < 15 ? texts : slot < 25 ? photos : scans;
    const original = pool[n % pool.length]!;
    const bytes = copyOf(original, n);
    documents.push({
      key: `bench/${original.kind}/${String(n).padStart(5, '0')}.${original.extension}`,
      kind: original.kind,
      bytes,
      id: documentId(bytes),
      expect: 'CLASSIFIED',
      pages: original.pages,
    });
  }
  return documents;
}

/** Figures of one emulated event source mapping. */
interface MappingRun {
  readonly functionId: string;
  readonly workers: number;
  readonly batchSize: number;
  invocations: number;
  messages: number;
  busyMs: number;
  batchItemFailures: number;
  invocationErrors: string[];
  /** Messages received with ApproximateReceiveCount > 1. */
  redeliveries: number;
  busy: number;
}

/**
 * Lambda's pollers for one mapping, `workers` of them (its concurrency): each receives a batch,
 * invokes, deletes what succeeded; a failed message is made visible again after the compressed
 * visibility timeout (harness credentials, as in SqsPollers.retryNow).
 */
class ConcurrentPollers {
  private stopped = false;
  private readonly loops: Array<Promise<void>> = [];
  pendingResets = 0;

  constructor(
    private readonly stack: EmulatedStack,
    private readonly mapping: EmulatedStack['pollers']['mappings'][number],
    readonly run: MappingRun,
    private readonly harness: SQSClient,
    private readonly visibilityMs: number,
  ) {}

  private readonly environments: LambdaService[] = [];

  /**
   * Each poller invokes its own execution environment (a process of its own), as Lambda runs
   * one invocation at a time in an environment: module state (Powertools' batch processor,
   * metrics, logger context) is never shared by concurrent invocations.
   */
  start(): void {
    const specs = this.stack.specs.filter((spec) => spec.logicalId === this.run.functionId);
    for (let w = 0; w < this.run.workers; w++) {
      const environment = lambdaService(specs, this.stack.staging, {
        node: this.stack.node.path,
        bootstrap: join(RUNTIME_DIR, 'bootstrap.mjs'),
        endpoint: this.stack.proxy.endpoint,
        logDir: join(this.stack.work, 'logs', `${this.run.functionId}-${w + 1}`),
      });
      this.environments.push(environment);
      this.loops.push(this.loop(environment));
    }
  }

  private async loop(environment: LambdaService): Promise<void> {
    const { mapping, run } = this;
    let idle = 0;
    while (!this.stopped) {
      let messages: Message[];
      try {
        ({ Messages: messages = [] } = await mapping.client.send(
          new ReceiveMessageCommand({
            QueueUrl: mapping.queueUrl,
            MaxNumberOfMessages: Math.min(10, mapping.batchSize),
            MessageSystemAttributeNames: ['All'],
            MessageAttributeNames: ['All'],
            WaitTimeSeconds: 0,
          }),
        ));
      } catch {
        messages = [];
      }
      if (!messages.length) {
        // Lambda's pollers back off on an empty queue; so do these (less load on moto).
        idle = Math.min(idle + 1, 4);
        await sleep(250 * idle);
        continue;
      }
      idle = 0;
      run.busy += 1;
      run.invocations += 1;
      run.messages += messages.length;
      run.redeliveries += messages.filter((message) => Number(message.Attributes?.ApproximateReceiveCount ?? 1) > 1).length;
      const stats: PollStats = { invocations: 0, messages: 0, batchItemFailures: 0, invocationErrors: [], s3RecordsCompleted: 0 };
      const started = performance.now();
      let failed = new Set<string>();
      try {
        const result = (await environment.invoke(mapping.functionId, sqsEvent(messages, mapping.queueArn, stats))) as {
          batchItemFailures?: Array<{ itemIdentifier: string }>;
        } | null;
        if (mapping.reportBatchItemFailures) failed = new Set((result?.batchItemFailures ?? []).map((failure) => failure.itemIdentifier));
      } catch (error) {
        run.invocationErrors.push((error as Error).message.split('\n')[0]!);
        failed = new Set(messages.map((message) => message.MessageId!));
      }
      run.busyMs += performance.now() - started;
      run.busy -= 1;
      run.batchItemFailures += failed.size;
      const done = messages.filter((message) => !failed.has(message.MessageId!));
      if (done.length)
        await mapping.client.send(
          new DeleteMessageBatchCommand({
            QueueUrl: mapping.queueUrl,
            Entries: done.map((message, i) => ({ Id: String(i), ReceiptHandle: message.ReceiptHandle })),
          }),
        );
      for (const message of messages.filter((candidate) => failed.has(candidate.MessageId!))) {
        this.pendingResets += 1;
        setTimeout(() => {
          void this.harness
            .send(new ChangeMessageVisibilityCommand({ QueueUrl: mapping.queueUrl, ReceiptHandle: message.ReceiptHandle, VisibilityTimeout: 0 }))
            .catch(() => undefined)
            .finally(() => (this.pendingResets -= 1));
        }, this.visibilityMs);
      }
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all(this.loops);
    await Promise.all(this.environments.map((environment) => environment.stop()));
  }
}

const sleep = (ms: number) => new Promise((resolveSleep) => setTimeout(resolveSleep, ms));
const unmarshal = (value: AttributeValue | undefined) => value?.S ?? value?.N ?? null;

/** Runs the benchmark; resolves to the exit code. */
export async function runAwsBench(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      documents: { type: 'string', default: '1000' },
      quotas: { type: 'string', default: 'us-east-1' },
      'job-seconds': { type: 'string', default: '10' },
      'throttling-rate': { type: 'string', default: '0.01' },
      'visibility-seconds': { type: 'string', default: '20' },
      'timeout-minutes': { type: 'string', default: '40' },
      'ingest-concurrency': { type: 'string' },
    },
  });
  const count = Number(values.documents);
  const quotas = TEXTRACT_DEFAULT_QUOTAS[values.quotas as keyof typeof TEXTRACT_DEFAULT_QUOTAS];
  if (!quotas) throw new Error(`--quotas must be one of ${Object.keys(TEXTRACT_DEFAULT_QUOTAS).join(', ')}`);
  const jobSeconds = Number(values['job-seconds']);
  const throttlingRate = Number(values['throttling-rate']);
  const visibilitySeconds = Number(values['visibility-seconds']);

  const renderStarted = performance.now();
  const originals = await renderOriginals();
  const documents = backlog(originals, count);
  const ids = new Set(documents.map((document) => document.id));
  if (ids.size !== documents.length) throw new Error(`the backlog has ${documents.length - ids.size} repeated documents`);
  console.log(
    `rendered ${originals.length} originals in ${((performance.now() - renderStarted) / 1000).toFixed(1)} s; backlog of ${count}: ${JSON.stringify(countBy(documents.map((d) => d.kind)))}`,
  );

  const stack = await startEmulatedStack({ context: values['ingest-concurrency'] ? { ingestConcurrency: values['ingest-concurrency'] } : {} });
  const harness = new SQSClient({ region: REGION, endpoint: stack.moto.endpoint, credentials: HARNESS_CREDENTIALS });
  const s3 = new S3Client({ region: REGION, endpoint: stack.proxy.endpoint, credentials: HARNESS_CREDENTIALS, forcePathStyle: true });
  const dynamodb = new DynamoDBClient({ region: REGION, endpoint: stack.moto.endpoint, credentials: HARNESS_CREDENTIALS });
  let exitCode: number;
  try {
    stack.proxy.textract.jobMs = jobSeconds * 1000;
    const enforcement = enforceQuotas(stack.proxy.textract, quotas, { throttlingRate });
    for (const document of documents) if (document.pages) stack.proxy.textract.register(document.bytes, document.pages);

    // The template's concurrency of each queue's consumer.
    const { template } = stack;
    const concurrency = (functionId: string) => {
      const reserved = template.Resources[functionId]?.Properties?.ReservedConcurrentExecutions as number | undefined;
      const mapping = resourcesOfType(template, 'AWS::Lambda::EventSourceMapping').find(
        ([, resource]) => (resource.Properties?.FunctionName as { Ref?: string } | undefined)?.Ref === functionId,
      )?.[1];
      const maximum = (mapping?.Properties?.ScalingConfig as { MaximumConcurrency?: number } | undefined)?.MaximumConcurrency;
      return { reserved: reserved ?? null, maximum: maximum ?? null, workers: Math.min(reserved ?? 1000, maximum ?? 1000) };
    };
    const inbox = stack.deployment.physical.get(stack.id('AWS::S3::Bucket', 'DataInbox'))!.ref;
    const webhookId = stack.id('AWS::Lambda::Function', 'ServiceWebhook');
    const deliveryMapping = stack.pollers.mappings.find((mapping) => mapping.functionId === webhookId)!;
    const serviceMappings = stack.pollers.mappings.filter((mapping) => mapping !== deliveryMapping);
    const bounds = Object.fromEntries(serviceMappings.map((mapping) => [mapping.functionId, concurrency(mapping.functionId)]));
    console.log(
      `Textract stand-in quotas: ${quotas.name}: DetectDocumentText ${quotas.tps.DetectDocumentText} TPS, StartDocumentTextDetection ${quotas.tps.StartDocumentTextDetection} TPS, GetDocumentTextDetection ${quotas.tps.GetDocumentTextDetection} TPS, ${quotas.concurrentJobs} asynchronous jobs at once`,
    );
    console.log(`  from ${QUOTA_SOURCE}`);
    console.log(
      `  jobs run ${jobSeconds} s each (assumed); ThrottlingException (HTTP 500, a transient server fault in the API reference) injected on ${(throttlingRate * 100).toFixed(1)}% of calls; visibility timeout of a failed message compressed to ${visibilitySeconds} s`,
    );
    for (const mapping of serviceMappings) {
      const b = bounds[mapping.functionId]!;
      console.log(
        `  ${mapping.functionId}: reserved concurrency ${b.reserved}, event source maximum concurrency ${b.maximum}, batch size ${mapping.batchSize}: ${b.workers} pollers`,
      );
    }

    // The backlog, uploaded as users upload it: S3 notifies the ingest queue of each object.
    const uploadStarted = performance.now();
    const limit = pLimit(Math.max(2, availableParallelism() * 2));
    await Promise.all(documents.map((document) => limit(() => s3.send(new PutObjectCommand({ Bucket: inbox, Key: document.key, Body: document.bytes })))));
    const uploadSeconds = (performance.now() - uploadStarted) / 1000;
    console.log(
      `uploaded ${count} documents to the inbox in ${uploadSeconds.toFixed(1)} s (${Math.max(1, availableParallelism() * 2)} at a time); the pollers start now`,
    );

    // The delivery queue, read by the benchmark: every announcement counted per document.
    const announcements = new Map<string, string[]>();
    let draining = true;
    const drain = (async () => {
      while (draining) {
        const { Messages = [] } = await harness.send(
          new ReceiveMessageCommand({ QueueUrl: deliveryMapping.queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
        );
        for (const message of Messages) {
          const event = JSON.parse(message.Body ?? '{}') as { 'detail-type'?: string; detail?: { data?: { id?: string } } };
          const id = event.detail?.data?.id ?? '?';
          announcements.set(id, [...(announcements.get(id) ?? []), event['detail-type'] ?? '?']);
        }
        if (Messages.length)
          await harness.send(
            new DeleteMessageBatchCommand({
              QueueUrl: deliveryMapping.queueUrl,
              Entries: Messages.map((message, i) => ({ Id: String(i), ReceiptHandle: message.ReceiptHandle })),
            }),
          );
        else await sleep(1000);
      }
    })();

    const runs = serviceMappings.map(
      (mapping) =>
        new ConcurrentPollers(
          stack,
          mapping,
          {
            functionId: mapping.functionId,
            workers: bounds[mapping.functionId]!.workers,
            batchSize: mapping.batchSize,
            invocations: 0,
            messages: 0,
            busyMs: 0,
            batchItemFailures: 0,
            invocationErrors: [],
            redeliveries: 0,
            busy: 0,
          },
          harness,
          visibilitySeconds * 1000,
        ),
    );
    const started = performance.now();
    for (const run of runs) run.start();
    const deadline = Date.now() + Number(values['timeout-minutes']) * 60_000;
    let quietSince = 0;
    let lastReport = 0;
    let timedOut = false;
    for (;;) {
      await sleep(1000);
      const depths = await Promise.all(
        serviceMappings.map(async (mapping) => {
          const { Attributes = {} } = await harness.send(
            new GetQueueAttributesCommand({
              QueueUrl: mapping.queueUrl,
              AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesDelayed'],
            }),
          );
          return (
            Number(Attributes.ApproximateNumberOfMessages) +
            Number(Attributes.ApproximateNumberOfMessagesNotVisible) +
            Number(Attributes.ApproximateNumberOfMessagesDelayed)
          );
        }),
      );
      const busy = runs.reduce((sum, run) => sum + run.run.busy + run.pendingResets, 0) + enforcement.runningJobs();
      if (Date.now() - lastReport > 15_000) {
        lastReport = Date.now();
        const elapsed = (performance.now() - started) / 1000;
        console.log(
          `  ${elapsed.toFixed(0).padStart(5)} s: ${runs.map((run) => `${run.run.functionId.replace(/[0-9A-F]{8}$/, '')} ${run.run.messages} messages`).join(', ')}; queued ${depths.join('/')}; Textract jobs running ${enforcement.runningJobs()}; refused ${JSON.stringify(Object.fromEntries(Object.entries(enforcement.stats).map(([api, s]) => [api, s.refused])))}`,
        );
      }
      if (depths.every((depth) => depth === 0) && busy === 0) {
        quietSince ||= Date.now();
        if (Date.now() - quietSince >= 4000) break;
      } else quietSince = 0;
      if (Date.now() > deadline) {
        timedOut = true;
        break;
      }
    }
    const wallSeconds = (performance.now() - started) / 1000 - (timedOut ? 0 : 4);
    for (const run of runs) await run.stop();
    // Announcements still on their way (EventBridge to SQS through moto): drained until quiet.
    let seen = -1;
    while (seen !== [...announcements.values()].flat().length) {
      seen = [...announcements.values()].flat().length;
      await sleep(2500);
    }
    draining = false;
    await drain;

    // The scheduled sweep, fired once as its rule fires it (15-minute rate): what it finds left pending.
    const sweep = await stack.schedules.fire('ServiceSweep').then(
      (result) => JSON.stringify(result),
      (error: unknown) => `failed: ${(error as Error).message.split('\n')[0]}`,
    );

    // The table: every document's record.
    const records = new Map<string, { status: string; reason: string | null }>();
    let startKey: Record<string, AttributeValue> | undefined;
    do {
      const page = await dynamodb.send(
        new ScanCommand({
          TableName: stack.deployment.physical.get(stack.id('AWS::DynamoDB::Table', 'DataDeterminations'))!.ref,
          FilterExpression: 'sk = :doc',
          ExpressionAttributeValues: { ':doc': { S: 'DOC' } },
          ExclusiveStartKey: startKey,
        }),
      );
      for (const item of page.Items ?? [])
        records.set(unmarshal(item.id) ?? unmarshal(item.pk)!.replace(/^DOC#/, ''), { status: unmarshal(item.status) ?? '?', reason: unmarshal(item.reason) });
      startKey = page.LastEvaluatedKey;
    } while (startKey);

    const statusCounts = countBy(documents.map((document) => records.get(document.id)?.status ?? 'MISSING'));
    const missing = documents.filter((document) => !records.has(document.id));
    const stuck = documents.filter((document) => ['RECEIVED', 'OCR_PENDING'].includes(records.get(document.id)?.status ?? ''));
    const failedWithoutReason = documents.filter((document) => records.get(document.id)?.status === 'FAILED' && !records.get(document.id)?.reason);
    const wrong = documents.filter((document) => records.has(document.id) && !stuck.includes(document) && records.get(document.id)!.status !== document.expect);
    const extra = [...records.keys()].filter((id) => !ids.has(id));
    const terminalTypes = new Set(['determination.classified', 'determination.needs_review', 'determination.unrecognized', 'document.failed']);
    const announced = documents.map((document) => (announcements.get(document.id) ?? []).filter((type) => terminalTypes.has(type)).length);
    const duplicated = documents.filter((_, i) => announced[i]! > 1);
    const unannounced = documents.filter((document, i) => announced[i] === 0 && !stuck.includes(document));
    const failureReasons = countBy(
      documents.filter((document) => records.get(document.id)?.status === 'FAILED').map((document) => records.get(document.id)!.reason!.split(':')[0]!),
    );

    // Dead-letter queues: every queue whose name says so, with what is in it.
    const dlqs: Record<string, number> = {};
    const dlqSamples: string[] = [];
    for (const [logicalId] of resourcesOfType(template, 'AWS::SQS::Queue').filter(([id]) => /dead/i.test(id))) {
      const url = stack.deployment.physical.get(logicalId)!.ref;
      const { Attributes = {} } = await harness.send(
        new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }),
      );
      dlqs[logicalId.replace(/[0-9A-F]{8}$/, '')] = Number(Attributes.ApproximateNumberOfMessages) + Number(Attributes.ApproximateNumberOfMessagesNotVisible);
      if (dlqs[logicalId.replace(/[0-9A-F]{8}$/, '')]! > 0) {
        const { Messages = [] } = await harness.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 3, VisibilityTimeout: 0 }));
        dlqSamples.push(...Messages.map((message) => `${logicalId}: ${(message.Body ?? '').slice(0, 300)}`));
      }
    }

    // Textract: calls made and refused, by API (the quota enforcement's own count, checked against the proxy's record).
    const recorded = countBy(stack.proxy.calls.filter((call) => call.service === 'textract').map((call) => `${call.operation} ${call.status}`));
    const refusedTotal = Object.values(enforcement.stats).reduce((sum, s) => sum + Object.values(s.refused).reduce((a, b) => a + b, 0), 0);
    const asyncDocs = documents.filter((document) => document.kind === 'fax' || document.kind === 'scanned-pdf').length;
    const syncDocs = documents.filter((document) => document.kind === 'photo').length;
    const getsPerJob = enforcement.stats.GetDocumentTextDetection.accepted / Math.max(1, enforcement.stats.StartDocumentTextDetection.accepted);

    const docsPerMinute = (count / wallSeconds) * 60;
    const minutes = (perSecond: number, share: number) => (share > 0 ? (perSecond * 60) / share : Infinity);
    const ceilings: Array<[string, number, string]> = [];
    for (const run of runs) {
      const perMessageMs = run.run.busyMs / Math.max(1, run.run.messages);
      const share = run.run.functionId.startsWith('ServiceIngest') ? 1 : asyncDocs / count;
      const utilisation = run.run.busyMs / 1000 / (run.run.workers * wallSeconds);
      ceilings.push([
        `${run.run.functionId.replace(/[0-9A-F]{8}$/, '')} concurrency ${run.run.workers}`,
        minutes((run.run.workers * 1000) / Math.max(1, perMessageMs), share),
        `${run.run.workers} pollers x batch ${run.run.batchSize}, ${perMessageMs.toFixed(0)} ms of invocation per document here, pollers busy ${(utilisation * 100).toFixed(0)}% of the wall time`,
      ]);
    }
    ceilings.push([
      `StartDocumentTextDetection ${quotas.tps.StartDocumentTextDetection} TPS`,
      minutes(quotas.tps.StartDocumentTextDetection, asyncDocs / count),
      `one start per scan, ${((asyncDocs / count) * 100).toFixed(0)}% of the mix are scans`,
    ]);
    ceilings.push([
      `GetDocumentTextDetection ${quotas.tps.GetDocumentTextDetection} TPS`,
      minutes(quotas.tps.GetDocumentTextDetection / Math.max(1, getsPerJob), asyncDocs / count),
      `${getsPerJob.toFixed(2)} Get calls per job (1,000 blocks a page of results)`,
    ]);
    ceilings.push([`${quotas.concurrentJobs} concurrent jobs`, minutes(quotas.concurrentJobs / jobSeconds, asyncDocs / count), `jobs of ${jobSeconds} s`]);
    ceilings.push([
      `DetectDocumentText ${quotas.tps.DetectDocumentText} TPS`,
      minutes(quotas.tps.DetectDocumentText, syncDocs / count),
      `${((syncDocs / count) * 100).toFixed(0)}% of the mix are photos`,
    ]);
    ceilings.sort((a, b) => a[1] - b[1]);

    const ok =
      !timedOut &&
      missing.length === 0 &&
      stuck.length === 0 &&
      failedWithoutReason.length === 0 &&
      wrong.length === 0 &&
      extra.length === 0 &&
      duplicated.length === 0 &&
      unannounced.length === 0 &&
      Object.values(dlqs).every((n) => n === 0);
    console.log('');
    console.log(
      `${count} documents through the service on emulated AWS (${quotas.name}), ${availableParallelism()} cores: ${timedOut ? 'TIMED OUT after' : 'drained in'} ${wallSeconds.toFixed(1)} s wall time: ${docsPerMinute.toFixed(0)} documents/minute (uploads before, ${uploadSeconds.toFixed(1)} s, not counted)`,
    );
    console.log(`  final status (table): ${JSON.stringify(statusCounts)}; FAILED reasons: ${JSON.stringify(failureReasons)}`);
    console.log(
      `  left RECEIVED/OCR_PENDING: ${stuck.length}; missing from the table: ${missing.length}; FAILED without a reason: ${failedWithoutReason.length}; ended other than expected: ${wrong.length}; records not uploaded: ${extra.length}`,
    );
    console.log(
      `  announcements on the delivery queue: ${[...announcements.values()].flat().length} (${JSON.stringify(countBy([...announcements.values()].flat()))}); documents announced twice: ${duplicated.length}; ended but never announced: ${unannounced.length}`,
    );
    for (const [api, s] of Object.entries(enforcement.stats)) {
      console.log(
        `  Textract ${api}: ${s.calls} calls, ${s.accepted} answered, refused ${JSON.stringify(s.refused)}, peak ${s.peakTps} accepted in one second (quota ${quotas.tps[api as keyof typeof quotas.tps]})`,
      );
    }
    console.log(
      `  Textract jobs at once: peak ${enforcement.peakJobs} (quota ${quotas.concurrentJobs}); proxy's record of Textract calls by status: ${JSON.stringify(recorded)}`,
    );
    console.log(
      `  retries: ${refusedTotal} Textract calls refused and retried by the function (AWS SDK and the adapter's backoff); ${runs.map((run) => `${run.run.functionId.replace(/[0-9A-F]{8}$/, '')}: ${run.run.invocations} invocations, ${run.run.messages} messages, ${run.run.redeliveries} redelivered, ${run.run.batchItemFailures} batch item failures, ${run.run.invocationErrors.length} failed invocations`).join('; ')}`,
    );
    console.log(`  dead-letter queues: ${JSON.stringify(dlqs)}${dlqSamples.length ? `\n    ${dlqSamples.join('\n    ')}` : ''}`);
    console.log(`  scheduled sweep fired once at the end: ${sweep.slice(0, 300)}`);
    console.log('  what bounds throughput (documents/minute each stage allows for this mix; the smallest binds):');
    for (const [name, ceiling, why] of ceilings) console.log(`    ${ceiling === Infinity ? '-' : ceiling.toFixed(0).padStart(7)}  ${name}: ${why}`);
    const invocationErrors = runs.flatMap((run) => run.run.invocationErrors);
    if (invocationErrors.length) console.log(`  failed invocations (first 5):\n    ${invocationErrors.slice(0, 5).join('\n    ')}`);
    for (const [label, list] of [
      ['stuck', stuck],
      ['missing', missing],
      ['wrong', wrong],
      ['announced twice', duplicated],
      ['never announced', unannounced],
    ] as const) {
      if (list.length)
        console.log(
          `  ${label} (first 10): ${list
            .slice(0, 10)
            .map(
              (d) =>
                `${d.id.slice(0, 16)} ${d.key} ${records.get(d.id)?.status ?? 'MISSING'} ${records.get(d.id)?.reason ?? ''} announced ${JSON.stringify(announcements.get(d.id) ?? [])}`,
            )
            .join('; ')}`,
        );
    }
    console.log(ok ? 'every document ended CLASSIFIED or FAILED with a reason, once; nothing in a dead-letter queue' : 'DEFECT: see above');
    console.log(
      JSON.stringify({
        documents: count,
        quotas: values.quotas,
        wallSeconds: Number(wallSeconds.toFixed(1)),
        documentsPerMinute: Math.round(docsPerMinute),
        statuses: statusCounts,
        textract: Object.fromEntries(Object.entries(enforcement.stats).map(([api, s]) => [api, { calls: s.calls, refused: s.refused, peakTps: s.peakTps }])),
        peakJobs: enforcement.peakJobs,
        retries: {
          textractRefused: refusedTotal,
          ...Object.fromEntries(
            runs.map((run) => [
              run.run.functionId.replace(/[0-9A-F]{8}$/, ''),
              { redelivered: run.run.redeliveries, batchItemFailures: run.run.batchItemFailures, failedInvocations: run.run.invocationErrors.length },
            ]),
          ),
        },
        dlqs,
        bound: ceilings[0]![0],
        ok,
      }),
    );
    exitCode = ok ? 0 : 1;
  } finally {
    harness.destroy();
    s3.destroy();
    dynamodb.destroy();
    await stack.stop();
  }
  return exitCode;
}

function countBy(values: readonly string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const value of values) counts[value] = (counts[value] ?? 0) + 1;
  return counts;
}
