import { fork, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { availableParallelism, setPriority } from 'node:os';
import { CodedError } from '../common/coded-error.ts';
import { InputError } from './errors.ts';
import type { DocumentText } from './read-document.ts';
import { isScanWithinLimits, sniffKind, type DocumentKind } from './sniff.ts';
import { isReadingProcess, readingProcessEntry } from './process-entry.ts';
import { removePageFolders } from '../adapters/tesseract/recognizer.ts';
import type { LetterReading } from '../domain/index.ts';

/** A document read and classified in a reading process. */
export type ClassifiedText = DocumentText & { readonly letters: readonly LetterReading[] };
import type { ReadingAnswer, ReadingProgressMessage, ReadingTask } from './worker.ts';
import type { PageProgressListener } from './read-document.ts';

/** Why a reading process was stopped: the document, not the service, pays for it. */
export const READING_LIMIT_CODES = ['TIME_LIMIT', 'MEMORY_LIMIT', 'READER_CRASHED'] as const;
/** One of {@link READING_LIMIT_CODES}. */
export type ReadingLimitCode = (typeof READING_LIMIT_CODES)[number];

/**
 * A document whose reading ran out of time or memory, or brought its reading process down
 * (an engine that aborted). The process is replaced; the document ends FAILED with this reason.
 * `permanent`: retrying the same delivery at once cannot help (a person may retry it later).
 */
export class ReadingLimitError extends CodedError<ReadingLimitCode> {
  override readonly name = 'ReadingLimitError';
  readonly permanent = true;
}

/** An error inside a reading process that was not about the document (its name only: a message could quote the letter). */
export class ReadingProcessError extends CodedError<'READING_PROCESS_FAILED'> {
  override readonly name = 'ReadingProcessError';
  constructor(message: string) {
    super('READING_PROCESS_FAILED', message);
  }
}

/** Settings of a {@link ReadingPool}. */
export interface ReadingPoolOptions {
  /** Reading processes (default: one per core). */
  readonly processes?: number;
  /** Longest one document may take to read, in seconds. */
  readonly timeLimitSeconds: number;
  /** Most memory (resident) one reading process may hold, in MB; its JavaScript heap is held to the same. */
  readonly memoryLimitMb?: number;
  /** Pages one process OCRs at once (default 1: the pool's processes share the cores). */
  readonly ocrPagesAtOnce?: number;
  /**
   * The reading processes' scheduling priority (Unix niceness, 0-19; default 0). The OCR pool
   * runs at 10, and the OCR engines it starts inherit it: a backlog of scans takes the cores
   * only when the API and the fast lane do not need them.
   */
  readonly niceness?: number;
  /**
   * Where each reading process's pid is kept while it runs: a service killed with SIGKILL
   * cannot stop its reading processes, so the next start stops what it finds there
   * ({@link ReadingPool.stopLeftovers}).
   */
  readonly pidDirectory?: string;
  /**
   * A folder of the pool's own where the reading processes' OCR engines read their page images
   * from (each process writes them to a private folder of its own there, `imr-ocr-<pid>-*`, and
   * removes each page once read): made private, emptied of such folders when the pool starts
   * (call it after {@link ReadingPool.stopLeftovers}), and a process's folder removed when it
   * exits, however it ended. Without it, pages are written to the system's temporary folder.
   */
  readonly pageDirectory?: string;
  /**
   * Documents go to the first reading process while it keeps up, and to another only once every
   * process before it has been on its document this long (default 0: to any idle process at
   * once). A process's code runs fast only once it has read many documents (V8 optimises what
   * runs often: a fresh process read the first 100 text letters in 0.34 s of CPU, a warm one in
   * 0.14 s), so a stream of short letters spread over every process paid that warm-up once per
   * process; a long document still has the others beside it.
   */
  readonly spillAfterMs?: number;
  /**
   * Seconds a process may sit with nothing to read before it is let go, its memory (and its OCR
   * engines') given back (default 60).
   */
  readonly idleSeconds?: number;
}

/** How often a reading process's memory is looked at. */
const MEMORY_CHECK_MS = 200;
/** A process idle this long is let go, by default: an idle service holds no PDF or OCR engine. */
const IDLE_SECONDS = 60;

interface Job {
  readonly task: ReadingTask;
  /** Hears of the pages read while the document is read. */
  readonly onProgress?: PageProgressListener | undefined;
  readonly resolve: (answer: Extract<ReadingAnswer, { ok: true }>) => void;
  readonly reject: (error: Error) => void;
}

/** One reading process and the job it is on. */
class Reader {
  job: Job | null = null;
  /** When it was given its job (performance.now()). */
  startedAt = 0;
  killedFor: 'TIME_LIMIT' | 'MEMORY_LIMIT' | null = null;
  private idleTimer: NodeJS.Timeout | null = null;
  private timers: NodeJS.Timeout[] = [];

  constructor(
    readonly child: ChildProcess,
    readonly ready: Promise<void>,
  ) {}

  arm(timeLimitMs: number, memoryLimitMb: number): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.timers.push(setTimeout(() => this.kill('TIME_LIMIT'), timeLimitMs));
    const job = this.job;
    const check = setInterval(() => {
      void residentMb(this.child.pid).then((mb) => {
        // A reading still in flight when its job ended must not charge the next one.
        if (mb !== null && mb > memoryLimitMb && this.job === job) this.kill('MEMORY_LIMIT');
      });
    }, MEMORY_CHECK_MS);
    this.timers.push(check);
  }

  disarm(idleMs: number, onIdle: () => void): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers = [];
    this.idleTimer = setTimeout(onIdle, idleMs);
    this.idleTimer.unref();
  }

  kill(reason: 'TIME_LIMIT' | 'MEMORY_LIMIT' | null): void {
    this.killedFor ??= reason;
    for (const timer of this.timers) clearTimeout(timer);
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.child.kill('SIGKILL');
  }
}

/** A process's resident memory in MB, from Linux's `/proc`; null where that cannot be read. */
async function residentMb(pid: number | undefined): Promise<number | null> {
  if (pid === undefined) return null;
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const line = status.split('\n').find((entry) => entry.startsWith('VmRSS:'));
    return line ? Number.parseInt(line.slice(6), 10) / 1024 : null;
  } catch {
    return null;
  }
}

/**
 * Reads (and classifies) documents in child processes, one document at a time each, with a time and a memory
 * limit per document: a PDF that makes the engine abort, a JSON that fills memory, a scan that
 * never ends take one process down, which is replaced, and the next document is read normally.
 * The service's own process, which answers the API and the S3 endpoint, never parses a
 * document. Processes rather than worker threads: a thread that exhausts its heap inside
 * `JSON.parse` brings the whole process down with it (seen here on Node 20), and a thread's
 * WebAssembly memory is outside its heap limit; a process's resident memory can be watched.
 */
export class ReadingPool {
  private readonly readers = new Set<Reader>();
  private readonly queue: Job[] = [];
  private readonly size: number;
  private readonly timeLimitMs: number;
  private readonly idleMs: number;
  private readonly memoryLimitMb: number;
  private closed = false;

  constructor(private readonly options: ReadingPoolOptions) {
    this.size = Math.max(1, options.processes ?? availableParallelism());
    this.timeLimitMs = options.timeLimitSeconds * 1000;
    this.idleMs = (options.idleSeconds ?? IDLE_SECONDS) * 1000;
    this.memoryLimitMb = options.memoryLimitMb ?? 2048;
    if (options.pageDirectory) {
      mkdirSync(options.pageDirectory, { recursive: true, mode: 0o700 });
      // Made private even when it was there before (mkdir's mode applies only to what it makes).
      chmodSync(options.pageDirectory, 0o700);
      removePageFolders(options.pageDirectory);
    }
  }

  /** Reads a document, OCR included; `onProgress` hears of its pages as the reading process reads them. */
  async read(bytes: Uint8Array, name: string, onProgress?: PageProgressListener): Promise<ClassifiedText> {
    return (await this.run({ bytes, name, ocr: true }, onProgress))!;
  }

  /** What the bytes are, from their first bytes (no reading process needed). */
  kindOf(bytes: Uint8Array): DocumentKind {
    return sniffKind(bytes);
  }

  /** Reads a document that needs no OCR; null for a scan. */
  readWithoutOcr(bytes: Uint8Array, name: string): Promise<ClassifiedText | null> {
    // A scan is known from its first bytes and its size: no process, no copy of it.
    if (isScanWithinLimits(bytes)) return Promise.resolve(null);
    return this.run({ bytes, name, ocr: false });
  }

  /** Renders page `page` (from 1) of a document as PNG in a reading process, under the same limits as a reading. */
  async renderPage(bytes: Uint8Array, page: number, name: string): Promise<Buffer> {
    const answer = await this.runTask({ bytes, name, ocr: false, page });
    return Buffer.from(answer.png!);
  }

  /**
   * Stops reading processes a killed service left running (their pids in `directory`, each
   * checked to be a reading process before it is stopped); returns how many were stopped.
   */
  static stopLeftovers(directory: string): number {
    mkdirSync(directory, { recursive: true, mode: 0o700 });
    let stopped = 0;
    for (const name of readdirSync(directory).filter((entry) => /^\d+\.pid$/.test(entry))) {
      const pid = Number.parseInt(name, 10);
      try {
        // Only a process still running our reader: a pid reused by anything else is left alone.
        if (isReadingProcess(readFileSync(`/proc/${pid}/cmdline`, 'utf8'))) {
          process.kill(pid, 'SIGKILL');
          stopped++;
        }
      } catch {
        // Gone already, or not ours to read.
      }
      rmSync(join(directory, name), { force: true });
    }
    return stopped;
  }

  /**
   * Starts the pool's reading processes before any document needs them, so the first letters
   * after a start wait for no process to load (about half a second each here): `processes` of
   * them (default all); resolves when they are ready. Each is let go like any idle one when no document comes.
   * With `practise`, each practises on a made-up document (see `practice.ts`): a process that OCRs
   * puts a page through the page clean-up before it says it is ready, any other reads a letter a few
   * dozen times once it is ready, giving way to the first real document. Its first real pages or
   * letters are then read at full speed.
   */
  warm(processes = this.size, { practise = false } = {}): Promise<void> {
    const started: Array<Promise<void>> = [];
    while (!this.closed && this.readers.size < Math.min(processes, this.size)) {
      let reader: Reader;
      try {
        reader = this.start(practise);
      } catch {
        // fork refused (out of processes): the first document starts one, or says why.
        break;
      }
      started.push(
        reader.ready.then(() => {
          if (reader.job === null) reader.disarm(this.idleMs, () => this.letGo(reader));
        }),
      );
    }
    return Promise.all(started).then(() => undefined);
  }

  /** Stops every reading process; documents waiting are refused. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.spillTimer) clearTimeout(this.spillTimer);
    for (const job of this.queue.splice(0)) job.reject(new ReadingProcessError('the reader was stopped'));
    await Promise.all(
      [...this.readers].map(
        (reader) =>
          new Promise<void>((resolve) => {
            if (reader.child.exitCode !== null || reader.child.signalCode !== null) return resolve();
            reader.child.once('exit', () => resolve());
            reader.kill(null);
          }),
      ),
    );
  }

  private async run(task: ReadingTask, onProgress?: PageProgressListener): Promise<ClassifiedText | null> {
    return (await this.runTask(task, onProgress)).document;
  }

  private runTask(task: ReadingTask, onProgress?: PageProgressListener): Promise<Extract<ReadingAnswer, { ok: true }>> {
    if (this.closed) return Promise.reject(new ReadingProcessError('the reader was stopped'));
    return new Promise((resolve, reject) => {
      this.queue.push({ task, onProgress, resolve, reject });
      this.dispatch();
    });
  }

  private dispatch(): void {
    while (this.queue.length > 0) {
      // The first idle process, unless one before it is on a document it took less than spillAfterMs ago: then that one is waited for.
      const now = performance.now();
      const spill = this.options.spillAfterMs ?? 0;
      let reader: Reader | undefined;
      let heldFor = Infinity;
      for (const candidate of this.readers) {
        if (candidate.job === null) {
          reader = candidate;
          break;
        }
        heldFor = Math.min(heldFor, now - candidate.startedAt);
        if (heldFor < spill) break;
      }
      if (!reader && heldFor < spill) {
        this.spillLater(spill - heldFor);
        return;
      }
      if (!reader && this.readers.size < this.size) {
        try {
          reader = this.start();
        } catch {
          // fork itself refused (out of processes): the waiting document is told, and the next one tries again.
          this.queue.shift()?.reject(new ReadingProcessError('a reading process could not be started'));
          continue;
        }
      }
      if (!reader) return;
      const job = this.queue.shift()!;
      reader.job = job;
      reader.startedAt = performance.now();
      void reader.ready.then(() => {
        if (reader.job !== job) return;
        reader.arm(this.timeLimitMs, this.memoryLimitMb);
        reader.child.send(job.task, (error) => {
          if (error) reader.kill(null);
        });
      });
    }
  }

  private spillTimer: NodeJS.Timeout | null = null;

  /** Stops a process idle too long, taken out of the pool first: no document is given to it while it dies. */
  private letGo(reader: Reader): void {
    if (reader.job !== null) return;
    this.readers.delete(reader);
    reader.kill(null);
  }

  /** Looks at the queue again once its first document has waited long enough to go to another process. */
  private spillLater(ms: number): void {
    if (this.spillTimer) return;
    this.spillTimer = setTimeout(() => {
      this.spillTimer = null;
      if (!this.closed) this.dispatch();
    }, Math.ceil(ms));
  }

  private start(practise = false): Reader {
    const entry = readingProcessEntry();
    const child = fork(entry.script, [], {
      // The heap held to the limit.
      execArgv: [...entry.execArgv, `--max-old-space-size=${this.memoryLimitMb}`],
      env: {
        ...process.env,
        IMR_READING_PROCESS: '1',
        IMR_OCR_PAGES_AT_ONCE: String(this.options.ocrPagesAtOnce ?? 1),
        ...(practise ? { IMR_PRACTISE: '1' } : {}),
        ...(this.options.pageDirectory ? { IMR_OCR_PAGE_DIRECTORY: this.options.pageDirectory } : {}),
      },
      serialization: 'advanced',
      // Nothing a reading process prints reaches the service's output: an engine's messages could quote a letter.
      stdio: ['ignore', 'ignore', 'ignore', 'ipc'],
    });
    if (this.options.niceness && child.pid !== undefined) {
      try {
        setPriority(child.pid, this.options.niceness);
      } catch {
        // Not permitted here (or the process is already gone): it reads at the service's own priority.
      }
    }
    const pidFile = this.options.pidDirectory && child.pid !== undefined ? join(this.options.pidDirectory, `${child.pid}.pid`) : null;
    if (pidFile) writeFileSync(pidFile, String(child.pid), { mode: 0o600 });
    child.once('exit', () => {
      if (pidFile) rmSync(pidFile, { force: true });
      // What a process killed mid-page left of its pages.
      if (this.options.pageDirectory && child.pid !== undefined) removePageFolders(this.options.pageDirectory, child.pid);
    });
    let ready!: () => void;
    const reader = new Reader(child, new Promise<void>((resolve) => (ready = resolve)));
    this.readers.add(reader);
    child.on('message', (message: ReadingAnswer | ReadingProgressMessage | { ready: true }) => {
      if ('ready' in message) return ready();
      const job = reader.job;
      if (!job) return;
      // Pages read so far: told on, the reading goes on (a listener that throws is the caller's, never the reading's).
      if ('progress' in message) {
        try {
          job.onProgress?.(message.progress.pagesRead, message.progress.pages);
        } catch {
          // Nothing: progress is news, not the reading.
        }
        return;
      }
      reader.job = null;
      reader.disarm(this.idleMs, () => this.letGo(reader));
      settle(job, message);
      this.dispatch();
    });
    // A process that could not start (EAGAIN, ENOENT) emits 'error' and 'close' but never 'exit'.
    child.on('error', () => (child.pid === undefined ? child.emit('exit', null, null) : reader.kill(null)));
    child.on('exit', (code, signal) => {
      this.readers.delete(reader);
      ready();
      const job = reader.job;
      reader.job = null;
      // Stopped with the service: not the document's fault, and not final (the next start reads it again).
      if (job) job.reject(this.closed ? new ReadingProcessError('the reader was stopped') : this.limitError(reader.killedFor, code, signal, job.task.name));
      if (!this.closed) this.dispatch();
    });
    return reader;
  }

  private limitError(killedFor: Reader['killedFor'], code: number | null, signal: NodeJS.Signals | null, name: string): ReadingLimitError {
    if (killedFor === 'TIME_LIMIT') {
      return new ReadingLimitError(
        'TIME_LIMIT',
        `${name}: reading took longer than ${this.timeLimitMs / 1000} s, the limit for one document; it was stopped. Split the document or send it as text`,
      );
    }
    // A heap exhausted ends the process with SIGABRT (exit 134) before the watchdog sees it.
    if (killedFor === 'MEMORY_LIMIT' || signal === 'SIGABRT' || code === 134) {
      return new ReadingLimitError(
        'MEMORY_LIMIT',
        `${name}: reading needed more than ${this.memoryLimitMb} MB of memory, the limit for one document; it was stopped`,
      );
    }
    return new ReadingLimitError(
      'READER_CRASHED',
      `${name}: the reader stopped while reading this document (${signal ?? `exit ${code}`}; the file may be built to break readers); it was set aside and the reader restarted`,
    );
  }
}

function settle(job: Job, answer: ReadingAnswer): void {
  if (answer.ok) job.resolve(answer);
  else if (answer.code !== null) job.reject(new InputError(answer.code, answer.message));
  else job.reject(new ReadingProcessError(`reading failed inside its process (${answer.name})`));
}
