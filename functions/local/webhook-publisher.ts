import { randomUUID } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { EventPublisher, ServiceEvent } from '../service/ports.ts';
import type { WebhookEndpoint } from '../service/webhooks/deliver.ts';
import { attemptDelivery, fanOut, type AttemptRecord, type DeliveryMessage, type DeliveryPorts } from '../service/webhooks/dispatch.ts';

/** Files of the local webhook delivery. */
export interface WebhookFiles {
  /** Exhausted deliveries, one JSON line each; `npm run replay-webhooks` sends them again. */
  readonly deadLetters: string;
  /** Every attempt: status code, latency, attempt number. */
  readonly attempts: string;
  /** Folder of retries waiting for their time, one file each, so a restart resumes them. */
  readonly pending: string;
}

/**
 * Local event delivery with the same plan as on AWS (`dispatch.ts`): every event to each
 * endpoint, signed per Standard Webhooks with every active secret, retried with backoff and
 * jitter (or the receiver's `Retry-After`) for 24 hours under a stable `webhook-id`, each
 * attempt recorded, exhausted deliveries kept in a dead-letter file. Delivery runs in the
 * background; publishing never waits for a receiver.
 */
export class LocalWebhookPublisher implements EventPublisher {
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly ports: DeliveryPorts;

  constructor(
    private readonly endpoints: readonly WebhookEndpoint[],
    secrets: readonly string[],
    private readonly files: WebhookFiles,
    private readonly onResult: (record: AttemptRecord) => void = () => undefined,
    options: { retryScale?: number; /** false: a failed attempt goes straight back to the dead-letter file (one-pass replays). */ retry?: boolean } = {},
  ) {
    for (const file of [files.deadLetters, files.attempts]) mkdirSync(dirname(file), { recursive: true });
    mkdirSync(files.pending, { recursive: true });
    const scale = options.retryScale ?? 1;
    this.ports = {
      secrets: async () => secrets,
      now: () => Date.now(),
      record: async (record) => {
        appendFileSync(files.attempts, `${JSON.stringify(record)}\n`);
        this.onResult(record);
      },
      deadLetter: async (message) => appendFileSync(files.deadLetters, `${JSON.stringify(message)}\n`),
      schedule: async (message, delayMs) => {
        if (options.retry === false) {
          appendFileSync(files.deadLetters, `${JSON.stringify({ ...message, deadLettered: true })}\n`);
          return;
        }
        // Written before it waits: a retry pending when the service stops is resumed by the next start.
        const file = join(files.pending, `${message.webhookId}.${message.attempt}.json`);
        writeFileSync(file, JSON.stringify({ dueAt: Date.now() + delayMs * scale, message }));
        this.wait(file, message, delayMs * scale);
      },
    };
    // A one-pass replay (retry: false) runs beside the service and must not take its pending retries.
    if (options.retry !== false) this.resumePending();
  }

  /** Schedules the retries a previous run left pending, each at its own time (at once if overdue). */
  private resumePending(): void {
    for (const name of readdirSync(this.files.pending).filter((entry) => entry.endsWith('.json'))) {
      const file = join(this.files.pending, name);
      try {
        const { dueAt, message } = JSON.parse(readFileSync(file, 'utf8')) as { dueAt: number; message: DeliveryMessage };
        this.wait(file, message, Math.max(0, dueAt - Date.now()));
      } catch {
        // A file cut short by a crash mid-write: its retry is lost, the event stays in the store.
        rmSync(file, { force: true });
      }
    }
  }

  private wait(file: string, message: DeliveryMessage, delayMs: number): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      rmSync(file, { force: true });
      this.track(attemptDelivery({ ...message, notBefore: undefined }, this.ports));
    }, delayMs);
    this.timers.add(timer);
  }

  async publish(event: ServiceEvent): Promise<void> {
    for (const message of fanOut(event, this.endpoints, randomUUID(), Date.now())) this.track(attemptDelivery(message, this.ports));
  }

  /** Sends every dead-lettered delivery once more (fresh 24-hour window); returns how many were sent. */
  replayDeadLetters(): number {
    if (!existsSync(this.files.deadLetters)) return 0;
    const messages = readFileSync(this.files.deadLetters, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line) as DeliveryMessage);
    writeFileSync(this.files.deadLetters, '');
    for (const message of messages) this.track(attemptDelivery(message, this.ports));
    return messages.length;
  }

  /** Waits for attempts in flight (not for retries scheduled later). */
  async drain(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  /** Stops the timers of scheduled retries; their files stay, and the next start resumes them. */
  stop(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }

  private track(task: Promise<unknown>): void {
    const tracked = task.catch(() => undefined).finally(() => this.inFlight.delete(tracked));
    this.inFlight.add(tracked);
  }
}
