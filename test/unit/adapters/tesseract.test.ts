import { describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { readTesseractHocr, TesseractCli } from '../../../functions/adapters/tesseract/recognizer.ts';

type Word = [text: string, wordConfidence: number, weakestCharacter?: number];

/** Tesseract's hOCR with character boxes, as `tesseract ... -c hocr_char_boxes=1 hocr` writes it: lines, their words, each word's characters. */
function hocr(lines: Array<{ top: number; words: Word[] }>): string {
  const escape = (char: string) => char.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
  const body = lines
    .map((line, l) => {
      const words = line.words
        .map(([text, confidence, weakest = 99.5], w) => {
          const chars = [...text]
            .map(
              (char, c) =>
                `<span class='ocrx_cinfo' title='x_bboxes ${100 + c * 10} ${line.top} ${110 + c * 10} ${line.top + 30}; x_conf ${c === text.length - 1 ? weakest : 99.5}'>${escape(char)}</span>`,
            )
            .join('');
          return `<span class='ocrx_word' id='word_1_${l}_${w}' title='bbox ${100 + w * 80} ${line.top} ${170 + w * 80} ${line.top + 30}; x_wconf ${confidence}'>${chars}</span>`;
        })
        .join(' \n');
      return `<span class='ocr_line' id='line_1_${l}' title="bbox 100 ${line.top} 1600 ${line.top + 30}; baseline 0 -7; x_size 30; x_descenders 7; x_ascenders 8">\n${words}\n</span>`;
    })
    .join('\n');
  return `<?xml version="1.0" encoding="UTF-8"?>\n<html><body><div class='ocr_page' id='page_1' title='bbox 0 0 1728 2200'><div class='ocr_carea' id='block_1_1' title="bbox 100 100 1600 2000"><p class='ocr_par' id='par_1_1' lang='eng' title="bbox 100 100 1600 2000">\n${body}\n</p></div></div></body></html>`;
}

describe('readTesseractHocr', () => {
  it('joins words into lines and marks a wide gap as a paragraph break', () => {
    const page = readTesseractHocr(
      hocr([
        {
          top: 100,
          words: [
            ['As', 96],
            ['such,', 95],
          ],
        },
        { top: 140, words: [['non-certified', 90]] },
        { top: 180, words: [['more', 91]] },
        {
          top: 260,
          words: [
            ['Fexmid', 93],
            ['7.5mg:', 92],
            ['Upheld', 97],
          ],
        },
      ]),
    );
    expect(page.text).toBe('As such,\nnon-certified\nmore\n\nFexmid 7.5mg: Upheld');
  });

  it("gives each line read with its box, as hOCR's line element has it", () => {
    const page = readTesseractHocr(
      hocr([
        {
          top: 100,
          words: [
            ['Flexeril', 95],
            ['7.5mg', 93],
            ['#60:', 90],
            ['Upheld', 97],
          ],
        },
        { top: 140, words: [['Claims', 96]] },
      ]),
    );
    expect(page.lines).toEqual([
      { text: 'Flexeril 7.5mg #60: Upheld', box: { left: 100, top: 100, right: 1600, bottom: 130 } },
      { text: 'Claims', box: { left: 100, top: 140, right: 1600, bottom: 170 } },
    ]);
  });

  it('reads the characters hOCR escapes', () => {
    expect(
      readTesseractHocr(
        hocr([
          {
            top: 100,
            words: [
              ['"Q&A"', 90],
              ["<it's>", 90],
            ],
          },
        ]),
      ).text,
    ).toBe('"Q&A" <it\'s>');
  });

  it('weights word confidence by word length, as 0..1', () => {
    const page = readTesseractHocr(
      hocr([
        {
          top: 100,
          words: [
            ['a', 0],
            ['abcd', 100],
          ],
        },
      ]),
    );
    expect(page.confidence).toBeCloseTo(0.8);
  });

  it('reads empty output as an empty page with no confidence', () => {
    expect(readTesseractHocr('<html><body></body></html>')).toEqual({ lines: [], text: '', confidence: 0, doubtful: [], boxes: [] });
  });

  it('names the words holding a digit that tesseract was unsure of, by word or by a character, and only those', () => {
    const page = readTesseractHocr(
      hocr([
        {
          top: 100,
          words: [
            ['Norco', 40],
            ['10/325mg', 96],
            ['#40', 55],
            ['8', 69],
            ['sessions', 30],
            ['2016', 70],
            ['10/18/2016', 91, 94],
            ['11/03/2016', 45, 99.6],
          ],
        },
      ]),
    );
    // Each with its neighbours on the line, which tie it to the request it stands in, and its weakest character.
    expect(page.doubtful).toEqual([
      { text: '#40', confidence: 0.55, weakest: 0.995, context: '10/325mg #40 8' },
      { text: '8', confidence: 0.69, weakest: 0.995, context: '#40 8 sessions' },
      { text: '10/18/2016', confidence: 0.91, weakest: 0.94, context: '2016 10/18/2016 11/03/2016' },
      { text: '11/03/2016', confidence: 0.45, weakest: 0.995, context: '10/18/2016 11/03/2016' },
    ]);
  });
});

describe.runIf(TesseractCli.available())("a second look at a doubtful header value (Debian's tesseract)", () => {
  it('confirms a value read the same on its own, and marks one read differently', async () => {
    // "10/15/2016" printed on a page at 200 dpi, where the first reading may have seen "10/18/2016".
    const page = await sharp({ create: { width: 1200, height: 300, channels: 3, background: '#ffffff' } })
      .composite([
        {
          input: Buffer.from(
            '<svg width="1200" height="300"><text x="400" y="160" font-family="DejaVu Sans" font-size="36" fill="#000">10/15/2016</text></svg>',
          ),
          top: 0,
          left: 0,
        },
      ])
      .png()
      .toBuffer();
    const box = { left: 395, top: 125, right: 620, bottom: 170 };
    const cli = new TesseractCli();
    // The same page as the engine may have been handed it: a black-and-white page as a one-bit Group 4 TIFF.
    const { faxTiffOf, rasterOf } = await import('../../../functions/reader/raster.ts');
    const asFax = await faxTiffOf(await rasterOf(await sharp(page).threshold(128).png().toBuffer()));
    for (const image of [page, asFax]) {
      const [misread, right, notAValue] = await cli.secondLook(
        image,
        [
          { text: '10/18/2016', confidence: 0.6, weakest: 0.94 },
          { text: '10/15/2016', confidence: 0.4, weakest: 0.92 },
          { text: '#60', confidence: 0.5, weakest: 0.9 },
        ],
        [box, box, box],
      );
      expect(misread!.weakest).toBe(0);
      expect(right!.weakest).toBe(1);
      // Only dates and case numbers are read again; a request's number keeps its own confidence.
      expect(notAValue!.weakest).toBe(0.9);
    }
  }, 30_000);
});
