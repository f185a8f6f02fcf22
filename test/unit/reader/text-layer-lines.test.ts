import { beforeAll, describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { DocumentReader } from '../../../functions/reader/read-document.ts';
import { renderPage } from '../../../functions/reader/pages.ts';
import { typesetPdf } from '../../fixtures/scans.ts';
import type { DocumentText } from '../../../functions/domain/index.ts';

const LINES = [
  'IMR ISSUES, DECISIONS AND RATIONALES',
  'The Final Determination was based on decisions for the disputed items/services set forth below:',
  '',
  'Flexeril 7.5mg #60: Upheld',
  '',
  'Claims Administrator guideline: Decision based on MTUS Chronic Pain Treatment Guidelines.',
  'Decision rationale: The patient presents with neck pain with radiation to the left upper extremity.',
];

describe("a PDF's text layer", () => {
  let pdf: Uint8Array;
  let read: DocumentText;
  beforeAll(async () => {
    pdf = await typesetPdf(LINES);
    const reader = new DocumentReader();
    read = await reader.read(pdf, 'letter.pdf');
    await reader.close();
  }, 60_000);

  it('gives each line with its box, in the order of the text', () => {
    expect(read.ocrPages).toBe(0);
    const lines = read.layout!.pages[0]!;
    expect(lines.map((line) => line.text)).toEqual([...LINES.filter(Boolean), 'Page 1 of 1']);
    expect(lines.map((line) => line.box[1])).toEqual([...lines.map((line) => line.box[1])].sort((a, b) => a - b));
  });

  it('places a line over its ink on the page image a person is shown', async () => {
    const heading = read.layout!.pages[0]!.find((line) => line.text === 'Flexeril 7.5mg #60: Upheld')!;
    const { data, info } = await sharp(await renderPage(pdf, 1, 'letter.pdf'))
      .greyscale()
      .raw()
      .toBuffer({ resolveWithObject: true });
    const ink = (box: readonly number[]) => {
      const [left, top, right, bottom] = [box[0]! * info.width, box[1]! * info.height, box[2]! * info.width, box[3]! * info.height].map(Math.round);
      let dark = 0;
      for (let y = top!; y < bottom!; y++) for (let x = left!; x < right!; x++) if (data[y * info.width + x]! < 128) dark++;
      return dark / Math.max(1, (right! - left!) * (bottom! - top!));
    };
    expect(ink(heading.box)).toBeGreaterThan(0.08);
    // The same band moved down by its own height and a half: the blank line under the heading.
    const height = heading.box[3] - heading.box[1];
    expect(ink([heading.box[0], heading.box[1] + 1.5 * height, heading.box[2], heading.box[3] + 1.5 * height])).toBeLessThan(0.01);
  });
});
