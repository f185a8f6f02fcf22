import { describe, expect, it } from 'vitest';
import { anchorLine, bestMatch, headingMark, pagesToRead, type LinesOf } from '../../../functions/console/app/heading.ts';
import { locateItems, pagesOf } from '../../../functions/console/app/locate.ts';
import type { LayoutLine } from '../../../functions/domain/page-layout.ts';
import { ocrReading } from '../../../functions/domain/engine.ts';
import { textractPages } from '../../../functions/adapters/textract/blocks.ts';
import { textractResponseFor } from '../../fixtures/textract-factory.ts';

/** Each non-blank line of a page of text as OCR gives it: line i of the page a band 2% of the page high. */
function linesOfText(pageText: string): LayoutLine[] {
  return pageText
    .split('\n')
    .filter((line) => line.trim())
    .map((text, i) => ({ text: text.trim(), box: [0.09, 0.05 + i * 0.02, 0.1 + Math.min(0.8, text.length * 0.009), 0.065 + i * 0.02] as const }));
}

/** Pages of a letter read by OCR: the text as the reader joins it, and the lines of each page. */
function letter(pages: readonly string[]): { text: string[]; linesOf: LinesOf } {
  const text = pagesOf(pages.join('\n\f\n'));
  const lines = text.map(linesOfText);
  return { text, linesOf: (page) => lines[page - 1] ?? null };
}

const RATIONALE_1 = 'The patient presents with neck pain with radiation to the left upper extremity. Opioids are continued.';
const RATIONALE_2 = 'The patient presents with neck pain with radiation to the left upper extremity. Muscle relaxants short term.';
const RATIONALE_3 = 'The patient presents with neck pain with radiation to the left upper extremity. A trial of acupuncture.';

/** A fax of a 2014 letter as tesseract read it: "1" read "|", a request quoted in the case summary, a heading at the foot of page 2. */
const FAX = [
  [
    'HOW THE IMR FINAL DETERMINATION WAS MADE',
    'CLINICAL CASE SUMMARY',
    'On 1/20/2015, Utilization Review modified the request for Percocet 10/325mg #90 to #60, Flexeril 7.5mg #60',
    'to #20, and 6 acupuncture sessions to 3 sessions.',
    'IMR ISSUES, DECISIONS AND RATIONALES',
    'Percocet 10/325mg #90: Upheld',
    'Claims Administrator guideline: Decision based on MTUS Chronic Pain Treatment Guidelines',
    'MAXIMUS guideline: Decision based on MTUS Chronic Pain Treatment Guidelines Page(s): 76-78.',
    `Decision rationale: ${RATIONALE_1.slice(0, 60)}`,
    RATIONALE_1.slice(60),
    'Page 1 of 3',
  ].join('\n'),
  [
    'The request is not medically necessary.',
    'Flexeril 7.5mg #60: Upheld',
    'Claims Administrator guideline: Decision based on MTUS Chronic Pain Treatment Guidelines',
    `Decision rationale: ${RATIONALE_2}`,
    'Therefore, the request is not medically necessary.',
    'Acupuncture | x 3 for the cervical spine: Overturned',
    'Page 2 of 3',
  ].join('\n'),
  [
    'Claims Administrator guideline: Decision based on MTUS Acupuncture Treatment Guidelines',
    'MAXIMUS guideline: Decision based on MTUS Acupuncture Medical Treatment Guidelines Page(s): 13.',
    `Decision rationale: ${RATIONALE_3}`,
    'The request IS medically necessary.',
  ].join('\n'),
];

const ITEMS = [
  { request: 'Percocet 10/325mg #90', rationale: RATIONALE_1 },
  { request: 'Flexeril 7.5mg #60', rationale: RATIONALE_2 },
  { request: 'Acupuncture 1 x 3 for the cervical spine', rationale: RATIONALE_3 },
];

describe("an item's heading on its page image", () => {
  const { text, linesOf } = letter(FAX);
  const passages = locateItems(text, ITEMS);
  const mark = (index: number, lines: LinesOf = linesOf) =>
    headingMark(text, passages[index]!, ITEMS[index]!.request, lines, {
      others: ITEMS.filter((_, other) => other !== index).map((item) => item.request),
      previous: passages[index - 1] ?? null,
    });

  it('is the line above its rationale that holds its request, not the case summary that names it too', () => {
    const first = mark(0)!;
    expect(first).toMatchObject({ page: 1, lines: [5] });
    expect(linesOf(1)![5]!.text).toBe('Percocet 10/325mg #90: Upheld');
    expect(first.box).toEqual(linesOf(1)![5]!.box);
    expect(mark(1)).toMatchObject({ page: 2, lines: [1] });
  });

  it('is found as OCR misread it, and at the foot of the page before its rationale', () => {
    expect(pagesToRead(passages[2]!)).toEqual([3, 2]);
    const third = mark(2)!;
    expect(third).toMatchObject({ page: 2, lines: [5] });
    expect(linesOf(2)![5]!.text).toMatch(/^Acupuncture \| x 3/);
  });

  it('waits for the page before when its lines are not known yet, and gives none without them', () => {
    expect(mark(2, (page) => (page === 2 ? undefined : linesOf(page)))).toBeNull();
    expect(mark(2, (page) => (page === 2 ? null : linesOf(page)))).toBeNull();
  });

  it('is not given where the heading was read too badly, rather than marking the summary that names the request', () => {
    const garbled = letter([FAX[0]!.replace('Percocet 10/325mg #90: Upheld', 'Pcr#ccxt 1O/3Z5rng #9O: Uphcld'), FAX[1]!, FAX[2]!]);
    const passage = locateItems(garbled.text, ITEMS)[0]!;
    expect(headingMark(garbled.text, passage, ITEMS[0]!.request, garbled.linesOf)).toBeNull();
  });

  it('is not given when the page has no lines kept, the rationale was not placed by its own words, or the lines do not hold it', () => {
    expect(mark(0, () => null)).toBeNull();
    expect(headingMark(text, { ...passages[0]!, needle: 1 }, ITEMS[0]!.request, linesOf)).toBeNull();
    expect(headingMark(text, null, ITEMS[0]!.request, linesOf)).toBeNull();
    expect(pagesToRead(null)).toEqual([]);
    // Lines of another reading (Textract's, say) that lack the rationale's words: no anchor, no mark.
    const other = (page: number) => linesOf(page)!.filter((line) => !line.text.startsWith('Decision rationale'));
    expect(mark(0, other)).toBeNull();
  });

  it("is never another item's heading whose request reads closer", () => {
    const pages = [
      ['Physical therapy 12 sessions: Upheld', `Decision rationale: ${RATIONALE_1}`].join('\n'),
      ['Physical therapy 6 sessions: Overturned', `Decision rationale: ${RATIONALE_2}`].join('\n'),
    ];
    const two = letter(pages);
    const items = [
      { request: 'Physical therapy 6 sessions', rationale: RATIONALE_1 },
      { request: 'Physical therapy 12 sessions', rationale: RATIONALE_2 },
    ];
    const [first] = locateItems(two.text, items);
    // Item 1's request is "6 sessions", but the line above its rationale is the "12 sessions" heading: no mark.
    expect(headingMark(two.text, first!, items[0]!.request, two.linesOf, { others: [items[1]!.request] })).toBeNull();
    expect(headingMark(two.text, first!, items[1]!.request, two.linesOf, { others: [items[0]!.request] })).toMatchObject({ page: 1, lines: [0] });
  });

  it('spans a heading that wraps onto a second line, and reads a numbered sentence heading (the 2013 layout)', () => {
    const pages = [
      [
        'IMR DECISION(S) AND RATIONALE(S)',
        '1. Retrospective request for transcutaneous electrical nerve stimulation unit rental for',
        'thirty days is not medically necessary and appropriate.',
        'Guidelines/Criteria Used: MTUS',
        `Rationale for the Decision: ${RATIONALE_1}`,
      ].join('\n'),
    ];
    const one = letter(pages);
    const item = { request: 'Retrospective request for transcutaneous electrical nerve stimulation unit rental for thirty days', rationale: RATIONALE_1 };
    const [passage] = locateItems(one.text, [item]);
    const found = headingMark(one.text, passage!, item.request, one.linesOf)!;
    expect(found).toMatchObject({ page: 1, lines: [1, 2] });
    expect(found.box[1]).toBe(one.linesOf(1)![1]!.box[1]);
    expect(found.box[3]).toBe(one.linesOf(1)![2]!.box[3]);
  });

  it("never takes a summary's sentence for the heading because the sentence runs on with 'not medically necessary'", () => {
    const one = letter([
      [
        'On 1/20/2015, Utilization Review denied the request for Norco 10/325mg #60',
        'as not medically necessary and the patient was advised to taper the medication slowly.',
        'N~r~ 1Q/3?5 #6O: Upk',
        `Decision rationale: ${RATIONALE_1}`,
      ].join('\n'),
    ]);
    const items = [{ request: 'Norco 10/325mg #60', rationale: RATIONALE_1 }];
    expect(headingMark(one.text, locateItems(one.text, items)[0]!, items[0]!.request, one.linesOf)).toBeNull();
  });

  it("stops at the item before: a line above its rationale is never this one's heading", () => {
    const pages = [[`Norco 10/325mg: Upheld`, `Decision rationale: ${RATIONALE_1}`, 'N0rc0 10/3Z5: Upheld', `Decision rationale: ${RATIONALE_2}`].join('\n')];
    const one = letter(pages);
    const items = [
      { request: 'Norco 10/325mg', rationale: RATIONALE_1 },
      { request: 'Norco 10/325mg', rationale: RATIONALE_2 },
    ];
    const passages2 = locateItems(one.text, items);
    // The second heading is read too badly; the first item's heading, above the first rationale, is not taken for it.
    expect(headingMark(one.text, passages2[1]!, items[1]!.request, one.linesOf, { previous: passages2[0] })).toBeNull();
    expect(headingMark(one.text, passages2[0]!, items[0]!.request, one.linesOf)).toMatchObject({ lines: [0] });
    // The item before not placed (no barrier): an item above with the same request could lend its heading, so none is given.
    expect(headingMark(one.text, passages2[1]!, items[1]!.request, one.linesOf, { previous: null, earlier: [items[0]!.request] })).toBeNull();
    // The same search with no item above reading like it is free to look up (and finds the first heading): the twin is what stops it.
    expect(headingMark(one.text, passages2[1]!, items[1]!.request, one.linesOf, { previous: null, earlier: ['Physical therapy 2x6'] })).not.toBeNull();
  });
});

describe('a heading on a page Textract read', () => {
  it("is marked with Textract's LINE box, the text and the lines read from one response", () => {
    // The fax's pages as Textract answers them (its response shape: PAGE, LINE and WORD blocks with geometry).
    const response = textractResponseFor(FAX.map((page) => page.split('\n')));
    const { text: read, layout } = ocrReading(textractPages([response]));
    const text = pagesOf(read);
    const linesOf: LinesOf = (page) => layout!.pages[page - 1] ?? null;
    const passages = locateItems(text, ITEMS);
    const marks = ITEMS.map((item, index) =>
      headingMark(text, passages[index]!, item.request, linesOf, {
        others: ITEMS.filter((_, other) => other !== index).map((x) => x.request),
        previous: passages[index - 1],
      }),
    );
    expect(marks.map((found) => found && linesOf(found.page)![found.lines[0]!]!.text)).toEqual([
      'Percocet 10/325mg #90: Upheld',
      'Flexeril 7.5mg #60: Upheld',
      'Acupuncture | x 3 for the cervical spine: Overturned',
    ]);
    // The box is the LINE block's own.
    const flexeril = response.Blocks!.find((block) => block.BlockType === 'LINE' && block.Text === 'Flexeril 7.5mg #60: Upheld')!.Geometry!.BoundingBox!;
    expect(marks[1]!.box[0]).toBeCloseTo(flexeril.Left!, 4);
    expect(marks[1]!.box[1]).toBeCloseTo(flexeril.Top!, 4);
    expect(marks[1]!.box[3]).toBeCloseTo(flexeril.Top! + flexeril.Height!, 4);
  });
});

describe('the pieces', () => {
  it('finds the fewest edits of a pattern in a text, with where they lie', () => {
    expect(bestMatch('acupuncture 1 x 3', 'x acupuncture | x 3 for the')).toEqual({ edits: 1, start: 2, end: 19 });
    expect(bestMatch('abc', 'abc')).toEqual({ edits: 0, start: 0, end: 3 });
    expect(bestMatch('', 'abc')).toBeNull();
  });

  it('places a passage among lines by the times its words occur before it', () => {
    const page = 'Decision rationale: The patient presents with pain.\nMore.\nDecision rationale: The patient presents with pain.';
    const lines = linesOfText(page);
    const second = page.lastIndexOf('The patient');
    expect(anchorLine(page, { page: 1, start: second, end: second + 20 }, lines)).toBe(2);
    expect(anchorLine(page, { page: 1, start: page.indexOf('The patient'), end: 40 }, lines)).toBe(0);
    // The words a further time among the lines than in the text: which is which is not known.
    expect(anchorLine(page, { page: 1, start: second, end: second + 20 }, [...lines, lines[0]!])).toBeNull();
    // Too few words to place.
    expect(anchorLine(page, { page: 1, start: page.length - 5, end: page.length }, lines)).toBeNull();
  });
});
