import { describe, expect, it } from 'vitest';
import { classifyLetter, HEADER_FIELD_DOUBT, ocrReading, type Determination } from '../../../functions/domain/index.ts';
import { loadGoldenLetters } from '../../fixtures/golden.ts';
import { printedLines } from '../../fixtures/variants.ts';

type Classified = Extract<Determination, { status: 'CLASSIFIED' }>;

function classified(determination: Determination): Classified {
  if (determination.status !== 'CLASSIFIED') throw new Error(`not classified: ${determination.reason}`);
  return determination;
}

/** Every golden letter with an item whose request holds a number, and that number as printed. */
const cases = loadGoldenLetters().flatMap((letter) => {
  const clean = classified(classifyLetter(letter.text));
  const index = clean.items.findIndex((item) => /\d/.test(item.request));
  if (index < 0) return [];
  const word = clean.items[index]!.request.split(/\s+/).find((token) => /\d/.test(token))!;
  return [{ name: letter.golden.letter, text: letter.text, clean, index, word }];
});

describe('numbers OCR was unsure of', () => {
  it('has letters to test with', () => expect(cases.length).toBeGreaterThanOrEqual(3));

  it.each(cases.map((c) => [c.name, c] as const))('%s: an item whose number OCR doubted is flagged and names it; the rest stay as they were', (_, c) => {
    const doubted = classified(
      classifyLetter(c.text, {
        doubtfulWords: [
          { text: c.word, confidence: 0.62 },
          { text: 'x7q', confidence: 0.1 },
        ],
      }),
    );
    const items = doubted.items.filter((item) => item.request.split(/\s+/).includes(c.word));
    expect(items.length).toBeGreaterThan(0);
    for (const item of items) {
      expect(item.flags).toContain('LOW_CONFIDENCE');
      expect(item.confidence).toBeLessThanOrEqual(0.6);
    }
    expect(doubted.warnings.some((warning) => warning.includes(`"${c.word}"`) && /unsure/.test(warning))).toBe(true);
    // What was read is not changed, only flagged.
    expect(doubted.items.map((item) => [item.request, item.decision])).toEqual(c.clean.items.map((item) => [item.request, item.decision]));
    // Items without the word keep their confidence.
    doubted.items.forEach((item, i) => {
      if (!item.request.split(/\s+/).includes(c.word)) expect(item.confidence).toBe(c.clean.items[i]!.confidence);
    });
  });

  it('ties a doubtful word to a request only where it stood beside the same words: a "1" doubted in a list elsewhere does not doubt "1 PRESCRIPTION OF ..."', () => {
    const letter = loadGoldenLetters().find((candidate) => candidate.text.includes('1 PRESCRIPTION OF CYCLOBENZAPRINE 5MG #60'))!;
    const elsewhere = classified(classifyLetter(letter.text, { doubtfulWords: [{ text: '1)', confidence: 0.5, context: 'follows: 1) PRESCRIPTION' }] }));
    expect(elsewhere.items.every((item) => !item.flags.includes('LOW_CONFIDENCE'))).toBe(true);
    const inHeading = classified(classifyLetter(letter.text, { doubtfulWords: [{ text: '#60', confidence: 0.5, context: 'CYCLOBENZAPRINE 5MG #60' }] }));
    expect(inHeading.items.find((item) => item.request.includes('#60'))!.flags).toContain('LOW_CONFIDENCE');
    const startsIt = classified(classifyLetter(letter.text, { doubtfulWords: [{ text: '1', confidence: 0.5, context: '1 PRESCRIPTION OF' }] }));
    expect(startsIt.items.find((item) => item.request.startsWith('1 PRESCRIPTION'))!.flags).toContain('LOW_CONFIDENCE');
  });

  /** A letter with the published header block a fax's OCR reads: case number and dates in figures. */
  const headed = ['Case Number: CM16-0239110', 'Date Assigned: 12/06/2016', 'Decision Date: 01/04/2017', ...printedLines(cases[0]!.text)].join('\n');

  it('flags a case number and a date in figures read through very doubtful characters, and changes neither', () => {
    const clean = classified(classifyLetter(headed));
    expect([clean.caseNumber, clean.dates.assigned, clean.dates.decision]).toEqual(['CM16-0239110', '2016-12-06', '2017-01-04']);
    const doubted = classified(
      classifyLetter(headed, {
        doubtfulWords: [
          { text: '[CM16-0239110', confidence: 0.2 },
          { text: '01/04/2017', confidence: HEADER_FIELD_DOUBT - 0.01 },
          { text: '12/06/2016', confidence: HEADER_FIELD_DOUBT },
        ],
      }),
    );
    expect(doubted.flags).toContain('LOW_CONFIDENCE');
    expect(doubted.warnings).toEqual(
      expect.arrayContaining([expect.stringMatching(/^the case number was read through/), expect.stringMatching(/^the decision date was read through/)]),
    );
    expect(doubted.warnings.some((warning) => warning.startsWith('the date assigned'))).toBe(false);
    expect([doubted.caseNumber, doubted.dates.decision]).toEqual([clean.caseNumber, clean.dates.decision]);
  });

  it('doubts a header value by its weakest character where the engine gives one: a doubted glyph, not the ruling beside the cell', () => {
    const misread = classified(classifyLetter(headed, { doubtfulWords: [{ text: '01/04/2017', confidence: 0.91, weakest: 0.94 }] }));
    expect(misread.warnings).toEqual(expect.arrayContaining([expect.stringMatching(/^the decision date was read through/)]));
    const besideRuling = classified(classifyLetter(headed, { doubtfulWords: [{ text: '01/04/2017', confidence: 0.2, weakest: 0.995 }] }));
    expect(besideRuling.warnings.some((warning) => warning.startsWith('the decision date'))).toBe(false);
  });

  it('takes no doubt from words without a digit, from a short number inside the case number, or from a header value only somewhat unsure (the ruling beside it)', () => {
    const clean = classified(classifyLetter(headed));
    const words = ['medically', 'necessary', '16', 'x7q'].map((text) => ({ text, confidence: 0.1 }));
    const doubted = classified(
      classifyLetter(headed, { doubtfulWords: [...words, { text: 'CM16-0239110', confidence: 0.45 }, { text: '01/04/2017', confidence: 0.6 }] }),
    );
    expect(doubted.flags).toEqual(clean.flags);
    expect(doubted.warnings).toEqual(clean.warnings);
  });

  it("carries every page's doubtful words from an OCR service into the reading", () => {
    const { text, context } = ocrReading([
      { text: 'one', confidence: 0.9, doubtful: [{ text: '#40', confidence: 0.5 }] },
      { text: 'two', confidence: null },
      { text: 'three', confidence: 0.7, doubtful: [{ text: '8', confidence: 0.6 }] },
    ]);
    expect(text).toBe('one\n\f\ntwo\n\f\nthree');
    expect(context).toEqual({
      ocrConfidence: 0.8,
      pageCount: 3,
      pageConfidences: [0.9, null, 0.7],
      doubtfulWords: [
        { text: '#40', confidence: 0.5 },
        { text: '8', confidence: 0.6 },
      ],
    });
  });
});
