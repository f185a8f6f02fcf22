import { beforeAll, describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { uprightPage } from '../../../functions/reader/upright.ts';
import { loadGoldenLetters } from '../../fixtures/golden.ts';
import { printedLines } from '../../fixtures/variants.ts';
import { rasterise, typesetPdf } from '../../fixtures/scans.ts';

/** The first page of a real letter, typeset and rasterised at a scanner's 150 dpi. */
let page: Buffer;
beforeAll(async () => {
  const letter = loadGoldenLetters()[0]!;
  const [first] = await rasterise(await typesetPdf(printedLines(letter.text)), 150);
  page = first!;
}, 60_000);

/** The page as a sheet fed crooked: turned clockwise by `degrees`, corners white. */
async function fedCrooked(degrees: number): Promise<Buffer> {
  return sharp(page).rotate(degrees, { background: '#ffffff' }).png().toBuffer();
}

describe('setting a page upright before OCR', () => {
  // A sheet fed crooked into a scanner or a fax comes in at up to about 10 degrees.
  it.each([-10, -8, -3, 2, 5, 8, 10])(
    'finds a sheet skewed %d degrees and straightens it',
    async (degrees) => {
      const { png, turn } = await uprightPage(await fedCrooked(degrees));
      expect(turn.quarter).toBe(0);
      expect(Math.abs(turn.angle - degrees)).toBeLessThanOrEqual(0.5);
      // Straightened: judging the result again finds it level.
      const again = await uprightPage(png);
      expect(Math.abs(again.turn.angle)).toBeLessThanOrEqual(0.5);
    },
    30_000,
  );

  it('finds a sheet fed upside down and skewed 8 degrees', async () => {
    const { turn } = await uprightPage(await fedCrooked(188));
    expect(turn.quarter).toBe(180);
    expect(Math.abs(turn.skew - 8)).toBeLessThanOrEqual(0.5);
  }, 30_000);

  it('leaves a level page as it is', async () => {
    const { png, turn } = await uprightPage(page);
    expect(turn.angle).toBe(0);
    expect(png).toBe(page);
  }, 30_000);
});

describe('ink points', () => {
  it('finds the same ink on a page judged after a wider and a narrower one (its window sums start from zero for each page)', async () => {
    const { inkPoints } = await import('../../../functions/reader/orientation.ts');
    const { rasterOf } = await import('../../../functions/reader/raster.ts');
    // Cut at the text's left edge, so that there is ink where the sums reach the first column.
    const { width = 0, height = 0 } = await sharp(page).metadata();
    const cut = await sharp(page)
      .extract({ left: Math.round(width * 0.15), top: 0, width: Math.round(width * 0.85), height })
      .png()
      .toBuffer();
    const narrow = await rasterOf(await sharp(cut).resize({ width: 700 }).png().toBuffer());
    const wide = await rasterOf(await sharp(cut).resize({ width: 1200 }).png().toBuffer());
    const first = inkPoints(narrow);
    expect(first.xs.length).toBeGreaterThan(1_000);
    inkPoints(wide);
    const again = inkPoints(narrow);
    expect(Array.from(again.xs)).toEqual(Array.from(first.xs));
    expect(Array.from(again.ys)).toEqual(Array.from(first.ys));
  });
});
