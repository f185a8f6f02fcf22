import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { classifyLetter, DeterminationSchema, type ClassifiedDetermination } from '../../../functions/domain/index.ts';
import { loadGoldenLetters } from '../../fixtures/golden.ts';
import { printedLines } from '../../fixtures/variants.ts';
import { letterText } from '../../fixtures/factories.ts';

const letters = loadGoldenLetters();
const fragments = letters.flatMap((letter) => printedLines(letter.text));
const furniture = (page: number) => [
  `JAN-28-2015 10:41 FROM:MAXIMUS FEDERAL SVCS  TO:9165551234  P.${page}/6`,
  `Page ${page} of 6`,
  'CM14-0209876',
  `P.${page}/6`,
  '\f',
];

function itemsOf(text: string) {
  const determination = classifyLetter(text) as ClassifiedDetermination;
  return determination.items.map(({ request, decision, category, subcategory, rationale, treatment, guidelines }) => ({ request, decision, category, subcategory, rationale, treatment, guidelines }));
}

/** Never throws, and whatever it returns is a valid Determination. */
function expectWellFormed(text: string): void {
  const determination = classifyLetter(text);
  expect(DeterminationSchema.safeParse(determination).success).toBe(true);
}

describe('parser robustness (fast-check)', () => {
  it('never throws on arbitrary text', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 2000 }), (text) => expectWellFormed(text)), { numRuns: 300 });
  });

  it('never throws on shuffled and damaged lines of real letters', () => {
    const line = fc.oneof(
      fc.constantFrom(...fragments),
      fc.constantFrom(': Upheld', 'Overturned', 'Decision rationale:', 'MAXIMUS guideline:', '1.', 'IMR DECISION(S) AND RATIONALE(S)', 'ISSUE AT DISPUTE:', 'MEDICAL PROFESSIONAL REVIEW', ''),
      fc.string({ maxLength: 120 }),
    );
    fc.assert(fc.property(fc.array(line, { maxLength: 200 }), (lines) => expectWellFormed(lines.join('\n'))), { numRuns: 300 });
  });

  it('never throws on a letter truncated at any point', () => {
    for (const letter of letters) {
      fc.assert(
        fc.property(fc.nat({ max: letter.text.length }), (end) => {
          const determination = classifyLetter(letter.text.slice(0, end));
          expect(DeterminationSchema.safeParse(determination).success).toBe(true);
          if (determination.status === 'CLASSIFIED') expect(determination.items.length).toBeLessThanOrEqual(letter.golden.items.length);
        }),
        { numRuns: 150 },
      );
    }
  });

  it('leaves every item unchanged when page furniture is inserted at any lines', () => {
    for (const letter of letters) {
      const lines = printedLines(letter.text);
      const original = itemsOf(lines.join('\n'));
      fc.assert(
        fc.property(fc.uniqueArray(fc.nat({ max: lines.length }), { minLength: 1, maxLength: 6 }), (positions) => {
          const withFurniture = [...lines];
          [...positions].sort((a, b) => b - a).forEach((position, k) => withFurniture.splice(position, 0, ...furniture(k + 2)));
          expect(itemsOf(withFurniture.join('\n'))).toEqual(original);
        }),
        { numRuns: 100 },
      );
    }
  });

  it('finishes in linear time on adversarial input', () => {
    const hostile = [
      'a '.repeat(100_000) + ': Upheld',
      'Decision rationale: ' + 'is not '.repeat(50_000),
      ('1. ' + 'x'.repeat(500) + '\n').repeat(400),
      '#'.repeat(200_000),
      letterText({ items: [{ request: 'Norco ' + '10/'.repeat(20_000) + 'mg' }] }),
    ];
    for (const text of hostile) expectWellFormed(text);
  });
});
