import { describe, expect, it } from 'vitest';
import { classifyLetter, DeterminationSchema, type ClassifiedDetermination } from '../../../functions/domain/index.ts';
import { loadGoldenLetters } from '../../fixtures/golden.ts';
import { variantsOf } from '../../fixtures/variants.ts';
import { scoreDetermination, similarText } from '../../fixtures/scoring.ts';

const letters = loadGoldenLetters();
const variants = letters.flatMap(variantsOf);

function classified(text: string): ClassifiedDetermination {
  const determination = classifyLetter(text);
  if (determination.status !== 'CLASSIFIED') throw new Error(`not classified: ${determination.reason}`);
  return determination;
}

describe('golden letters as published', () => {
  it.each(letters.map((letter) => [letter.golden.letter, letter] as const))('%s: every annotated field is read right', (_, letter) => {
    const misses = scoreDetermination(letter.golden, classifyLetter(letter.text)).filter((score) => score.fp > 0 || score.fn > 0);
    expect(misses).toEqual([]);
  });

  it.each(letters.map((letter) => [letter.golden.letter, letter] as const))('%s: no flags, full confidence', (_, letter) => {
    const determination = classified(letter.text);
    expect(determination.flags).toEqual([]);
    expect(determination.items.every((item) => item.confidence >= 0.95)).toBe(true);
  });
});

describe('every variant (CRLF, compact, fax, hyphenated, OCR, header block, 2013, earliest)', () => {
  it.each(variants.map((variant) => [variant.name, variant] as const))('%s: items, decisions, categories and outcome right', (_, variant) => {
    const determination = classified(variant.text);
    expect(determination.layout).toBe(variant.expected.layout);
    expect(determination.outcome).toBe(variant.expected.outcome);
    expect(determination.items.length).toBe(variant.expected.items.length);
    variant.expected.items.forEach((expected, i) => {
      const item = determination.items[i]!;
      expect(similarText(expected.request, item.request), `${item.request} ~ ${expected.request}`).toBe(true);
      expect({ decision: item.decision, category: item.category, subcategory: item.subcategory }).toEqual({
        decision: expected.decision,
        category: expected.category,
        subcategory: expected.subcategory,
      });
    });
  });

  it.each(variants.map((variant) => [variant.name, variant] as const))('%s: output satisfies the Determination schema', (_, variant) => {
    expect(DeterminationSchema.safeParse(classifyLetter(variant.text)).success).toBe(true);
  });

  it('page furniture never reaches a rationale', () => {
    for (const variant of variants.filter((v) => v.kind === 'fax' || v.kind === 'ocr-fax-2013')) {
      for (const item of classified(variant.text).items) {
        expect(item.rationale).not.toMatch(/Page \d+ of \d+|FROM:MAXIMUS|P\.\d+\/\d+|CM\d{2}-\d{5,}/);
      }
    }
  });

  it('the header block gives case number and every date', () => {
    const variant = variants.find((v) => v.kind === 'header')!;
    const determination = classified(variant.text);
    expect(determination.caseNumber).toBe('CM15-0023456');
    expect(determination.dates).toEqual(variant.expected.dates);
  });
});
