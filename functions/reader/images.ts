import { InputError } from './errors.ts';
import { pipelineOf, pngOf, rasterFrom, stretchContrast, type PageRaster } from './raster.ts';
import { isTiff } from '../common/tiff.ts';

/** Smallest page image width worth reading: below this, letters are a few pixels high. */
export const MIN_IMAGE_WIDTH = 600;
/** Smallest page image height worth reading. */
export const MIN_IMAGE_HEIGHT = 400;

/**
 * Most pixels one page may have: a 17x22-inch sheet at 300 dpi is 34 million. Checked from the
 * header before anything is decoded: a 16000x16000 blank PNG is 51 KB on disk and 2 GB decoded.
 */
export const MAX_PAGE_PIXELS = 40_000_000;

/** Pixel width below which a page is upscaled before OCR (Tesseract reads 10-12 pt text best at about 300 dpi). */
const UPSCALE_BELOW_WIDTH = 1600;

/** An image document's pages, each readable as a grey raster (or a PNG) cleaned for OCR. */
export interface OpenedImages {
  readonly pageCount: number;
  /** Page `index` cleaned for OCR, as a grey raster. */
  raster(index: number): Promise<PageRaster>;
  /** Page `index` cleaned for OCR, as a PNG. */
  render(index: number): Promise<Buffer>;
}

/**
 * Opens a TIFF (multi-page, Group 3/4 fax included), PNG or JPEG with sharp. Pages too small
 * to read, pages over the pixel limit, too many pages and files sharp cannot decode are
 * refused with a clear error, all from the headers before any page is decoded.
 */
export async function openImages(bytes: Uint8Array, name: string, maxPages: number): Promise<OpenedImages> {
  if (isTiff(bytes)) checkTiffPages(bytes, name, maxPages);
  const { default: sharp } = await import('sharp');
  let metadata: import('sharp').Metadata;
  try {
    // Only the header is read; sharp's own pixel limit is lifted here so that an oversized page
    // is reported with its size below, rather than as an image that cannot be decoded.
    metadata = await sharp(bytes, { limitInputPixels: false }).metadata();
  } catch (error) {
    throw new InputError('CORRUPT', `${name}: the image cannot be decoded (damaged or truncated)`, { cause: error });
  }
  const pageCount = metadata.pages ?? 1;
  if (pageCount > maxPages) throw new InputError('TOO_MANY_PAGES', `${name}: ${pageCount} pages is over the ${maxPages}-page limit`);
  const width = metadata.width ?? 0;
  const height = metadata.pageHeight ?? metadata.height ?? 0;
  if (width * height > MAX_PAGE_PIXELS) {
    throw new InputError(
      'PAGE_TOO_LARGE',
      `${name}: a page of ${width}x${height} pixels is over the ${MAX_PAGE_PIXELS / 1e6}-megapixel limit for one page; scan letter-size pages at 300 dpi or less`,
    );
  }
  if (width < MIN_IMAGE_WIDTH || height < MIN_IMAGE_HEIGHT) {
    throw new InputError(
      'IMAGE_TOO_SMALL',
      `${name}: ${width}x${height} pixels is too small to read; scan at 200 dpi or more (at least ${MIN_IMAGE_WIDTH}x${MIN_IMAGE_HEIGHT})`,
    );
  }
  const raster = async (index: number): Promise<PageRaster> => {
    try {
      return await cleanPage(sharp, bytes, index);
    } catch (error) {
      if (/pixel limit/i.test((error as Error).message))
        throw new InputError('PAGE_TOO_LARGE', `${name}: page ${index + 1} is over the ${MAX_PAGE_PIXELS / 1e6}-megapixel limit for one page`, {
          cause: error,
        });
      throw new InputError('CORRUPT', `${name}: page ${index + 1} cannot be decoded`, { cause: error });
    }
  };
  return { pageCount, raster, render: async (index) => pngOf(await raster(index)) };
}

/** TIFF tags read from each page's directory: its width and height in pixels. */
const TIFF_IMAGE_WIDTH = 256;
const TIFF_IMAGE_LENGTH = 257;
/** TIFF field type SHORT (16 bits); the size tags are SHORT or LONG. */
const TIFF_SHORT = 3;

/**
 * Walks a classic TIFF's chain of pages (its image file directories, TIFF 6.0 section 2)
 * without decoding any, before sharp sees the file. libvips counts every page of a file to
 * open it (10,000 pages took 0.1 s, and a 500 MB file can hold millions) and checks only the
 * first page's size; here the walk stops at one page over `maxPages`, a chain that loops back
 * on itself is refused, and so is any page over {@link MAX_PAGE_PIXELS}.
 */
function checkTiffPages(bytes: Uint8Array, name: string, maxPages: number): void {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const little = bytes[0] === 0x49;
  const fits = (at: number, length: number) => at >= 0 && at + length <= bytes.length;
  if (!fits(4, 4)) throw new InputError('CORRUPT', `${name}: the TIFF is cut short before its first page`);
  const seen = new Set<number>();
  let offset = view.getUint32(4, little);
  let page = 0;
  // A link past the end of the file ends the chain, as libtiff treats it: the pages before it are read.
  while (offset !== 0 && fits(offset, 2)) {
    if (seen.has(offset))
      throw new InputError('CORRUPT', `${name}: the TIFF's pages link back to an earlier page (a loop); the file is damaged or built to hang a reader`);
    seen.add(offset);
    page++;
    if (page > maxPages) throw new InputError('TOO_MANY_PAGES', `${name}: more than ${maxPages} pages is over the ${maxPages}-page limit`);
    const entries = view.getUint16(offset, little);
    let width = 0;
    let height = 0;
    for (let entry = 0; entry < entries && fits(offset + 2 + entry * 12, 12); entry++) {
      const at = offset + 2 + entry * 12;
      const tag = view.getUint16(at, little);
      if (tag !== TIFF_IMAGE_WIDTH && tag !== TIFF_IMAGE_LENGTH) continue;
      const value = view.getUint16(at + 2, little) === TIFF_SHORT ? view.getUint16(at + 8, little) : view.getUint32(at + 8, little);
      if (tag === TIFF_IMAGE_WIDTH) width = value;
      else height = value;
    }
    if (width * height > MAX_PAGE_PIXELS) {
      throw new InputError(
        'PAGE_TOO_LARGE',
        `${name}: page ${page} is ${width}x${height} pixels, over the ${MAX_PAGE_PIXELS / 1e6}-megapixel limit for one page; scan letter-size pages at 300 dpi or less`,
      );
    }
    const next = offset + 2 + entries * 12;
    offset = fits(next, 4) ? view.getUint32(next, little) : 0;
  }
}

/** TIFF tags of a page's resolution (RATIONAL: two LONGs, numerator and denominator, at an offset). */
const TIFF_X_RESOLUTION = 282;
const TIFF_Y_RESOLUTION = 283;
const TIFF_RATIONAL = 5;

/**
 * The horizontal and vertical resolution page `index` of a classic TIFF declares (its
 * XResolution and YResolution tags), read from its directory without decoding it; null when the
 * file is not a TIFF, the page is not there, or it does not declare both. A standard-resolution
 * fax declares 204 x 98: its pixels are twice as tall as they are wide.
 */
export function tiffResolution(bytes: Uint8Array, index: number): { x: number; y: number } | null {
  if (!isTiff(bytes)) return null;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const little = bytes[0] === 0x49;
  const fits = (at: number, length: number) => at >= 0 && at + length <= bytes.length;
  if (!fits(4, 4)) return null;
  let offset = view.getUint32(4, little);
  const seen = new Set<number>();
  for (let page = 0; page < index; page++) {
    if (offset === 0 || !fits(offset, 2) || seen.has(offset)) return null;
    seen.add(offset);
    const next = offset + 2 + view.getUint16(offset, little) * 12;
    offset = fits(next, 4) ? view.getUint32(next, little) : 0;
  }
  if (offset === 0 || !fits(offset, 2)) return null;
  const resolution: { x?: number; y?: number } = {};
  const entries = view.getUint16(offset, little);
  for (let entry = 0; entry < entries && fits(offset + 2 + entry * 12, 12); entry++) {
    const at = offset + 2 + entry * 12;
    const tag = view.getUint16(at, little);
    if ((tag !== TIFF_X_RESOLUTION && tag !== TIFF_Y_RESOLUTION) || view.getUint16(at + 2, little) !== TIFF_RATIONAL) continue;
    const value = view.getUint32(at + 8, little);
    if (!fits(value, 8)) continue;
    const [numerator, denominator] = [view.getUint32(value, little), view.getUint32(value + 4, little)];
    if (numerator > 0 && denominator > 0) resolution[tag === TIFF_X_RESOLUTION ? 'x' : 'y'] = numerator / denominator;
  }
  return resolution.x && resolution.y ? { x: resolution.x, y: resolution.y } : null;
}

/**
 * Whether a page of these pixels is shaped like a standard-resolution fax with no resolution
 * declared: fax width (1728 pixels at 204 dpi, up to a wide 2600) and under 0.8 as tall as wide,
 * where a letter or legal page is 1.3 or more. Its rows are stored at half the height they print at.
 */
export function isStandardFaxShape(width: number, height: number): boolean {
  return width >= 1728 && width <= 2600 && height < width * 0.8;
}

/**
 * The height a page of `width` x `height` pixels has with square pixels: a page whose rows are
 * taller than its columns are wide (a standard-resolution fax, 204 x 98 dpi) is stretched back to
 * its printed proportions. `resolution` is what the file declares, when it does.
 */
export function squarePixelHeight(width: number, height: number, resolution: { x: number; y: number } | null): number {
  if (resolution) {
    const ratio = resolution.x / resolution.y;
    // Under 5% apart is a rounding of the same resolution (200 x 196), not a stretch to undo; past 4x is no scan's.
    return Math.abs(ratio - 1) < 0.05 || ratio > 4 || ratio < 0.25 ? height : Math.round(height * ratio);
  }
  return isStandardFaxShape(width, height) ? height * 2 : height;
}

/** Share of a page's ink in isolated single pixels above which it is a specked fax: clean faxes measured under 0.05%, worn ones 2-9%. */
const SPECKED_PAGE = 0.005;

/** The share of dark pixels with no dark neighbour: specks, not strokes. */
export function speckShare(data: Uint8Array, width: number, height: number): number {
  let dark = 0;
  let isolated = 0;
  for (let y = 1; y < height - 1; y++) {
    for (let x = 1; x < width - 1; x++) {
      const at = y * width + x;
      if (data[at]! >= 128) continue;
      dark++;
      if (
        data[at - width - 1]! >= 128 &&
        data[at - width]! >= 128 &&
        data[at - width + 1]! >= 128 &&
        data[at - 1]! >= 128 &&
        data[at + 1]! >= 128 &&
        data[at + width - 1]! >= 128 &&
        data[at + width]! >= 128 &&
        data[at + width + 1]! >= 128
      )
        isolated++;
    }
  }
  return isolated / Math.max(1, dark);
}

/**
 * Cleans a page for OCR: grey, contrast stretched, and resampled to roughly square
 * 200-300 dpi pixels. A standard-resolution fax (204x98 dpi) is stored half as tall as it
 * should be; it is stretched back, or Tesseract sees squashed letters.
 */
async function cleanPage(sharp: typeof import('sharp').default, bytes: Uint8Array, index: number): Promise<PageRaster> {
  // Decoded once, to grey; every page of a multi-page TIFF is held to the pixel limit before it is decoded, not only the first.
  const decoded = await rasterFrom(sharp(bytes, { page: index, limitInputPixels: MAX_PAGE_PIXELS }).flatten({ background: '#ffffff' }).greyscale());
  const { width, height: pageHeight } = decoded;
  const isStandardFax = isStandardFaxShape(width, pageHeight);
  let targetWidth = width;
  let targetHeight = isStandardFax ? pageHeight * 2 : pageHeight;
  if (width < UPSCALE_BELOW_WIDTH) {
    const scale = Math.min(3, UPSCALE_BELOW_WIDTH / width);
    targetWidth = Math.round(width * scale);
    targetHeight = Math.round(targetHeight * scale);
  }
  const resize = targetWidth !== width || targetHeight !== pageHeight;
  // A worn fax line leaves specks that OCR reads as letters; a 3x3 median removes them and keeps
  // strokes, but softens a clean page (tesseract.js read a clean standard fax worse with it), so
  // only a specked page gets it. Measured over the evaluation's faxes (CER, tesseract /
  // tesseract.js): a poor fax 9.16% -> 3.44% / 10.29% -> 5.26%, a fax of a fax 9.41% -> 5.70%.
  const despeckle = speckShare(decoded.data, width, pageHeight) >= SPECKED_PAGE;
  // (sharp's operations change the pipeline they are called on and return it: what was asked is kept in these flags.)
  const page = await pipelineOf(decoded);
  if (resize) page.resize(targetWidth, Math.round(targetHeight), { fit: 'fill', kernel: 'lanczos3' });
  if (despeckle) page.median(3);
  // Nothing to resample or despeckle (a fine fax, a 300 dpi scan): the decoded raster is used as it is, not copied through sharp.
  const cleaned = resize || despeckle ? await rasterFrom(page) : decoded;
  stretchContrast(cleaned);
  return cleaned;
}
