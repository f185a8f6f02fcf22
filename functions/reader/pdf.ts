import { InputError } from './errors.ts';

/** A page of a PDF: its own text layer, or null when it is a scanned image. */
export interface PdfPage {
  readonly index: number;
  readonly text: string | null;
}

/** An opened PDF: page texts read, scanned pages rasterised on demand. */
export interface OpenedPdf {
  readonly pageCount: number;
  readonly pages: PdfPage[];
  /** A grey PNG of the page at `dpi`. */
  render(index: number, dpi: number): Buffer;
}

/** Fewest letters for a page's text layer to count as real text rather than a scanner's stray marks. */
const MIN_TEXT_LAYER_LETTERS = 40;

/** Opens a PDF with mupdf; encrypted, corrupt and over-long documents are refused. */
export async function openPdf(bytes: Uint8Array, name: string, maxPages: number): Promise<OpenedPdf> {
  const mupdf = await import('mupdf');
  // mupdf prints repair notes for damaged files on stderr; the error raised below says it once.
  mupdf.setLog({});
  let doc: import('mupdf').Document;
  try {
    doc = mupdf.Document.openDocument(bytes, 'application/pdf');
  } catch (error) {
    throw new InputError('CORRUPT', `${name}: not a readable PDF (the file is damaged or truncated)`, { cause: error });
  }
  if (doc.needsPassword()) throw new InputError('ENCRYPTED', `${name}: the PDF is password-protected; send it without a password`);
  let pageCount: number;
  try {
    pageCount = doc.countPages();
  } catch (error) {
    throw new InputError('CORRUPT', `${name}: not a readable PDF (its page tree is damaged)`, { cause: error });
  }
  if (pageCount === 0) throw new InputError('CORRUPT', `${name}: the PDF has no pages`);
  if (pageCount > maxPages) throw new InputError('TOO_MANY_PAGES', `${name}: ${pageCount} pages is over the ${maxPages}-page limit`);
  const pages: PdfPage[] = [];
  for (let index = 0; index < pageCount; index++) {
    let text: string;
    try {
      text = doc.loadPage(index).toStructuredText('preserve-whitespace').asText();
    } catch (error) {
      throw new InputError('CORRUPT', `${name}: page ${index + 1} of the PDF cannot be read`, { cause: error });
    }
    const letters = text.replace(/[^A-Za-z]/g, '').length;
    pages.push({ index, text: letters >= MIN_TEXT_LAYER_LETTERS ? text : null });
  }
  return {
    pageCount,
    pages,
    render(index, dpi) {
      const pixmap = doc.loadPage(index).toPixmap(mupdf.Matrix.scale(dpi / 72, dpi / 72), mupdf.ColorSpace.DeviceGray, false, true);
      return Buffer.from(pixmap.asPNG());
    },
  };
}
