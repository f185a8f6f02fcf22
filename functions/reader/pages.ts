import { InputError } from './errors.ts';
import { sniffKind } from './sniff.ts';
import { openPdf } from './pdf.ts';
import { MAX_PAGE_PIXELS, squarePixelHeight, tiffResolution } from './images.ts';

/** Resolution pages are shown at: legible on a screen, small to send. */
const VIEW_DPI = 110;

/**
 * Most bytes a page image may have. Lambda answers at most 6 MB, and API Gateway carries a
 * binary body base64-encoded (4 bytes for 3), so 4 MB of PNG is the most that gets through; a
 * 12-megapixel phone photo as PNG was 22.8 MB.
 */
export const PAGE_IMAGE_MAX_BYTES = 4 * 1024 * 1024;

/** Widest a page image is drawn: a letter page at 200 dpi, more than a screen shows. */
const VIEW_MAX_WIDTH = 1700;

/**
 * A page image within {@link PAGE_IMAGE_MAX_BYTES}: drawn at most {@link VIEW_MAX_WIDTH} wide,
 * then made smaller until it fits (grey first, since a letter is black on white).
 */
async function withinLimit(png: Buffer): Promise<Buffer> {
  const { default: sharp } = await import('sharp');
  let image = png;
  let { width = VIEW_MAX_WIDTH } = await sharp(image).metadata();
  if (width > VIEW_MAX_WIDTH) {
    image = await sharp(image).resize({ width: VIEW_MAX_WIDTH }).png().toBuffer();
    width = VIEW_MAX_WIDTH;
  }
  for (let attempt = 0; image.length > PAGE_IMAGE_MAX_BYTES && attempt < 6; attempt++) {
    // Pixels scale with the square of the width: shrink by the square root of the excess, and a little more.
    width = Math.max(200, Math.floor(width * Math.sqrt(PAGE_IMAGE_MAX_BYTES / image.length) * 0.9));
    image = await sharp(png).resize({ width }).greyscale().png({ compressionLevel: 9 }).toBuffer();
  }
  return image;
}

/**
 * One page of a document as a PNG, for a person checking a reading (`n` from 1): a PDF page
 * rendered by PDFium, a TIFF/PNG/JPEG page as it is but with square pixels (a standard-resolution
 * fax, 204 x 98 dpi, stretched to its printed proportions: shown as stored it was half as tall as
 * the page), each within the size a response can carry. A text letter or Textract JSON has no pages.
 */
export async function renderPage(bytes: Uint8Array, n: number, name: string): Promise<Buffer> {
  const kind = sniffKind(bytes);
  if (kind === 'pdf') {
    const pdf = await openPdf(bytes, name, 3000);
    try {
      if (n > pdf.pageCount) throw new InputError('NOT_FOUND', `${name}: the document has ${pdf.pageCount} pages`);
      return await withinLimit(await pdf.render(n - 1, VIEW_DPI));
    } finally {
      pdf.close();
    }
  }
  if (kind === 'tiff' || kind === 'png' || kind === 'jpeg') {
    const { default: sharp } = await import('sharp');
    const pages = (await sharp(bytes).metadata()).pages ?? 1;
    if (n > pages) throw new InputError('NOT_FOUND', `${name}: the document has ${pages} pages`);
    const page = sharp(bytes, { page: n - 1, limitInputPixels: MAX_PAGE_PIXELS }).flatten({ background: '#ffffff' });
    const { width = 0, height = 0 } = await sharp(bytes, { page: n - 1, limitInputPixels: MAX_PAGE_PIXELS }).metadata();
    // Only a TIFF is a fax: a landscape photo (PNG, JPEG) of fax width is not stretched.
    const square = kind === 'tiff' ? squarePixelHeight(width, height, tiffResolution(bytes, n - 1)) : height;
    if (square !== height) page.resize(width, square, { fit: 'fill', kernel: 'lanczos3' });
    return withinLimit(await page.png().toBuffer());
  }
  throw new InputError('NOT_FOUND', `${name}: a ${kind === 'text' ? 'text letter' : 'document of this kind'} has no page images`);
}
