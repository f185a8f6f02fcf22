import { describe, expect, it } from 'vitest';
import { applyCorrection, classifyLetter, CorrectionSchema, type ClassifiedDetermination } from '../../../functions/domain/index.ts';
import { letterText } from '../../fixtures/factories.ts';

const letter = classifyLetter(
  letterText({
    preamble: ['Case Number: CM15-0000123', ''],
    items: [
      { request: 'Norco 10/325mg #120', decision: 'Upheld' },
      { request: 'Physical therapy 2x6 for the lumbar spine', decision: 'Overturned' },
    ],
  }),
) as ClassifiedDetermination;

describe('a person correcting a Determination', () => {
  it('changes a decision and the outcome that follows, and says what changed', () => {
    const { determination, changes } = applyCorrection(letter, CorrectionSchema.parse({ items: [{ index: 0, decision: 'OVERTURNED' }] }));
    expect(determination.items[0]!.decision).toBe('OVERTURNED');
    expect(determination.outcome).toBe('OVERTURNED');
    expect(changes).toEqual([
      { path: 'items[0].decision', from: 'UPHELD', to: 'OVERTURNED' },
      { path: 'outcome', from: 'PARTIALLY_OVERTURNED', to: 'OVERTURNED' },
    ]);
    expect(letter.items[0]!.decision).toBe('UPHELD');
  });

  it('reclasses an item, a new category clearing a subcategory from another', () => {
    const { determination, changes } = applyCorrection(letter, CorrectionSchema.parse({ items: [{ index: 1, category: 'PROGRAM' }] }));
    expect([determination.items[1]!.category, determination.items[1]!.subcategory]).toEqual(['PROGRAM', null]);
    expect(changes.map((change) => change.path)).toEqual(['items[1].category', 'items[1].subcategory']);
  });

  it('corrects the case number and a date; values equal to the current ones are no change', () => {
    const { changes } = applyCorrection(
      letter,
      CorrectionSchema.parse({ caseNumber: 'CM15-0000999', dates: { injury: letter.dates.injury, decision: '2015-01-21' } }),
    );
    expect(changes).toEqual([
      { path: 'caseNumber', from: 'CM15-0000123', to: 'CM15-0000999' },
      { path: 'dates.decision', from: null, to: '2015-01-21' },
    ]);
  });

  it('refuses an index the letter does not have, and a subcategory of another category, naming the field', () => {
    expect(() => applyCorrection(letter, CorrectionSchema.parse({ items: [{ index: 5, decision: 'UPHELD' }] }))).toThrow(
      'items[0].index: the letter has 2 items, numbered from 0',
    );
    expect(() => applyCorrection(letter, CorrectionSchema.parse({ items: [{ index: 0, subcategory: 'EPIDURAL' }] }))).toThrow(
      'items[0].subcategory: EPIDURAL is not a subcategory of PHARMACEUTICAL',
    );
  });

  it('refuses unknown fields and malformed values before anything applies', () => {
    expect(CorrectionSchema.safeParse({ status: 'CLASSIFIED' }).success).toBe(false);
    expect(CorrectionSchema.safeParse({ items: [{ index: 0, decision: 'MAYBE' }] }).success).toBe(false);
    expect(CorrectionSchema.safeParse({ items: [{ index: 0, colour: 'red' }] }).success).toBe(false);
    expect(CorrectionSchema.safeParse({ dates: { injury: '2015-02-30' } }).success).toBe(false);
    expect(CorrectionSchema.safeParse({ receivedOn: '2015-01-23', reviewed: true, note: 'checked against the fax' }).success).toBe(true);
  });
});
