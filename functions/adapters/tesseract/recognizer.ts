import { wordInContext, type DoubtfulWord } from '../../domain/index.ts';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { StreamingTesseract } from './stream.ts';
import { isProcessRunning } from '../../common/process-running.ts';
import { isTiff } from '../../common/tiff.ts';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** What OCR read on one page image. */
export interface RecognizedPage {
  /** The page's text, lines in reading order. */
  readonly text: string;
  /** Mean word confidence, 0..1. */
  readonly confidence: number;
  /** Words holding a digit read under {@link DOUBTFUL_WORD_CONFIDENCE}, as read, with their confidence (0..1); omitted when the engine gives no word confidences. */
  readonly doubtful?: readonly DoubtfulWord[];
  /** Each line read, with its box in pixels of the page image read; omitted when the engine gives none. */
  readonly lines?: ReadonlyArray<{ readonly text: string; readonly box: WordBox }>;
}

/**
 * Tesseract's word confidence (0-100) under which a word holding a digit is doubtful. Measured
 * on standard and fine faxes of 13 published decisions (`npx tsx scripts/word-doubt.ts`): of
 * 882 numbers read, 171 differed from the letter's text layer; under 70 are 92% of those and
 * 4.9% of the numbers read right (under 50: 82% and 1.8%; under 85: 98% and 10.4%).
 */
export const DOUBTFUL_WORD_CONFIDENCE = 70;

/**
 * Tesseract's character confidence (0-100) under which a word holding a digit is doubtful
 * whatever its word confidence: one glyph it was unsure of. Read right, the characters of a
 * fax's header values measured 99-100 even where their word was under 0.50.
 */
export const DOUBTFUL_CHARACTER_CONFIDENCE = 97;

/** A local OCR engine that reads one page image at a time. */
export interface PageRecognizer {
  /** `tesseract-cli` (Debian's tesseract) or `tesseract-wasm` (tesseract.js). */
  readonly name: string;
  /**
   * Whether it also reads a black-and-white page as a Group 4 TIFF (one bit a pixel): Debian's
   * tesseract does, and reads it for less than the same page as a grey PNG, with the same result.
   */
  readonly readsFaxTiff?: boolean;
  /** Reads a page image: a PNG, or a Group 4 TIFF where {@link readsFaxTiff}. */
  recognize(image: Buffer): Promise<RecognizedPage>;
  /** Releases workers. */
  close(): Promise<void>;
}

/** hOCR's line-level elements: tesseract writes a line of a block as any of them. */
const HOCR_LINES = new Set(['ocr_line', 'ocr_header', 'ocr_caption', 'ocr_textfloat']);

/** The five entities hOCR escapes in text. */
function unescapeHtml(text: string): string {
  return text.replace(/&(amp|lt|gt|quot|#39|apos);/g, (_, name: string) => ({ amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'", apos: "'" })[name] ?? '');
}

/**
 * Reads Tesseract's hOCR output with character boxes (`-c hocr_char_boxes=1`): words grouped
 * into lines; a blank line where the gap above a line is clearly wider than the page's usual
 * line pitch (a paragraph break, which the single-block page mode does not mark itself). Each
 * word holding a digit that tesseract was unsure of is named with its word confidence and its
 * weakest character's: a word's confidence falls for the ruling beside a header cell, a
 * character's for the glyph it doubted (a fax's "10/15/2016" read as "10/18/2016": the word at
 * 0.60, like many read right, its "8" at 0.94 where every other character was 0.99 or more).
 */
export function readTesseractHocr(hocr: string): RecognizedPage & { readonly boxes: ReadonlyArray<WordBox | null> } {
  const lines: Array<{ top: number; words: string[]; box: WordBox | null }> = [];
  const unsure: Array<{ line: { words: string[] }; index: number; text: string; confidence: number; weakest: number; box: WordBox | null }> = [];
  let line: { top: number; words: string[]; box: WordBox | null } | null = null;
  let word: { chars: string[]; weakest: number; confidence: number; box: WordBox | null } | null = null;
  let confidenceSum = 0;
  let letters = 0;
  const closeWord = () => {
    if (!word || !line) return;
    const text = word.chars.join('').trim();
    if (text) {
      line.words.push(text);
      confidenceSum += word.confidence * text.length;
      letters += text.length;
      if (/\d/.test(text) && (word.confidence < DOUBTFUL_WORD_CONFIDENCE || word.weakest < DOUBTFUL_CHARACTER_CONFIDENCE)) {
        unsure.push({ line, index: line.words.length - 1, text, confidence: word.confidence / 100, weakest: word.weakest / 100, box: word.box });
      }
    }
    word = null;
  };
  // One pass over the elements in document order: a line opens, its words follow, each word's characters after it.
  for (const element of hocr.matchAll(/<span class=['"]([a-z_]+)['"][^>]*?title=(?:'([^']*)'|"([^"]*)")[^>]*>([^<]*)/g)) {
    const [, kind = '', single, double, content = ''] = element;
    const title = single ?? double ?? '';
    if (HOCR_LINES.has(kind)) {
      closeWord();
      const box = boxOf(title);
      line = { top: box?.top ?? 0, words: [], box };
      lines.push(line);
    } else if (kind === 'ocrx_word') {
      closeWord();
      word = { chars: [], weakest: 100, confidence: Number(/\bx_wconf (-?[\d.]+)/.exec(title)?.[1] ?? 0), box: boxOf(title) };
    } else if (kind === 'ocrx_cinfo' && word) {
      word.chars.push(unescapeHtml(content));
      const confidence = Number(/\bx_conf (-?[\d.]+)/.exec(title)?.[1] ?? 100);
      if (content.trim()) word.weakest = Math.min(word.weakest, confidence);
    }
  }
  closeWord();
  const filled = lines.filter((entry) => entry.words.length > 0);
  const pitches = filled
    .slice(1)
    .map((entry, i) => entry.top - filled[i]!.top)
    .filter((pitch) => pitch > 0)
    .sort((a, b) => a - b);
  const pitch = pitches[Math.floor(pitches.length / 2)] ?? 0;
  const out: string[] = [];
  filled.forEach((entry, i) => {
    if (i > 0 && pitch > 0 && entry.top - filled[i - 1]!.top > pitch * 1.6) out.push('');
    out.push(entry.words.join(' '));
  });
  const doubtful: DoubtfulWord[] = unsure.map(({ line: at, index, text, confidence, weakest }) => ({
    text,
    confidence,
    weakest,
    context: wordInContext(at.words, index),
  }));
  return {
    text: out.join('\n'),
    confidence: letters ? confidenceSum / letters / 100 : 0,
    doubtful,
    boxes: unsure.map((entry) => entry.box),
    lines: filled.flatMap((entry) => (entry.box ? [{ text: entry.words.join(' '), box: entry.box }] : [])),
  };
}

/** The `bbox x0 y0 x1 y1` of an hOCR title, or null. */
function boxOf(title: string): WordBox | null {
  const box = /\bbbox (\d+) (\d+) (\d+) (\d+)/.exec(title);
  return box ? { left: Number(box[1]), top: Number(box[2]), right: Number(box[3]), bottom: Number(box[4]) } : null;
}

/** Where a word lies on the page image, in pixels. */
export interface WordBox {
  readonly left: number;
  readonly top: number;
  readonly right: number;
  readonly bottom: number;
}

/** A header value's shapes, each read again with only the characters it can hold. */
const SECOND_LOOK_SHAPES: ReadonlyArray<{ readonly shape: RegExp; readonly characters: string }> = [
  { shape: /^\d{1,2}\/\d{1,2}\/\d{2,4}$/, characters: '0123456789/' },
  { shape: /^C[MN]\d{2}-\d{5,8}$/, characters: 'CM0123456789-' },
];

/** Most words of a page read a second time: a page of header values has a handful. */
const SECOND_LOOKS_PER_PAGE = 12;

/** A word as compared between two readings: its letters and digits only. */
const bare = (text: string) => text.replace(/[^0-9a-z/-]/gi, '');

/** What every page is read with: see {@link TesseractCli}. */
const PAGE_OPTIONS = ['-l', 'eng', '--psm', '6', '-c', 'tessedit_do_invert=0', '-c', 'hocr_char_boxes=1', 'hocr'] as const;

/**
 * Debian's `tesseract` binary: as many long-lived engines as pages read at once, each handed
 * its pages one after another ({@link StreamingTesseract}), and a process of its own for each
 * second look. `--psm 6` because the default layout mode dropped paragraphs of degraded pages;
 * `tessedit_do_invert=0` because a letter is printed dark on light, and Tesseract otherwise
 * reads each line it is unsure of a second time as white on black (5% of a fax backlog's OCR
 * time here, the text the same on every page measured).
 *
 * An engine reads a page from a file: each page is written to a private folder (0700, the file
 * 0600) and removed once read; the folder is made under `pageDirectory` (by default the
 * system's temporary folder) and removed by {@link close} or when the process exits.
 */
export class TesseractCli implements PageRecognizer {
  readonly name = 'tesseract-cli';
  readonly readsFaxTiff = true;
  private readonly idle: StreamingTesseract[] = [];
  private folder: string | null = null;
  private pages = 0;
  /** Pages being read: the folder is removed only once they are done. */
  private readonly reading = new Set<Promise<string>>();
  private closed = false;

  constructor(
    private readonly binary = 'tesseract',
    private readonly pageDirectory = tmpdir(),
  ) {}

  /** Whether the binary is installed and runs. */
  static available(binary = 'tesseract'): boolean {
    const probe = spawnSync(binary, ['--version'], { encoding: 'utf8', timeout: 5_000 });
    return probe.status === 0;
  }

  async recognize(image: Buffer): Promise<RecognizedPage> {
    const { boxes, ...page } = readTesseractHocr(await this.readPage(image));
    return { ...page, doubtful: await this.secondLook(image, page.doubtful ?? [], boxes) };
  }

  /**
   * Starts `engines` engines now, before any page: a process that OCRs starts them while it is
   * small. Started later, from a reading process holding a page's buffers, each start forked that
   * whole memory and left it copy-on-write: the next page's clean-up paid for it in page faults.
   */
  start(engines: number): void {
    if (this.closed) return;
    for (let i = this.idle.length; i < engines; i++) this.idle.push(new StreamingTesseract(this.binary, PAGE_OPTIONS));
  }

  /** A page's hOCR, read by an idle engine (or a new one). */
  private async readPage(image: Buffer): Promise<string> {
    if (this.closed) throw new Error('the OCR engine is closed');
    const reading = this.handPage(image);
    this.reading.add(reading);
    try {
      return await reading;
    } finally {
      this.reading.delete(reading);
    }
  }

  private async handPage(image: Buffer): Promise<string> {
    const file = await this.writePage(image);
    let engine: StreamingTesseract | undefined;
    try {
      engine = this.idle.pop();
      while (engine && !engine.usable) engine = this.idle.pop();
      engine ??= new StreamingTesseract(this.binary, PAGE_OPTIONS);
      return await engine.read(file);
    } finally {
      if (engine?.usable && !this.closed) this.idle.push(engine);
      else engine?.close();
      await rm(file, { force: true });
    }
  }

  /** Writes a page for an engine to read; a folder removed from under a long-lived process is made again, once. */
  private async writePage(image: Buffer, again = true): Promise<string> {
    this.folder ??= privateFolder(this.pageDirectory);
    // Named by what it holds (tesseract goes by the bytes, a person looking into the folder by the name).
    const file = join(this.folder, `page-${++this.pages}.${isTiff(image) ? 'tif' : 'png'}`);
    try {
      await writeFile(file, image, { mode: 0o600, flag: 'wx' });
      return file;
    } catch (error) {
      // Nothing of a page is left behind: a write cut short (a full disk) leaves part of it.
      await rm(file, { force: true });
      if (again && (error as { code?: unknown })?.code === 'ENOENT') {
        removeFolder(this.folder);
        this.folder = null;
        return this.writePage(image, false);
      }
      throw error;
    }
  }

  /**
   * A doubtful word shaped like a header value (a date, a case number) is read a second time
   * on its own, cropped from the page, with only the characters it can hold: agreement confirms
   * it (weakest character 1), disagreement marks it (0). Its word and character confidences
   * could not tell a misread from the many values read right beside a cell's ruling; a second
   * reading did (a fax's "10/15/2016" read "10/18/2016", then "10/15/2016" on its own).
   */
  async secondLook(image: Buffer, doubtful: readonly DoubtfulWord[], boxes: ReadonlyArray<WordBox | null>): Promise<DoubtfulWord[]> {
    const { default: sharp } = await import('sharp');
    const { width = 0, height = 0 } = await sharp(image).metadata();
    let looks = 0;
    const out: DoubtfulWord[] = [];
    for (const [index, word] of doubtful.entries()) {
      const box = boxes[index];
      const shape = SECOND_LOOK_SHAPES.find((candidate) => candidate.shape.test(bare(word.text)));
      if (!box || !shape || looks >= SECOND_LOOKS_PER_PAGE) {
        out.push(word);
        continue;
      }
      looks++;
      const left = Math.max(0, box.left - 8);
      const top = Math.max(0, box.top - 6);
      const crop = await sharp(image)
        .extract({ left, top, width: Math.min(width - left, box.right - box.left + 16), height: Math.min(height - top, box.bottom - box.top + 12) })
        .extend({ top: 20, bottom: 20, left: 20, right: 20, background: '#ffffff' })
        .png()
        .toBuffer();
      const again = (await this.run(crop, ['--psm', '7', '-c', `tessedit_char_whitelist=${shape.characters}`])).trim();
      out.push({ ...word, weakest: bare(again) === bare(word.text) ? 1 : 0 });
    }
    return out;
  }

  private run(png: Buffer, args: readonly string[]): Promise<string> {
    return new Promise((resolve, reject) => {
      const child = spawn(this.binary, ['stdin', 'stdout', '-l', 'eng', ...args], {
        env: { ...process.env, OMP_THREAD_LIMIT: '1' },
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
      child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
      child.on('error', reject);
      child.on('close', (code) => {
        if (code !== 0) reject(new Error(`tesseract exited with ${code}: ${Buffer.concat(err).toString('utf8').trim().split('\n')[0] ?? ''}`));
        else resolve(Buffer.concat(out).toString('utf8'));
      });
      child.stdin.on('error', () => undefined);
      child.stdin.end(png);
    });
  }

  /** Ends the engines (each after the page it is on) and removes the page folder. */
  async close(): Promise<void> {
    this.closed = true;
    for (const engine of this.idle.splice(0)) engine.close();
    // A page under way is read to its end (its engine closed after it), then its folder goes.
    await Promise.allSettled(this.reading);
    if (this.folder) removeFolder(this.folder);
    this.folder = null;
  }
}

/** Page folders not yet removed: a process that exits without closing its engines removes them on its way out. */
const folders = new Set<string>();
let removesOnExit = false;

/** What a page folder's name starts with: this service's, then the pid of the process that made it. */
const FOLDER_PREFIX = 'imr-ocr-';
const FOLDER_NAME = /^imr-ocr-(\d+)-/;

function privateFolder(parent: string): string {
  // What a process stopped before it could remove its folder (Ctrl-C on `imr text`, SIGKILL) left here is removed first.
  removePageFolders(parent, undefined, { deadOnly: true });
  // Named by the process, so that what a killed reading process left is known to be its own.
  const folder = mkdtempSync(join(parent, `${FOLDER_PREFIX}${process.pid}-`));
  if (!removesOnExit) process.once('exit', () => folders.forEach((entry) => rmSync(entry, { recursive: true, force: true })));
  removesOnExit = true;
  folders.add(folder);
  return folder;
}

function removeFolder(folder: string): void {
  folders.delete(folder);
  rmSync(folder, { recursive: true, force: true });
}

/**
 * tesseract.js (WebAssembly) with the English LSTM model shipped by
 * `@tesseract.js-data/eng`, loaded from disk: nothing is downloaded, nothing cached to the
 * working directory. Slower than the native binary (about 3.5 s a fax page here).
 */
export class TesseractWasm implements PageRecognizer {
  readonly name = 'tesseract-wasm';
  private scheduler: Promise<import('tesseract.js').Scheduler> | null = null;

  constructor(private readonly workers: number) {}

  private start(): Promise<import('tesseract.js').Scheduler> {
    this.scheduler ??= (async () => {
      const { createScheduler, createWorker, OEM, PSM } = await import('tesseract.js');
      const require = createRequire(import.meta.url);
      const langPath = join(dirname(require.resolve('@tesseract.js-data/eng/package.json')), '4.0.0_best_int');
      const scheduler = createScheduler();
      for (let i = 0; i < this.workers; i++) {
        const worker = await createWorker('eng', OEM.LSTM_ONLY, { langPath, gzip: true, cacheMethod: 'none' });
        await worker.setParameters({ tessedit_pageseg_mode: PSM.SINGLE_BLOCK });
        scheduler.addWorker(worker);
      }
      return scheduler;
    })();
    return this.scheduler;
  }

  async recognize(png: Buffer): Promise<RecognizedPage> {
    const scheduler = await this.start();
    // Blocks carry the word confidences that mark a doubtful number.
    const result = await scheduler.addJob('recognize', png, {}, { text: true, blocks: true });
    const doubtful = (result.data.blocks ?? []).flatMap((block) =>
      block.paragraphs.flatMap((paragraph) =>
        paragraph.lines.flatMap((line) => {
          const texts = line.words.map((word) => word.text);
          return line.words.flatMap((word, index) =>
            word.confidence < DOUBTFUL_WORD_CONFIDENCE && /\d/.test(word.text)
              ? [{ text: word.text, confidence: word.confidence / 100, context: wordInContext(texts, index) }]
              : [],
          );
        }),
      ),
    );
    const lines = (result.data.blocks ?? []).flatMap((block) =>
      block.paragraphs.flatMap((paragraph) =>
        paragraph.lines.map((line) => ({ text: line.text.trim(), box: { left: line.bbox.x0, top: line.bbox.y0, right: line.bbox.x1, bottom: line.bbox.y1 } })),
      ),
    );
    return { text: result.data.text.trim(), confidence: result.data.confidence / 100, doubtful, lines };
  }

  async close(): Promise<void> {
    if (this.scheduler) await (await this.scheduler).terminate();
    this.scheduler = null;
  }
}

/**
 * The local OCR engine: Debian's tesseract when installed (faster), tesseract.js otherwise.
 * `pageDirectory`: where tesseract's page files are written (see {@link TesseractCli}).
 */
export function createLocalRecognizer(workers: number, pageDirectory?: string): PageRecognizer {
  return TesseractCli.available() ? new TesseractCli('tesseract', pageDirectory) : new TesseractWasm(workers);
}

/**
 * Removes the page folders processes left in `pageDirectory`: `pid`'s, or every one when `pid`
 * is omitted, or (`deadOnly`) those of processes no longer running. A reading process stopped
 * with SIGKILL, or a command-line run stopped with Ctrl-C, cannot remove its own. Only this
 * service's folders (`imr-ocr-<pid>-*`) are touched. Returns how many were removed.
 */
export function removePageFolders(pageDirectory: string, pid?: number, options: { deadOnly?: boolean } = {}): number {
  let removed = 0;
  let entries: string[];
  try {
    entries = readdirSync(pageDirectory);
  } catch {
    return 0;
  }
  for (const entry of entries) {
    const owner = FOLDER_NAME.exec(entry)?.[1];
    if (owner === undefined || (pid !== undefined && Number(owner) !== pid)) continue;
    if (options.deadOnly && isProcessRunning(Number(owner))) continue;
    try {
      rmSync(join(pageDirectory, entry), { recursive: true, force: true });
      removed++;
    } catch {
      // Another user's, in a shared temporary folder: not ours to remove.
    }
  }
  return removed;
}
