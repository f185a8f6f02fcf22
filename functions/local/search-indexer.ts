import { setImmediate as yieldToEvents, setTimeout as sleep } from 'node:timers/promises';
import { drainSearchBacklog, type SearchBacklogReport, type SearchDependencies } from '../service/search.ts';

/**
 * Letters built per pass before other work (the API, readings) is let in. Their writes run as one
 * LMDB transaction on this thread: 25 letters of 4,400 words each held the event loop about 345 ms
 * (a second reviewer's measurement); 5 hold it about a fifth of that, through the first start's
 * backfill of every stored letter too.
 */
const BATCH = 5;
/**
 * How often the backlog is looked at without being woken: what a wake-up did not cover (a letter
 * whose text could not be read a moment ago) is built then.
 */
const POLL_MS = 5_000;
/**
 * While letters are being read, a batch at most this often: reading and announcing letters comes
 * first (the indexer's work is about 3 ms a letter on the thread that reads them), and the index
 * still keeps up with a steady stream (5 letters a quarter second); it runs flat out once the lanes are empty.
 */
const BUSY_PAUSE_MS = 250;
const BUSY_LOOK_MS = 20;

/**
 * The local service's search indexer: woken by every commit that marked a letter behind, it
 * builds the marked letters' entries in the service process, a batch at a time, after the commit
 * and never inside it (a reading is saved whether or not its words are indexed yet). A burst of
 * commits is one pass; a start finds what a stop or crash left marked, and builds it.
 */
export class SearchIndexer {
  private running: Promise<void> | null = null;
  private again = false;
  private stopped = false;
  private timer: NodeJS.Timeout | null = null;
  private last: SearchBacklogReport | null = null;

  constructor(
    private readonly deps: SearchDependencies,
    private readonly onError: (id: string, error: unknown) => void,
    /** True while letters are being read in this process: the indexer then gives way (see {@link BUSY_PAUSE_MS}). */
    private readonly busy: () => boolean = () => false,
  ) {}

  /** Builds what is marked now, then looks again every few seconds. */
  start(): void {
    this.wake();
    this.timer = setInterval(() => this.wake(), POLL_MS);
    this.timer.unref();
  }

  /** Asks for a pass: started now, or right after the one under way. */
  wake(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.drain().finally(() => {
      this.running = null;
      if (this.again) {
        this.again = false;
        this.wake();
      }
    });
  }

  /** Resolves once everything marked is built (or could not be, this time): what tests and the benchmark wait on. */
  async idle(): Promise<void> {
    for (;;) {
      if (this.running) {
        await this.running;
        continue;
      }
      if (this.stopped || (await this.deps.search.backlog(1)).length === 0) return;
      this.wake();
      await this.running;
      // Only letters that could not be built are left: they are tried again by the next poll.
      if (this.last && this.last.indexed === 0) return;
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    while (this.running) await this.running;
  }

  private async drain(): Promise<void> {
    for (;;) {
      this.again = false;
      await this.giveWay();
      if (this.stopped) return;
      // The batch built together: LMDB commits their writes in one transaction.
      this.last = await drainSearchBacklog(this.deps, BATCH, { concurrency: BATCH, onError: this.onError }).catch((error: unknown) => {
        this.onError('backlog', error);
        return { indexed: 0, failed: 1, more: false };
      });
      if (this.stopped || !this.last.more || this.last.indexed === 0) return;
      await yieldToEvents();
    }
  }

  /** Waits while letters are being read, up to {@link BUSY_PAUSE_MS}. */
  private async giveWay(): Promise<void> {
    const since = performance.now();
    while (!this.stopped && this.busy() && performance.now() - since < BUSY_PAUSE_MS) await sleep(BUSY_LOOK_MS);
  }
}
