/**
 * Ruled lines removed before OCR. The published decisions open with a boxed table (Case
 * Number, Date Assigned, Date of Injury, Decision Date, ...), one label and one value per cell;
 * on a scan or fax the engine reads the ruling as text (`[CaseNumber: [Cmi6-0213037, |`) and
 * drops the cells' values. A run of dark pixels far longer than any letter's stroke is a rule,
 * not text: it is whitened, and the cells read as the lines of text they are.
 */

import type { GreyRaster } from './orientation.ts';
import { pngOf, rasterOf } from './raster.ts';

/** A horizontal run at least this share of the page's width is a rule (a letter is a few hundredths). */
const HORIZONTAL_SHARE = 0.06;
/** A vertical run at least this share of the page's height is a rule (a 12 pt capital is about 1.1%, a 24 pt heading 2.2%). */
const VERTICAL_SHARE = 0.03;
/** Darker than this (0-255) is ink. */
const INK = 140;

/** A page's PNG with its long horizontal and vertical rules whitened (the rest untouched). */
export async function withoutRules(png: Buffer): Promise<Buffer> {
  const page = await rasterOf(png);
  return removeRules(page) ? pngOf(page) : png;
}

/** Whitens a raster's long horizontal and vertical rules in place; whether it found any. */
export function removeRules(page: GreyRaster): boolean {
  const { data: pixels, width, height } = page;
  const minRow = Math.max(40, Math.round(width * HORIZONTAL_SHARE));
  const minColumn = Math.max(40, Math.round(height * VERTICAL_SHARE));
  // Found first, whitened after: a horizontal rule must not cut a vertical one into pieces too short to find.
  const rules = [...longRuns(pixels, width, height, true, minRow), ...longRuns(pixels, width, height, false, minColumn)];
  if (rules.length === 0) return false;
  // A rule's anti-aliased edges (grey, not ink) go with it: one pixel on each side across it.
  for (const [at, from, to, horizontal] of rules) {
    for (const side of [at - 1, at, at + 1]) {
      if (side < 0 || side >= (horizontal ? height : width)) continue;
      for (let i = from; i < to; i++) pixels[horizontal ? side * width + i : i * width + side] = 255;
    }
  }
  return true;
}

/** A run of ink: the row (or column) it lies on, where it starts and ends, and which way it runs. */
type Run = readonly [at: number, from: number, to: number, horizontal: boolean];

/** Every run of ink at least `min` pixels long along the rows (`horizontal`) or the columns of a grey raster. */
function longRuns(pixels: Uint8Array, width: number, height: number, horizontal: boolean, min: number): Run[] {
  const [lines, length] = horizontal ? [height, width] : [width, height];
  // Walked with a stride rather than through a per-pixel accessor: this runs over every pixel twice.
  const [lineStep, step] = horizontal ? [width, 1] : [1, width];
  const runs: Run[] = [];
  for (let line = 0; line < lines; line++) {
    let start = -1;
    let at = line * lineStep;
    for (let i = 0; i <= length; i++, at += step) {
      const ink = i < length && pixels[at]! < INK;
      if (ink && start < 0) start = i;
      if (!ink && start >= 0) {
        if (i - start >= min) runs.push([line, start, i, horizontal]);
        start = -1;
      }
    }
  }
  return runs;
}
