import { describe, expect, it } from 'vitest';
import { median3, pipelineOf, pngOf, rasterFrom, rasterOf, stretchContrast } from '../../../functions/reader/raster.ts';

/** A grey raster of `width` x 100 whose pixels take `value(i)`. */
function raster(width: number, value: (i: number) => number) {
  const data = new Uint8Array(width * 100);
  for (let i = 0; i < data.length; i++) data[i] = value(i);
  return { data, width, height: 100 };
}

describe('stretchContrast', () => {
  it('spreads a washed-out page (grey text on grey paper) over black to white', () => {
    // Half the pixels dark grey (90), half light grey (170): a faded photocopy.
    const page = raster(100, (i) => (i % 2 ? 90 : 170));
    stretchContrast(page);
    // The bounds are whole lightness values, as sharp takes them: the text lands within a few levels of black.
    expect(Math.max(...page.data.filter((_, i) => i % 2))).toBeLessThanOrEqual(8);
    expect(Math.min(...page.data.filter((_, i) => i % 2 === 0))).toBe(255);
  });

  it('is not set by the darkest and lightest 1%: a few black specks leave the text grey, not white', () => {
    // 0.5% black specks, 30% text at 100, the rest paper at 200.
    const page = raster(200, (i) => (i % 200 === 0 ? 0 : i % 10 < 3 ? 100 : 200));
    stretchContrast(page);
    // The low bound is the text, not the specks: the text goes (nearly) black, where a bound at the specks would leave it at 100.
    expect(page.data[1]).toBeLessThanOrEqual(8);
    expect(page.data[5]).toBe(255);
  });

  it('leaves a page of one value as it is', () => {
    const page = raster(50, () => 255);
    stretchContrast(page);
    expect(page.data.every((value) => value === 255)).toBe(true);
  });
});

describe('pngOf and rasterOf', () => {
  it('encode a page once as a grey PNG that decodes to the same pixels, with its resolution', async () => {
    const page = { ...raster(64, (i) => (i * 7) % 256), dpi: 300 };
    const png = await pngOf(page);
    const { default: sharp } = await import('sharp');
    const metadata = await sharp(png).metadata();
    expect(metadata).toMatchObject({ channels: 1, density: 300, width: 64, height: 100 });
    expect(Buffer.from((await rasterOf(png)).data).equals(Buffer.from(page.data))).toBe(true);
  });
});

describe('median3', () => {
  it("gives sharp's 3x3 median pixel for pixel: specks on paper, strokes, noise, and the page's edges", async () => {
    // Paper with a few specks and a stroke in the top half; every value at random in the bottom half.
    let seed = 7;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648) * 256;
    const page = raster(157, (i) => {
      const [x, y] = [i % 157, Math.floor(i / 157)];
      if (y >= 50) return Math.floor(random());
      if (x >= 40 && x < 44) return 10;
      return i % 97 === 0 ? 0 : 255;
    });
    const ours = median3(page);
    const sharps = await rasterFrom((await pipelineOf(page)).median(3));
    expect([ours.width, ours.height]).toEqual([sharps.width, sharps.height]);
    expect(Buffer.from(ours.data).equals(Buffer.from(sharps.data))).toBe(true);
    // A lone speck on paper is gone; the stroke stays.
    expect(ours.data[97]).toBe(255);
    expect(ours.data[10 * 157 + 41]).toBe(10);
  });
});
