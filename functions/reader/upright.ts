import { BLANK_PAGE_INK, detectTurn, inkPoints, UPRIGHT, type PageTurn } from './orientation.ts';
import { median3, pipelineOf, pngOf, rasterFrom, rasterOf, type PageRaster } from './raster.ts';

/** Skew under this many degrees is left to the OCR engine, which reads it well; more is straightened first. */
export const DESKEW_FROM_DEGREES = 1;
/** Printed ink (counted as at {@link CALIBRATED_WIDTH}) under which a page holds only a few lines: a signature block is about 1,000-3,000, a page of text 35,000 and more. */
const SPARSE_PAGE_INK = 10_000;
/**
 * Width a page of text is judged at: half a fax's width, enough for a 10 pt line's x-height to
 * span several pixels. Judged at 864 rather than 1,200, a page costs 30% less CPU before OCR (91
 * against 129 ms), and over 345 pages of 12 letters rendered as every scan kind (faxes upside
 * down, photos sideways, scans turned 270 degrees and skewed, faxes of faxes) not one decision
 * changed: the same quarter turns and blank pages, every straightening within a quarter degree.
 * At 600 two photos were turned wrongly.
 */
const JUDGE_WIDTH = 864;
/**
 * The width the ink thresholds ({@link BLANK_PAGE_INK}, {@link SPARSE_PAGE_INK}, the fewest
 * points worth judging) were measured at, and the width a page with little ink is judged at:
 * a few words' ink does not scale with the page's area (at 864 wide a specked fax page holding
 * only "Sincerely," kept more of its strokes through the median, and was judged upside down
 * where at 1,200 it had too little ink to judge), so such a page is judged as those thresholds were measured.
 */
const CALIBRATED_WIDTH = 1200;
/** Fewest ink points worth judging a page by, at {@link CALIBRATED_WIDTH}: a page with less is left as it is. */
const MIN_JUDGED_INK = 500;

/** A raster turned clockwise by `degrees` (any angle; the corners are filled white). */
export async function turnedRaster(page: PageRaster, degrees: number): Promise<PageRaster> {
  return rasterFrom((await pipelineOf(page)).rotate(degrees, { background: '#ffffff' }), page.dpi);
}

/** A PNG page turned clockwise by `degrees` (any angle; the corners are filled white). */
export async function turnedPage(png: Buffer, degrees: number): Promise<Buffer> {
  return pngOf(await turnedRaster(await rasterOf(png), degrees));
}

/**
 * Sets a page upright before OCR: a quarter turn (a page fed sideways or upside down) is
 * undone exactly, and a skew of {@link DESKEW_FROM_DEGREES} or more is straightened. `ink` is
 * what is printed on it, specks removed, counted as at {@link CALIBRATED_WIDTH}: a blank page
 * is known before any OCR (and is left as it is).
 */
export async function uprightRaster(page: PageRaster): Promise<{ page: PageRaster; turn: PageTurn; ink: number }> {
  let judged = await judge(page, JUDGE_WIDTH);
  // Little ink (twice the sparse bound: a margin for the scaled count), or a blank page: judged again where the thresholds were measured.
  if (judged.ink < 2 * SPARSE_PAGE_INK && judged.width < Math.min(page.width, CALIBRATED_WIDTH)) judged = await judge(page, CALIBRATED_WIDTH);
  const { turn, ink } = judged;
  const straighten = Math.abs(turn.skew) >= DESKEW_FROM_DEGREES;
  if (ink < BLANK_PAGE_INK || (turn.quarter === 0 && !straighten)) return { page, turn, ink };
  return { page: await turnedRaster(page, straighten ? -turn.angle : -turn.quarter), turn, ink };
}

/** How a page judged `width` wide (or its own width, if narrower) is turned, and its ink counted as at {@link CALIBRATED_WIDTH}. */
async function judge(page: PageRaster, width: number): Promise<{ turn: PageTurn; ink: number; width: number }> {
  const judged = await rasterFrom((await pipelineOf(page)).resize({ width, withoutEnlargement: true }));
  // A page narrower than the calibrated width was measured at its own width.
  const scale = (Math.min(page.width, CALIBRATED_WIDTH) / judged.width) ** 2;
  const cleaned = median3(judged);
  const cleanedInk = inkPoints(cleaned);
  const ink = Math.round(cleanedInk.xs.length * scale);
  if (ink < BLANK_PAGE_INK) return { turn: UPRIGHT, ink, width: judged.width };
  const rawInk = inkPoints(judged);
  // A page whose specks outnumber its print (a few lines through a worn fax line) is judged
  // without them: they line up like a page turned sideways. Any other page is judged as it is,
  // since removing specks also wears the ascenders that tell up from down.
  const withoutSpecks = ink < SPARSE_PAGE_INK && rawInk.xs.length > 2 * cleanedInk.xs.length;
  const minInk = Math.round(MIN_JUDGED_INK / scale);
  const turn = withoutSpecks ? detectTurn(cleaned, cleanedInk, minInk) : detectTurn(judged, rawInk, minInk);
  return { turn, ink, width: judged.width };
}

/** {@link uprightRaster} for a PNG page. */
export async function uprightPage(png: Buffer): Promise<{ png: Buffer; turn: PageTurn; ink: number }> {
  const page = await rasterOf(png);
  const upright = await uprightRaster(page);
  return { png: upright.page === page ? png : await pngOf(upright.page), turn: upright.turn, ink: upright.ink };
}
