import { BLANK_PAGE_INK, detectTurn, inkPoints, UPRIGHT, type PageTurn } from './orientation.ts';
import { median3, pipelineOf, pngOf, rasterFrom, rasterOf, type PageRaster } from './raster.ts';

/** Skew under this many degrees is left to the OCR engine, which reads it well; more is straightened first. */
export const DESKEW_FROM_DEGREES = 1;
/** Printed ink (at the judging width) under which a page holds only a few lines: a signature block is about 1,000-3,000, a page of text 35,000 and more. */
const SPARSE_PAGE_INK = 10_000;
/** Width the page is judged at: enough for a 10 pt line's x-height to span several pixels. */
const JUDGE_WIDTH = 1200;

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
 * what is printed on it, specks removed: a blank page is known before any OCR (and is left as it is).
 */
export async function uprightRaster(page: PageRaster): Promise<{ page: PageRaster; turn: PageTurn; ink: number }> {
  const judged = await rasterFrom((await pipelineOf(page)).resize({ width: JUDGE_WIDTH, withoutEnlargement: true }));
  const cleaned = median3(judged);
  const cleanedInk = inkPoints(cleaned);
  const ink = cleanedInk.xs.length;
  if (ink < BLANK_PAGE_INK) return { page, turn: UPRIGHT, ink };
  const rawInk = inkPoints(judged);
  // A page whose specks outnumber its print (a few lines through a worn fax line) is judged
  // without them: they line up like a page turned sideways. Any other page is judged as it is,
  // since removing specks also wears the ascenders that tell up from down.
  const withoutSpecks = ink < SPARSE_PAGE_INK && rawInk.xs.length > 2 * ink;
  const turn = withoutSpecks ? detectTurn(cleaned, cleanedInk) : detectTurn(judged, rawInk);
  const straighten = Math.abs(turn.skew) >= DESKEW_FROM_DEGREES;
  if (turn.quarter === 0 && !straighten) return { page, turn, ink };
  return { page: await turnedRaster(page, straighten ? -turn.angle : -turn.quarter), turn, ink };
}

/** {@link uprightRaster} for a PNG page. */
export async function uprightPage(png: Buffer): Promise<{ png: Buffer; turn: PageTurn; ink: number }> {
  const page = await rasterOf(png);
  const upright = await uprightRaster(page);
  return { png: upright.page === page ? png : await pngOf(upright.page), turn: upright.turn, ink: upright.ink };
}
