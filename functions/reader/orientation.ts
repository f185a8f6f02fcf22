/**
 * Page orientation and skew from the pixels alone, for any OCR engine: a page fed upside down,
 * a phone photo taken sideways, a sheet skewed a few degrees. Pure computation on a grey
 * raster; the caller decodes and rotates.
 *
 * - Text lines make the ink's projection across them sharply peaked: the angle whose
 *   projection is sharpest is the lines' angle (searched up to {@link MAX_SKEW_DEGREES} either
 *   side of 0 and of 90, which also tells a sideways page).
 * - Up from down: in English print, ascenders and capitals (b d f h k l t, A-Z) far outnumber
 *   descenders (g j p q y), so an upright line carries more ink above its x-height band than
 *   below it. Summed over the page's lines, the side with more is up.
 */

/** A grey raster, one byte a pixel, row after row. */
export interface GreyRaster {
  readonly data: Uint8Array;
  readonly width: number;
  readonly height: number;
}

/** How far a page is turned: rotate it by `-angle` degrees (clockwise positive) to make it upright. */
export interface PageTurn {
  /** Clockwise degrees the page is turned from upright, in (-180, 180]; 0 for an upright page. */
  readonly angle: number;
  /** The quarter turn found: 0, 90, 180 or 270. */
  readonly quarter: 0 | 90 | 180 | 270;
  /** The skew on top of the quarter turn, in degrees. */
  readonly skew: number;
  /** How clearly the lines were seen: the sharpest projection over the sharpest across it (1 = no lines seen). */
  readonly lineContrast: number;
  /** How clearly up was told from down: ink above over ink below the lines' core, or its inverse. */
  readonly upContrast: number;
}

/** The ink pixels of a raster, as their x and y coordinates. */
export interface InkPoints {
  readonly xs: Int32Array;
  readonly ys: Int32Array;
}

/** Half the side of the window a pixel is compared with: a few line heights at the judging width. */
const BACKGROUND_RADIUS = 20;

/**
 * Ink pixels: clearly darker than the paper around them (the mean of a window a few lines
 * across). A local rather than a global threshold, because a phone photo's paper is shaded from
 * one corner to the other and a global one reads the shade as ink.
 *
 * The window's sums are kept as it moves down the page (each column's sum over the window's
 * rows: a row added below, a row dropped above) and across a row (a running sum of those), in
 * integers: the same sums an integral image gives, at a fraction of its memory traffic (a
 * page's integral image was 16 MB of doubles written and read again, page after page).
 */
export function inkPoints(raster: GreyRaster): InkPoints {
  const { data, width, height } = raster;
  const columns = new Int32Array(width);
  // Doubles for the row's running sum: a row of 41 x 255 a column overflows 32 bits past 205,000 pixels wide.
  const running = new Float64Array(width + 1);
  for (let row = 0; row < Math.min(height, BACKGROUND_RADIUS); row++) {
    for (let x = 0, at = row * width; x < width; x++, at++) columns[x]! += data[at]!;
  }
  // Each column's window edges, worked out once rather than per pixel (this loop runs over every pixel of the page).
  const lefts = new Int32Array(width);
  const rights = new Int32Array(width);
  for (let x = 0; x < width; x++) {
    lefts[x] = Math.max(0, x - BACKGROUND_RADIUS);
    rights[x] = Math.min(width, x + BACKGROUND_RADIUS + 1);
  }
  // Whole pixel coordinates, as 32-bit integers: half the bytes of doubles for every projection to read.
  let xs: Int32Array<ArrayBuffer> = new Int32Array(1 << 17);
  let ys: Int32Array<ArrayBuffer> = new Int32Array(1 << 17);
  let count = 0;
  for (let y = 0; y < height; y++) {
    // The window's rows are [y - radius, y + radius], cut at the page's edges.
    const incoming = y + BACKGROUND_RADIUS < height ? (y + BACKGROUND_RADIUS) * width : -1;
    const outgoing = y - BACKGROUND_RADIUS - 1 >= 0 ? (y - BACKGROUND_RADIUS - 1) * width : -1;
    if (incoming >= 0 && outgoing >= 0) for (let x = 0; x < width; x++) columns[x]! += data[incoming + x]! - data[outgoing + x]!;
    else if (incoming >= 0) for (let x = 0; x < width; x++) columns[x]! += data[incoming + x]!;
    else if (outgoing >= 0) for (let x = 0; x < width; x++) columns[x]! -= data[outgoing + x]!;
    const rows = Math.min(height, y + BACKGROUND_RADIUS + 1) - Math.max(0, y - BACKGROUND_RADIUS);
    const source = y * width;
    // Ink is darker than 0.8 of its background, which is at most 255: a pixel of 204 or more never is. A row
    // without one (most of a page's margins and gaps between lines) needs no sums across it.
    let dark = -1;
    for (let x = 0; x < width; x++) {
      if (data[source + x]! < 204) {
        dark = x;
        break;
      }
    }
    if (dark < 0) continue;
    for (let x = 0; x < width; x++) running[x + 1] = running[x]! + columns[x]!;
    for (let x = dark; x < width; x++) {
      const value = data[source + x]!;
      if (value >= 204) continue;
      const left = lefts[x]!;
      const right = rights[x]!;
      const background = (running[right]! - running[left]!) / (rows * (right - left));
      if (value < background * 0.8 && background - value > 24) {
        if (count === xs.length) {
          xs = grow(xs);
          ys = grow(ys);
        }
        xs[count] = x;
        ys[count] = y;
        count++;
      }
    }
  }
  return { xs: xs.subarray(0, count), ys: ys.subarray(0, count) };
}

function grow(values: Int32Array<ArrayBuffer>): Int32Array<ArrayBuffer> {
  const larger = new Int32Array(values.length * 2);
  larger.set(values);
  return larger;
}

/** The ink's projection across lines at `angle` degrees: ink per row of a page turned by that angle. */
function projection(xs: Int32Array, ys: Int32Array, angle: number, size: number): Float64Array {
  const radians = (angle * Math.PI) / 180;
  const sin = Math.sin(radians);
  const cos = Math.cos(radians);
  const bins = new Float64Array(2 * size + 2);
  for (let i = 0; i < xs.length; i++) bins[Math.round(ys[i]! * cos - xs[i]! * sin) + size]! += 1;
  return bins;
}

/** Sharpness of the ink's projection across lines at `angle` degrees: the sum of squared bin counts. */
function projectionSharpness(xs: Int32Array, ys: Int32Array, angle: number, size: number, step = 1): number {
  const radians = (angle * Math.PI) / 180;
  const sin = Math.sin(radians);
  const cos = Math.cos(radians);
  // Counted in integers and squared as they grow (n^2 - (n-1)^2 = 2n - 1): one pass, no second loop over the bins.
  const bins = new Int32Array(2 * size + 2);
  let sharpness = 0;
  for (let i = 0; i < xs.length; i += step) {
    const bin = Math.round(ys[i]! * cos - xs[i]! * sin) + size;
    const count = ++bins[bin]!;
    sharpness += 2 * count - 1;
  }
  return sharpness;
}

/**
 * Widest skew searched, in degrees either side of level. A sheet fed crooked into a scanner or
 * fax comes in at up to about 10 degrees (an 8-degree page of a real letter went unread when the
 * search stopped at 5); searching further would start to meet the 45-degree diagonal of a
 * sideways page.
 */
export const MAX_SKEW_DEGREES = 12;

/**
 * Ink points above which the 1-degree search looks at every {@link COARSE_SAMPLE}th point only: a
 * page of text holds 100,000-300,000 of them, and the search's 25 projections were the most
 * costly step before OCR. A sum of squared bin counts over a quarter of the points ranks the angles
 * as all of them do (its expected value is a sixteenth of theirs plus the same constant at every
 * angle); a sparse page is searched with every point.
 */
const COARSE_SAMPLE_FROM = 40_000;
const COARSE_SAMPLE = 4;

/**
 * The angle near `around` (within {@link MAX_SKEW_DEGREES}) whose projection is sharpest:
 * 1-degree steps, then quarter degrees over every point up to 1.25 degrees either side of the
 * best (a sampled search may rank a neighbour of the best first).
 */
function sharpestNear(xs: Int32Array, ys: Int32Array, around: number, size: number): { angle: number; sharpness: number } {
  const step = xs.length >= COARSE_SAMPLE_FROM ? COARSE_SAMPLE : 1;
  let coarse = { angle: around, sharpness: projectionSharpness(xs, ys, around, size, step) };
  for (let delta = -MAX_SKEW_DEGREES; delta <= MAX_SKEW_DEGREES; delta += 1) {
    const sharpness = projectionSharpness(xs, ys, around + delta, size, step);
    if (sharpness > coarse.sharpness) coarse = { angle: around + delta, sharpness };
  }
  const reach = step === 1 ? 0.75 : 1.25;
  let best = { angle: coarse.angle, sharpness: step === 1 ? coarse.sharpness : projectionSharpness(xs, ys, coarse.angle, size) };
  for (let delta = -reach; delta <= reach; delta += 0.25) {
    if (delta === 0) continue;
    const sharpness = projectionSharpness(xs, ys, coarse.angle + delta, size);
    if (sharpness > best.sharpness) best = { angle: coarse.angle + delta, sharpness };
  }
  return best;
}

/**
 * Whether the lines read upside down, from ink above against ink below each line's core
 * (the x-height band). Points are taken at `angle`, so no image needs rotating.
 */
function upsideDownEvidence(xs: Int32Array, ys: Int32Array, angle: number, size: number): { above: number; below: number } {
  const rows = projection(xs, ys, angle, size);
  let max = 0;
  for (const count of rows) max = Math.max(max, count);
  let above = 0;
  let below = 0;
  // Each line: a run of rows with ink; its core is where the ink is at least half the line's peak.
  for (let r = 0; r < rows.length;) {
    if (rows[r]! <= max * 0.02) {
      r++;
      continue;
    }
    const start = r;
    let peak = 0;
    while (r < rows.length && rows[r]! > max * 0.02) peak = Math.max(peak, rows[r++]!);
    const end = r - 1;
    if (end - start < 4) continue;
    let coreStart = start;
    while (rows[coreStart]! < peak * 0.5) coreStart++;
    let coreEnd = end;
    while (rows[coreEnd]! < peak * 0.5) coreEnd--;
    for (let k = start; k < coreStart; k++) above += rows[k]!;
    for (let k = coreEnd + 1; k <= end; k++) below += rows[k]!;
  }
  return { above, below };
}

/**
 * Least printed ink of a page with anything printed on it: its {@link inkPoints} counted on the
 * raster with isolated specks removed (a 3x3 median), so a fax's specks and a duplex back's
 * bleed-through count for nothing. Measured on fax pages judged 1200 wide (standard and fine,
 * clean and with a worn line's specks): a blank page 0, a page holding only "Sincerely," 400 and more.
 */
export const BLANK_PAGE_INK = 150;

/** A page as it lies: no turn, no skew (what a page too blank or too dark to judge is reported as). */
export const UPRIGHT: PageTurn = { angle: 0, quarter: 0, skew: 0, lineContrast: 1, upContrast: 1 };

/** Fewest ink pixels worth judging a page by (at 1,200 wide; see `minInk`); a blank page stays as it is. */
const MIN_INK = 500;

/**
 * How the page is turned: its quarter turn and skew. A page with too little ink (under
 * `minInk` points), or whose lines cannot be told, is reported upright.
 */
export function detectTurn(raster: GreyRaster, points: InkPoints = inkPoints(raster), minInk = MIN_INK): PageTurn {
  const { xs, ys } = points;
  // Ink over most of the page is not print (a dark photo background); judge nothing from it.
  if (xs.length < minInk || xs.length > raster.data.length * 0.5) return UPRIGHT;
  const size = raster.width + raster.height;
  const horizontal = sharpestNear(xs, ys, 0, size);
  const vertical = sharpestNear(xs, ys, 90, size);
  const lines = horizontal.sharpness >= vertical.sharpness ? horizontal : vertical;
  const lineContrast = Math.max(horizontal.sharpness, vertical.sharpness) / Math.max(1, Math.min(horizontal.sharpness, vertical.sharpness));
  const { above, below } = upsideDownEvidence(xs, ys, lines.angle, size);
  const flipped = below > above;
  let angle = lines.angle + (flipped ? 180 : 0);
  if (angle > 180) angle -= 360;
  const base = Math.round(lines.angle / 90) * 90;
  const quarter = (((base + (flipped ? 180 : 0)) % 360) + 360) % 360;
  return {
    angle,
    quarter: quarter as PageTurn['quarter'],
    skew: lines.angle - base,
    lineContrast,
    upContrast: Math.max(above, below) / Math.max(1, Math.min(above, below)),
  };
}
