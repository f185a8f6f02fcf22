/**
 * The 2013 notice layout's spec on its own: its anchor, its two lists of decisions compared, its
 * rationale blocks with their guideline parties. (A new layout comes as a spec file and a test
 * like this one.)
 */
import { describe, expect, it } from 'vitest';
import { NOTICE_2013 } from '../../../../functions/domain/layouts/notice-2013.ts';
import { contentLines, normalizeText } from '../../../../functions/domain/normalize.ts';
import { loadGoldenLetters } from '../../../fixtures/golden.ts';
import { renderNotice2013, seededRandom } from '../../../fixtures/variants.ts';

const letters = loadGoldenLetters();
const linesOf = (text: string) => contentLines(normalizeText(text));

describe('the 2013 notice spec', () => {
  it('is found by its cover heading, and by a decision sentence when the cover is lost', () => {
    const lines = linesOf(renderNotice2013(letters[0]!).text);
    expect(NOTICE_2013.detect(lines)).toEqual({ at: 0 });
    const coverless = lines.filter((line) => !/Notice of Independent Medical Review Determination/i.test(line));
    expect(NOTICE_2013.detect(coverless)).toEqual({ at: 0 });
    expect(NOTICE_2013.detect(['IMR ISSUES, DECISIONS AND RATIONALES', 'Treatment: Upheld'])).toBeNull();
  });

  it.each(letters.map((letter) => [letter.golden.letter, letter] as const))(
    'reads every item of %s: request, decision, guidelines by party, rationale',
    (_, letter) => {
      const { text, expected } = renderNotice2013(letter, seededRandom(7));
      const read = NOTICE_2013.read(linesOf(text), { at: 0 });
      if (!('items' in read)) throw new Error(read.reason);
      expect(read.layout).toBe('2013_NOTICE');
      expect(read.items.map((item) => item.decision)).toEqual(expected.items.map((item) => item.decision));
      expect(read.listedItemCount).toBe(expected.items.length);
      for (const item of read.items) {
        expect(item.conflict).toBeUndefined();
        expect(item.rationale.length).toBeGreaterThan(40);
        expect(item.reviewerGuideline ?? '').toMatch(/^The Expert Reviewer/);
      }
    },
  );

  it('says so where its two lists of decisions disagree', () => {
    const { text } = renderNotice2013(letters[0]!);
    // The second list (after the rationale heading) turns item 1 around.
    const at = text.indexOf('INDEPENDENT MEDICAL REVIEW DECISION AND RATIONALE');
    const flipped =
      text.slice(0, at) +
      text
        .slice(at)
        .replace(/is not medically necessary|is medically necessary/, (said) =>
          said.includes('not') ? 'is medically necessary' : 'is not medically necessary',
        );
    const read = NOTICE_2013.read(linesOf(flipped), { at: 0 });
    if (!('items' in read)) throw new Error(read.reason);
    expect(read.items[0]!.conflict).toMatch(/^the letter lists it once as (UPHELD|OVERTURNED) and once as (UPHELD|OVERTURNED)$/);
  });

  it('says why when no numbered decision can be read', () => {
    expect(NOTICE_2013.read(['Notice of Independent Medical Review Determination', 'Dated: 3/12/2015'], { at: 0 })).toEqual({
      reason: 'a 2013 IMR notice but no numbered decision could be read: the letter may be truncated',
    });
  });
});
