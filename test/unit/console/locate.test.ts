import { describe, expect, it } from 'vitest';
import { locate, locateItems, pagesOf } from '../../../functions/console/app/locate.ts';

describe("an item's place in the letter", () => {
  const text =
    'Summary: 1. Percocet 10/325mg #90\n\f\nPercocet 10/325mg #90: Upheld\nDecision rationale: The patient presents with neck\npain with radiation to the left upper extremity and opioid use.\n\f\nFlexeril 7.5mg #60: Upheld\nDecision rationale: The patient presents with neck   pain with radiation to the left upper extremity and spasm.';
  const pages = pagesOf(text);

  it('is found across line breaks and spacing, on its page', () => {
    const passage = locate(pages, ['The patient presents with neck pain with radiation to the left upper extremity and opioid use.'])!;
    expect(passage.page).toBe(2);
    expect(pages[1]!.slice(passage.start, passage.end)).toMatch(/^The patient presents with neck\npain with radiation to the l/);
  });

  it('follows the item before it when two rationales open alike', () => {
    const [first, second] = locateItems(pages, [
      { request: 'Percocet 10/325mg #90', rationale: 'The patient presents with neck pain with radiation to the left upper extremity and opioid use.' },
      { request: 'Flexeril 7.5mg #60', rationale: 'The patient presents with neck pain with radiation to the left upper extremity and spasm.' },
    ]);
    expect([first?.page, second?.page]).toEqual([2, 3]);
  });

  it('says it was not found rather than guessing', () => {
    expect(locate(pages, ['Acupuncture 1 x 3 for the cervical spine', 'short'])).toBeNull();
  });
});
