import { constants as zlibConstants, inflateSync } from 'node:zlib';
import type { PDFiumDocument, PDFiumLibrary, PDFiumPage } from '@hyzyla/pdfium';
import { pngOf, rasterFrom, type PageRaster } from './raster.ts';
import { InputError } from './errors.ts';
import { MAX_PAGE_PIXELS } from './images.ts';
import { LAYOUT_LIMITS, lineInFractions, pageLines, type LayoutLine } from '../domain/index.ts';

/** A page of a PDF: its own text layer, or null when it is a scanned image. */
export interface PdfPage {
  readonly index: number;
  readonly text: string | null;
  /** False for a page of a PDF cut short whose objects did not arrive whole. */
  readonly arrived: boolean;
  /** Where its text layer's lines lie on the page (fractions of the page as rendered); absent for a scanned page or a turned one. */
  readonly lines?: readonly LayoutLine[];
}

/** An opened PDF: page texts read, scanned pages rasterised on demand. Close it when done. */
export interface OpenedPdf {
  readonly pageCount: number;
  /** The file lacks its closing `%%EOF`: it was cut short, and PDFium read what it could. */
  readonly truncated: boolean;
  readonly pages: PdfPage[];
  /** The page at `dpi` as a grey raster. */
  raster(index: number, dpi: number): Promise<PageRaster>;
  /** A grey PNG of the page at `dpi`. */
  render(index: number, dpi: number): Promise<Buffer>;
  /** Frees the document's memory inside the PDF engine. */
  close(): void;
}

/** What reading one PDF may cost; see {@link PDF_BUDGET}. */
export interface PdfBudget {
  /** Characters of text layer in all pages together. */
  readonly textChars: number;
  /** Inflated bytes of any one Flate-compressed stream that is not an image. */
  readonly streamBytes: number;
  /** Inflated bytes of all those streams together. */
  readonly inflatedBytes: number;
}

/**
 * Budgets for reading one PDF, each checked before the step it protects. PDFium runs in a
 * WebAssembly heap of at most 2 GB: a 1 MB file whose content stream inflates to 1 GiB
 * exhausts it (4 s, then an abort), and a text page costs the engine about 110 bytes per
 * character while it is read.
 */
export const PDF_BUDGET: PdfBudget = {
  // A letter's text layer is tens of kilobytes, 3,000 pages of dense records about 10 MB. PDFium
  // extracts about 2.5 million characters a second, so the budget also bounds the time (~8 s).
  textChars: 20 * 1024 * 1024,
  // A page's content stream is kilobytes, the largest embedded font (a whole CJK font) about
  // 20 MB. A 32 MB page of text would take the engine 3.5 GB to read, so past this it is a bomb.
  streamBytes: 32 * 1024 * 1024,
  // 3,000 pages of text inflate to well under 100 MB; past 256 MB PDFium would parse for tens of
  // seconds, and the check itself (zlib at ~0.5 GB/s) stays under a second.
  inflatedBytes: 256 * 1024 * 1024,
};

/** Fewest letters for a page's text layer to count as real text rather than a scanner's stray marks. */
const MIN_TEXT_LAYER_LETTERS = 40;

/**
 * PDFium (BSD-3-Clause, as WebAssembly through @hyzyla/pdfium, MIT) replaced mupdf, whose
 * AGPL would bind every firm deploying the service. Loaded once per process, on first use,
 * so that text-only work never pays for the 4 MB module; loaded again after an abort.
 */
let library: Promise<PDFiumLibrary> | undefined;

/**
 * Engines that aborted. An abort (the 2 GB heap exhausted, or a trap) unwinds the engine
 * mid-call: what it had allocated is never freed and its state is unknown. An engine kept in
 * service read every later PDF as corrupt until the process restarted (issue 17); here a
 * third bomb found its heap already full. Nothing more is asked of an engine in this set.
 */
const abortedEngines = new WeakSet<PDFiumLibrary>();

let enginesStarted = 0;

/** How many PDF engines this process has started: one, and one more after each abort. */
export function pdfEnginesStarted(): number {
  return enginesStarted;
}

async function pdfium(): Promise<PDFiumLibrary> {
  if (!library) {
    enginesStarted++;
    const loading = import('@hyzyla/pdfium').then(({ PDFiumLibrary }) => withoutGlobalHooks(() => PDFiumLibrary.init()));
    library = loading;
    // A failed start is not kept: the next document tries again.
    loading.catch(() => {
      if (library === loading) library = undefined;
    });
  }
  const pending = library;
  const engine = await pending;
  if (!abortedEngines.has(engine)) return engine;
  if (library === pending) library = undefined;
  return pdfium();
}

/**
 * Starts an engine and removes the getters its Emscripten glue defines on `globalThis` (165,
 * each warning that a symbol was left out of the build). They close over the instance
 * that defined them, so the first engine of a process could never be freed: after an abort,
 * its heap of up to 2 GB stayed for the life of the process. Only getter-only properties that
 * appeared during the start are removed.
 */
async function withoutGlobalHooks(start: () => Promise<PDFiumLibrary>): Promise<PDFiumLibrary> {
  const before = new Set(Object.getOwnPropertyNames(globalThis));
  const engine = await start();
  for (const name of Object.getOwnPropertyNames(globalThis)) {
    if (before.has(name)) continue;
    const property = Object.getOwnPropertyDescriptor(globalThis, name);
    if (property?.configurable && property.get && !property.set) Reflect.deleteProperty(globalThis, name);
  }
  return engine;
}

/** An error that leaves the engine unusable: a WebAssembly trap, or Emscripten's `abort()`. */
function isEngineAbort(error: unknown): boolean {
  return error instanceof WebAssembly.RuntimeError || (error instanceof Error && error.message.startsWith('Aborted('));
}

/**
 * Retires an engine that aborted, so that the next document starts a fresh instance and this
 * one's heap (up to 2 GB) is freed as soon as no open document holds it, and says what
 * happened to the document being read.
 */
function engineAborted(engine: PDFiumLibrary, name: string, error: unknown): InputError {
  abortedEngines.add(engine);
  const pending = library;
  void pending?.then(
    (current) => {
      if (current === engine && library === pending) library = undefined;
    },
    () => undefined,
  );
  // Emscripten aborts when the heap cannot grow; a trap (a fault inside the engine) says less.
  const message =
    error instanceof Error && error.message.startsWith('Aborted(')
      ? `${name}: the PDF needs more memory than a letter may use to read (the PDF engine stopped at its 2 GB limit); print it to a new PDF and send that`
      : `${name}: the PDF engine failed reading this PDF (a fault inside the engine); print it to a new PDF and send that`;
  return new InputError('RESOURCE_LIMIT', message, { cause: error });
}

/**
 * @hyzyla/pdfium opens a page on every `getPage()` and closes it only at the end of
 * `render()`. A page left open keeps its parsed content in the engine's heap even after its
 * document is destroyed: reading 3,000 pages of text leaked 230 MB each time, until the heap
 * ran out. Its handle is reached here until the library closes pages itself.
 */
function closePage(page: PDFiumPage): void {
  const { module, pageIdx } = page as unknown as { module?: { _FPDF_ClosePage?: (page: number) => void }; pageIdx?: number };
  if (typeof module?._FPDF_ClosePage === 'function' && typeof pageIdx === 'number' && pageIdx !== 0) module._FPDF_ClosePage(pageIdx);
}

/** The parts of PDFium's text API (as WebAssembly exports) that place a text layer's lines. */
interface PdfiumTextApi {
  _FPDFText_LoadPage(page: number): number;
  _FPDFText_ClosePage(textPage: number): void;
  _FPDFText_CountChars(textPage: number): number;
  _FPDFText_GetText(textPage: number, start: number, count: number, buffer: number): number;
  _FPDFText_CountRects(textPage: number, start: number, count: number): number;
  _FPDFText_GetRect(textPage: number, index: number, left: number, top: number, right: number, bottom: number): number;
  _FPDFPage_GetRotation(page: number): number;
  _FPDF_GetPageBoundingBox(page: number, rect: number): number;
  wasmExports: { malloc(bytes: number): number; free(pointer: number): void };
  HEAPU8: Uint8Array;
}

/**
 * A page's text, as PDFium's `getText` gives it, and (when `linesWanted` says so of the text)
 * where its lines lie: both from one text page, loaded once. Loading a text page is most of the
 * cost of reading a text layer; loaded once for the text and again for the lines, it was 15% of
 * reading the real published decisions. Where the engine does not offer the calls, the text is
 * read by `getText` and no lines are placed.
 */
function pageTextAndLines(page: PDFiumPage, linesWanted: (text: string) => boolean): { text: string; lines: LayoutLine[] | null } {
  const { module: api, pageIdx } = page as unknown as { module?: Partial<PdfiumTextApi>; pageIdx?: number };
  const needed = [
    '_FPDFText_LoadPage',
    '_FPDFText_ClosePage',
    '_FPDFText_CountChars',
    '_FPDFText_GetText',
    '_FPDFText_CountRects',
    '_FPDFText_GetRect',
    '_FPDFPage_GetRotation',
    '_FPDF_GetPageBoundingBox',
  ] as const;
  if (!api || typeof pageIdx !== 'number' || !api.wasmExports || !api.HEAPU8 || !needed.every((name) => typeof api[name] === 'function'))
    return { text: page.getText(), lines: null };
  const pdfium = api as PdfiumTextApi;
  const textPage = pdfium._FPDFText_LoadPage(pageIdx);
  // As getText says it (a page whose text cannot be loaded is damage: the caller reports it).
  if (!textPage) throw new Error('Failed to load text page');
  try {
    const text = textOf(pdfium, textPage);
    return { text, lines: linesWanted(text) ? textLayerLines(pdfium, pageIdx, textPage, text) : null };
  } finally {
    pdfium._FPDFText_ClosePage(textPage);
  }
}

/** The text page's characters as a string, as PDFium's `getText` reads them (UTF-16LE, its terminating zero left out). */
function textOf(pdfium: PdfiumTextApi, textPage: number): string {
  const count = pdfium._FPDFText_CountChars(textPage);
  if (count <= 0) return '';
  const pointer = pdfium.wasmExports.malloc((count + 1) * 2);
  try {
    const length = pdfium._FPDFText_GetText(textPage, 0, count, pointer);
    if (length <= 0) return '';
    return new TextDecoder('utf-16le').decode(new Uint8Array(pdfium.HEAPU8.buffer, pointer, (length - 1) * 2));
  } finally {
    pdfium.wasmExports.free(pointer);
  }
}

/**
 * Where the lines of a page's text layer lie on it, as fractions of the page as rendered: each
 * line of `text` (the page's text as PDFium gives it, lines parted by line breaks; its character
 * i is the text page's character i) with the box around the rectangles PDFium places its
 * characters in. Linear in the page's characters. Null for a page turned by its /Rotate (its
 * rectangles are in the unturned page's space); the page's text is read as before either way.
 */
function textLayerLines(pdfium: PdfiumTextApi, pageIdx: number, textPage: number, text: string): LayoutLine[] | null {
  if (pdfium._FPDFPage_GetRotation(pageIdx) !== 0) return null;
  const scratch = pdfium.wasmExports.malloc(64);
  try {
    if (!scratch) return null;
    // The page's box as it is rendered (its crop box), in the page's own space: y runs up from its foot.
    if (!pdfium._FPDF_GetPageBoundingBox(pageIdx, scratch)) return null;
    const floats = new Float32Array(pdfium.HEAPU8.buffer, scratch, 4);
    const [boxLeft, boxTop, boxRight, boxBottom] = [floats[0]!, floats[1]!, floats[2]!, floats[3]!];
    const [width, height] = [boxRight - boxLeft, boxTop - boxBottom];
    // Characters past the text page's own count (a text that is not the page's) are never asked for.
    const count = pdfium._FPDFText_CountChars(textPage);
    if (!(width > 0 && height > 0) || count <= 0) return null;
    const lines: Array<LayoutLine | null> = [];
    let start = 0;
    for (const line of text.split('\n')) {
      const from = start;
      start += line.length + 1;
      if (!line.trim() || from >= count || lines.length >= LAYOUT_LIMITS.linesPerPage) continue;
      const rects = pdfium._FPDFText_CountRects(textPage, from, Math.min(line.length, count - from));
      let [left, top, right, bottom] = [Infinity, -Infinity, -Infinity, Infinity];
      for (let index = 0; index < rects; index++) {
        if (!pdfium._FPDFText_GetRect(textPage, index, scratch, scratch + 8, scratch + 16, scratch + 24)) continue;
        const edges = new Float64Array(pdfium.HEAPU8.buffer, scratch, 4);
        [left, top, right, bottom] = [Math.min(left, edges[0]!), Math.max(top, edges[1]!), Math.max(right, edges[2]!), Math.min(bottom, edges[3]!)];
      }
      if (left < right && bottom < top)
        lines.push(lineInFractions(line, [(left - boxLeft) / width, (boxTop - top) / height, (right - boxLeft) / width, (boxTop - bottom) / height]));
    }
    return pageLines(lines);
  } finally {
    pdfium.wasmExports.free(scratch);
  }
}

/** Runs `read` on page `index` and closes the page (see {@link closePage}). */
function withPage<T>(doc: PDFiumDocument, index: number, read: (page: PDFiumPage) => T): T {
  const page = doc.getPage(index);
  let result: T;
  try {
    result = read(page);
  } catch (error) {
    // An aborted engine is asked nothing more, not even to close the page.
    if (!isEngineAbort(error)) closePage(page);
    throw error;
  }
  closePage(page);
  return result;
}

/**
 * A PDF cut short in transfer has lost its cross-reference table and trailer, so PDFium
 * cannot find where the document starts. Given a trailer naming its catalog, PDFium rebuilds
 * the table by scanning the objects that did arrive, and the pages they hold can be read.
 * Null when the catalog itself did not arrive.
 */
function withTrailer(bytes: Uint8Array): Uint8Array | null {
  // Only the object headers are searched: `N 0 obj << /Type /Catalog`, within the first megabytes where writers put it.
  const head = Buffer.from(bytes.subarray(0, Math.min(bytes.length, 4 * 1024 * 1024))).toString('latin1');
  const catalog = /(\d{1,7})\s+0\s+obj\s*<<\s*\/Type\s*\/Catalog\b/.exec(head);
  if (!catalog) return null;
  return Buffer.concat([Buffer.from(bytes), Buffer.from(`\nendstream\nendobj\ntrailer\n<< /Root ${catalog[1]} 0 R >>\n%%EOF\n`, 'latin1')]);
}

/** Whether two bytes open a zlib stream (RFC 1950): deflate, a window of at most 32 KB, and the header check. */
function isZlibHeader(cmf: number | undefined, flg: number | undefined): boolean {
  return cmf !== undefined && flg !== undefined && (cmf & 0x0f) === 8 && cmf >> 4 <= 7 && ((cmf << 8) | flg) % 31 === 0;
}

/** How far back from a `stream` keyword its dictionary is looked for. */
const STREAM_DICTIONARY_LOOKBACK = 2048;

function megabytes(bytes: number): string {
  return `${Math.round(bytes / 1048576)} MB`;
}

/**
 * Refuses, before PDFium sees it, a PDF whose Flate streams inflate past the budget: the
 * engine inflates a content stream whole into its heap, and a 1 MB stream of zeros is 1 GiB
 * inflated. Each stream is inflated here with zlib up to what is left of the budget and
 * thrown away, so the check costs at most the budget in time and one stream's worth of
 * memory. Images are left out: PDFium decodes them a row at a time, only as far as their
 * declared size, and only when a scanned page is rendered. Streams this cannot read
 * (encrypted, damaged, other filters) are left to PDFium, whose aborts are caught.
 */
function checkStreams(bytes: Uint8Array, name: string, budget: PdfBudget): void {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let inflated = 0;
  let at = 0;
  for (;;) {
    const keyword = buffer.indexOf('stream', at, 'latin1');
    if (keyword < 0) return;
    at = keyword + 6;
    if (keyword >= 3 && buffer.toString('latin1', keyword - 3, keyword) === 'end') continue;
    // The keyword is followed by CRLF or LF, then the data (PDF 32000-1, 7.3.8.1).
    let start = at;
    if (buffer[start] === 0x0d) start++;
    if (buffer[start] !== 0x0a) continue;
    start++;
    if (!isZlibHeader(buffer[start], buffer[start + 1])) continue;
    const dictionary = buffer.toString('latin1', Math.max(0, keyword - STREAM_DICTIONARY_LOOKBACK), keyword);
    if (/\/Subtype\s*\/Image\b/.test(dictionary.slice(dictionary.lastIndexOf('obj')))) continue;
    // The data runs to `endstream`; zlib stops at the stream's own end and ignores what follows.
    const end = buffer.indexOf('endstream', start, 'latin1');
    const data = buffer.subarray(start, end < 0 ? buffer.length : end);
    const room = Math.min(budget.streamBytes, budget.inflatedBytes - inflated);
    try {
      // A stream cut short is inflated as far as it goes, as PDFium would.
      inflated += inflateSync(data, { maxOutputLength: Math.max(1, room), finishFlush: zlibConstants.Z_SYNC_FLUSH }).length;
    } catch (error) {
      if ((error as { code?: string }).code !== 'ERR_BUFFER_TOO_LARGE') continue;
      const over =
        room === budget.streamBytes
          ? `a stream in it inflates to over ${megabytes(budget.streamBytes)}`
          : `its streams inflate to over ${megabytes(budget.inflatedBytes)} in all`;
      throw new InputError(
        'RESOURCE_LIMIT',
        `${name}: the PDF needs more memory than a letter may use to read (${over}); print it to a new PDF and send that`,
        { cause: error },
      );
    }
    if (end >= 0) at = end + 9;
  }
}

/**
 * Opens a PDF with PDFium; encrypted, corrupt and over-long documents are refused, and so is
 * a document over the {@link PDF_BUDGET}: its streams checked before the engine sees them,
 * its text as it is read. An engine that aborts on a document is replaced for the next one.
 */
export async function openPdf(bytes: Uint8Array, name: string, maxPages: number, budget: PdfBudget = PDF_BUDGET): Promise<OpenedPdf> {
  checkStreams(bytes, name, budget);
  // A complete PDF ends with %%EOF within its last kilobyte (PDF 32000-1, 7.5.5).
  const truncated = !Buffer.from(bytes.subarray(Math.max(0, bytes.length - 1024))).includes('%%EOF');
  let engine = await pdfium();
  // PDFium copies the bytes into its own memory; a copy here keeps a caller's buffer intact. The
  // bytes the engine read are kept, to open the document again should the engine be replaced.
  let source: Uint8Array = new Uint8Array(bytes);
  let doc: PDFiumDocument;
  try {
    doc = await engine.loadDocument(source).catch((error: unknown) => {
      const repaired = truncated && !isEngineAbort(error) ? withTrailer(bytes) : null;
      if (!repaired) throw error;
      source = repaired;
      return engine.loadDocument(repaired);
    });
  } catch (error) {
    throw loadError(engine, name, error);
  }
  /** Opens the document again in a fresh engine, once another document's abort retired this one. */
  const reopen = async (): Promise<PDFiumDocument> => {
    const fresh = await pdfium();
    try {
      doc = await fresh.loadDocument(new Uint8Array(source));
    } catch (error) {
      throw loadError(fresh, name, error);
    }
    engine = fresh;
    return doc;
  };
  // Pages are rendered several at a time: they share one reopening.
  let reopening: Promise<PDFiumDocument> | undefined;
  const current = (): Promise<PDFiumDocument> => {
    if (!abortedEngines.has(engine)) return Promise.resolve(doc);
    reopening ??= reopen().finally(() => {
      reopening = undefined;
    });
    return reopening;
  };
  const destroy = () => {
    if (!abortedEngines.has(engine)) doc.destroy();
  };
  try {
    const pageCount = doc.getPageCount();
    if (pageCount === 0) throw new InputError('CORRUPT', `${name}: the PDF has no pages`);
    if (pageCount > maxPages) throw new InputError('TOO_MANY_PAGES', `${name}: ${pageCount} pages is over the ${maxPages}-page limit`);
    const pages: PdfPage[] = [];
    let characters = 0;
    for (let index = 0; index < pageCount; index++) {
      let text: string;
      let lines: LayoutLine[] | null = null;
      try {
        text = withPage(doc, index, (page) => {
          // Lines are placed only where there is text enough to be a letter's page (the same bar as below).
          const read = pageTextAndLines(page, (found) => index < LAYOUT_LIMITS.pages && found.replace(/[^A-Z]/gi, '').length >= MIN_TEXT_LAYER_LETTERS);
          lines = read.lines;
          return read.text;
        });
      } catch (error) {
        if (isEngineAbort(error)) throw engineAborted(engine, name, error);
        // In a file cut short, the pages after the cut are simply missing; elsewhere a page that fails is damage.
        if (truncated) {
          pages.push({ index, text: null, arrived: false });
          continue;
        }
        throw new InputError('CORRUPT', `${name}: page ${index + 1} of the PDF cannot be read`, { cause: error });
      }
      characters += text.length;
      if (characters > budget.textChars) {
        throw new InputError(
          'TOO_LARGE',
          `${name}: the PDF's text passes the ${megabytes(budget.textChars)} budget for one letter at page ${index + 1} of ${pageCount}; split the document`,
        );
      }
      const letters = text.replace(/[^A-Z]/gi, '').length;
      const placed = lines as LayoutLine[] | null;
      pages.push({ index, text: letters >= MIN_TEXT_LAYER_LETTERS ? text : null, arrived: true, ...(placed && placed.length > 0 ? { lines: placed } : {}) });
    }
    const raster = async (index: number, dpi: number): Promise<PageRaster> => {
      const opened = await current();
      let size: { originalWidth: number; originalHeight: number };
      try {
        size = withPage(opened, index, (page) => page.getOriginalSize());
      } catch (error) {
        if (isEngineAbort(error)) throw engineAborted(engine, name, error);
        throw new InputError('CORRUPT', `${name}: page ${index + 1} of the PDF cannot be read`, { cause: error });
      }
      const { originalWidth, originalHeight } = size;
      // Points are 1/72 inch: a page's pixels at `dpi` are known before anything is rendered.
      const pixels = ((originalWidth * dpi) / 72) * ((originalHeight * dpi) / 72);
      if (pixels > MAX_PAGE_PIXELS) {
        throw new InputError(
          'PAGE_TOO_LARGE',
          `${name}: page ${index + 1} is ${(originalWidth / 72).toFixed(0)}x${(originalHeight / 72).toFixed(0)} inches, over the ${MAX_PAGE_PIXELS / 1e6}-megapixel limit at ${dpi} dpi for one page`,
        );
      }
      let bitmap: { width: number; height: number; data: Uint8Array };
      try {
        // render() closes the page itself.
        bitmap = await opened.getPage(index).render({ scale: dpi / 72, render: 'bitmap', colorSpace: 'Gray' });
      } catch (error) {
        if (isEngineAbort(error)) throw engineAborted(engine, name, error);
        throw new InputError('CORRUPT', `${name}: page ${index + 1} of the PDF cannot be rendered`, { cause: error });
      }
      const channels = bitmap.data.length / (bitmap.width * bitmap.height);
      // The resolution travels with the page: Tesseract guesses wrongly without it.
      if (channels === 1) return { data: bitmap.data, width: bitmap.width, height: bitmap.height, dpi };
      const { default: sharp } = await import('sharp');
      return rasterFrom(
        sharp(bitmap.data, { raw: { width: bitmap.width, height: bitmap.height, channels: channels as 2 | 3 | 4 } })
          .flatten({ background: '#ffffff' })
          .greyscale(),
        dpi,
      );
    };
    return {
      pageCount,
      truncated,
      pages,
      raster,
      render: async (index, dpi) => pngOf(await raster(index, dpi)),
      close() {
        destroy();
      },
    };
  } catch (error) {
    // An abort retires the engine first, so that nothing more is asked of it.
    const refusal = isEngineAbort(error) ? engineAborted(engine, name, error) : error;
    destroy();
    throw refusal;
  }
}

/** What a failure to open a document means to the person who sent it. */
function loadError(engine: PDFiumLibrary, name: string, error: unknown): InputError {
  if (isEngineAbort(error)) return engineAborted(engine, name, error);
  const message = error instanceof Error ? error.message : '';
  if (/password/i.test(message)) return new InputError('ENCRYPTED', `${name}: the PDF is password-protected; send it without a password`, { cause: error });
  if (/security/i.test(message))
    return new InputError('ENCRYPTED', `${name}: the PDF uses an unsupported encryption scheme; send it without a password`, { cause: error });
  return new InputError('CORRUPT', `${name}: not a readable PDF (the file is damaged or truncated)`, { cause: error });
}
