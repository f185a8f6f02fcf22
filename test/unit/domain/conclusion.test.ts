import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { finalSentences, rationaleConclusions, sentences } from '../../../functions/domain/conclusion.ts';
import { classifyLetter, type ClassifiedDetermination } from '../../../functions/domain/index.ts';
import { loadGoldenLetters } from '../../fixtures/golden.ts';

/** What prose is made of where sentence boundaries are decided: ends, quotes, brackets, decimals, runs of space. */
const PIECES = [
  'the',
  'Patient',
  'MRI',
  'Dr',
  '7.5mg',
  '8/10',
  '.',
  '. ',
  '.  ',
  '!',
  '?',
  '"',
  "'",
  '(',
  ')',
  '%',
  ']',
  ' ',
  '   ',
  '\n',
  'A',
  'Is',
  'no',
  'ü',
];
const prose = fc.oneof(
  fc.array(fc.constantFrom(...PIECES), { maxLength: 300 }).map((pieces) => pieces.join('')),
  fc.string({ unit: fc.constantFrom('a', 'B', '.', ' ', '"', ')', '!', '\n', 'Z', '%'), maxLength: 400 }),
);

describe("a rationale's final sentences", () => {
  it('are the last sentences of the whole prose, whatever window its end is split from', () => {
    fc.assert(
      fc.property(prose, fc.integer({ min: 1, max: 120 }), fc.integer({ min: 1, max: 6 }), (text, window, count) => {
        expect(finalSentences(text, count, window)).toEqual(sentences(text).slice(-count));
      }),
      { numRuns: 3000 },
    );
  });

  it('conclude a letter the same when a file of records follows it', () => {
    const letter = loadGoldenLetters()[0]!.text;
    const records = Array.from({ length: 60 }, (_, i) => `Progress note line ${i + 1}: patient seen, vitals stable, plan unchanged.`).join('\n');
    const before = rationaleConclusions(classifyLetter(letter) as ClassifiedDetermination);
    expect(before.some((conclusion) => conclusion !== null)).toBe(true);
    // The records read as the last item's rationale: its conclusion is the records' (none), the others' unchanged.
    const appended = classifyLetter(`${letter}\n${records.repeat(2000)}`) as ClassifiedDetermination;
    expect(appended.items.at(-1)!.rationale.length).toBeGreaterThan(1_000_000);
    const after = rationaleConclusions(appended);
    expect(after.slice(0, -1)).toEqual(before.slice(0, -1));
  });
});
