import { describe, expect, it } from 'vitest';
import { readTesseractTsv } from '../../../functions/adapters/tesseract/recognizer.ts';

/** Builds Tesseract TSV rows: a line row (level 4) then its word rows (level 5). */
function tsv(lines: Array<{ top: number; words: Array<[string, number]> }>): string {
  const header = 'level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext';
  const rows = lines.flatMap((line, i) => [
    `4\t1\t1\t1\t${i + 1}\t0\t100\t${line.top}\t1500\t30\t-1\t`,
    ...line.words.map(([word, conf], w) => `5\t1\t1\t1\t${i + 1}\t${w + 1}\t${100 + w * 80}\t${line.top}\t70\t30\t${conf}\t${word}`),
  ]);
  return [header, ...rows].join('\n');
}

describe('readTesseractTsv', () => {
  it('joins words into lines and marks a wide gap as a paragraph break', () => {
    const page = readTesseractTsv(
      tsv([
        { top: 100, words: [['As', 96], ['such,', 95]] },
        { top: 140, words: [['non-certified', 90]] },
        { top: 180, words: [['more', 91]] },
        { top: 260, words: [['Fexmid', 93], ['7.5mg:', 92], ['Upheld', 97]] },
      ]),
    );
    expect(page.text).toBe('As such,\nnon-certified\nmore\n\nFexmid 7.5mg: Upheld');
  });

  it('weights word confidence by word length, as 0..1', () => {
    const page = readTesseractTsv(tsv([{ top: 100, words: [['a', 0], ['abcd', 100]] }]));
    expect(page.confidence).toBeCloseTo(0.8);
  });

  it('reads empty output as an empty page with no confidence', () => {
    expect(readTesseractTsv('level\tpage_num\n')).toEqual({ text: '', confidence: 0, doubtful: [] });
  });

  it('names the words holding a digit that tesseract was unsure of, and only those', () => {
    const page = readTesseractTsv(tsv([{ top: 100, words: [['Norco', 40], ['10/325mg', 96], ['#40', 55], ['8', 69], ['sessions', 30], ['2016', 70]] }]));
    // Each with its neighbours on the line, which tie it to the request it stands in.
    expect(page.doubtful).toEqual([
      { text: '#40', confidence: 0.55, context: '10/325mg #40 8' },
      { text: '8', confidence: 0.69, context: '#40 8 sessions' },
    ]);
  });
});
