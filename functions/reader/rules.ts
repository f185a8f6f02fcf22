/**
 * Ruled lines removed before OCR. The published decisions open with a boxed table (Case
 * Number, Date Assigned, Date of Injury, Decision Date, ...), one label and one value per cell;
 * on a scan or fax the engine reads the ruling as text (`[CaseNumber: [Cmi6-0213037, |`) and
 * drops the cells' values. A run of dark pixels far longer than any letter's stroke is a rule,
 * not text: it is whitened, and the cells read as the lines of text they are.
 */

/** A horizontal run at least this share of the page's width is a rule (a letter is a few hundredths). */
const HORIZONTAL_SHARE = 0.06;
/** A vertical run at least this share of the page's height is a rule (a 12 pt capital is about 1.1%, a 24 pt heading 2.2%). */
const VERTICAL_SHARE = 0.03;
/** Darker than this (0-255) is ink. */
const INK = 140;

/** A page's PNG with its long horizontal and vertical rules whitened (the rest untouched). */
export async function withoutRules(png: Buffer): Promise<Buffer> {
  const { default: sharp } = await import('sharp');
  const { data, info } = await sharp(png).greyscale().raw().toBuffer({ resolveWithObject: true });
  const { width, height } = info;
  const pixels = new Uint8Array(data.buffer, data.byteOffset, data.length);
  const minRow = Math.max(40, Math.round(width * HORIZONTAL_SHARE));
  const minColumn = Math.max(40, Math.round(height * VERTICAL_SHARE));
  // Found first, whitened after: a horizontal rule must not cut a vertical one into pieces too short to find.
  const rules: Array<[number, number, number, boolean]> = [];
  for (let y = 0; y < height; y++) {
    let start = -1;
    for (let x = 0; x <= width; x++) {
      const ink = x < width && pixels[y * width + x]! < INK;
      if (ink && start < 0) start = x;
      if (!ink && start >= 0) {
        if (x - start >= minRow) rules.push([y, start, x, true]);
        start = -1;
      }
    }
  }
  for (let x = 0; x < width; x++) {
    let start = -1;
    for (let y = 0; y <= height; y++) {
      const ink = y < height && pixels[y * width + x]! < INK;
      if (ink && start < 0) start = y;
      if (!ink && start >= 0) {
        if (y - start >= minColumn) rules.push([x, start, y, false]);
        start = -1;
      }
    }
  }
  if (rules.length === 0) return png;
  // A rule's anti-aliased edges (grey, not ink) go with it: one pixel on each side across it.
  for (const [at, from, to, horizontal] of rules) {
    for (const side of [at - 1, at, at + 1]) {
      if (side < 0 || side >= (horizontal ? height : width)) continue;
      for (let i = from; i < to; i++) pixels[horizontal ? side * width + i : i * width + side] = 255;
    }
  }
  return sharp(Buffer.from(pixels.buffer, pixels.byteOffset, pixels.length), { raw: { width, height, channels: 1 } }).png({ compressionLevel: 1 }).toBuffer();
}
