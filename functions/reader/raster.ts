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

/** The grey raster a pipeline ends in: one channel, whatever it added (an alpha channel is flattened onto white). */
export async function rasterFrom(pipeline: import('sharp').Sharp, dpi?: number): Promise<PageRaster> {
  // Named grey on the way out: sharp takes a one-channel raw input for sRGB and would hand back three channels.
  const { data, info } = await pipeline.flatten({ background: '#ffffff' }).toColourspace('b-w').raw().toBuffer({ resolveWithObject: true });
  if (info.channels !== 1) throw new Error(`a page raster came out with ${info.channels} channels, not one`);
  return { data, width: info.width, height: info.height, dpi };
}

/** Decodes any image sharp reads (a PNG, a page of a TIFF) into a grey raster. */
export async function rasterOf(image: Uint8Array, dpi?: number): Promise<PageRaster> {
  const sharp = await sharpModule();
  return rasterFrom(sharp(image), dpi);
}

/** The one encoding of a page: a grey PNG, fast to write (level 1), with its resolution when known. */
export async function pngOf(page: PageRaster): Promise<Buffer> {
  // Grey named explicitly, or sharp writes a one-channel raster as an RGB PNG (three times the bytes for the engine to read).
  const pipeline = (await pipelineOf(page)).toColourspace('b-w').png({ compressionLevel: 1 });
  return (page.dpi ? pipeline.withDensity(page.dpi) : pipeline).toBuffer();
}

/**
 * Whether every pixel of a page is pure black or pure white: a fax (one bit a pixel as sent) or
 * a black-and-white scan, as clean-up leaves it when nothing was resampled.
 */
export function isBilevel(page: GreyRaster): boolean {
  const { data } = page;
  const bytesAre = (from: number, to: number) => {
    for (let at = from; at < to; at++) if (data[at] !== 0 && data[at] !== 255) return false;
    return true;
  };
  // Four pixels at a time where the bytes are aligned for it: a word is all black or white when each
  // of its bytes has its eight bits alike (bits 0-6 of each byte equal to bits 1-7 of the same byte).
  const head = Math.min(data.length, (4 - (data.byteOffset % 4)) % 4);
  const words = new Uint32Array(data.buffer, data.byteOffset + head, (data.length - head) >>> 2);
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!;
    if (word !== 0xffffffff && word !== 0 && ((word ^ (word >>> 1)) & 0x7f7f7f7f) !== 0) return false;
  }
  return bytesAre(0, head) && bytesAre(head + words.length * 4, data.length);
}

/**
 * A black-and-white page (see {@link isBilevel}) as a Group 4 TIFF, one bit a pixel, with its
 * resolution when known: Tesseract reads it for about 3% less CPU than the same page as a grey
 * PNG (it has no grey to threshold and a fifth of the bytes to decode), with the same hOCR,
 * word for word and box for box (13 fax pages compared). Written in about 11 ms of CPU a page,
 * 5 more than the PNG; Tesseract's saving is about 45.
 */
export async function faxTiffOf(page: PageRaster): Promise<Buffer> {
  const pipeline = (await pipelineOf(page)).toColourspace('b-w').tiff({ compression: 'ccittfax4', bitdepth: 1 });
  return (page.dpi ? pipeline.withDensity(page.dpi) : pipeline).toBuffer();
}

/** Percentiles left out at each end when the contrast is stretched: the darkest and lightest 1% (sharp's `normalise` default), so specks and glare set no bound. */
const STRETCH_LOWER = 1;
const STRETCH_UPPER = 99;

/** CIE L* (0-100) of an sRGB grey value (0-255). */
function lightness(value: number): number {
  const c = value / 255;
  const y = c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  return y > 216 / 24389 ? 116 * Math.cbrt(y) - 16 : (24389 / 27) * y;
}

/** The sRGB grey value (0-255, clipped) of a CIE L*. */
function greyOf(l: number): number {
  const y = l > 8 ? ((l + 16) / 116) ** 3 : (l * 27) / 24389;
  const c = y <= 0.0031308 ? 12.92 * y : 1.055 * y ** (1 / 2.4) - 0.055;
  return Math.max(0, Math.min(255, Math.round(c * 255)));
}

/**
 * The whole lightness over which no more than `percent` of the pixels lie, as libvips'
 * `percent` finds it: lightness cast to whole numbers (truncated), then the first whole value
 * whose cumulative share is over `percent`.
 */
function lightnessPercentile(histogram: Uint32Array, total: number, percent: number): number {
  const byLightness = new Float64Array(101);
  for (let value = 0; value < 256; value++) byLightness[Math.trunc(lightness(value))]! += histogram[value]!;
  let seen = 0;
  for (let l = 0; l <= 100; l++) {
    seen += byLightness[l]!;
    if (seen / total > percent / 100) return l;
  }
  return 100;
}

/**
 * The raster's contrast stretched, in place, by sharp's `normalise` rule: the lightness (CIE L*)
 * under which 1% of the pixels lie becomes black, the one over which 1% lie white, and the rest
 * is spread between, linearly in lightness. sharp converts the page to Lab and back to do it,
 * which took 200 ms a fax page; on a grey page the rule is a function of the grey value alone,
 * so it is one 256-entry table here. Not bit-identical to sharp's (its bounds come out a grey
 * level or a few apart): measured over the evaluation's scans, photos read far better with it
 * (CER 10.03% -> 0.21%; 3 of 4 flagged -> 0), a worn fax slightly worse (3.39% -> 4.03%), a
 * clean fax the same (a black-and-white page is left as it is by both).
 */
export function stretchContrast(page: GreyRaster): void {
  const { data } = page;
  const histogram = new Uint32Array(256);
  for (let i = 0; i < data.length; i++) histogram[data[i]!]!++;
  const low = lightnessPercentile(histogram, data.length, STRETCH_LOWER);
  const high = lightnessPercentile(histogram, data.length, STRETCH_UPPER);
  if (Math.abs(high - low) <= 1) return;
  const scale = 100 / (high - low);
  const table = new Uint8Array(256);
  let changes = false;
  for (let value = 0; value < 256; value++) {
    table[value] = greyOf((lightness(value) - low) * scale);
    if (table[value] !== value && histogram[value]! > 0) changes = true;
  }
  // A page the stretch leaves as it is (a black-and-white fax: black stays black, white white) is not written again, pixel by pixel.
  if (!changes) return;
  for (let i = 0; i < data.length; i++) data[i] = table[data[i]!]!;
}

/**
 * A 3x3 median of a grey raster (each pixel the middle of the nine around it, the edges
 * repeated), as sharp's `median(3)` gives it, pixel for pixel, in about a fifth of its time on a
 * page: a window of nine equal pixels (the paper around the print, nearly all of a page) is
 * taken as it is, and only the others are sorted, by a 19-comparison network. It ran on every
 * page judged before OCR, at 50-60 ms of CPU each in sharp.
 */
export function median3(page: GreyRaster): GreyRaster {
  const { data, width, height } = page;
  const out = new Uint8Array(data.length);
  for (let y = 0; y < height; y++) {
    const up = (y > 0 ? y - 1 : 0) * width;
    const row = y * width;
    const down = (y < height - 1 ? y + 1 : y) * width;
    for (let x = 0; x < width; x++) {
      const left = x > 0 ? x - 1 : 0;
      const right = x < width - 1 ? x + 1 : x;
      const e = data[row + x]!;
      let a = data[up + left]!;
      let b = data[up + x]!;
      let c = data[up + right]!;
      let d = data[row + left]!;
      let f = data[row + right]!;
      let g = data[down + left]!;
      let h = data[down + x]!;
      let i = data[down + right]!;
      if (a === e && b === e && c === e && d === e && f === e && g === e && h === e && i === e) {
        out[row + x] = e;
        continue;
      }
      let m = e;
      let t: number;
      // The median-of-nine network (Paeth; Devillard's opt_med9), each step a pair put in order: the middle value ends in m.
      // Written out step by step on locals on purpose: the same network driven by a table of pairs over a 9-value window
      // gave the same pixels at 67 ms a page against 20 ms, most of what replacing sharp's median saved.
      t = b;
      b = Math.min(t, c);
      c = Math.max(t, c);
      t = m;
      m = Math.min(t, f);
      f = Math.max(t, f);
      t = h;
      h = Math.min(t, i);
      i = Math.max(t, i);
      t = a;
      a = Math.min(t, b);
      b = Math.max(t, b);
      t = d;
      d = Math.min(t, m);
      m = Math.max(t, m);
      t = g;
      g = Math.min(t, h);
      h = Math.max(t, h);
      t = b;
      b = Math.min(t, c);
      c = Math.max(t, c);
      t = m;
      m = Math.min(t, f);
      f = Math.max(t, f);
      t = h;
      h = Math.min(t, i);
      i = Math.max(t, i);
      t = a;
      d = Math.max(t, d);
      t = f;
      f = Math.min(t, i);
      t = m;
      m = Math.min(t, h);
      h = Math.max(t, h);
      t = d;
      g = Math.max(t, g);
      t = b;
      m = Math.max(t, m);
      t = c;
      c = Math.min(t, f);
      t = m;
      m = Math.min(t, h);
      t = m;
      m = Math.min(t, c);
      c = Math.max(t, c);
      t = g;
      m = Math.max(t, m);
      t = m;
      m = Math.min(t, c);
      out[row + x] = m;
    }
  }
  return { data: out, width, height };
}
