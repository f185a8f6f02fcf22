import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { StringDecoder } from 'node:string_decoder';

/** Most of an engine's error output kept (its last lines name why it stopped); the rest is dropped as it comes. */
const STDERR_KEPT = 4096;

/** Where a page's hOCR starts: the page's own element, after the document's header (written once, before the first page). */
const PAGE_START = "<div class='ocr_page'";

/**
 * One long-lived `tesseract` process that reads page images named on its standard input, one
 * line a page (tesseract's `stream_filelist`), and writes each page's hOCR as soon as it is
 * read. One process for many pages, where a process a page cost twice over:
 *
 * - each start loads the language model again: 0.16 s of CPU (a tenth of a fax page's OCR);
 * - each start forks the reading process, whose every memory page is then copy-on-write: the
 *   next page's clean-up took twice its CPU in page faults (6,400 a page, measured with
 *   `process.resourceUsage()`: 85 ms a page judged for orientation without a start before it,
 *   173 ms after one).
 *
 * A page is complete when its `ocr_page` element has closed: hOCR escapes `<` in the text read,
 * so counting its `<div` and `</div>` is exact. One page at a time; an engine that stops (a page
 * it could not read ends the process) fails the page it was on and is not used again.
 */
export class StreamingTesseract {
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly decoder = new StringDecoder('utf8');
  private output = '';
  /** Where the page's tags are read up to in {@link output}, and how deep in `div`s that is: each chunk is read once. */
  private scanned = 0;
  private depth = 0;
  private errors = '';
  private waiting: { resolve: (hocr: string) => void; reject: (error: Error) => void } | null = null;
  private stopped: Error | null = null;

  /** Starts the engine: `args` are tesseract's options and output format, after its input and output. */
  constructor(binary: string, args: readonly string[]) {
    // OMP_THREAD_LIMIT=1: OpenMP threads made a fax page ten times slower here (see TesseractCli).
    this.child = spawn(binary, ['stdin', 'stdout', '-c', 'stream_filelist=1', ...args], { env: { ...process.env, OMP_THREAD_LIMIT: '1' }, stdio: 'pipe' });
    this.child.on('error', (error) => this.stop(error));
    // A process that could not be made at all (EMFILE, EAGAIN) has no pipes; its 'error' says why, on the next tick.
    if (!this.child.stdout || !this.child.stdin || !this.child.stderr) return;
    this.child.stdout.on('data', (chunk: Buffer) => this.received(this.decoder.write(chunk)));
    this.child.stderr.on('data', (chunk: Buffer) => (this.errors = (this.errors + chunk.toString('utf8')).slice(-STDERR_KEPT)));
    this.child.on('close', (code, signal) => this.stop(new Error(`tesseract stopped (${signal ?? `exit code ${code}`}): ${this.lastErrorLine()}`)));
    // A write after the engine stopped: the close above fails the page.
    this.child.stdin.on('error', () => undefined);
    this.hold(false);
  }

  /** Whether the engine can take another page. */
  get usable(): boolean {
    return this.stopped === null;
  }

  /** The hOCR of the page image at `path` (its `ocr_page` element). */
  read(path: string): Promise<string> {
    if (this.stopped) return Promise.reject(this.stopped);
    if (this.waiting) return Promise.reject(new Error('a tesseract engine reads one page at a time'));
    // A file name is one line: a line break in it would name two pages.
    if (/[\r\n]/.test(path)) return Promise.reject(new Error('a page file name holds a line break'));
    // Not started (see the constructor): failed with the reason its 'error' gives.
    if (!this.child.stdin) return new Promise((_, reject) => setImmediate(() => reject(this.stopped ?? new Error('tesseract could not be started'))));
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject };
      this.hold(true);
      this.child.stdin.write(`${path}\n`);
    });
  }

  /** Ends the engine: its input closed, it exits (after the page it is on, if any). */
  close(): void {
    this.child.stdin?.end();
  }

  private received(text: string): void {
    this.output += text;
    if (!this.waiting) return;
    if (this.scanned === 0) {
      // The page's element not begun yet (the document's header comes first): what is before it is dropped.
      const start = this.output.indexOf(PAGE_START);
      if (start < 0) return;
      this.output = this.output.slice(start);
    }
    // The page is complete when its element closes: its tags read from where the last chunk's left off (a tag cut
    // between chunks is not matched yet, and is read whole with the next).
    const tags = /<(\/?)div\b[^>]*>/g;
    tags.lastIndex = this.scanned;
    let end = -1;
    for (let tag = tags.exec(this.output); tag; tag = tags.exec(this.output)) {
      this.depth += tag[1] ? -1 : 1;
      this.scanned = tags.lastIndex;
      if (this.depth === 0) {
        end = tags.lastIndex;
        break;
      }
    }
    if (end < 0) return;
    const page = this.output.slice(0, end);
    this.output = this.output.slice(end);
    this.scanned = 0;
    this.depth = 0;
    const { resolve } = this.waiting;
    this.waiting = null;
    this.hold(false);
    resolve(page);
  }

  /** An idle engine does not keep a process alive (a command-line run ends when its work does); one on a page does. */
  private hold(busy: boolean): void {
    // The pipes are sockets (net.Socket) underneath, which the stream types do not say.
    const handles = [this.child, this.child.stdin, this.child.stdout, this.child.stderr] as unknown as ReadonlyArray<{ ref(): void; unref(): void } | null>;
    for (const handle of handles) {
      if (!handle) continue;
      if (busy) handle.ref();
      else handle.unref();
    }
  }

  private stop(error: Error): void {
    this.stopped ??= error;
    this.waiting?.reject(this.stopped);
    this.waiting = null;
  }

  private lastErrorLine(): string {
    return (
      this.errors
        .split('\n')
        .map((line) => line.trim())
        .filter(Boolean)
        .at(-1) ?? 'no message'
    );
  }
}
