import type { PDFiumDocument, PDFiumLibrary } from '@hyzyla/pdfium';
import { InputError } from './errors.ts';
import { MAX_PAGE_PIXELS } from './images.ts';

/** A page of a PDF: its own text layer, or null when it is a scanned image. */
export interface PdfPage {
  readonly index: number;
  readonly text: string | null;
  /** False for a page of a PDF cut short whose objects did not arrive whole. */
  readonly arrived: boolean;
}

/** An opened PDF: page texts read, scanned pages rasterised on demand. Close it when done. */
export interface OpenedPdf {
  readonly pageCount: number;
  /** The file lacks its closing `%%EOF`: it was cut short, and PDFium read what it could. */
  readonly truncated: boolean;
  readonly pages: PdfPage[];
  /** A grey PNG of the page at `dpi`. */
  render(index: number, dpi: number): Promise<Buffer>;
  /** Frees the document's memory inside the PDF engine. */
  close(): void;
}

/** Fewest letters for a page's text layer to count as real text rather than a scanner's stray marks. */
const MIN_TEXT_LAYER_LETTERS = 40;

/**
 * PDFium (BSD-3-Clause, as WebAssembly through @hyzyla/pdfium, MIT) replaced mupdf, whose
 * AGPL would bind every firm deploying the service. Loaded once per process, on first use,
 * so that text-only work never pays for the 4 MB module.
 */
let library: Promise<PDFiumLibrary> | undefined;
function pdfium(): Promise<PDFiumLibrary> {
  library ??= import('@hyzyla/pdfium').then(({ PDFiumLibrary }) => PDFiumLibrary.init());
  return library;
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

/** Opens a PDF with PDFium; encrypted, corrupt and over-long documents are refused. */
export async function openPdf(bytes: Uint8Array, name: string, maxPages: number): Promise<OpenedPdf> {
  const engine = await pdfium();
  // A complete PDF ends with %%EOF within its last kilobyte (PDF 32000-1, 7.5.5).
  const truncated = !Buffer.from(bytes.subarray(Math.max(0, bytes.length - 1024))).includes('%%EOF');
  let doc: PDFiumDocument;
  try {
    // PDFium copies the bytes into its own memory; a copy here keeps a caller's buffer intact.
    doc = await engine.loadDocument(new Uint8Array(bytes)).catch((error: unknown) => {
      const repaired = truncated ? withTrailer(bytes) : null;
      if (!repaired) throw error;
      return engine.loadDocument(repaired);
    });
  } catch (error) {
    const message = error instanceof Error ? error.message : '';
    if (/password/i.test(message)) throw new InputError('ENCRYPTED', `${name}: the PDF is password-protected; send it without a password`, { cause: error });
    if (/security/i.test(message)) throw new InputError('ENCRYPTED', `${name}: the PDF uses an unsupported encryption scheme; send it without a password`, { cause: error });
    throw new InputError('CORRUPT', `${name}: not a readable PDF (the file is damaged or truncated)`, { cause: error });
  }
  try {
    const pageCount = doc.getPageCount();
    if (pageCount === 0) throw new InputError('CORRUPT', `${name}: the PDF has no pages`);
    if (pageCount > maxPages) throw new InputError('TOO_MANY_PAGES', `${name}: ${pageCount} pages is over the ${maxPages}-page limit`);
    const pages: PdfPage[] = [];
    for (let index = 0; index < pageCount; index++) {
      let text: string;
      try {
        text = doc.getPage(index).getText();
      } catch (error) {
        // In a file cut short, the pages after the cut are simply missing; elsewhere a page that fails is damage.
        if (truncated) {
          pages.push({ index, text: null, arrived: false });
          continue;
        }
        throw new InputError('CORRUPT', `${name}: page ${index + 1} of the PDF cannot be read`, { cause: error });
      }
      const letters = text.replace(/[^A-Z]/gi, '').length;
      pages.push({ index, text: letters >= MIN_TEXT_LAYER_LETTERS ? text : null, arrived: true });
    }
    return {
      pageCount,
      truncated,
      pages,
      async render(index, dpi) {
        const { default: sharp } = await import('sharp');
        const { originalWidth, originalHeight } = doc.getPage(index).getOriginalSize();
        // Points are 1/72 inch: a page's pixels at `dpi` are known before anything is rendered.
        const pixels = ((originalWidth * dpi) / 72) * ((originalHeight * dpi) / 72);
        if (pixels > MAX_PAGE_PIXELS) {
          throw new InputError('PAGE_TOO_LARGE', `${name}: page ${index + 1} is ${(originalWidth / 72).toFixed(0)}x${(originalHeight / 72).toFixed(0)} inches, over the ${MAX_PAGE_PIXELS / 1e6}-megapixel limit at ${dpi} dpi for one page`);
        }
        let bitmap: { width: number; height: number; data: Uint8Array };
        try {
          bitmap = await doc.getPage(index).render({ scale: dpi / 72, render: 'bitmap', colorSpace: 'Gray' });
        } catch (error) {
          throw new InputError('CORRUPT', `${name}: page ${index + 1} of the PDF cannot be rendered`, { cause: error });
        }
        const channels = bitmap.data.length / (bitmap.width * bitmap.height);
        return sharp(bitmap.data, { raw: { width: bitmap.width, height: bitmap.height, channels: channels as 1 | 2 | 3 | 4 } })
          .flatten({ background: '#ffffff' })
          .greyscale()
          // The resolution travels with the page: Tesseract guesses wrongly without it.
          .withMetadata({ density: dpi })
          .png()
          .toBuffer();
      },
      close() {
        doc.destroy();
      },
    };
  } catch (error) {
    doc.destroy();
    throw error;
  }
}
