import { detectTurn, type PageTurn } from './orientation.ts';

/** Skew under this many degrees is left to the OCR engine, which reads it well; more is straightened first. */
export const DESKEW_FROM_DEGREES = 1;
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
export async function uprightPage(png: Buffer): Promise<{ png: Buffer; turn: PageTurn }> {
  const { default: sharp } = await import('sharp');
  const { data, info } = await sharp(png).greyscale().resize({ width: JUDGE_WIDTH, withoutEnlargement: true }).raw().toBuffer({ resolveWithObject: true });
  const turn = detectTurn({ data, width: info.width, height: info.height });
  const straighten = Math.abs(turn.skew) >= DESKEW_FROM_DEGREES;
  if (turn.quarter === 0 && !straighten) return { png, turn };
  return { png: await turnedPage(png, straighten ? -turn.angle : -turn.quarter), turn };
}
