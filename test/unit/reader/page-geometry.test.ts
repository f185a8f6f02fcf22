import { beforeAll, describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { linesAsReceived } from '../../../functions/reader/read-document.ts';
import { isStandardFaxShape, squarePixelHeight, tiffResolution } from '../../../functions/reader/images.ts';
import { renderPage } from '../../../functions/reader/pages.ts';
import { g4Tiff } from '../../fixtures/scans.ts';

/** A letter page (8.5 x 11 inches) at 204 dpi across, with a black bar a third of the way down. */
async function letterPage(): Promise<Buffer> {
  const [width, height] = [1728, 2200];
  const bar = await sharp({ create: { width: 1000, height: 40, channels: 3, background: '#000000' } })
    .png()
    .toBuffer();
  return sharp({ create: { width, height, channels: 3, background: '#ffffff' } })
    .composite([{ input: bar, left: 300, top: Math.round(height / 3) }])
    .png()
    .toBuffer();
}

describe('a page image of a standard-resolution fax (204 x 98 dpi)', () => {
  let standard: Buffer;
  let fine: Buffer;
  beforeAll(async () => {
    const page = await letterPage();
    // As a fax machine stores it: every other row, so the page is 1728 x 1078 (scans.ts does the same).
    const squashed = await sharp(page).resize(1728, 1078, { fit: 'fill' }).png().toBuffer();
    standard = await g4Tiff([squashed, squashed], 98);
    fine = await g4Tiff([page], 196);
  });

  it('declares its two resolutions, each page, and is shaped like a fax without them', () => {
    expect(tiffResolution(standard, 0)).toEqual({ x: 204, y: 98 });
    expect(tiffResolution(standard, 1)).toEqual({ x: 204, y: 98 });
    expect(tiffResolution(standard, 2)).toBeNull();
    expect(tiffResolution(fine, 0)).toEqual({ x: 204, y: 196 });
    expect(tiffResolution(Buffer.from('%PDF-1.7'), 0)).toBeNull();
    expect(isStandardFaxShape(1728, 1078)).toBe(true);
    expect(isStandardFaxShape(1728, 2200)).toBe(false);
    expect(squarePixelHeight(1728, 1078, { x: 204, y: 98 })).toBe(2244);
    expect(squarePixelHeight(1728, 2156, { x: 204, y: 196 })).toBe(2156);
    expect(squarePixelHeight(1728, 1078, null)).toBe(2156);
    expect(squarePixelHeight(1700, 2200, null)).toBe(2200);
  });

  it('is drawn at the proportions of the printed page, where it was drawn half as tall', async () => {
    for (const [tiff, n] of [
      [standard, 2],
      [fine, 1],
    ] as const) {
      const { width = 0, height = 0 } = await sharp(await renderPage(tiff, n, 'fax')).metadata();
      // 11 / 8.5 = 1.29; drawn as stored, the standard fax was 0.62.
      expect(height / width).toBeGreaterThan(1.25);
      expect(height / width).toBeLessThan(1.34);
    }
  });

  it('keeps a landscape photo as it is: only a TIFF is a fax', async () => {
    const photo = await sharp({ create: { width: 2000, height: 1200, channels: 3, background: '#f0f0f0' } })
      .jpeg()
      .toBuffer();
    const { width = 0, height = 0 } = await sharp(await renderPage(photo, 1, 'photo')).metadata();
    expect(height / width).toBeCloseTo(0.6, 2);
  });
});

describe('lines OCR read on a page set upright, placed on the page as received', () => {
  const lines = [{ text: 'Flexeril 7.5mg #60: Upheld', box: { left: 100, top: 200, right: 500, bottom: 240 } }];

  it('are fractions of the page, and turned back with the page', () => {
    // The upright page OCR read was 1000 x 2000 pixels.
    expect(linesAsReceived(lines, 1000, 2000, 0)).toEqual([{ text: 'Flexeril 7.5mg #60: Upheld', box: [0.1, 0.1, 0.5, 0.12] }]);
    // Received upside down: the line is near the foot of the page, from the right.
    expect(linesAsReceived(lines, 1000, 2000, 180)![0]!.box).toEqual([0.5, 0.88, 0.9, 0.9]);
    // Received lying on its side, turned a quarter clockwise: the line runs down the right of the page.
    expect(linesAsReceived(lines, 1000, 2000, 90)![0]!.box).toEqual([0.88, 0.1, 0.9, 0.5]);
    expect(linesAsReceived(lines, 1000, 2000, 270)![0]!.box).toEqual([0.1, 0.5, 0.12, 0.9]);
    expect(linesAsReceived(undefined, 1000, 2000, 0)).toBeUndefined();
    expect(linesAsReceived([{ text: '', box: lines[0]!.box }], 1000, 2000, 0)).toEqual([]);
  });

  it('land where the page as received shows them', async () => {
    // A page with a dark band where the line is, turned a quarter clockwise as if fed sideways.
    const upright = await sharp({ create: { width: 1000, height: 2000, channels: 3, background: '#ffffff' } })
      .composite([
        {
          input: await sharp({ create: { width: 400, height: 40, channels: 3, background: '#000000' } })
            .png()
            .toBuffer(),
          left: 100,
          top: 200,
        },
      ])
      .png()
      .toBuffer();
    const received = await sharp(upright).rotate(90).greyscale().raw().toBuffer({ resolveWithObject: true });
    const [left, top, right, bottom] = linesAsReceived(lines, 1000, 2000, 90)![0]!.box;
    const { width, height } = received.info;
    const at = (x: number, y: number) => received.data[Math.floor(y * height) * width + Math.floor(x * width)]!;
    expect(at((left + right) / 2, (top + bottom) / 2)).toBeLessThan(64);
    expect(at(left - 0.05, (top + bottom) / 2)).toBeGreaterThan(192);
  });
});
