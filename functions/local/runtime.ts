import { createHash, randomBytes } from 'node:crypto';
import { availableParallelism, userInfo } from 'node:os';
import { chmodSync, createReadStream, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { lstat, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Server } from 'node:http';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { setImmediate as yieldToEvents } from 'node:timers/promises';
import { Logger } from '@aws-lambda-powertools/logger';
import { LmdbDeterminationStore } from '../adapters/lmdb/determination-store.ts';
import { CursorCodec } from '../common/cursor.ts';
import { documentId, ingestObject, LargerThanAskedError, type IngestDependencies, type Ingested } from '../service/ingest.ts';
import type { EventPublisher, ServiceEvent } from '../service/ports.ts';
import { ReadingPool } from '../reader/pool.ts';
import { OCR_BUDGET } from '../reader/read-document.ts';
import { answerRequest } from '../query/query-handler.ts';
import type { ApiRequest } from '../query/routes.ts';
import { freePort, localS3Client } from './stand-ins.ts';
import { startLocalS3, type LocalS3Credentials } from './s3/server.ts';
import { loadOrCreateCredentials } from './s3/credentials.ts';
import { AnnouncementJournal } from './announcements.ts';
import { determinationEvent, failureEvent, PublicLinksPublisher } from '../service/events.ts';
import { isTerminal } from '../service/ports.ts';
import { WorkQueue, type WorkItem } from './work-queue.ts';
import { LocalWebhookPublisher, type WebhookFiles } from './webhook-publisher.ts';
import { SERVICE_EVENT_TYPES } from '../service/ports.ts';
import { startHttpApi } from './http-api.ts';
import { RequestGuard } from './request-guard.ts';
import { reopenForRetry } from '../service/retry.ts';
import { ProgressBoard } from '../service/progress.ts';
import type { AuditEntry } from '../service/ports.ts';
import { buildConsole } from '../console/build.ts';
import { InboxWatcher } from './inbox-watcher.ts';
import { isStandardWebhookSecret } from '../service/webhooks/secret.ts';
import { printable } from '../common/printable.ts';
import { SenderAllowList } from '../intake/senders.ts';
import { consoleUpload } from '../intake/console.ts';
import { SMTP_USER, startEmailListener, type EmailListener } from './email-listener.ts';
import { SearchIndexer } from './search-indexer.ts';
import { LocalObjectStore } from './local-objects.ts';

/** The inbox bucket on one machine. */
export const LOCAL_INBOX = 'imr-inbox';
/** Where the OCR text is kept on one machine. */
export const LOCAL_TEXT_BUCKET = 'imr-text';
/**
 * Longest reading of a document that needs no OCR: 3,000 text-layer pages read in about 25 s
 * here; twice that, and a document still reading is a document built to occupy the machine.
 */
const FAST_READING_SECONDS = 60;
/**
 * The fast lane reads up to 16 uploads of at most 1 MB at once (a text letter is a few KB), beside
 * 4 of any size: 200 text letters uploaded at once were read 9% sooner than 4 at a time (the
 * service's thread waits on each letter's store commits), and at most 16 MB more is held (the
 * queue has one read there only while it is still that small: see `WorkQueue` and `readFast`).
 */
const SMALL_FAST_ITEMS = { maxBytes: 1024 * 1024, concurrency: 16 };

/** The local S3 endpoint's key pair, in the data folder (0600), generated at the first start. */
export const S3_CREDENTIALS_FILE = 's3-credentials.json';
/** The SMTP listener's AUTH password, in the data folder (0600), generated at the first start with a port. */
export const SMTP_PASSWORD_FILE = 'smtp-password';

/** Where the local webhook delivery keeps its dead letters and attempt records. */
export function webhookFiles(dataDir: string): WebhookFiles {
  return {
    deadLetters: join(dataDir, 'dead-letters', 'webhooks.jsonl'),
    attempts: join(dataDir, 'webhook-attempts.jsonl'),
    pending: join(dataDir, 'webhooks-pending'),
  };
}

/** Settings of the local service (flags and `IMR_*` variables, see `main.ts`). */
export interface LocalOptions {
  readonly s3Port: number;
  readonly httpPort: number;
  readonly inboxDir: string;
  readonly dataDir: string;
  /** One URL, or several separated by commas; each receives every event. */
  readonly webhookUrl?: string;
  /** One secret, or two separated by a space during a rotation (both sign). */
  readonly webhookSecret?: string;
  /** Where status lines go. */
  readonly log: (line: string) => void;
  /** Multiplies webhook retry delays (tests use a small factor to see retries in milliseconds). */
  readonly webhookRetryScale?: number;
  /** Who corrections are made as (default: the OS user). */
  readonly reviewer?: string;
  /** Told how many queued documents are done, after each one (for a progress bar). */
  readonly progress?: (done: number, queued: number) => void;
  /** The port of the email (SMTP) listener on 127.0.0.1; none: no listener. */
  readonly smtpPort?: number;
  /**
   * Who may send letters by email (`IMR_EMAIL_SENDERS`): addresses and `@domain`s, separated by
   * commas. Required with {@link smtpPort}: the listener refuses to start without it.
   */
  readonly emailSenders?: string;
  /** Where people reach the API and console (default `http://127.0.0.1:<httpPort>`): events link under it. */
  readonly publicUrl?: string;
  /**
   * Start the OCR lane's reading processes and their OCR engines with the service, not when the
   * first scan arrives (`npm start` does; a test that reads no scan need not pay for them); see
   * {@link LocalService.ocrLaneReady}.
   */
  readonly warmOcr?: boolean;
}

/** Seconds the OCR lane's processes stay ready after their last page. */
export const OCR_LANE_IDLE_SECONDS = 300;
/** Longest {@link LocalService.ocrLaneReady} waits for the OCR lane's processes, once they are started. */
const OCR_WARM_WAIT_MS = 15_000;
/** How long the service must have had nothing to read, and nothing arriving, before the OCR lane warms up. */
const QUIET_BEFORE_WARMING_MS = 500;

/** A running local service. */
export interface LocalService {
  readonly endpoints: { readonly s3: string; readonly http: string };
  /** The key pair the S3 endpoint accepts (kept 0600 in the data folder as {@link S3_CREDENTIALS_FILE}). */
  readonly s3Credentials: LocalS3Credentials;
  /** True when this start generated the key pair: `npm start` prints it once. */
  readonly credentialsCreated: boolean;
  /** The token scripts send in `x-imr-session` to change something (kept 0600 in the data folder as `api-token`). */
  readonly apiToken: string;
  /** The embedded store (LMDB, in the data folder): no port, nothing on the network. */
  readonly store: LmdbDeterminationStore;
  /** The email listener (`smtp://127.0.0.1:PORT`) and its AUTH login, when a port was given. */
  readonly email: { readonly endpoint: string; readonly user: string; readonly password: string } | null;
  readonly s3: S3Client;
  /**
   * Resolves once the OCR lane started with the service ({@link LocalOptions.warmOcr}) is ready:
   * its processes loaded, their engines started, each having cleaned its practice page (about
   * 2.5 s after a start with nothing to read here; the warm-up waits until the letters there at
   * the start are read; at once without `warmOcr`; never later than 15 s after it began). The API
   * and the inbox serve from the start: a scan that comes before starts its own process.
   */
  readonly ocrLaneReady: Promise<void>;
  /** Resolves when every queued document is processed. */
  idle(): Promise<void>;
  stop(): Promise<void>;
}

function persistentSecret(file: string): string {
  if (!existsSync(file)) writeFileSync(file, randomBytes(32).toString('base64url'), { mode: 0o600 });
  return readFileSync(file, 'utf8').trim();
}

/** SHA-256 (hex) of a file, streamed (a file may be hundreds of MB). */
async function fileHash(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** A publisher that prints each event's document as a status line, then passes it on. */
class PrintingPublisher implements EventPublisher {
  constructor(
    private readonly next: EventPublisher | null,
    private readonly print: (event: ServiceEvent) => void,
  ) {}
  async publish(event: ServiceEvent): Promise<void> {
    this.print(event);
    await this.next?.publish(event);
  }
}

/**
 * Starts the whole service on loopback with embedded stand-ins: the embedded store, the S3 endpoint with
 * the inbox bucket, the local queue in front of the same ingest flow as on AWS (local OCR
 * for scans), the HTTP API through the same query handler, the watched inbox folder, and
 * webhooks when a URL is set.
 */
export async function startLocalService(given: LocalOptions): Promise<LocalService> {
  // Keys and file names come from whoever uploads: every status line is printed with its control characters escaped.
  const options: LocalOptions = { ...given, log: (line) => given.log(printable(line)) };
  // Settings are checked before anything starts, so a bad one leaves nothing running.
  if (
    options.webhookSecret
      ?.split(/[\s,]+/)
      .filter(Boolean)
      .some((secret) => !isStandardWebhookSecret(secret))
  ) {
    throw new Error(
      'IMR_WEBHOOK_SECRET is not a Standard Webhooks secret: it must be `whsec_` and the base64 of 24 to 64 random bytes (e.g. `whsec_$(openssl rand -base64 32)`); two secrets during a rotation are separated by one space',
    );
  }
  // Mail is read only from the senders listed: no list, no listener (the error names the variable, never its value).
  const emailSenders =
    options.smtpPort !== undefined || options.emailSenders !== undefined ? SenderAllowList.parse(options.emailSenders, 'IMR_EMAIL_SENDERS') : null;
  // Letters are medical records: everything the service and its stand-ins write (stored letters,
  // OCR text, the database, dead letters) is this user's alone, folders 0700 and files 0600.
  process.umask(0o077);
  // Read before anything is created: whether this data folder held letters before this start.
  const folderInUseBefore = existsSync(join(options.dataDir, 'store'));
  mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
  chmodSync(options.dataDir, 0o700);
  for (const dir of ['store', 's3', 'dead-letters']) mkdirSync(join(options.dataDir, dir), { recursive: true, mode: 0o700 });
  mkdirSync(options.inboxDir, { recursive: true });
  // The S3 endpoint answers only requests signed with this key pair (AWS Signature V4): no web page, no anonymous client.
  const { credentials, created: credentialsCreated } = loadOrCreateCredentials(join(options.dataDir, S3_CREDENTIALS_FILE));
  // Uploads that land before the queues exist wait here, in order.
  let onInboxObject: (key: string, size: number) => void;
  const early: Array<{ key: string; size: number }> = [];
  onInboxObject = (key, size) => early.push({ key, size });
  const s3 = await startLocalS3({
    port: options.s3Port,
    directory: join(options.dataDir, 's3'),
    buckets: [LOCAL_INBOX, LOCAL_TEXT_BUCKET],
    credentials,
    onObjectCreated: (event) => {
      if (event.bucket === LOCAL_INBOX) onInboxObject(event.key, event.size);
    },
    log: (line) => options.log(`s3        ${line}`),
  });
  for (const line of s3.repaired) options.log(`repaired  ${line}`);
  const s3Client = localS3Client(s3.endpoint, credentials);
  // Determinations live in an embedded database: no port, so nothing on the network can read them.
  const store = LmdbDeterminationStore.open(join(options.dataDir, 'store'), new CursorCodec(persistentSecret(join(options.dataDir, 'cursor-secret'))));

  let queued = 0;
  let done = 0;
  const short = (id: string) => id.slice(0, 12);
  const webhooks =
    options.webhookUrl && options.webhookSecret
      ? new LocalWebhookPublisher(
          options.webhookUrl.split(',').map((url) => ({ url: url.trim(), events: [...SERVICE_EVENT_TYPES] })),
          options.webhookSecret.split(/[\s,]+/).filter(Boolean),
          webhookFiles(options.dataDir),
          (record) =>
            options.log(
              `webhook   ${short(record.documentId)} ${record.eventType} -> ${new URL(record.url).host}: ${record.outcome} (attempt ${record.attempt}, ${record.statusCode ?? 'no answer'}, ${record.latencyMs} ms)`,
            ),
          { retryScale: options.webhookRetryScale, onCorrupt: (error) => options.log(`webhook   ${error.message}`) },
        )
      : null;
  const printing = new PrintingPublisher(webhooks, (event) => {
    const detail = event.data.outcome
      ? `${event.data.outcome}, ${event.data.items.length} item(s)${event.data.needsReview ? ', needs review' : ''}${event.data.caseNumber ? `, case ${event.data.caseNumber}` : ''}`
      : '';
    options.log(`${event.type.padEnd(28)} ${short(event.data.id)} ${detail}`.trimEnd());
  });
  // Webhooks carry absolute links: to this service as its users reach it.
  const linked = new PublicLinksPublisher(printing, options.publicUrl ?? `http://127.0.0.1:${options.httpPort}`);
  const events = new AnnouncementJournal(join(options.dataDir, 'announced.txt'), linked, folderInUseBefore);
  // Every document is read (and classified) in a child process with a time and memory limit, never
  // in the process that answers the API and the S3 endpoint: text, text layers and Textract JSON in
  // one pool (a process per core), scans in another whose one process OCRs pages on every core.
  const cores = availableParallelism();
  const readerPids = join(options.dataDir, 'readers');
  const leftovers = ReadingPool.stopLeftovers(readerPids);
  if (leftovers > 0) options.log(`repaired  stopped ${leftovers} reading process(es) a killed service left running`);
  // Text letters take a few milliseconds each: one process reads them while it keeps up, and the
  // others take what waits behind a long document (a 3,000-page text layer) once it has held the first for 250 ms.
  const fastReader = new ReadingPool({ processes: cores, timeLimitSeconds: FAST_READING_SECONDS, pidDirectory: readerPids, spillAfterMs: 250 });
  // A backlog of scans uses every core: as many documents OCR'd at once as there are cores, each
  // in its own reading process, and a long document's pages OCR'd in parallel too (one fax page
  // is one tesseract: with one document at a time, a backlog of one-page faxes used one core).
  const ocrReader = new ReadingPool({
    processes: cores,
    ocrPagesAtOnce: cores,
    niceness: 10,
    timeLimitSeconds: OCR_BUDGET.seconds + 60,
    pidDirectory: readerPids,
    // Page images on their way to the OCR engines: in the data folder, private, with everything else the service keeps.
    pageDirectory: join(options.dataDir, 'ocr-pages'),
    // Scans come in runs (a morning's faxes): one within five minutes of the last finds the lane
    // ready; a service idle longer gives the processes' and their engines' memory back.
    idleSeconds: OCR_LANE_IDLE_SECONDS,
  });
  // Readings are kept in the store, everything else in the S3 endpoint's buckets (see LocalObjectStore).
  const objects = new LocalObjectStore(LOCAL_TEXT_BUCKET, s3Client, store.readings);
  // Pages read of each scan being OCR'd, in memory (see ProgressBoard): its status and the console say how far it is.
  const progress = new ProgressBoard();
  const deps: IngestDependencies = { store, objects, events, reader: ocrReader, progress, now: () => new Date() };
  // The search index follows every commit, a moment after it, out of its way (see service/search.ts).
  // Its failures name the letter and the error's kind, never a word of the letter.
  // It gives way while the reading lanes (text, on this thread) have letters: a letter is read and announced first, found a moment later.
  const indexer = new SearchIndexer(
    { store, objects, search: store.searchIndex },
    (id, error) => options.log(`search    ${short(id)} not indexed yet (${(error as Error)?.name ?? 'error'}); tried again shortly`),
    () => fastLane.busy || backlogLane.busy,
  );
  store.searchIndex.onMarked(() => indexer.wake());
  const fastDeps: IngestDependencies = { ...deps, reader: fastReader };

  let watcher: InboxWatcher | null = null;
  const report = (outcome: string, id: string, key: string, reason?: string | null) => {
    watcher?.settled(key, outcome === 'FAILED' || outcome === 'UNRECOGNIZED' ? 'failed' : 'done');
    settled(LOCAL_INBOX, key);
    done++;
    options.log(`[${done}/${queued}] ${outcome.padEnd(12)} ${short(id)} ${key}${reason ? `: ${reason}` : ''}`);
    options.progress?.(done, queued);
  };
  /** What a status line adds: a failure's reason, or the earlier letter a copy was linked to. */
  const outcomeDetail = async ({ outcome, id, sameLetterAs }: Ingested): Promise<string | null> => {
    if (outcome === 'FAILED' || outcome === 'SPLIT') return (await store.getDocument(id))?.reason ?? null;
    return sameLetterAs ? `the same letter as ${short(sameLetterAs)}: linked, not counted or announced again` : null;
  };
  const deadLettered = (lane: string) => (item: { key: string }) => {
    watcher?.settled(item.key, 'failed');
    settled(LOCAL_INBOX, item.key);
    done++;
    options.log(`[${done}/${queued}] DEAD-LETTER  ${item.key} (kept in ${join(options.dataDir, 'dead-letters', lane)})`);
    options.progress?.(done, queued);
  };
  // Two lanes, so that a text letter never waits behind a scan being OCR'd: the fast lane reads
  // text, text-layer PDFs and Textract JSON and hands scans to the OCR lane.
  const ocrLane = new WorkQueue(
    async (item, attempt) => {
      const ingested = await ingestObject(deps, item.bucket, item.key, { finalAttempt: attempt.final });
      report(ingested.outcome, ingested.id, item.key, await outcomeDetail(ingested));
    },
    { deadLetterDir: join(options.dataDir, 'dead-letters', 'ingest-ocr'), concurrency: cores, retryDelayMs: 300 },
    deadLettered('ingest-ocr'),
  );
  const readFast = async (item: WorkItem, attempt: { final: boolean; atMostBytes?: number }): Promise<void> => {
    let read: Ingested;
    try {
      read = await ingestObject(fastDeps, item.bucket, item.key, { finalAttempt: attempt.final, localOcr: false, atMostBytes: attempt.atMostBytes });
    } catch (error) {
      // Told small, its key holds a larger upload by now: it is read where large ones are.
      if (error instanceof LargerThanAskedError) return fastLane.push({ bucket: item.bucket, key: item.key });
      throw error;
    }
    if (read.outcome === 'NEEDS_OCR') return ocrLane.push(item);
    report(read.outcome, read.id, item.key, await outcomeDetail(read));
  };
  const fastLane = new WorkQueue(
    readFast,
    { deadLetterDir: join(options.dataDir, 'dead-letters', 'ingest'), concurrency: 4, small: SMALL_FAST_ITEMS, retryDelayMs: 300 },
    deadLettered('ingest'),
  );
  // What a start finds unfinished (perhaps thousands) is read one at a time beside new arrivals, never in front of them.
  const backlogLane = new WorkQueue(
    readFast,
    { deadLetterDir: join(options.dataDir, 'dead-letters', 'ingest'), concurrency: 1, retryDelayMs: 300 },
    deadLettered('ingest'),
  );
  indexer.start();
  // One reading per key at a time: the same key delivered again while it is read (a client re-sending,
  // a re-upload racing the start's recovery) is read once more after, never beside it.
  const inFlight = new Map<string, { again: boolean }>();
  const enqueue = (bucket: string, key: string, lane: WorkQueue = fastLane, size?: number) => {
    const slot = `${bucket}/${key}`;
    const running = inFlight.get(slot);
    if (running) {
      running.again = true;
      return;
    }
    inFlight.set(slot, { again: false });
    queued++;
    options.progress?.(done, queued);
    lane.push({ bucket, key, ...(size === undefined ? {} : { size }) });
  };
  /** Called when a key's reading ends, however it ends. */
  const settled = (bucket: string, key: string) => {
    const slot = `${bucket}/${key}`;
    const again = inFlight.get(slot)?.again;
    inFlight.delete(slot);
    if (again) enqueue(bucket, key);
  };
  onInboxObject = (key, size) => enqueue(LOCAL_INBOX, key, fastLane, size);
  for (const { key, size } of early.splice(0)) enqueue(LOCAL_INBOX, key, fastLane, size);

  const queryLogger = new Logger({ serviceName: 'imr-query-local', logLevel: 'ERROR' });
  // Corrections locally: made as the OS user, or the one `--reviewer` names.
  // A person's retry of a failed document: reopened, then read from its first key as if just uploaded.
  const retry = async (id: string) => {
    const { sourceKey } = await reopenForRetry(
      store,
      id,
      new Date().toISOString(),
      async (key) => key.startsWith(`${LOCAL_INBOX}/`) && (await s3.objects.head(LOCAL_INBOX, key.slice(LOCAL_INBOX.length + 1))) !== undefined,
    );
    const slash = sourceKey.indexOf('/');
    options.log(`retry     ${short(id)} asked for in the console or API`);
    enqueue(sourceKey.slice(0, slash), sourceKey.slice(slash + 1));
  };
  const apiToken = persistentSecret(join(options.dataDir, 'api-token'));
  const guard = new RequestGuard(options.httpPort, apiToken);
  /** A file brought in through the console: into the inbox like any upload, with who brought it and when as its source. */
  const upload = async (fileName: string, bytes: Buffer): Promise<string> => {
    const id = documentId(bytes);
    const { key, metadata } = consoleUpload(fileName, options.reviewer ?? userInfo().username, new Date().toISOString(), id);
    await s3Client.send(new PutObjectCommand({ Bucket: LOCAL_INBOX, Key: key, Body: bytes, Metadata: { ...metadata } }));
    return id;
  };
  const reviewer = options.reviewer ?? userInfo().username;
  /** Whether an inbox key still holds these bytes (its index knows each object's SHA-256, the document id): nothing is downloaded. */
  const holds = async (sourceKey: string, id: string) =>
    sourceKey.startsWith(`${LOCAL_INBOX}/`) && (await s3.objects.head(LOCAL_INBOX, sourceKey.slice(LOCAL_INBOX.length + 1)))?.sha256 === id;
  /** A deleted document's file in the watched folder (moved to failed/ or done/, or not yet moved) goes too, when it holds the same bytes. */
  const deleted = async (entry: AuditEntry) => {
    for (const sourceKey of entry.sourceKeys) {
      if (!sourceKey.startsWith(`${LOCAL_INBOX}/`)) continue;
      const parts = sourceKey.slice(LOCAL_INBOX.length + 1).split('/');
      // A key is never a path: one with `..` or an empty segment names no file of the folder.
      if (parts.some((part) => part === '' || part === '.' || part === '..')) continue;
      for (const folder of ['failed', 'done', '']) {
        const file = join(options.inboxDir, folder, ...parts);
        try {
          if ((await lstat(file)).isFile() && (await fileHash(file)) === entry.documentId) await rm(file);
        } catch {
          // Not there: nothing to remove.
        }
      }
    }
    options.log(`deleted   ${short(entry.documentId)} ${entry.fileNames.join(', ')} by ${entry.by} (kept in the audit log)`);
  };
  const routeOptions = {
    upload,
    objects,
    originals: objects,
    pageCache: objects,
    retry,
    problems: { deps: { store, objects, holds, now: () => new Date() }, by: reviewer, onDeleted: deleted },
    progress,
    changes: store,
    renderPage: (bytes: Uint8Array, page: number, name: string) => fastReader.renderPage(bytes, page, name),
    search: store.searchIndex,
    review: { deps: { store, events, now: () => new Date() }, by: reviewer },
  };
  // The route table mounted directly: the same routes and handlers as the AWS query function, no Lambda events made up.
  const api = (request: ApiRequest) =>
    answerRequest(store, request, routeOptions, (error) => queryLogger.error('request failed', { errorName: (error as Error).name }));
  const http = await startHttpApi(options.httpPort, api, guard, await buildConsole());
  watcher = new InboxWatcher(
    options.inboxDir,
    s3Client,
    LOCAL_INBOX,
    join(options.dataDir, 'inbox-uploaded.json'),
    (key) => options.log(`uploaded  ${key}`),
    (name, why) => options.log(`skipped   ${name}: ${why}, never read`),
  );
  await watcher.start();
  const startedWatcher = watcher;
  // Email intake: each attachment read is put into the inbox through the same S3 client as the watched folder's uploads.
  let email: EmailListener | null = null;
  const smtpPassword = options.smtpPort !== undefined ? persistentSecret(join(options.dataDir, SMTP_PASSWORD_FILE)) : '';
  if (options.smtpPort !== undefined && emailSenders) {
    email = await startEmailListener({
      port: options.smtpPort,
      senders: emailSenders,
      password: smtpPassword,
      s3: s3Client,
      bucket: LOCAL_INBOX,
      receiptsFile: join(options.dataDir, 'email-received.txt'),
      log: options.log,
    });
  }
  const startedEmail = email;
  // The fast pool's first process is loaded now (once nothing else can fail the start, which would
  // leave it running), not when the first letter arrives: a letter uploaded right after a start is read at once.
  // It practises on a made-up letter once ready (a fresh process read its first letters at half speed), giving way to any real one.
  void fastReader.warm(1, { practise: true });
  // `npm start`: the OCR lane's processes and their engines are started with the service, not when
  // the first scan arrives, and each cleans a made-up page once (a backlog on a lane started cold paid
  // for loading them and for their first, slow pages; see the README's figures). Not awaited: the API is up already.
  let stopping = false;
  const ocrLaneReady: Promise<void> = options.warmOcr ? warmOcrLaneWhenQuiet() : Promise.resolve();

  /**
   * The OCR lane warmed once every lane has been empty for {@link QUIET_BEFORE_WARMING_MS}: the
   * warm-up takes most of a core for about two seconds, and 200 text letters uploaded at the
   * start took 3.1 s beside it against 1.9 s without (paired, same hour). Letters that are there
   * at the start (an inbox filled while the service was down, a script's upload) are read first;
   * a scan that comes first starts its own process, as on a lane never warmed.
   */
  async function warmOcrLaneWhenQuiet(): Promise<void> {
    const lanes = [fastLane, backlogLane, ocrLane];
    for (;;) {
      await Promise.all(lanes.map((lane) => lane.idle()));
      // Quiet for the whole wait, not at its end only: files trickling in from the inbox folder leave the lanes empty between them.
      const seen = queued + done;
      await new Promise<void>((resolve) => setTimeout(resolve, QUIET_BEFORE_WARMING_MS).unref());
      if (stopping) return;
      if (queued + done === seen && !lanes.some((lane) => lane.busy)) break;
    }
    await Promise.race([ocrReader.warm(cores, { practise: true }), new Promise<void>((resolve) => setTimeout(resolve, OCR_WARM_WAIT_MS).unref())]);
  }
  // What a stop or a crash left unfinished is found behind new arrivals, never in front of them.
  const recovery = recoverUnfinished();

  /**
   * Every inbox object whose document is not read to the end (uploaded while the service was
   * down, or mid-reading when it stopped or crashed) is queued again; a reading stored but not
   * announced (a crash in between) is announced. The S3 index knows each object's hash, which
   * is its document id: nothing is downloaded to find out.
   */
  async function recoverUnfinished(): Promise<void> {
    let queuedAgain = 0;
    let announcedAgain = 0;
    let looked = 0;
    for await (const object of s3.objects.list(LOCAL_INBOX)) {
      if (stopping) return;
      const document = await store.getDocument(object.sha256);
      if (!document || !isTerminal(document.status) || !document.sourceKeys.includes(`${LOCAL_INBOX}/${object.key}`)) {
        enqueue(LOCAL_INBOX, object.key, backlogLane);
        queuedAgain++;
      } else if (!events.has(object.sha256, document.status === 'FAILED' ? 'failed' : 'read')) {
        const kind = document.status === 'FAILED' ? 'failed' : 'read';
        const at = new Date().toISOString();
        const stored = document.status === 'FAILED' ? null : await store.getDetermination(object.sha256);
        // Another form of a letter is never announced; a journal new to an old data folder takes what is stored as announced.
        if (events.fresh || stored?.sameLetterAs) events.remember(object.sha256, kind);
        else if (document.status === 'FAILED') {
          await events.publish(failureEvent(object.sha256, document, at));
          announcedAgain++;
        } else if (stored) {
          await events.publish(determinationEvent(stored, at));
          announcedAgain++;
        }
      }
      // A long inbox is looked through in slices, so the API and new uploads are answered meanwhile.
      if (++looked % 100 === 0) await yieldToEvents();
    }
    if (queuedAgain > 0 || announcedAgain > 0)
      options.log(`recovered ${queuedAgain} document(s) to read again, ${announcedAgain} reading(s) to announce again`);
  }

  return {
    endpoints: { s3: s3.endpoint, http: http.url },
    s3Credentials: credentials,
    credentialsCreated,
    apiToken,
    store,
    email: startedEmail ? { endpoint: startedEmail.endpoint, user: SMTP_USER, password: smtpPassword } : null,
    ocrLaneReady,
    s3: s3Client,
    idle: async () => {
      // What the start found unfinished is queued first; a scan moves from the fast lane to the OCR lane: idle once both are empty.
      await recovery.catch(() => undefined);
      await backlogLane.idle();
      await fastLane.idle();
      await ocrLane.idle();
      // And what they read is searchable.
      await indexer.idle();
    },
    stop: async () => {
      stopping = true;
      await recovery.catch(() => undefined);
      // No more mail: a message being received is answered or cut off, before the S3 endpoint it writes to stops.
      await startedEmail?.stop();
      startedWatcher.stop();
      await new Promise<void>((resolve) => (http.server as Server).close(() => resolve()));
      // The lanes take nothing more; readings under way are stopped, not waited for (an OCR may take minutes):
      // their documents stay RECEIVED and the next start reads them again.
      const lanesStopped = Promise.all([backlogLane.stop(), fastLane.stop(), ocrLane.stop()]);
      await Promise.all([fastReader.close(), ocrReader.close()]);
      await lanesStopped;
      await indexer.stop();
      webhooks?.stop();
      await webhooks?.drain();
      s3Client.destroy();
      await s3.stop();
      await store.close();
    },
  };
}

/** Starts the local service on free ports with its data and inbox under `root` (tests, demo, bench). */
export async function startOnFreePorts(root: string, log: (line: string) => void, extra: Partial<LocalOptions> = {}): Promise<LocalService> {
  return startLocalService({
    s3Port: await freePort(),
    httpPort: await freePort(),
    inboxDir: join(root, 'inbox'),
    dataDir: join(root, 'data'),
    log,
    ...extra,
  });
}
