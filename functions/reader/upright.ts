import { detectTurn, printedInk, type PageTurn } from './orientation.ts';

/** Skew under this many degrees is left to the OCR engine, which reads it well; more is straightened first. */
export const DESKEW_FROM_DEGREES = 1;
/** Printed ink (at the judging width) under which a page holds only a few lines: a signature block is about 1,000-3,000, a page of text 35,000 and more. */
const SPARSE_PAGE_INK = 10_000;
/** Width the page is judged at: enough for a 10 pt line's x-height to span several pixels. */
const JUDGE_WIDTH = 1200;

/** A PNG page turned clockwise by `degrees` (any angle; the corners are filled white). */
export async function turnedPage(png: Buffer, degrees: number): Promise<Buffer> {
  const { default: sharp } = await import('sharp');
  return sharp(png).rotate(degrees, { background: '#ffffff' }).flatten({ background: '#ffffff' }).png({ compressionLevel: 1 }).toBuffer();
}

/**
 * Sets a page upright before OCR: a quarter turn (a page fed sideways or upside down) is
 * undone exactly, and a skew of {@link DESKEW_FROM_DEGREES} or more is straightened.
 */
export async function uprightPage(png: Buffer): Promise<{ png: Buffer; turn: PageTurn; ink: number }> {
  const { default: sharp } = await import('sharp');
  const judged = sharp(png).greyscale().resize({ width: JUDGE_WIDTH, withoutEnlargement: true });
  // What is printed on it, specks removed: a blank page is known before any OCR.
  const cleaned = await judged.clone().median(3).raw().toBuffer({ resolveWithObject: true });
  const cleanedRaster = { data: cleaned.data, width: cleaned.info.width, height: cleaned.info.height };
  const ink = printedInk(cleanedRaster);
  const raw = await judged.clone().raw().toBuffer({ resolveWithObject: true });
  const rawRaster = { data: raw.data, width: raw.info.width, height: raw.info.height };
  // A page whose specks outnumber its print (a few lines through a worn fax line) is judged
  // without them: they line up like a page turned sideways. Any other page is judged as it is,
  // since removing specks also wears the ascenders that tell up from down.
  const turn = detectTurn(ink < SPARSE_PAGE_INK && printedInk(rawRaster) > 2 * ink ? cleanedRaster : rawRaster);
  const straighten = Math.abs(turn.skew) >= DESKEW_FROM_DEGREES;
  if (turn.quarter === 0 && !straighten) return { png, turn, ink };
  return { png: await turnedPage(png, straighten ? -turn.angle : -turn.quarter), turn, ink };
}
