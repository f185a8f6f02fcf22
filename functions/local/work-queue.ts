import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pLimit from 'p-limit';

/** One piece of work: an object to ingest. */
export interface WorkItem {
  readonly bucket: string;
  readonly key: string;
  /** The object's size in bytes, when its notification or listing said. */
  readonly size?: number;
}

/** Settings of the local queue. */
export interface WorkQueueOptions {
  /** Tries before an item goes to the dead-letter store (default 5, as on AWS). */
  readonly maxAttempts?: number;
  /** First retry delay in ms (default 500), doubled each try, with jitter. */
  readonly retryDelayMs?: number;
  /** Items processed at once (default 2). */
  readonly concurrency?: number;
  /**
   * Items known to be at most `maxBytes` are processed `concurrency` at once beside the others,
   * each held whole in memory while it is read: many small letters at once keep the thread that
   * reads them busy while each waits on its disk writes, where large ones (or of unknown size) stay few.
   */
  readonly small?: { readonly maxBytes: number; readonly concurrency: number };
  /** Folder of the dead-letter store: one JSON file per item that exhausted its tries. */
  readonly deadLetterDir: string;
}

/**
 * The local stand-in for the SQS queue between S3 and the ingest handler: retries with
 * exponential backoff and jitter, a bounded number of items at once, and a dead-letter
 * store on disk. `idle()` resolves when nothing is queued or running.
 */
export class WorkQueue {
  private readonly limit: ReturnType<typeof pLimit>;
  private readonly smallLimit: ReturnType<typeof pLimit> | null;
  private readonly pending = new Set<Promise<void>>();
  private stopped = false;

  constructor(
    /** `attempt.atMostBytes`: the item runs in the lane of small items, and is to be read only while it is at most that large. */
    private readonly process: (item: WorkItem, attempt: { number: number; final: boolean; atMostBytes?: number }) => Promise<void>,
    private readonly options: WorkQueueOptions,
    private readonly onDeadLetter: (item: WorkItem, error: unknown) => void = () => undefined,
  ) {
    this.limit = pLimit(options.concurrency ?? 2);
    this.smallLimit = options.small ? pLimit(options.small.concurrency) : null;
    mkdirSync(options.deadLetterDir, { recursive: true });
  }

  /** Queues an item. */
  push(item: WorkItem): void {
    if (this.stopped) return;
    const task = this.run(item, 1).finally(() => this.pending.delete(task));
    this.pending.add(task);
  }

  /** True while an item is queued or being processed. */
  get busy(): boolean {
    return this.pending.size > 0;
  }

  /** Resolves when every queued item is done (processed or dead-lettered). */
  async idle(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }

  /**
   * Takes no more items and lets those waiting go unprocessed (the next start finds them
   * again in the bucket); waits for those running.
   */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.idle();
  }

  private async run(item: WorkItem, attempt: number): Promise<void> {
    const maxAttempts = this.options.maxAttempts ?? 5;
    try {
      const small = this.smallLimit !== null && item.size !== undefined && item.size <= this.options.small!.maxBytes;
      await (small ? this.smallLimit! : this.limit)(async () => {
        if (!this.stopped)
          await this.process(item, { number: attempt, final: attempt >= maxAttempts, ...(small ? { atMostBytes: this.options.small!.maxBytes } : {}) });
      });
    } catch (error) {
      if (this.stopped) return;
      if (attempt >= maxAttempts) {
        const file = join(this.options.deadLetterDir, `${Date.now()}-${Math.random().toString(36).slice(2, 8)}.json`);
        try {
          writeFileSync(file, JSON.stringify({ ...item, attempts: attempt, error: (error as Error).name, at: new Date().toISOString() }, null, 2));
        } catch {
          // A full disk cannot keep the dead letter either: the object stays in the bucket, and the next start reads it again.
        }
        this.onDeadLetter(item, error);
        return;
      }
      const base = (this.options.retryDelayMs ?? 500) * 2 ** (attempt - 1);
      await new Promise((resolve) => setTimeout(resolve, base / 2 + Math.random() * base));
      await this.run(item, attempt + 1);
    }
  }
}
