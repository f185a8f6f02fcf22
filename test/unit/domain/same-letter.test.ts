import { describe, expect, it } from 'vitest';
import { classifyLetter, compareLetters, letterFingerprint, type ClassifiedDetermination } from '../../../functions/domain/index.ts';
import { letterText, type ItemSpec } from '../../fixtures/factories.ts';

/** A letter decided on `decided`, injured 3/4/2012 (the factory's case summary). */
function letter(items: ItemSpec[], decided: string | null = '01/21/2015', preamble: string[] = []): ClassifiedDetermination {
  return classifyLetter(letterText({ preamble: [...preamble, ...(decided ? [`Decision Date: ${decided}`] : []), ''], items })) as ClassifiedDetermination;
}

const items: ItemSpec[] = [
  { request: 'Norco 10/325mg #90', decision: 'Upheld' },
  { request: 'Physical therapy 2x6 for the lumbar spine', decision: 'Overturned' },
];

describe('one letter in two forms', () => {
  it('is the same letter when its dates, decisions and requests agree, an OCR slip or two apart', () => {
    const fax = letter([
      { request: 'Norco 10/325mg #90', decision: 'Upheld' },
      { request: 'Physical therapv 2x6 for the lumbar spinc', decision: 'Overturned' },
    ]);
    expect(letterFingerprint(letter(items))).toBe('2015-01-21|2012-03-04|UO');
    expect(compareLetters(letter(items), fax)).toBe('SAME');
  });

  it('is never merged with another letter: another date, decision, case or employee is another letter', () => {
    expect(compareLetters(letter(items), letter(items, '01/22/2015'))).toBe('DIFFERENT');
    expect(compareLetters(letter(items), letter([items[0]!, { ...items[1]!, decision: 'Upheld' }]))).toBe('DIFFERENT');
    expect(compareLetters(letter(items, '01/21/2015', ['Case Number: CM15-0000001']), letter(items, '01/21/2015', ['Case Number: CM15-0000002']))).toBe(
      'DIFFERENT',
    );
    expect(compareLetters(letter(items), letter([{ request: 'Acupuncture x6 for the neck', decision: 'Upheld' }, items[1]!]))).toBe('DIFFERENT');
  });

  it('is left for a person when only a number differs (#60 or #90 is two requests, or one misread)', () => {
    expect(compareLetters(letter(items), letter([{ request: 'Norco 10/325mg #60', decision: 'Upheld' }, items[1]!]))).toBe('UNSURE');
  });

  it('cannot be told without the decision date', () => {
    expect(letterFingerprint(letter(items, null))).toBeNull();
    expect(compareLetters(letter(items, null), letter(items, null))).toBe('DIFFERENT');
  });
});
