import { describe, expect, it } from 'vitest';
import { faxTiffOf, isBilevel, median3, pipelineOf, pngOf, rasterFrom, rasterOf, stretchContrast } from '../../../functions/reader/raster.ts';

/** A grey raster of `width` x 100 whose pixels take `value(i)`. */
function raster(width: number, value: (i: number) => number) {
  const data = new Uint8Array(width * 100);
  for (let i = 0; i < data.length; i++) data[i] = value(i);
  return { data, width, height: 100 };
}

/** A SHORT tag's value in a TIFF's first directory. */
function tiffTag(tiff: Buffer, tag: number): number | undefined {
  const little = tiff[0] === 0x49;
  const u16 = (at: number) => (little ? tiff.readUInt16LE(at) : tiff.readUInt16BE(at));
  const directory = little ? tiff.readUInt32LE(4) : tiff.readUInt32BE(4);
  for (let entry = 0; entry < u16(directory); entry++) {
    const at = directory + 2 + entry * 12;
    if (u16(at) === tag) return u16(at + 8);
  }
  return undefined;
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

describe('isBilevel', () => {
  it('knows a page of black and white only, whatever the alignment of its bytes', () => {
    // A raster that starts one byte into its buffer, of a length no multiple of four: the bytes before and after the aligned words count too.
    const buffer = new Uint8Array(1 + 37 * 11 + 2);
    const data = buffer.subarray(1, 1 + 37 * 11);
    data.forEach((_, i) => (data[i] = i % 3 ? 255 : 0));
    expect(isBilevel({ data, width: 37, height: 11 })).toBe(true);
    for (const at of [0, 1, 2, 3, 200, data.length - 2, data.length - 1])
      for (const grey of [1, 127, 128, 254]) {
        const page = { data: data.slice(), width: 37, height: 11 };
        page.data[at] = grey;
        expect(isBilevel(page), `${grey} at ${at}`).toBe(false);
        expect(isBilevel({ data: Uint8Array.from(page.data), width: 37, height: 11 }), `${grey} at ${at}, aligned`).toBe(false);
      }
  });

  it('is false for a grey scan and a page of one grey', () => {
    expect(isBilevel(raster(64, (i) => (i * 7) % 256))).toBe(false);
    expect(isBilevel(raster(64, () => 0x7f))).toBe(false);
    // A grey whose bytes are alike in all but one bit (0x7f, 0xfe) is still grey.
    expect(isBilevel(raster(64, (i) => (i === 4000 ? 0xfe : 255)))).toBe(false);
  });
});

describe('faxTiffOf', () => {
  it('encodes a black-and-white page as a one-bit Group 4 TIFF that decodes to the same pixels, with its resolution', async () => {
    const page = { ...raster(203, (i) => (((i % 203) * 13 + Math.floor(i / 203) * 7) % 5 === 0 ? 0 : 255)), dpi: 200 };
    const tiff = await faxTiffOf(page);
    const { default: sharp } = await import('sharp');
    expect(await sharp(tiff).metadata()).toMatchObject({ format: 'tiff', width: 203, height: 100, density: 200 });
    // Its first directory's tags: Compression 4 (CCITT Group 4), BitsPerSample 1.
    expect(tiffTag(tiff, 259)).toBe(4);
    expect(tiffTag(tiff, 258)).toBe(1);
    expect(Buffer.from((await rasterOf(tiff)).data).equals(Buffer.from(page.data))).toBe(true);
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
