import { describe, expect, it } from 'vitest';
import { changedField } from '../../../functions/console/app/words.ts';

describe("a history change in the screen's words", () => {
  it('names an item as the screen numbers it (from 1), and a letter field by its label', () => {
    expect(changedField('items[0].request')).toBe('Item 1 request');
    expect(changedField('items[3].decision')).toBe('Item 4 decision');
    expect(changedField('dates.decision')).toBe('Decision date');
    expect(changedField('receivedOn')).toBe('Day received');
    expect(changedField('reviewedBy')).toBe('Confirmed by');
    expect(changedField('receivedOnConfirmed')).toBe('Day received confirmed (its caution cleared)');
  });

  it('leaves a path it does not know as it is, rather than guessing', () => {
    expect(changedField('somethingNew')).toBe('somethingNew');
  });
});
