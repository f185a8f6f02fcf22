/**
 * A page as the OCR path carries it: one grey byte a pixel, decoded once. Clean-up, orientation,
 * ruling removal and rotation all work on it, and it is encoded once, as the grey PNG the
 * engine reads; each step decoding and re-encoding a PNG cost more than a fifth of an OCR.
 */
import type { GreyRaster } from './orientation.ts';

/** A grey page raster and the resolution it was rendered at, when known (a PDF page's). */
export interface PageRaster extends GreyRaster {
  /** Dots per inch; Tesseract guesses wrongly without it, so it travels with the page. */
  readonly dpi?: number;
}

type Sharp = typeof import('sharp').default;

async function sharpModule(): Promise<Sharp> {
  return (await import('sharp')).default;
}

/** A sharp pipeline over a raster. */
export async function pipelineOf(page: GreyRaster): Promise<import('sharp').Sharp> {
  const sharp = await sharpModule();
  return sharp(page.data, { raw: { width: page.width, height: page.height, channels: 1 } });
}

/** The grey raster a pipeline ends in: one channel whatever it added (an alpha channel after a rotation). */
export async function rasterFrom(pipeline: import('sharp').Sharp, dpi?: number): Promise<PageRaster> {
  // Named grey on the way out: sharp takes a one-channel raw input for sRGB and would hand back three channels.
  const { data, info } = await pipeline.toColourspace('b-w').raw().toBuffer({ resolveWithObject: true });
  if (info.channels === 1) return { data, width: info.width, height: info.height, dpi };
  const sharp = await sharpModule();
  const grey = await sharp(data, { raw: { width: info.width, height: info.height, channels: info.channels } })
    .flatten({ background: '#ffffff' })
    .greyscale()
    .extractChannel(0)
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { data: grey.data, width: grey.info.width, height: grey.info.height, dpi };
}

/** Decodes any image sharp reads (a PNG, a page of a TIFF) into a grey raster. */
export async function rasterOf(image: Uint8Array, dpi?: number): Promise<PageRaster> {
  const sharp = await sharpModule();
  return rasterFrom(sharp(image).flatten({ background: '#ffffff' }).greyscale(), dpi);
}

/** The one encoding of a page: a grey PNG, fast to write (level 1), with its resolution when known. */
export async function pngOf(page: PageRaster): Promise<Buffer> {
  // Grey named explicitly, or sharp writes a one-channel raster as an RGB PNG (three times the bytes for the engine to read).
  const pipeline = (await pipelineOf(page)).toColourspace('b-w').png({ compressionLevel: 1 });
  return (page.dpi ? pipeline.withDensity(page.dpi) : pipeline).toBuffer();
}

/** Share of pixels left out at each end when the contrast is stretched: the darkest and lightest 1% (sharp's `normalise` default), so specks and glare set no bound. */
const STRETCH_TAIL = 0.01;

/**
 * The raster's contrast stretched, in place: the value under which 1% of its pixels lie becomes
 * black, the value over which 1% lie white, and the rest spread between. The same rule as
 * sharp's `normalise`, on the grey values directly: that one goes through Lab and back and took
 * 200 ms a fax page, as much as the rest of the clean-up together.
 */
export function stretchContrast(page: GreyRaster): void {
  const { data } = page;
  const histogram = new Uint32Array(256);
  for (let i = 0; i < data.length; i++) histogram[data[i]!]!++;
  const tail = data.length * STRETCH_TAIL;
  let low = 0;
  for (let seen = 0; low < 255 && seen + histogram[low]! <= tail; low++) seen += histogram[low]!;
  let high = 255;
  for (let seen = 0; high > 0 && seen + histogram[high]! <= tail; high--) seen += histogram[high]!;
  if (high <= low) return;
  const table = new Uint8Array(256);
  for (let value = 0; value < 256; value++) table[value] = Math.max(0, Math.min(255, Math.round(((value - low) * 255) / (high - low))));
  for (let i = 0; i < data.length; i++) data[i] = table[data[i]!]!;
}
