import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { classifyLetter, DeterminationSchema, type ClassifiedDetermination } from '../../../functions/domain/index.ts';
import { loadGoldenLetters } from '../../fixtures/golden.ts';
import { paginate, printedLines } from '../../fixtures/variants.ts';
import { auditLetter, silentErrors, addToFamily, emptyFamily } from '../../fixtures/audit.ts';
import { letterText } from '../../fixtures/factories.ts';

const letters = loadGoldenLetters();
const fragments = letters.flatMap((letter) => printedLines(letter.text));
const furniture = (page: number) => [
  `JAN-28-2015 10:41 FROM:MAXIMUS FEDERAL SVCS  TO:9165551234  P.${page}/6`,
  `Page ${page} of 6`,
  'CM14-0209876',
  `P.${page}/6`,
  '\f',
];

function itemsOf(text: string) {
  const determination = classifyLetter(text) as ClassifiedDetermination;
  return determination.items.map(({ request, decision, category, subcategory, rationale, treatment, guidelines }) => ({
    request,
    decision,
    category,
    subcategory,
    rationale,
    treatment,
    guidelines,
  }));
}

/** Never throws, and whatever it returns is a valid Determination. */
function expectWellFormed(text: string): void {
  const determination = classifyLetter(text);
  expect(DeterminationSchema.safeParse(determination).success).toBe(true);
}

describe('parser robustness (fast-check)', () => {
  it('never throws on arbitrary text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 2000 }), (text) => expectWellFormed(text)),
      { numRuns: 300 },
    );
  });

  it('never throws on shuffled and damaged lines of real letters', () => {
    const line = fc.oneof(
      fc.constantFrom(...fragments),
      fc.constantFrom(
        ': Upheld',
        'Overturned',
        'Decision rationale:',
        'MAXIMUS guideline:',
        '1.',
        'IMR DECISION(S) AND RATIONALE(S)',
        'ISSUE AT DISPUTE:',
        'MEDICAL PROFESSIONAL REVIEW',
        '',
      ),
      fc.string({ maxLength: 120 }),
    );
    fc.assert(
      fc.property(fc.array(line, { maxLength: 200 }), (lines) => expectWellFormed(lines.join('\n'))),
      { numRuns: 300 },
    );
  });

  it('never throws on a letter truncated at any point', () => {
    for (const letter of letters) {
      fc.assert(
        fc.property(fc.nat({ max: letter.text.length }), (end) => {
          const determination = classifyLetter(letter.text.slice(0, end));
          expect(DeterminationSchema.safeParse(determination).success).toBe(true);
          if (determination.status === 'CLASSIFIED') expect(determination.items.length).toBeLessThanOrEqual(letter.golden.items.length);
        }),
        { numRuns: 150 },
      );
    }
  });

  it('leaves every item unchanged when page furniture is inserted at any lines', () => {
    for (const letter of letters) {
      const lines = printedLines(letter.text);
      const original = itemsOf(lines.join('\n'));
      fc.assert(
        fc.property(fc.uniqueArray(fc.nat({ max: lines.length }), { minLength: 1, maxLength: 6 }), (positions) => {
          const withFurniture = [...lines];
          [...positions].sort((a, b) => b - a).forEach((position, k) => withFurniture.splice(position, 0, ...furniture(k + 2)));
          expect(itemsOf(withFurniture.join('\n'))).toEqual(original);
        }),
        { numRuns: 100 },
      );
    }
  });

  it('reads adversarial lines of growing size (up to 300 KB) without freezing: no regex backtracks over a line', () => {
    // A regex whose time grows with the square of a line would take minutes on these; the lint rule
    // (eslint-plugin-regexp's super-linear rules) refuses such patterns, and this holds the engine to it.
    const unit = fc.array(
      fc.constantFrom(' ', '\t', ':', '.', '-', '#', '(', '|', '1', 'l', 'O', 'is ', 'not ', 'Upheld', 'medically ', 'Page 1 of 2', '\u00a0'),
      { minLength: 1, maxLength: 6 },
    );
    fc.assert(
      fc.property(unit, fc.constantFrom(10_000, 100_000, 300_000), fc.boolean(), (parts, size, withLetter) => {
        const piece = parts.join('');
        const line = piece.repeat(Math.ceil(size / piece.length)).slice(0, size);
        expectWellFormed(withLetter ? `${letters[0]!.text}\n${line}\n` : line);
      }),
      { numRuns: 25 },
    );
  });

  it('finishes in linear time on adversarial input', () => {
    const hostile = [
      'a '.repeat(100_000) + ': Upheld',
      'Decision rationale: ' + 'is not '.repeat(50_000),
      ('1. ' + 'x'.repeat(500) + '\n').repeat(400),
      '#'.repeat(200_000),
      letterText({ items: [{ request: 'Norco ' + '10/'.repeat(20_000) + 'mg' }] }),
    ];
    for (const text of hostile) expectWellFormed(text);
  });
});

/** The silent errors of reading `text` as the letter: must be zero whatever was done to it. */
function silentErrorsOf(letter: (typeof letters)[number], text: string, cutShort = false): number {
  const family = emptyFamily('property');
  addToFamily(family, auditLetter(letter.golden, classifyLetter(text)), cutShort);
  return silentErrors(family);
}

/** One kind of damage OCR, Textract or a lost blank line does to a heading's decision line. */
type HeadingDamage = 'glued' | 'split' | 'merged-above' | 'merged-below' | 'none';

function damageHeadings(lines: readonly string[], damages: readonly HeadingDamage[], marks: readonly string[]): string[] {
  const out = [...lines];
  const decisionLines = out.flatMap((line, i) => (/:\s+(?:Upheld|Overturned)\s*$/.test(line) ? [i] : []));
  // From the last heading up, so earlier indices stay valid.
  decisionLines.reverse().forEach((d, k) => {
    const damage = damages[k % damages.length]!;
    if (damage === 'glued') out[d] = out[d]!.trimEnd() + marks[k % marks.length]!;
    if (damage === 'split') out[d] = out[d]!.replace(/Overturned\s*$/, 'Over turned').replace(/Upheld\s*$/, 'Up held');
    if (damage === 'merged-below') {
      let below = d + 1;
      while (below < out.length && out[below]!.trim() === '') below++;
      if (below < out.length) out.splice(d, below - d + 1, `${out[d]!.trimEnd()} ${out[below]!.trim()}`);
    }
    if (damage === 'merged-above') {
      let above = d - 1;
      while (above >= 0 && out[above]!.trim() === '') above--;
      if (above >= 0 && /[.:]\s*$/.test(out[above]!)) out.splice(above, d - above + 1, `${out[above]!.trimEnd()} ${out[d]!.trim()}`);
    }
  });
  return out;
}

describe('metamorphic: what faxes, OCR and Textract do to a letter changes no item silently (fast-check)', () => {
  const damage = fc.constantFrom<HeadingDamage>('glued', 'split', 'merged-above', 'merged-below', 'none');

  it('glued punctuation, split decision words and headings merged above or below: items unchanged, or flagged', () => {
    for (const letter of letters) {
      const lines = printedLines(letter.text);
      fc.assert(
        fc.property(
          fc.array(damage, { minLength: 1, maxLength: 4 }),
          fc.array(fc.constantFrom('.', ',', ';', ' .', '.:', '_'), { minLength: 1, maxLength: 3 }),
          (damages, marks) => {
            expect(silentErrorsOf(letter, damageHeadings(lines, damages, marks).join('\n'))).toBe(0);
          },
        ),
        { numRuns: 60 },
      );
    }
  });

  it('lost blank lines: items unchanged, or flagged', () => {
    for (const letter of letters) {
      const lines = printedLines(letter.text);
      fc.assert(
        fc.property(fc.double({ min: 0, max: 1, noNaN: true }), fc.nat(), (share, seed) => {
          let state = seed;
          const kept = lines.filter((line) => {
            state = (state * 1103515245 + 12345) % 2147483648;
            return line.trim() !== '' || state / 2147483648 >= share;
          });
          expect(silentErrorsOf(letter, kept.join('\n'))).toBe(0);
        }),
        { numRuns: 60 },
      );
    }
  });

  it('a fax that dropped its last pages is flagged INCOMPLETE and reads nothing wrong', () => {
    for (const letter of letters) {
      const lines = printedLines(letter.text);
      fc.assert(
        fc.property(fc.integer({ min: 12, max: 40 }), fc.integer({ min: 1, max: 3 }), (pageLines, dropped) => {
          const pages = paginate(lines, pageLines, 'CM15-0099999').join('\n').split('\f');
          if (pages.length <= dropped) return;
          const text = pages.slice(0, pages.length - dropped).join('\f');
          const determination = classifyLetter(text);
          expect(determination.status === 'UNRECOGNIZED' || determination.flags.includes('INCOMPLETE')).toBe(true);
          expect(silentErrorsOf(letter, text, true)).toBe(0);
        }),
        { numRuns: 40 },
      );
    }
  });

  it('a whole letter whose page footers OCR misread is not taken for one cut short', () => {
    // How OCR reads "Page 4 of 4" on a fax: 'of' lost or read as digits, the total doubled, letters for digits.
    const misreads = [
      (n: number, t: number) => `Page ${n}0${t}`,
      (n: number, t: number) => `Page ${n}00${t}`,
      (n: number, t: number) => `Page ${n} of ${t}${t}`,
      (n: number, t: number) => `Page ${n} 0f ${t}`,
      (n: number, t: number) => `Page ${n} of ${t}0`,
      (n: number, t: number) => `Pagc ${n} of ${t}`,
    ];
    for (const letter of letters) {
      const lines = printedLines(letter.text);
      fc.assert(
        fc.property(
          fc.integer({ min: 14, max: 40 }),
          fc.integer({ min: 0, max: misreads.length - 1 }),
          fc.integer({ min: 0, max: 9 }),
          (pageLines, which, where) => {
            const pages = paginate(lines, pageLines, 'CM15-0099999').join('\n').split('\f');
            const misread = where % pages.length;
            const text = pages
              .map((page, p) =>
                p === misread ? page.replace(/^Page (\d+) of (\d+)$/m, (_, n: string, t: string) => misreads[which]!(Number(n), Number(t))) : page,
              )
              .join('\f');
            const determination = classifyLetter(text, { pageCount: pages.length });
            expect(determination.status).toBe('CLASSIFIED');
            expect(
              'flags' in determination ? determination.flags : [],
              `page ${misread + 1} of ${pages.length}: ${misreads[which]!(misread + 1, pages.length)}`,
            ).not.toContain('INCOMPLETE');
            expect(silentErrorsOf(letter, text)).toBe(0);
          },
        ),
        { numRuns: 40 },
      );
    }
  });

  it('a letter cut short reads nothing wrong, and says so when the cut falls mid-sentence', () => {
    for (const letter of letters) {
      const printed = printedLines(letter.text).join('\n');
      const collapse = (text: string) => text.replace(/\s+/g, ' ').trim();
      const last = collapse(letter.golden.items[letter.golden.items.length - 1]!.rationaleEnd);
      const ends = letter.golden.items.map((item) => collapse(item.rationaleEnd));
      fc.assert(
        fc.property(fc.integer({ min: 1, max: printed.length - 1 }), (cut) => {
          const kept = collapse(printed.slice(0, cut));
          // The whole letter arrived; or the cut fell just after an item's whole rationale, which leaves a letter
          // that looks complete (nothing in it counts the items): what little of the next heading arrived
          // (under 16 characters) is indistinguishable from a page number or a stray line.
          if (kept.includes(last) || ends.some((end) => kept.includes(end) && kept.length - (kept.lastIndexOf(end) + end.length) < 16)) return;
          const determination = classifyLetter(printed.slice(0, cut));
          // A cut at a sentence's end inside a rationale that already reads as concluded cannot be seen in a
          // text with no page markers (a fax's banners and a PDF's end-of-file marker are covered elsewhere):
          // the items after it are missing unflagged. Whatever the cut, nothing read is wrong.
          const atSentenceEnd = /[.!?]["')]?$/.test(kept);
          if (!atSentenceEnd) {
            expect(determination.status === 'UNRECOGNIZED' || determination.flags.includes('INCOMPLETE'), `cut at ${cut} of ${printed.length}`).toBe(true);
            expect(silentErrorsOf(letter, printed.slice(0, cut))).toBe(0);
          }
          const audit = auditLetter(letter.golden, determination);
          expect(audit.wrongUnflagged + audit.phantomUnflagged).toBe(0);
        }),
        { numRuns: 150 },
      );
    }
  });
});
