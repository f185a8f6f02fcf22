import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { cutAfterVerdict, finalSentences, rationaleConclusions, sentences } from '../../../functions/domain/conclusion.ts';
import { RATIONALE_MAX_CHARS } from '../../../functions/domain/engine.ts';
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

  it('end where the letter ends when a file of records follows it: the last rationale is cut after its verdict, and a person is asked to check', () => {
    const letter = loadGoldenLetters()[0]!.text;
    const records = Array.from({ length: 60 }, (_, i) => `Progress note line ${i + 1}: patient seen, vitals stable, plan unchanged.`).join('\n');
    const alone = classifyLetter(letter) as ClassifiedDetermination;
    expect(alone.items.every((item) => item.rationale.length < RATIONALE_MAX_CHARS)).toBe(true);
    const filed = classifyLetter(`${letter}\n${records.repeat(2000)}`) as ClassifiedDetermination;
    // Every item, its rationale and its conclusion as read from the letter alone.
    expect(filed.items.map(({ rationale, decision, medicallyNecessary }) => ({ rationale, decision, medicallyNecessary }))).toEqual(
      alone.items.map(({ rationale, decision, medicallyNecessary }) => ({ rationale, decision, medicallyNecessary })),
    );
    expect(rationaleConclusions(filed)).toEqual(rationaleConclusions(alone));
    // Where the letter ends was a guess: the last item says so and is checked by a person.
    expect(filed.items.at(-1)!.flags).toContain('LOW_CONFIDENCE');
    expect(filed.flags).toContain('LOW_CONFIDENCE');
    expect(filed.warnings.join('\n')).toMatch(new RegExp(`item ${filed.items.length}: its rationale ran on for [\\d,]+ characters`));
    expect(alone.items.at(-1)!.flags).not.toContain('LOW_CONFIDENCE');
  });

  it('of one that ran on are its whole sentences up to the last that concludes, within the limit', () => {
    const verdict = 'Therefore, the request is not medically necessary.';
    const filler = 'The patient was seen again and the plan is unchanged. ';
    const ranOn = `${filler.repeat(10)}${verdict} ${filler.repeat(1000)}`;
    expect(cutAfterVerdict(ranOn, 2000)).toBe(`${filler.repeat(10)}${verdict}`);
    // No verdict within the limit: cut after its last whole sentence there.
    const none = filler.repeat(1000);
    const cut = cutAfterVerdict(none, 2000);
    expect(cut.length).toBeLessThanOrEqual(2000);
    expect(cut.endsWith('unchanged.')).toBe(true);
    expect(none.startsWith(cut)).toBe(true);
  });
});
