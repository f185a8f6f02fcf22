import { describe, expect, it } from 'vitest';
import { classifyDocument, classifyLetter, splitDocument, type ClassifiedDetermination } from '../../../functions/domain/index.ts';
import { loadGoldenLetters } from '../../fixtures/golden.ts';
import { variantsOf } from '../../fixtures/variants.ts';
import { blankPage, coverSheet, duplex, expectedLetters, invoice, letterPages, stackText, urDecision, type StackPart } from '../../fixtures/stacks.ts';

const golden = loadGoldenLetters();
/** Golden letter `n` in the variant `kind` (a header table, the 2013 layout, the 2013 notice...). */
const variant = (n: number, kind = 'published') => variantsOf(golden[n]!).find((one) => one.name.endsWith(`/${kind}`))!.text;
const requests = (n: number) => golden[n]!.golden.items.map((item) => item.request);

/** Each letter read from the stack: its pages, its requests and decisions, its flags. */
function readStack(parts: readonly StackPart[]) {
  return classifyDocument(stackText(parts)).map(({ determination, pages }) => {
    const read = determination as ClassifiedDetermination;
    return { pages, status: read.status, requests: read.items?.map((item) => item.request), flags: read.flags, warnings: read.warnings ?? [] };
  });
}

describe('a document holding several letters (spec section 1)', () => {
  it('gives one Determination per letter, each with its own items and page range, for 2 to 4 letters one after another', () => {
    for (const count of [2, 3, 4]) {
      const parts = Array.from({ length: count }, (_, n) => letterPages(variant(n, n % 2 ? 'header' : 'published'), n));
      const letters = readStack(parts);
      expect(letters.map((letter) => letter.pages)).toEqual(expectedLetters(parts).map(({ from, to }) => ({ from, to })));
      letters.forEach((letter, n) => {
        expect(letter.status).toBe('CLASSIFIED');
        expect(letter.requests).toEqual(requests(n));
        expect(letter.warnings).toContain(`this file holds ${count} letters: this one is pages ${letter.pages!.from}-${letter.pages!.to}`);
      });
    }
  });

  it('reads each letter of a stack as it reads the letter alone: the same items, decisions and dates', () => {
    const parts = [letterPages(variant(2, 'layout2013'), 2), letterPages(variant(3, 'notice2013'), 3), letterPages(variant(1, 'earliest'), 1)];
    const letters = classifyDocument(stackText(parts));
    expect(letters).toHaveLength(3);
    letters.forEach(({ determination }, n) => {
      const alone = classifyLetter(parts[n]!.pages.join('\f')) as ClassifiedDetermination;
      const read = determination as ClassifiedDetermination;
      expect(read.items.map(({ request, decision, category }) => ({ request, decision, category }))).toEqual(
        alone.items.map(({ request, decision, category }) => ({ request, decision, category })),
      );
      expect(read.dates).toEqual(alone.dates);
    });
  });

  it('sets a fax cover sheet aside and says so, without flagging the letter', () => {
    const parts = [coverSheet(), letterPages(variant(0), 0)];
    const [letter, ...more] = readStack(parts);
    expect(more).toEqual([]);
    expect(letter!.requests).toEqual(requests(0));
    expect(letter!.pages).toEqual({ from: 2, to: 2 });
    expect(letter!.warnings).toContain('page 1 was set aside, no part of a letter: a fax cover sheet');
    expect(letter!.flags).toEqual(classifyLetter(variant(0)).status === 'CLASSIFIED' ? (classifyLetter(variant(0)) as ClassifiedDetermination).flags : []);
    expect(splitDocument(stackText(parts)).pages[0]).toMatchObject({ page: 1, role: 'COVER_SHEET' });
  });

  it('sets blank duplex backs aside: the letters read as they do alone, nothing flagged for the blanks', () => {
    const parts = duplex([letterPages(variant(0, 'header'), 0), letterPages(variant(3), 3)]);
    const letters = readStack(parts);
    expect(letters.map((letter) => letter.requests)).toEqual([requests(0), requests(3)]);
    expect(letters.map((letter) => letter.pages)).toEqual(expectedLetters(parts).map(({ from, to }) => ({ from, to })));
    expect(letters.flatMap((letter) => letter.flags)).not.toContain('INCOMPLETE');
    expect(splitDocument(stackText(parts)).setAside.map((page) => page.role)).toEqual(['BLANK', 'BLANK']);
  });

  it('reads a letter followed by a utilization review decision without taking the UR requests for items', () => {
    const parts = [letterPages(variant(1), 1), urDecision()];
    const [letter, ...more] = readStack(parts);
    expect(more).toEqual([]);
    expect(letter!.requests).toEqual(requests(1));
    expect(letter!.warnings).toEqual(
      expect.arrayContaining([
        'page 2 was set aside, no part of a letter: it opens as a utilization review decision',
        'page 3 was set aside, no part of a letter: follows a page set aside, with no letter heading',
      ]),
    );
  });

  it('reads a letter followed by an invoice as complete: the invoice is set aside, not read as the end of the last rationale', () => {
    const alone = classifyLetter(variant(2)) as ClassifiedDetermination;
    const [letter] = readStack([letterPages(variant(2), 2), invoice()]);
    expect(letter!.requests).toEqual(requests(2));
    expect(letter!.flags).toEqual(alone.flags);
    expect(letter!.warnings).toContain('page 2 was set aside, no part of a letter: it opens as an invoice or statement');
  });

  it("never sets aside a letter's own page that opens with words another document's title uses", () => {
    const text = variant(3);
    const lines = text.split('\n').filter((line) => line.trim() !== '');
    // The last page holds only the end of the last rationale: none of the labels a letter's body prints.
    const half = lines.length - 4;
    expect(lines.slice(half).join('\n')).not.toMatch(/Decision rationale|Claims Administrator guideline|MAXIMUS guideline|: (?:Upheld|Overturned)/i);
    for (const opening of [
      'Statement of Account was not part of the records reviewed.',
      'utilization review determined the request was not medically necessary.',
      'Invoice dates in the records do not match the visits.',
    ]) {
      const pages = [lines.slice(0, half).join('\n'), `${opening}\n${lines.slice(half).join('\n')}`];
      const split = splitDocument(pages.join('\f'));
      expect(split.setAside, opening).toEqual([]);
      expect(split.letters.map((letter) => letter.pages)).toEqual([[1, 2]]);
    }
  });

  it('flags both letters when the second one is found only by its header table (its heading unreadable): never merged', () => {
    // The 'header' variant prints the header table; the heading is lost as OCR might lose it.
    const damaged = variant(1, 'header').replace(/HOW THE IMR FINAL DETERMINATION WAS MADE/, 'H0W TH~ 1M  F1N4L ~~~~ WAS');
    const letters = readStack([letterPages(variant(0), 0), letterPages(damaged, 1)]);
    expect(letters.map((letter) => letter.requests)).toEqual([requests(0), requests(1)]);
    for (const letter of letters) expect(letter.flags).toContain('LOW_CONFIDENCE');
    expect(letters[1]!.warnings.join(' ')).toMatch(/taken for a letter's first page from a letter header table/);
  });

  it("puts a letter's pages back in their printed order, and says so", () => {
    const pages = ['Page 2 of 3', 'Page 1 of 3', 'Page 3 of 3'];
    const text = variant(3);
    const lines = text.split('\n');
    const third = Math.floor(lines.length / 3);
    const printed = [lines.slice(0, third), lines.slice(third, 2 * third), lines.slice(2 * third)].map((part, n) => `${part.join('\n')}\nPage ${n + 1} of 3`);
    const shuffled = [printed[1]!, printed[0]!, printed[2]!];
    expect(shuffled.map((page) => page.split('\n').at(-1))).toEqual(pages);
    const split = splitDocument(shuffled.join('\f'));
    expect(split.letters).toHaveLength(1);
    expect(split.letters[0]!.pages).toEqual([2, 1, 3]);
    const [letter] = classifyDocument(shuffled.join('\f'));
    expect((letter!.determination as ClassifiedDetermination).items.map((item) => item.request)).toEqual(requests(3));
    expect((letter!.determination as ClassifiedDetermination).warnings).toContain(
      'pages 1, 2, 3 were out of order and were read in their printed order (2, 1, 3)',
    );
  });

  it('reads a document that is one letter and nothing else exactly as before, for every variant of every golden letter', () => {
    for (const letter of golden)
      for (const one of variantsOf(letter))
        expect(classifyDocument(one.text)).toEqual([{ determination: classifyLetter(one.text), text: one.text, pages: null, setAside: [] }]);
  });

  it('flags every letter INCOMPLETE when a page that could not be read belongs to none of them: never dropped', () => {
    // Page 2 could not be read: OCR left a few characters, too little to tell whose page it was.
    const parts = [letterPages(variant(0), 0), blankPage('~ ,'), letterPages(variant(1), 1)];
    const letters = classifyDocument(stackText(parts), { incomplete: ['page 2 of 3 could not be read (OCR confidence 20%)'] });
    expect(letters).toHaveLength(2);
    for (const { determination } of letters) expect((determination as ClassifiedDetermination).flags).toContain('INCOMPLETE');
    // A page one letter holds tells that letter only.
    const owned = classifyDocument(stackText([letterPages(variant(0), 0), letterPages(variant(1), 1)]), {
      incomplete: ['page 2 of 2 could not be read (OCR confidence 20%)'],
    });
    expect(owned.map(({ determination }) => (determination as ClassifiedDetermination).flags.includes('INCOMPLETE'))).toEqual([false, true]);
  });

  it('reads a letter on the first pages of a file whose later pages OCR had no time for: delivered, flagged INCOMPLETE, the pages not read named once', () => {
    const parts = [letterPages(variant(2), 2), blankPage(''), blankPage(''), blankPage('')];
    const pageCount = parts.reduce((sum, part) => sum + part.pages.length, 0);
    const first = pageCount - 2;
    const why = `pages ${first}-${pageCount} of ${pageCount} were not read: OCR ran over its 10-minute budget for one document (split the file to read the rest)`;
    const letters = classifyDocument(stackText(parts), { incomplete: [why] });
    expect(letters).toHaveLength(1);
    const read = letters[0]!.determination as ClassifiedDetermination;
    expect(read.items.map((item) => item.request)).toEqual(requests(2));
    expect(read.flags).toContain('INCOMPLETE');
    expect(read.warnings).toContain(`incomplete: ${why}`);
    // Not called blank: they were never read.
    expect(read.warnings.filter((warning) => /set aside.*blank/.test(warning))).toEqual([]);
  });

  it('names a blank page the reader skipped once, with the pages set aside, in each letter', () => {
    const parts = [letterPages(variant(0), 0), blankPage('.'), letterPages(variant(1), 1)];
    const letters = classifyDocument(stackText(parts), { warnings: ['page 2 is blank and was not read'] });
    expect(letters).toHaveLength(2);
    for (const { determination } of letters)
      expect((determination as ClassifiedDetermination).warnings.filter((warning) => /\bpage 2\b/.test(warning))).toEqual([
        'page 2 was set aside, no part of a letter: blank',
      ]);
  });
});
