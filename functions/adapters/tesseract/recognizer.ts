import { wordInContext, type DoubtfulWord } from '../../domain/index.ts';
import { spawn, spawnSync } from 'node:child_process';
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
}

/**
 * Tesseract's word confidence (0-100) under which a word holding a digit is doubtful. Measured
 * on standard and fine faxes of 13 published decisions (`npx tsx scripts/word-doubt.ts`): of
 * 882 numbers read, 171 differed from the letter's text layer; under 70 are 92% of those and
 * 4.9% of the numbers read right (under 50: 82% and 1.8%; under 85: 98% and 10.4%).
 */
export const DOUBTFUL_WORD_CONFIDENCE = 70;

/** A local OCR engine that reads one page image at a time. */
export interface PageRecognizer {
  /** `tesseract-cli` (Debian's tesseract) or `tesseract-wasm` (tesseract.js). */
  readonly name: string;
  /** Reads a PNG page image. */
  recognize(png: Buffer): Promise<RecognizedPage>;
  /** Releases workers. */
  close(): Promise<void>;
}

/**
 * Reads Tesseract's TSV output: words grouped into lines; a blank line where the gap above
 * a line is clearly wider than the page's usual line pitch (a paragraph break, which the
 * single-block page mode does not mark itself).
 */
export function readTesseractTsv(tsv: string): RecognizedPage {
  const lines: Array<{ top: number; words: string[] }> = [];
  const byKey = new Map<string, { top: number; words: string[] }>();
  let confidenceSum = 0;
  let letters = 0;
  const unsure: Array<{ line: { words: string[] }; index: number; text: string; confidence: number }> = [];
  for (const row of tsv.split('\n').slice(1)) {
    const cells = row.split('\t');
    if (cells.length < 12) continue;
    const key = `${cells[2]}.${cells[3]}.${cells[4]}`;
    if (cells[0] === '4') {
      const line = { top: Number(cells[7]), words: [] as string[] };
      byKey.set(key, line);
      lines.push(line);
      continue;
    }
    const word = cells[11]!.trim();
    if (cells[0] !== '5' || !word) continue;
    const line = byKey.get(key);
    line?.words.push(word);
    const confidence = Number(cells[10]);
    if (confidence >= 0) {
      confidenceSum += confidence * word.length;
      letters += word.length;
      if (line && confidence < DOUBTFUL_WORD_CONFIDENCE && /\d/.test(word)) unsure.push({ line, index: line.words.length - 1, text: word, confidence: confidence / 100 });
    }
  }
  const doubtful: DoubtfulWord[] = unsure.map(({ line, index, text, confidence }) => ({ text, confidence, context: wordInContext(line.words, index) }));
  const filled = lines.filter((line) => line.words.length > 0);
  const pitches = filled.slice(1).map((line, i) => line.top - filled[i]!.top).filter((pitch) => pitch > 0).sort((a, b) => a - b);
  const pitch = pitches[Math.floor(pitches.length / 2)] ?? 0;
  const out: string[] = [];
  filled.forEach((line, i) => {
    if (i > 0 && pitch > 0 && line.top - filled[i - 1]!.top > pitch * 1.6) out.push('');
    out.push(line.words.join(' '));
  });
  return { text: out.join('\n'), confidence: letters ? confidenceSum / letters / 100 : 0, doubtful };
}

/**
 * Debian's `tesseract` binary, one process per page. `OMP_THREAD_LIMIT=1` because OpenMP
 * threads made a fax page ten times slower here; `--psm 6` because the default layout mode
 * dropped paragraphs of degraded pages.
 */
export class TesseractCli implements PageRecognizer {
  readonly name = 'tesseract-cli';

  constructor(private readonly binary = 'tesseract') {}

  /** Whether the binary is installed and runs. */
  static available(binary = 'tesseract'): boolean {
    const probe = spawnSync(binary, ['--version'], { encoding: 'utf8', timeout: 5_000 });
    return probe.status === 0;
  }

  recognize(png: Buffer): Promise<RecognizedPage> {
    return new Promise((resolve, reject) => {
      const child = spawn(this.binary, ['stdin', 'stdout', '--psm', '6', '-l', 'eng', 'tsv'], {
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
        else resolve(readTesseractTsv(Buffer.concat(out).toString('utf8')));
      });
      child.stdin.on('error', () => undefined);
      child.stdin.end(png);
    });
  }

  async close(): Promise<void> {}
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
          return line.words.flatMap((word, index) => (word.confidence < DOUBTFUL_WORD_CONFIDENCE && /\d/.test(word.text) ? [{ text: word.text, confidence: word.confidence / 100, context: wordInContext(texts, index) }] : []));
        }),
      ),
    );
    return { text: result.data.text.trim(), confidence: result.data.confidence / 100, doubtful };
  }

  async close(): Promise<void> {
    if (this.scheduler) await (await this.scheduler).terminate();
    this.scheduler = null;
  }
}

/** The local OCR engine: Debian's tesseract when installed (faster), tesseract.js otherwise. */
export function createLocalRecognizer(workers: number): PageRecognizer {
  return TesseractCli.available() ? new TesseractCli() : new TesseractWasm(workers);
}
