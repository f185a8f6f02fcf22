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
 * first (the indexer's work is about 3 ms a letter on the thread that reads them: a batch every
 * 250 ms made 200 text letters uploaded at once 8% slower to read than one a second, in paired
 * rounds), and the index still keeps up with a steady stream of 5 letters a second, more than a
 * firm's mail at its busiest; it runs flat out once the lanes are empty, and a search says how
 * many letters it may be missing meanwhile (`indexing`).
 */
const BUSY_PAUSE_MS = 1_000;
const BUSY_LOOK_MS = 20;
/**
 * How long a letter whose entry could not be built is passed over: the letters marked after it
 * are built meanwhile (a run of five at the head of the backlog stopped every pass before), and it
 * is tried again after. At most {@link MOST_PASSED_OVER} are; beyond that the oldest are tried again sooner.
 */
const PASS_OVER_MS = 60_000;
const MOST_PASSED_OVER = 1_000;
/** Passes in a row that built nothing (every letter failed) before a pass ends: 200 letters passed over, the rest at the next poll. */
const MOST_FRUITLESS_PASSES = 40;

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
  /** Letters that just failed, with when: passed over until {@link PASS_OVER_MS} later (a Map keeps them oldest first). */
  private readonly passedOver = new Map<string, number>();

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
    let fruitless = 0;
    for (;;) {
      this.again = false;
      await this.giveWay();
      if (this.stopped) return;
      // The batch built together: LMDB commits their writes in one transaction.
      this.last = await drainSearchBacklog(this.deps, BATCH, { concurrency: BATCH, onError: this.onError, skip: this.skipNow() }).catch((error: unknown) => {
        this.onError('backlog', error);
        return { indexed: 0, failed: 1, more: false, failedIds: [] };
      });
      for (const id of this.last.failedIds) {
        this.passedOver.delete(id);
        this.passedOver.set(id, performance.now());
      }
      fruitless = this.last.indexed === 0 ? fruitless + 1 : 0;
      if (this.stopped || !this.last.more || (this.last.indexed === 0 && this.last.failed === 0) || fruitless >= MOST_FRUITLESS_PASSES) return;
      await yieldToEvents();
    }
  }

  /** The letters to pass over now: those that failed within {@link PASS_OVER_MS}, at most {@link MOST_PASSED_OVER}. */
  private skipNow(): ReadonlySet<string> {
    const now = performance.now();
    for (const [id, at] of this.passedOver) {
      if (now - at < PASS_OVER_MS && this.passedOver.size <= MOST_PASSED_OVER) break;
      this.passedOver.delete(id);
    }
    return new Set(this.passedOver.keys());
  }

  /** Waits while letters are being read, up to {@link BUSY_PAUSE_MS}. */
  private async giveWay(): Promise<void> {
    const since = performance.now();
    while (!this.stopped && this.busy() && performance.now() - since < BUSY_PAUSE_MS) await sleep(BUSY_LOOK_MS);
  }
}
