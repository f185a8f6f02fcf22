import { describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { withoutRules } from '../../../functions/reader/rules.ts';

/** A page 1700 x 2200 with a boxed two-cell table at the top and a line of text in each cell. */
async function boxedHeader(): Promise<Buffer> {
  const svg = `<svg width="1700" height="2200" xmlns="http://www.w3.org/2000/svg">
    <rect width="1700" height="2200" fill="#fff"/>
    <rect x="100" y="100" width="1500" height="120" fill="none" stroke="#000" stroke-width="3"/>
    <line x1="850" y1="100" x2="850" y2="220" stroke="#000" stroke-width="3"/>
    <text x="130" y="175" font-family="DejaVu Sans" font-size="40" fill="#000">Case Number: CM16-0213037</text>
    <text x="880" y="175" font-family="DejaVu Sans" font-size="40" fill="#000">Decision Date: 12/09/2016</text>
  </svg>`;
  return sharp(Buffer.from(svg)).greyscale().png().toBuffer();
}

async function darkPixels(png: Buffer, left: number, top: number, width: number, height: number): Promise<number> {
  const { data } = await sharp(png).greyscale().extract({ left, top, width, height }).raw().toBuffer({ resolveWithObject: true });
  return data.filter((value) => value < 140).length;
}

describe('ruled lines removed before OCR (the published header table)', () => {
  it("whitens the table's rules and keeps the text of its cells", async () => {
    const page = await boxedHeader();
    const clean = await withoutRules(page);
    // The top rule, the bottom rule, the middle and the outer verticals: gone.
    expect(await darkPixels(page, 300, 97, 400, 7)).toBeGreaterThan(1000);
    expect(await darkPixels(clean, 300, 97, 400, 7)).toBe(0);
    expect(await darkPixels(clean, 300, 217, 400, 7)).toBe(0);
    expect(await darkPixels(clean, 846, 105, 8, 110)).toBe(0);
    expect(await darkPixels(clean, 96, 105, 8, 110)).toBe(0);
    // The cells' text: every dark pixel of it still there.
    const before = await darkPixels(page, 120, 130, 700, 60);
    expect(before).toBeGreaterThan(1000);
    expect(await darkPixels(clean, 120, 130, 700, 60)).toBe(before);
  });

  it('leaves a page with no rules as it is', async () => {
    // Text up to a 24 pt heading at 200 dpi (about 65 px tall), underlines short of a rule.
    const plain = await sharp(
      Buffer.from(
        '<svg width="1700" height="2200" xmlns="http://www.w3.org/2000/svg"><rect width="1700" height="2200" fill="#fff"/><text x="100" y="200" font-family="DejaVu Sans" font-size="66">IMR ISSUES, DECISIONS</text><text x="100" y="400" font-family="DejaVu Sans" font-size="40">Flexeril 7.5mg #60: Upheld</text><line x1="100" y1="410" x2="180" y2="410" stroke="#000" stroke-width="2"/></svg>',
      ),
    )
      .png()
      .toBuffer();
    expect(await withoutRules(plain)).toBe(plain);
  });
});
