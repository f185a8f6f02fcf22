import { describe, expect, it } from 'vitest';
import { groupForms } from '../../../functions/console/app/forms.ts';

const row = (id: string, sameLetterAs?: string) => ({ id, ...(sameLetterAs ? { sameLetterAs } : {}) });

describe('forms of one letter in the queue', () => {
  it('puts each other form of a letter right under its first form, in the order they came', () => {
    const { rows, under } = groupForms([row('fax', 'text'), row('other'), row('text'), row('pdf', 'text'), row('last')]);
    expect(rows.map((r) => r.id)).toEqual(['other', 'text', 'fax', 'pdf', 'last']);
    expect([...under]).toEqual(['fax', 'pdf']);
  });

  it('leaves a form where it is when its first form is not among the rows (filtered out, or not loaded yet)', () => {
    const { rows, under } = groupForms([row('a'), row('fax', 'elsewhere'), row('b')]);
    expect(rows.map((r) => r.id)).toEqual(['a', 'fax', 'b']);
    expect(under.size).toBe(0);
  });

  it('loses no row and repeats none', () => {
    const input = [row('t1'), row('f1', 't1'), row('t2'), row('f2', 't2'), row('f3', 't1'), row('self', 'self')];
    const { rows } = groupForms(input);
    expect(rows.map((r) => r.id).sort()).toEqual(input.map((r) => r.id).sort());
  });
});
