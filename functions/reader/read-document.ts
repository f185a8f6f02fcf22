import { availableParallelism } from 'node:os';
import pLimit from 'p-limit';
import { InputError } from './errors.ts';
import { decodeText, describeBinary, readDocumentBytes, sniffKind, type DocumentKind } from './sniff.ts';
import { openPdf } from './pdf.ts';
import { openImages } from './images.ts';
import { DESKEW_FROM_DEGREES, turnedRaster, uprightRaster } from './upright.ts';
import { faxTiffOf, isBilevel, pngOf, type PageRaster } from './raster.ts';
import { BLANK_PAGE_INK, type PageTurn } from './orientation.ts';
import { practicePage } from './practice.ts';
import { removeRules } from './rules.ts';
import { createLocalRecognizer, type PageRecognizer } from '../adapters/tesseract/recognizer.ts';
import { textractPages, type TextractResponse } from '../adapters/textract/blocks.ts';
import { TextractError } from '../adapters/textract/errors.ts';
import { layoutOf, lineInFractions, lineInPixels, ocrReading, type DocumentText, type DoubtfulWord, type LayoutLine } from '../domain/index.ts';

/** Told each time a page of a document has been read: `pagesRead` of `pages` (the service's port names it too). */
export type PageProgressListener = (pagesRead: number, pages: number) => void;
import { LIMITS } from '../common/limits.ts';

export { readingContext, type DocumentText } from '../domain/index.ts';
export { LIMITS } from '../common/limits.ts';

/**
 * Budgets for a saved Textract response, each checked before the step it protects. A real
 * response is about 0.15-0.5 MB and 150-550 blocks a page, nested 7 deep; what is far past
 * that is not a letter's response, and reading it would hold the machine.
 */
export const TEXTRACT_JSON_BUDGET = {
  // Checked before JSON.parse, which holds several times the text's size in objects: 50 MB is a
  // response of 100 to 300 pages, more than a letter's.
  bytes: 50 * 1024 * 1024,
  // Checked before the pages are laid out. Real blocks are about 1 KB, so 50 MB holds about 50,000;
  // the budget bites on a response of tiny blocks (a million `{}` is 3 MB) built to be slow to lay out.
  blocks: 250_000,
  // Textract's own limit: a page number past it is not Textract's, and would be laid out.
  pages: LIMITS.pages,
  // Checked on the bytes before JSON.parse: a response nests 7 deep (the array of paged responses,
  // a response, Blocks, a block, Geometry, Polygon, a point); 100,000 deep is built to break readers.
  depth: 32,
} as const;

/**
 * OCR budgets for one document. An IMR letter is a few pages to a few dozen; a document
 * needing OCR on more pages, or OCR for longer, is refused rather than occupying the machine
 * (2,000 blank scanned pages took 211 s and 1.9 GB before these budgets).
 */
export const OCR_BUDGET = { pages: 100, seconds: 600 } as const;

/** Resolution scanned PDF pages are rasterised at for OCR. */
const PDF_OCR_DPI = 300;
/** Pages under this OCR confidence are named in the warnings. */
const LOW_PAGE_CONFIDENCE = 0.6;
/** A page read under this confidence is read again the other way up, in case up was misjudged. */
const RETRY_FLIPPED_BELOW = 0.55;

/** File-system errors that say the machine, not the document, is at fault (the command line says so too). */
export const MACHINE_ERROR_CODES: ReadonlySet<string> = new Set(['ENOSPC', 'EDQUOT', 'EACCES', 'EPERM', 'EROFS', 'EMFILE', 'ENFILE']);

/** A page OCR read under this confidence, with ink on it, is a page that could not be read. */
const UNREADABLE_PAGE_CONFIDENCE = 0.35;

const KIND_NAMES: Record<DocumentKind, string> = {
  pdf: 'PDF',
  tiff: 'TIFF',
  png: 'PNG',
  jpeg: 'JPEG',
  'textract-json': 'Textract JSON',
  text: 'text',
  binary: 'binary',
};

function megabytes(bytes: number): string {
  return `${(bytes / 1048576).toFixed(1)} MB`;
}

/**
 * Reads any supported document into the text the parser reads: text directly, PDF text
 * layers directly, scanned pages through local OCR (pages in parallel up to the cores),
 * Textract JSON through the block reader. One instance keeps its OCR workers across
 * documents; `close()` them when done.
 */
export class DocumentReader {
  private recognizer: PageRecognizer | null = null;
  private readonly limit: ReturnType<typeof pLimit>;

  constructor(
    private readonly createRecognizer: () => PageRecognizer = () => createLocalRecognizer(availableParallelism()),
    concurrency = availableParallelism(),
    /** Seconds of OCR one document may take ({@link OCR_BUDGET}; tests shorten it). */
    private readonly ocrSeconds: number = OCR_BUDGET.seconds,
  ) {
    this.limit = pLimit(concurrency);
  }

  /** Reads a file; throws {@link InputError} with a one-line message when it cannot. */
  async readFile(path: string): Promise<DocumentText> {
    return this.read(await readDocumentBytes(path, LIMITS.documentBytes), path);
  }

  /**
   * Reads a document's bytes; `name` appears in error messages. `onProgress` hears, for a
   * document with pages to OCR, how many of its pages are read: once before OCR starts (the
   * pages with a text layer count as read), then after each page.
   */
  async read(bytes: Uint8Array, name: string, onProgress?: PageProgressListener): Promise<DocumentText> {
    return (await this.readAs(bytes, name, true, onProgress))!;
  }

  /**
   * Reads a document that needs no OCR (text, Textract JSON, a PDF whose every page has a
   * text layer); null for a scan, which the caller sends to Textract. Checks and limits are
   * those of {@link read}.
   */
  readWithoutOcr(bytes: Uint8Array, name: string): Promise<DocumentText | null> {
    return this.readAs(bytes, name, false);
  }

  /** What the bytes are, from their first bytes; the file name is never trusted. */
  kindOf(bytes: Uint8Array): DocumentKind {
    return sniffKind(bytes);
  }

  private async readAs(bytes: Uint8Array, name: string, ocr: boolean, onProgress?: PageProgressListener): Promise<DocumentText | null> {
    if (bytes.length === 0) throw new InputError('EMPTY', `${name}: the file is empty`);
    if (bytes.length > LIMITS.documentBytes)
      throw new InputError('TOO_LARGE', `${name}: ${megabytes(bytes.length)} is over the ${megabytes(LIMITS.documentBytes)} limit`);
    const kind = sniffKind(bytes);
    switch (kind) {
      case 'binary':
        throw new InputError('BINARY', `${name}: ${describeBinary(bytes)}`);
      case 'text':
        return this.readText(bytes, name);
      case 'textract-json':
        return readTextractJson(bytes, name);
      case 'pdf':
        return this.readPdf(bytes, name, ocr, onProgress);
      case 'png':
      case 'jpeg':
        if (bytes.length > LIMITS.singleImageBytes) {
          throw new InputError(
            'TOO_LARGE',
            `${name}: a ${KIND_NAMES[kind]} page of ${megabytes(bytes.length)} is over the ${megabytes(LIMITS.singleImageBytes)} limit for one page`,
          );
        }
        return ocr ? this.readImages(bytes, name, kind, onProgress) : null;
      case 'tiff':
        return ocr ? this.readImages(bytes, name, kind, onProgress) : null;
    }
  }

  /** Stops the OCR workers. */
  async close(): Promise<void> {
    await this.recognizer?.close();
    this.recognizer = null;
  }

  private readText(bytes: Uint8Array, name: string): DocumentText {
    if (bytes.length > LIMITS.textBytes)
      throw new InputError('TOO_LARGE', `${name}: ${megabytes(bytes.length)} of text is over the ${megabytes(LIMITS.textBytes)} limit for a letter`);
    const text = decodeText(bytes);
    if (text.trim().length === 0) throw new InputError('EMPTY', `${name}: the file holds only whitespace`);
    return { kind: 'text', text, pageCount: 1, ocrPages: 0, warnings: [] };
  }

  private async readPdf(bytes: Uint8Array, name: string, ocr: boolean, onProgress?: PageProgressListener): Promise<DocumentText | null> {
    const pdf = await openPdf(bytes, name, LIMITS.pages);
    try {
      if (!ocr && pdf.pages.some((page) => page.text === null)) return null;
      const arrived = pdf.pages.filter((page) => page.arrived);
      if (arrived.length === 0)
        throw new InputError('CORRUPT', `${name}: the PDF was cut short in transfer and none of its pages arrived whole; send it again`);
      const scanned = arrived.filter((page) => page.text === null).length;
      checkOcrPages(name, scanned);
      const deadline = Date.now() + this.ocrSeconds * 1000;
      const counted = pagesCounted(arrived.length, arrived.length - scanned, scanned > 0 ? onProgress : undefined);
      const texts = await Promise.all(
        arrived.map((page) =>
          page.text !== null
            ? { text: page.text, confidence: null, lines: page.lines }
            : this.ocr(() => pdf.raster(page.index, PDF_OCR_DPI), name, page.index, deadline).then(counted),
        ),
      );
      const document = this.assemble('pdf', this.withinBudget(texts, name));
      if (!pdf.truncated) return document;
      const lost = pdf.pageCount - arrived.length;
      const note = `the PDF was cut short in transfer (no end-of-file marker)${lost > 0 ? `: ${lost} of its ${pdf.pageCount} pages did not arrive` : ', and pages may be missing'}`;
      return { ...document, pageCount: arrived.length, incomplete: [...(document.incomplete ?? []), note] };
    } finally {
      pdf.close();
    }
  }

  private async readImages(bytes: Uint8Array, name: string, kind: DocumentKind, onProgress?: PageProgressListener): Promise<DocumentText> {
    const images = await openImages(bytes, name, LIMITS.pages);
    checkOcrPages(name, images.pageCount);
    const deadline = Date.now() + this.ocrSeconds * 1000;
    const counted = pagesCounted(images.pageCount, 0, onProgress);
    const texts = await Promise.all(
      Array.from({ length: images.pageCount }, (_, index) => this.ocr(() => images.raster(index), name, index, deadline).then(counted)),
    );
    return this.assemble(kind, this.withinBudget(texts, name));
  }

  /**
   * The pages read before the OCR budget ran out, kept: a letter on the first pages of a long
   * file is read and delivered (flagged INCOMPLETE, the pages not read named), not thrown away
   * with the rest. Only when not one page could be read does the document fail OCR_BUDGET.
   */
  private withinBudget(pages: ReadonlyArray<PageOcr>, name: string): PageOcr[] {
    const unread = pages.flatMap((page, index) => (page.unread ? [index + 1] : []));
    if (unread.length === 0) return [...pages];
    if (pages.every((page) => page.unread || page.blank))
      throw new InputError(
        'OCR_BUDGET',
        `${name}: OCR ran over its ${this.ocrSeconds / 60}-minute budget for one document before page ${unread[0]}; split the document or send it as text`,
      );
    const why = `${rangesOf(unread)} of ${pages.length} ${unread.length === 1 ? 'was' : 'were'} not read: OCR ran over its ${this.ocrSeconds / 60}-minute budget for one document (split the file to read the rest)`;
    // Said once, with the first page not read.
    return pages.map((page, index) => (index + 1 === unread[0] ? { ...page, incomplete: why } : page));
  }

  /**
   * Puts a made-up fax page through every step a scanned page takes before OCR (decoding, judging
   * its turn, rulings, encoding for this reader's engine), without reading it: a process started
   * ahead of any scan does it once, so that V8 has compiled those loops before the first real page
   * (a fresh process cleaned its first page for two to three times the CPU of its later ones).
   */
  async practise(): Promise<void> {
    const images = await openImages(await faxTiffOf(practicePage()), 'practice page', 1);
    await this.prepare(await images.raster(0));
  }

  private engine(): PageRecognizer {
    this.recognizer ??= this.createRecognizer();
    return this.recognizer;
  }

  /** A page encoded once, for its engine: one bit a pixel where the page is black and white and the engine reads that. */
  private encode(page: PageRaster): Promise<Buffer> {
    return this.engine().readsFaxTiff && isBilevel(page) ? faxTiffOf(page) : pngOf(page);
  }

  /**
   * A decoded page made ready for OCR: set upright, its rulings removed (the published header's boxed
   * table: its ruling read as text loses the cells' values), encoded for the engine; null when it is
   * blank. The page stays one raster through every step and is encoded once.
   */
  private async prepare(raster: PageRaster): Promise<{ turn: PageTurn; page: PageRaster; image: Buffer } | null> {
    const upright = await uprightRaster(raster);
    if (upright.ink < BLANK_PAGE_INK) return null;
    removeRules(upright.page);
    return { turn: upright.turn, page: upright.page, image: await this.encode(upright.page) };
  }

  private ocr(render: () => Promise<PageRaster>, name: string, index: number, deadline: number): Promise<PageOcr> {
    return this.limit(async () => {
      // Past the budget, the pages left are not read (pages are taken in order: the ones read are the first).
      if (Date.now() >= deadline) return { text: '', confidence: null, unread: true };
      const prepared = await this.prepare(await render());
      // A blank page (a duplex back, a separator sheet) never reaches the OCR engine: read, its
      // specks took minutes and lowered the letter's confidence.
      if (!prepared) return { text: '', confidence: null, blank: true, note: `page ${index + 1} is blank and was not read` };
      const { turn, page, image } = prepared;
      const recognizer = this.engine();
      const read = async (image: Buffer) => {
        try {
          return await recognizer.recognize(image);
        } catch (error) {
          // A page file the engine could not be handed (a full disk, a folder it may not write) is the machine's fault, not the
          // document's: not a final failure of the document (the service tries it again; one that still fails can be retried).
          if (MACHINE_ERROR_CODES.has((error as { code?: unknown })?.code as string)) throw error;
          throw new InputError('OCR_FAILED', `${name}: OCR of page ${index + 1} failed (${recognizer.name})`, { cause: error });
        }
      };
      let reading = await read(image);
      let turned = turn.quarter;
      // Up and down can be misjudged on a sparse page: when the reading is poor, the other way up is tried too.
      if (reading.confidence < RETRY_FLIPPED_BELOW && turn.lineContrast >= 1.15) {
        const flipped = await read(await this.encode(await turnedRaster(page, 180)));
        if (flipped.confidence > reading.confidence + 0.1) {
          reading = flipped;
          turned = ((turned + 180) % 360) as typeof turned;
        }
      }
      const straightened = Math.abs(turn.skew) >= DESKEW_FROM_DEGREES;
      const note =
        turned !== 0
          ? `page ${index + 1} was turned ${turned} degrees and set upright before OCR`
          : straightened
            ? `page ${index + 1} was skewed ${turn.skew.toFixed(1)} degrees and straightened before OCR`
            : undefined;
      const { lines, ...recognized } = reading;
      // A page straightened by a few degrees has no box that lies square on the page as received: none is kept (no mark rather than a wrong one).
      return { ...recognized, note, lines: straightened ? undefined : linesAsReceived(lines, page.width, page.height, turned) };
    });
  }

  private assemble(kind: DocumentKind, pages: ReadonlyArray<PageOcr>): DocumentText {
    const warnings: string[] = pages.flatMap((page) => (page.note ? [page.note] : []));
    let weighted = 0;
    let weight = 0;
    let ocrPages = 0;
    pages.forEach((page, index) => {
      if (page.confidence === null) return;
      ocrPages++;
      const letters = Math.max(1, page.text.replace(/\s/g, '').length);
      weighted += page.confidence * letters;
      weight += letters;
      if (page.confidence < LOW_PAGE_CONFIDENCE) warnings.push(`page ${index + 1} OCR confidence ${Math.round(page.confidence * 100)}%`);
    });
    const unreadable = pages.flatMap((page, index) =>
      page.confidence !== null && page.confidence < UNREADABLE_PAGE_CONFIDENCE && page.text.replace(/[^a-z]/gi, '').length > 20
        ? [`page ${index + 1} of ${pages.length} could not be read (OCR confidence ${Math.round(page.confidence * 100)}%)`]
        : page.incomplete
          ? [page.incomplete]
          : [],
    );
    const textPages = pages.filter((page) => page.confidence === null && !page.blank && !page.unread).length;
    const textLetters = pages.filter((page) => page.confidence === null).reduce((sum, page) => sum + page.text.replace(/\s/g, '').length, 0);
    const layout = layoutOf(pages.map((page) => page.lines));
    return {
      kind,
      text: pages.map((page) => page.text).join('\n\f\n'),
      pageCount: pages.length,
      ocrPages,
      ocrConfidence: ocrPages > 0 ? (weighted + textLetters) / (weight + textLetters) : undefined,
      engine: ocrPages > 0 ? this.recognizer?.name : undefined,
      warnings: textPages > 0 && ocrPages > 0 ? [...warnings, `${ocrPages} of ${pages.length} pages were scanned and read by OCR`] : warnings,
      incomplete: unreadable,
      pageConfidences: ocrPages > 0 ? pages.map((page) => page.confidence) : undefined,
      doubtfulWords: ocrPages > 0 ? pages.flatMap((page) => page.doubtful ?? []) : undefined,
      ...(layout ? { layout } : {}),
    };
  }
}

/** What reading one page gave: its text (a text layer's has no confidence), and what became of it. */
interface PageOcr {
  readonly text: string;
  readonly confidence: number | null;
  readonly doubtful?: readonly DoubtfulWord[];
  /** A blank page, never sent to the OCR engine. */
  readonly blank?: boolean;
  /** Not read: the OCR budget ran out before it. */
  readonly unread?: boolean;
  readonly note?: string | undefined;
  /** Why the document is incomplete, said once (on the first page not read). */
  readonly incomplete?: string | undefined;
  /** Its lines where they lie on the page as received (fractions of the page). */
  readonly lines?: readonly LayoutLine[] | undefined;
}

/**
 * Lines read on a page image `width` x `height` pixels that was turned `turned` degrees
 * anticlockwise to set it upright, placed on the page as received: each box is turned back
 * (a quarter turn moves a box exactly) and kept as fractions of the page, which hold at any
 * size it is drawn (a standard fax stretched to square pixels, a PDF page at another resolution).
 */
export function linesAsReceived(
  lines: ReadonlyArray<{ readonly text: string; readonly box: { left: number; top: number; right: number; bottom: number } }> | undefined,
  width: number,
  height: number,
  turned: number,
): LayoutLine[] | undefined {
  if (!lines) return undefined;
  // A point of the upright page (fractions) on the page as received, which is the upright page turned `turned` degrees clockwise.
  const back: (x: number, y: number) => [number, number] =
    turned === 90 ? (x, y) => [1 - y, x] : turned === 180 ? (x, y) => [1 - x, 1 - y] : turned === 270 ? (x, y) => [y, 1 - x] : (x, y) => [x, y];
  return lines.flatMap((line) => {
    const upright = lineInPixels(line.text, line.box, width, height);
    if (!upright) return [];
    const [left, top, right, bottom] = upright.box;
    const [x0, y0] = back(left, top);
    const [x1, y1] = back(right, bottom);
    const placed = lineInFractions(upright.text, [Math.min(x0, x1), Math.min(y0, y1), Math.max(x0, x1), Math.max(y0, y1)]);
    return placed ? [placed] : [];
  });
}

/** Page numbers as ranges: "page 7", "pages 43-60", "pages 3, 5-6". */
function rangesOf(pages: readonly number[]): string {
  const runs: string[] = [];
  for (let i = 0; i < pages.length; i++) {
    let j = i;
    while (j + 1 < pages.length && pages[j + 1] === pages[j]! + 1) j++;
    runs.push(i === j ? `${pages[i]}` : `${pages[i]}-${pages[j]}`);
    i = j;
  }
  return `${pages.length === 1 ? 'page' : 'pages'} ${runs.join(', ')}`;
}

/**
 * Counts a document's pages as they are read: tells `onProgress` the `already` read now, and
 * one more each time a page's reading passes through the function returned.
 */
function pagesCounted(pages: number, already: number, onProgress: PageProgressListener | undefined): <T>(page: T) => T {
  let read = already;
  onProgress?.(read, pages);
  return (page) => {
    onProgress?.(++read, pages);
    return page;
  };
}

/** Refuses, before any OCR, a document with more scanned pages than a letter has. */
function checkOcrPages(name: string, pages: number): void {
  if (pages > OCR_BUDGET.pages)
    throw new InputError('OCR_BUDGET', `${name}: ${pages} scanned pages is over the ${OCR_BUDGET.pages}-page OCR budget for one letter; split the document`);
}

/** Whether JSON text nests arrays and objects deeper than `limit`; the bytes are scanned, not parsed. */
function nestsDeeperThan(bytes: Uint8Array, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let at = 0; at < bytes.length; at++) {
    const byte = bytes[at]!;
    if (inString) {
      // A backslash escapes the next byte; bytes of multi-byte UTF-8 characters are never ASCII.
      if (byte === 0x5c) at++;
      else if (byte === 0x22) inString = false;
    } else if (byte === 0x22) inString = true;
    else if (byte === 0x5b || byte === 0x7b) {
      if (++depth > limit) return true;
    } else if (byte === 0x5d || byte === 0x7d) depth--;
  }
  return false;
}

/**
 * Refuses a saved Textract response over the {@link TEXTRACT_JSON_BUDGET}: its bytes and
 * nesting before it is parsed, its blocks and pages before its pages are laid out.
 */
function parseTextractJson(bytes: Uint8Array, name: string): TextractResponse[] {
  const budget = TEXTRACT_JSON_BUDGET;
  if (bytes.length > budget.bytes) {
    throw new InputError(
      'TOO_LARGE',
      `${name}: ${megabytes(bytes.length)} of Textract JSON is over the ${megabytes(budget.bytes)} budget for one letter's response (a page is about 0.3 MB)`,
    );
  }
  if (nestsDeeperThan(bytes, budget.depth)) {
    throw new InputError(
      'RESOURCE_LIMIT',
      `${name}: the Textract JSON nests arrays and objects over the budget of ${budget.depth} deep (a Textract response nests 7); it is not a Textract response`,
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(decodeText(bytes));
  } catch (error) {
    throw new InputError('CORRUPT', `${name}: looks like Textract JSON but is not valid JSON`, { cause: error });
  }
  const responses: unknown[] = Array.isArray(parsed) ? parsed : [parsed];
  let blocks = 0;
  let pages = 0;
  for (const response of responses) {
    const { Blocks, DocumentMetadata } = (typeof response === 'object' && response !== null ? response : {}) as {
      Blocks?: unknown;
      DocumentMetadata?: { Pages?: unknown };
    };
    if (typeof DocumentMetadata?.Pages === 'number') pages = Math.max(pages, DocumentMetadata.Pages);
    if (!Array.isArray(Blocks)) continue;
    blocks += Blocks.length;
    if (blocks > budget.blocks) {
      throw new InputError(
        'RESOURCE_LIMIT',
        `${name}: the Textract JSON holds over ${budget.blocks.toLocaleString('en-US')} blocks, the budget for one letter (a page has a few hundred)`,
      );
    }
    for (const block of Blocks as unknown[]) {
      const page = (block as { Page?: unknown } | null)?.Page;
      if (typeof page === 'number') pages = Math.max(pages, page);
    }
  }
  if (pages > budget.pages) throw new InputError('TOO_MANY_PAGES', `${name}: ${pages} pages is over the ${budget.pages}-page limit`);
  // The shape of each response is checked as it is read (blocks.ts); a wrong one is UNREADABLE_RESPONSE.
  return responses as TextractResponse[];
}

/** A Textract response saved as JSON: one response, or the array of `NextToken` pages. */
function readTextractJson(bytes: Uint8Array, name: string): DocumentText {
  const responses = parseTextractJson(bytes, name);
  try {
    const pages = textractPages(responses);
    const { text, context } = ocrReading(pages);
    if (text.trim().length === 0) throw new InputError('EMPTY', `${name}: the Textract response holds no text`);
    return {
      kind: 'textract-json',
      text,
      pageCount: pages.length,
      ocrPages: pages.length,
      ocrConfidence: context.ocrConfidence,
      engine: 'textract',
      pageConfidences: pages.map((page) => page.confidence),
      doubtfulWords: pages.flatMap((page) => page.doubtful),
      warnings: pages
        .filter((page) => page.confidence !== null && page.confidence < LOW_PAGE_CONFIDENCE)
        .map((page) => `page ${page.page} OCR confidence ${Math.round(page.confidence! * 100)}%`),
    };
  } catch (error) {
    if (error instanceof TextractError) {
      const code = error.code === 'JOB_IN_PROGRESS' ? 'TEXTRACT_IN_PROGRESS' : error.code === 'UNREADABLE_RESPONSE' ? 'CORRUPT' : 'TEXTRACT_FAILED';
      throw new InputError(code, `${name}: ${error.message}`, { cause: error });
    }
    throw error;
  }
}
