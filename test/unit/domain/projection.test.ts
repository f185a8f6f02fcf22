import { describe, expect, it } from 'vitest';
import { classifyLetter, type Determination } from '../../../functions/domain/index.ts';
import { filterFingerprint, upperBound } from '../../../functions/common/cursor.ts';
import { counterDeltas, replacementDeltas } from '../../../functions/domain/index.ts';
import { letterText } from '../../fixtures/factories.ts';

const letter = (decisions: Array<'Upheld' | 'Overturned'>): Determination =>
  classifyLetter(
    letterText({
      items: decisions.map((decision, i) => ({ request: i === 0 ? 'Norco 10/325mg #120' : 'Physical therapy 2x6 for the lumbar spine', decision })),
    }),
  );

describe('the projection of a Determination onto stats counters', () => {
  it('counts each item once under its category, subcategory, decision and month', () => {
    const deltas = new Map();
    counterDeltas(letter(['Upheld', 'Overturned']), '2026-05-04T10:00:00.000Z', 1, deltas);
    expect(Object.fromEntries(deltas)).toEqual({
      'category#PHARMACEUTICAL': { UPHELD: 1, OVERTURNED: 0 },
      'subcategory#PHARMACEUTICAL/OPIOID': { UPHELD: 1, OVERTURNED: 0 },
      'category#REHABILITATION': { UPHELD: 0, OVERTURNED: 1 },
      'subcategory#REHABILITATION/PHYSICAL_THERAPY': { UPHELD: 0, OVERTURNED: 1 },
      'decision#UPHELD': { UPHELD: 1, OVERTURNED: 0 },
      'decision#OVERTURNED': { UPHELD: 0, OVERTURNED: 1 },
      'month#2026-05': { UPHELD: 1, OVERTURNED: 1 },
    });
  });

  it('changes nothing when the same reading is saved again, and only the difference when it changes', () => {
    const first = letter(['Upheld', 'Overturned']);
    expect(replacementDeltas(first, first, '2026-05-04T10:00:00.000Z').size).toBe(0);
    const corrected = letter(['Overturned', 'Overturned']);
    expect(Object.fromEntries(replacementDeltas(first, corrected, '2026-05-04T10:00:00.000Z'))).toEqual({
      'category#PHARMACEUTICAL': { UPHELD: -1, OVERTURNED: 1 },
      'subcategory#PHARMACEUTICAL/OPIOID': { UPHELD: -1, OVERTURNED: 1 },
      'decision#UPHELD': { UPHELD: -1, OVERTURNED: 0 },
      'decision#OVERTURNED': { UPHELD: 0, OVERTURNED: 1 },
      'month#2026-05': { UPHELD: -1, OVERTURNED: 1 },
    });
  });

  it('counts nothing for an unrecognized document', () => {
    expect(replacementDeltas(null, classifyLetter('an invoice for services'), '2026-05-04T10:00:00.000Z').size).toBe(0);
  });

  it('bounds a day filter to its end and fingerprints filters whatever their order', () => {
    expect(upperBound('2026-05-04') > '2026-05-04T23:59:59.999Z').toBe(true);
    expect(upperBound('2026-05-04') < '2026-05-05').toBe(true);
    expect(filterFingerprint({ a: 1, b: undefined })).toBe(filterFingerprint({ b: undefined, a: 1 }));
    expect(filterFingerprint({ a: 1 })).not.toBe(filterFingerprint({ a: 2 }));
  });
});
