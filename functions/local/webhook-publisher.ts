import { createHash, randomUUID } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { appendFile, open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { z } from 'zod';
import { CodedError } from '../common/coded-error.ts';
import { SERVICE_EVENT_TYPES, type EventPublisher, type ServiceEvent } from '../service/ports.ts';
import { WebhookEndpointSchema, type WebhookEndpoint } from '../service/webhooks/deliver.ts';
import { attemptDelivery, fanOut, type AttemptRecord, type DeliveryMessage, type DeliveryPorts } from '../service/webhooks/dispatch.ts';
import { FIRST_RETRY_MS } from '../service/webhooks/retry-plan.ts';

/** Files of the local webhook delivery. */
export interface WebhookFiles {
  /** Exhausted deliveries, one JSON line each; `npm run replay-webhooks` sends them again. */
  readonly deadLetters: string;
  /** Every attempt: status code, latency, attempt number. */
  readonly attempts: string;
  /**
   * The outbox: one file per delivery (an event on its way to one endpoint) from before its
   * first attempt until it ends, holding when its next attempt is due and its attempt number,
   * so a restart (or a `kill -9`) resumes it. Unreadable files are moved to `corrupt/` inside it.
   */
  readonly pending: string;
}

/** One delivery waiting in the outbox: when its next attempt is due (epoch ms) and the message, with its attempt number. */
export interface OutboxEntry {
  readonly dueAt: number;
  readonly message: DeliveryMessage;
}

/** An outbox file that could not be read; it was moved aside to `movedTo`, never deleted, so its event can still be recovered by hand. */
export class WebhookOutboxError extends CodedError<'OUTBOX_FILE_UNREADABLE'> {
  override readonly name = 'WebhookOutboxError';
  constructor(
    /** The file as it was found. */
    readonly file: string,
    /** Where it now is (the outbox's `corrupt/` folder). */
    readonly movedTo: string,
    reason: string,
  ) {
    super('OUTBOX_FILE_UNREADABLE', `webhook outbox file ${basename(file)} could not be read (${reason}); moved to ${movedTo}`);
  }
}

/** What an outbox file must hold; anything else is moved aside rather than sent half-known. */
const OutboxEntrySchema = z.object({
  dueAt: z.number(),
  message: z
    .object({
      kind: z.literal('delivery'),
      event: z.object({ type: z.enum(SERVICE_EVENT_TYPES), timestamp: z.string(), data: z.object({ id: z.string() }).loose() }).loose(),
      endpoint: WebhookEndpointSchema,
      webhookId: z.string().min(1),
      attempt: z.number().int().min(1),
      firstAttemptAt: z.number(),
    })
    .loose(),
});

/** Temporary files are named `.<final name>.<pid>.<random>.tmp`, so they never look like entries. */
const TEMP_SUFFIX = '.tmp';
/** The longest wait `setTimeout` keeps; a longer one fires at once, so it is waited in steps. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * The local webhook outbox: a folder with one file per delivery message. Each file is written
 * atomically (a temporary file, fsync, rename, fsync of the folder), so a crash leaves the old
 * state or the new one, never half a file.
 */
export class WebhookOutbox {
  readonly corruptFolder: string;

  constructor(readonly folder: string) {
    mkdirSync(folder, { recursive: true, mode: 0o700 });
    this.corruptFolder = join(folder, 'corrupt');
  }

  /** The file of a delivery: one per webhook-id and endpoint (an event's deliveries to two endpoints share their id). */
  fileOf(message: Pick<DeliveryMessage, 'webhookId' | 'endpoint'>): string {
    const id = message.webhookId.replace(/[^\w-]/g, '_').slice(0, 100);
    const endpoint = createHash('sha256').update(message.endpoint.url).digest('hex').slice(0, 16);
    return join(this.folder, `${id}.${endpoint}.json`);
  }

  /** Writes (or replaces) a delivery's entry; resolves once it is on disk. */
  async put(entry: OutboxEntry): Promise<void> {
    const file = this.fileOf(entry.message);
    const temp = this.tempOf(file);
    try {
      const handle = await open(temp, 'wx', 0o600);
      try {
        await handle.writeFile(JSON.stringify(entry));
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(temp, file);
    } catch (error) {
      await rm(temp, { force: true });
      throw error;
    }
    this.syncFolder();
  }

  /** {@link put}, blocking: for callers that must answer synchronously. */
  putSync(entry: OutboxEntry): void {
    const file = this.fileOf(entry.message);
    const temp = this.tempOf(file);
    try {
      const fd = openSync(temp, 'wx', 0o600);
      try {
        writeSync(fd, JSON.stringify(entry));
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      renameSync(temp, file);
    } catch (error) {
      rmSync(temp, { force: true });
      throw error;
    }
    this.syncFolder();
  }

  /** Removes a delivery's entry once the delivery has ended (delivered, gone or dead-lettered). */
  async remove(message: Pick<DeliveryMessage, 'webhookId' | 'endpoint'>): Promise<void> {
    await rm(this.fileOf(message), { force: true });
  }

  /**
   * Every delivery the folder holds, for a start. A temporary file that is whole is the newest
   * state of its delivery (the process died between its fsync and its rename) and takes its
   * place; entries under another name (the earlier `<id>.<attempt>.json` retry files) are
   * rewritten under their delivery's name; anything unreadable is moved to `corrupt/` and
   * reported through `onCorrupt`.
   */
  load(onCorrupt: (error: WebhookOutboxError) => void): OutboxEntry[] {
    const names = readdirSync(this.folder, { withFileTypes: true })
      .filter((entry) => entry.isFile())
      .map((entry) => entry.name);
    for (const name of names.filter((entry) => entry.endsWith(TEMP_SUFFIX))) {
      const file = join(this.folder, name);
      const entry = this.read(file, onCorrupt);
      if (entry) renameSync(file, this.fileOf(entry.message));
    }
    const entries = new Map<string, OutboxEntry>();
    for (const name of readdirSync(this.folder)
      .filter((entry) => entry.endsWith('.json'))
      .sort()) {
      const file = join(this.folder, name);
      const entry = this.read(file, onCorrupt);
      if (!entry) continue;
      const canonical = this.fileOf(entry.message);
      const known = entries.get(canonical);
      // Two files of one delivery (only possible with the earlier naming): the further one wins.
      const kept = known && known.message.attempt >= entry.message.attempt ? known : entry;
      entries.set(canonical, kept);
      if (file !== canonical) {
        if (kept === entry) this.putSync(entry);
        rmSync(file, { force: true });
      }
    }
    return [...entries.values()];
  }

  private read(file: string, onCorrupt: (error: WebhookOutboxError) => void): OutboxEntry | null {
    let reason: string;
    try {
      const parsed = OutboxEntrySchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
      if (parsed.success) return parsed.data as unknown as OutboxEntry;
      reason = `not a delivery: ${parsed.error.issues[0]?.path.join('.') || 'entry'} ${parsed.error.issues[0]?.message ?? ''}`.trim();
    } catch (error) {
      reason = (error as Error).message;
    }
    // Never deleted: it may be the only copy of an event, and a person can still read what survives.
    mkdirSync(this.corruptFolder, { recursive: true, mode: 0o700 });
    let movedTo = join(this.corruptFolder, basename(file));
    if (existsSync(movedTo)) movedTo = `${movedTo}.${Date.now()}`;
    renameSync(file, movedTo);
    onCorrupt(new WebhookOutboxError(file, movedTo, reason));
    return null;
  }

  private tempOf(file: string): string {
    return join(this.folder, `.${basename(file)}.${process.pid}.${randomUUID()}${TEMP_SUFFIX}`);
  }

  /** Makes the rename itself durable: without it a power cut can forget the folder's new entry. */
  private syncFolder(): void {
    let fd: number | null = null;
    try {
      fd = openSync(this.folder, 'r');
      fsyncSync(fd);
    } catch {
      // Some systems (Windows) cannot open or sync a folder; the rename is still atomic there.
    } finally {
      if (fd !== null) closeSync(fd);
    }
  }
}

/** Settings of {@link LocalWebhookPublisher}. */
export interface LocalWebhookOptions {
  /** Multiplies every wait (tests use a small factor to see retries in milliseconds). */
  readonly retryScale?: number;
  /** false: a failed attempt goes straight back to the dead-letter file (one-pass replays). */
  readonly retry?: boolean;
  /** The clock (epoch ms); tests inject one. */
  readonly now?: () => number;
  /** The jitter's source; tests pin it. */
  readonly random?: () => number;
  /** Told of every outbox file that could not be read at start (it is moved aside, not deleted). */
  readonly onCorrupt?: (error: WebhookOutboxError) => void;
}

/** Appends a line and syncs it: a dead letter is the only record of its event once its outbox file is gone. */
async function appendDurably(file: string, line: string): Promise<void> {
  const handle = await open(file, 'a', 0o600);
  try {
    await handle.appendFile(line);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Local event delivery with the same plan as on AWS (`dispatch.ts`): every event to each
 * endpoint, signed per Standard Webhooks with every active secret, retried with backoff and
 * jitter (lengthened by the receiver's `Retry-After`) for 24 hours under a stable
 * `webhook-id`, each attempt recorded, exhausted deliveries kept in a dead-letter file.
 * Every delivery is in the outbox ({@link WebhookOutbox}) before its first attempt and until
 * it ends, and a start resumes what a previous run left there: delivery is at least once
 * (receivers deduplicate by `webhook-id`). Publishing waits for the outbox, never for a receiver.
 */
export class LocalWebhookPublisher implements EventPublisher {
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly ports: DeliveryPorts;
  private readonly outbox: WebhookOutbox;
  private readonly now: () => number;
  private readonly scale: number;
  private stopped = false;

  constructor(
    private readonly endpoints: readonly WebhookEndpoint[],
    secrets: readonly string[],
    private readonly files: WebhookFiles,
    private readonly onResult: (record: AttemptRecord) => void = () => undefined,
    options: LocalWebhookOptions = {},
  ) {
    for (const file of [files.deadLetters, files.attempts]) mkdirSync(dirname(file), { recursive: true });
    this.outbox = new WebhookOutbox(files.pending);
    this.scale = options.retryScale ?? 1;
    // Read at each call, not captured: tests move `Date.now` to cross the 24-hour window.
    this.now = options.now ?? (() => Date.now());
    this.ports = {
      secrets: async () => secrets,
      now: this.now,
      random: options.random,
      record: async (record) => {
        await appendFile(files.attempts, `${JSON.stringify(record)}\n`);
        this.onResult(record);
      },
      // The dead letter is written (and synced) before the outbox lets go of the delivery.
      deadLetter: async (message) => {
        await appendDurably(files.deadLetters, `${JSON.stringify(message)}\n`);
        await this.outbox.remove(message);
      },
      schedule: async (message, delayMs) => {
        if (options.retry === false) {
          await appendDurably(files.deadLetters, `${JSON.stringify({ ...message, deadLettered: true })}\n`);
          await this.outbox.remove(message);
          return;
        }
        // On disk before it waits: a retry pending when the service stops is resumed by the next start.
        const entry = { dueAt: this.now() + delayMs * this.scale, message };
        await this.outbox.put(entry);
        this.wait(entry);
      },
    };
    // A one-pass replay (retry: false) runs beside the service and must not take its pending deliveries.
    if (options.retry !== false) {
      const onCorrupt = options.onCorrupt ?? ((error: WebhookOutboxError) => console.error(`webhook: ${error.message}`));
      for (const entry of this.outbox.load(onCorrupt)) this.wait(entry);
    }
  }

  /** Writes the event's deliveries to the outbox (resolving once they are on disk), then starts their first attempts. */
  async publish(event: ServiceEvent): Promise<void> {
    const messages = fanOut(event, this.endpoints, randomUUID(), this.now());
    await Promise.all(messages.map((message) => this.outbox.put({ dueAt: message.firstAttemptAt, message })));
    for (const message of messages) this.run(message);
  }

  /** Sends every dead-lettered delivery once more (fresh 24-hour window); returns how many were sent. */
  replayDeadLetters(): number {
    if (!existsSync(this.files.deadLetters)) return 0;
    const messages = readFileSync(this.files.deadLetters, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as DeliveryMessage);
    // Into the outbox before the dead-letter file is emptied: a crash in between sends some twice, never none.
    for (const message of messages) this.outbox.putSync({ dueAt: this.now(), message });
    writeFileSync(this.files.deadLetters, '');
    for (const message of messages) this.run(message);
    return messages.length;
  }

  /** Waits for attempts in flight (not for retries scheduled later). */
  async drain(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  /** Stops the timers of scheduled retries and starts no more; their files stay, and the next start resumes them. */
  stop(): void {
    this.stopped = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }

  /** Waits until an entry is due, then attempts it; nothing once stopped (its file stays for the next start). */
  private wait(entry: OutboxEntry): void {
    if (this.stopped) return;
    const delay = Math.max(0, entry.dueAt - this.now());
    const timer = setTimeout(
      () => {
        this.timers.delete(timer);
        if (delay > MAX_TIMER_MS) this.wait(entry);
        else this.run(entry.message);
      },
      Math.min(delay, MAX_TIMER_MS),
    );
    this.timers.add(timer);
  }

  /** One attempt of a delivery whose entry is in the outbox; the entry goes when the delivery ends. */
  private run(message: DeliveryMessage): void {
    if (this.stopped) return;
    // The local wait is the timer (scaled in tests), so the message's own `notBefore` is not waited again.
    const task = attemptDelivery({ ...message, notBefore: undefined }, this.ports).then(async (outcome) => {
      // A retry has rewritten its entry (schedule) and a dead letter removed it (deadLetter); these end here.
      if (outcome === 'delivered' || outcome === 'gone') await this.outbox.remove(message);
    });
    this.track(
      task.catch(() => {
        // Not the receiver (that is a retry) but this side: a secret, the attempts file or the
        // outbox failed. The entry is still on disk; try again later rather than only at the next start.
        this.wait({ dueAt: this.now() + FIRST_RETRY_MS * this.scale, message });
      }),
    );
  }

  private track(task: Promise<unknown>): void {
    const tracked = task.catch(() => undefined).finally(() => this.inFlight.delete(tracked));
    this.inFlight.add(tracked);
  }
}
