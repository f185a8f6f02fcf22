import { InputError } from './errors.ts';
import { sniffKind } from './sniff.ts';
import { openPdf } from './pdf.ts';
import { MAX_PAGE_PIXELS } from './images.ts';

/** Resolution pages are shown at: legible on a screen, small to send. */
const VIEW_DPI = 110;

/**
 * One page of a document as a PNG, for a person checking a reading (`n` from 1): a PDF page
 * rendered by PDFium, a TIFF/PNG/JPEG page as it is. A text letter or Textract JSON has no pages.
 */
export async function renderPage(bytes: Uint8Array, n: number, name: string): Promise<Buffer> {
  const kind = sniffKind(bytes);
  if (kind === 'pdf') {
    const pdf = await openPdf(bytes, name, 3000);
    try {
      if (n > pdf.pageCount) throw new InputError('NOT_FOUND', `${name}: the document has ${pdf.pageCount} pages`);
      return await pdf.render(n - 1, VIEW_DPI);
    } finally {
      pdf.close();
    }
  }
  if (kind === 'tiff' || kind === 'png' || kind === 'jpeg') {
    const { default: sharp } = await import('sharp');
    const pages = (await sharp(bytes).metadata()).pages ?? 1;
    if (n > pages) throw new InputError('NOT_FOUND', `${name}: the document has ${pages} pages`);
    return sharp(bytes, { page: n - 1, limitInputPixels: MAX_PAGE_PIXELS }).flatten({ background: '#ffffff' }).png().toBuffer();
  }
  throw new InputError('NOT_FOUND', `${name}: a ${kind === 'text' ? 'text letter' : 'document of this kind'} has no page images`);
}
