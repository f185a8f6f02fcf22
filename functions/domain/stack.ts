/**
 * A document as intake makes it: a fax that opens with a cover sheet, a duplex scan with blank
 * backs, a batch scan holding several letters one after another, a letter followed by another
 * kind of document. Each page gets a role with the evidence for it; consecutive pages of one
 * letter become one letter; pages that are not part of a letter are set aside and named.
 *
 * A letter has one start: the heading "HOW THE IMR FINAL DETERMINATION WAS MADE" (2013 and 2014
 * letters), the 2013 notice's cover heading, or the earliest layout's "MEDICAL PROFESSIONAL
 * REVIEW". A page without one that still opens like a letter (its header table, "CLINICAL CASE
 * SUMMARY") starts one too, but the boundary is then uncertain and both letters say so: two
 * letters read as one is the silent error this module exists to prevent.
 */
import { HEADINGS } from './headings.ts';
import { findHeading } from './layouts/passes.ts';
import { contentLines, normalizeText, PAGE_BREAK } from './normalize.ts';
import { headingPattern, type HeadingLike } from './headings.ts';
import type { Determination, Flag } from './determination.ts';
import { classifyLetter, type ReadingContext } from './engine.ts';

/** What a page of a document is. */
export type PageRole = 'LETTER_START' | 'CONTINUATION' | 'COVER_SHEET' | 'BLANK' | 'OTHER_DOCUMENT';

/** A page's role, and why. Pages count from 1, as printed. */
export interface PageReading {
  readonly page: number;
  readonly role: PageRole;
  readonly evidence: string;
}

/** One letter found in a document: its pages (in reading order) and its text. */
export interface LetterPart {
  /** First and last page, as numbered in the document. */
  readonly from: number;
  readonly to: number;
  /** The pages in reading order (a letter put back in order reads 2, 1, 3 as 1, 2, 3). */
  readonly pages: readonly number[];
  /** The pages' text, parted by form feeds as the reader parts pages. */
  readonly text: string;
  /** What a person should check about this letter's boundaries (an uncertain start, pages put back in order). */
  readonly notes: readonly string[];
  /** True when a boundary of this letter rests on weaker evidence than a start heading. */
  readonly uncertain: boolean;
}

/** How a document divides into letters and pages set aside. */
export interface DocumentSplit {
  readonly pages: readonly PageReading[];
  readonly letters: readonly LetterPart[];
  /** Pages that belong to no letter: blank pages, cover sheets, other documents. */
  readonly setAside: readonly PageReading[];
}

/** Fewer letters (A-Z) than this on a page: blank or near-blank (a duplex back, bleed-through, a stray mark). */
const BLANK_PAGE_LETTERS = 25;
/** Lines from a page's top looked at for what opens it (a cover sheet's title, another document's letterhead). */
const TOP_LINES = 15;

/** The 2013 notice's cover heading (also in its layout). */
const NOTICE_HEADING = headingPattern('Notice of Independent Medical Review Determination');
/** Headings each letter prints once, near its start. */
const START_HEADINGS: ReadonlyArray<{ heading: HeadingLike; name: string }> = [
  { heading: 'howMade', name: HEADINGS.howMade },
  { heading: NOTICE_HEADING, name: NOTICE_HEADING.text },
  { heading: 'professionalReview', name: HEADINGS.professionalReview },
];
/** The first page of a 2014 letter also prints a header table labelled so (labels anywhere on their lines: the table has two columns). */
const HEADER_TABLE = [/\bCase\s*Numb[ec]r\b/i, /\bDate\s*Assign[ec]d\b/i] as const;
/**
 * Headings each letter prints once. A page repeating one the letter before it already printed
 * is another letter's page, even when that letter's start heading could not be read.
 */
const ONCE_HEADINGS: ReadonlyArray<{ heading: HeadingLike; name: string }> = [
  ...START_HEADINGS,
  { heading: 'caseSummary', name: HEADINGS.caseSummary },
  { heading: 'issues2014', name: HEADINGS.issues2014 },
  { heading: 'decisions2013', name: HEADINGS.decisions2013 },
];

/** What opens a fax cover sheet. */
const COVER_SHEET = [/\bfax\b.{1,20}\bcover\b/i, /\bcover\s*(?:sheet|page)\b/i, /\b(?:fax|facsimile)\s*transmi(?:ttal|ssion)\b/i, /^\s*facsimile\s*$/i];
/**
 * Title lines that open another kind of document, with the kind named for the warning. Titles
 * only: among a page's first {@link TITLE_LINES} lines, short, starting with a capital, and the
 * phrase a title prints. A letter's own pages say "utilization review determined ..." or "the
 * statement of the treating physician" in their sentences, and such a page must never be set
 * aside: its letter would lose it without a word.
 */
const OTHER_DOCUMENTS: ReadonlyArray<{ kind: string; title: RegExp }> = [
  {
    kind: 'a utilization review decision',
    title: /^\W{0,3}(?:Notice\s+of\s+)?(?:Utili[sz]ation\s+Review|UR)\s+(?:Decision|Determination|Notice|Denial|Non-?Certification|Modification)\b/i,
  },
  { kind: 'a utilization review decision', title: /^\W{0,3}Notice\s+of\s+(?:Utili[sz]ation\s+Review|UR|Non-?Certification|Modification)\b/i },
  { kind: 'an invoice or statement', title: /^\W{0,3}(?:INVOICE\b|Invoice\s*(?:No\.?|Number|#)|Statement\s+of\s+Account\b)/ },
];
/** Lines from a page's top a title is looked for in: a document's title is at its top, not in the middle of a page of text. */
const TITLE_LINES = 3;
/** Longest title line, in words ("Notice of Utilization Review Decision" is five). */
const TITLE_WORDS = 8;
/**
 * A title line: short, its first letter a capital (a line wrapped mid-sentence starts small), and
 * not a sentence (a title ends without a full stop; "Statement of Account was not reviewed." is prose).
 */
function isTitleLine(line: string): boolean {
  const trimmed = line.trim();
  return trimmed.split(/\s+/).length <= TITLE_WORDS && /^\W{0,3}[A-Z]/.test(trimmed) && !/[a-z][a-z][.!?]["')]?$/.test(trimmed);
}
/** What only an IMR letter's body prints: an item's decision line or its labelled sections. */
const LETTER_BODY = /:\s*(?:Upheld|Overturned)\b|\bDecision\s+rationale\b|\bClaims\s+Administrator\s+guideline\b|\bMAXIMUS\s+guideline\b/i;
/** A page's printed number, "Page 2 of 5". */
const PAGE_NUMBER = /^[ \t]*Page[ \t]+(\d{1,3})[ \t]+of[ \t]+(\d{1,3})[ \t]*$/im;

interface PageFacts {
  readonly page: number;
  readonly raw: string;
  readonly blank: boolean;
  readonly start: string | null;
  /** A first page's header table at the page's top, when no start heading was read. */
  readonly headerTable: boolean;
  /** The case summary heading at the page's top (page 2 of a letter may open with it too). */
  readonly summary: boolean;
  readonly cover: string | null;
  readonly other: string | null;
  readonly body: boolean;
  readonly printed: { readonly number: number; readonly of: number } | null;
  /** The once-a-letter headings on the page, with how often each is printed on it. */
  readonly once: ReadonlyMap<string, number>;
}

function factsOf(raw: string, page: number): PageFacts {
  const lines = contentLines(normalizeText(raw)).filter((line) => line.trim() !== '');
  const letters = raw.replace(/[^A-Z]/gi, '').length;
  const top = lines.slice(0, TOP_LINES);
  const start = START_HEADINGS.find(({ heading }) => findHeading(lines, heading) >= 0)?.name ?? null;
  const headerTable = start === null && HEADER_TABLE.every((label) => top.some((line) => label.test(line)));
  const once = new Map<string, number>();
  for (const { heading, name } of ONCE_HEADINGS) {
    let count = 0;
    for (let at = findHeading(lines, heading); at >= 0; at = findHeading(lines, heading, at + 1)) count++;
    if (count > 0) once.set(name, count);
  }
  const summary = findHeading(top, 'caseSummary') >= 0;
  const printed = PAGE_NUMBER.exec(raw);
  return {
    page,
    raw,
    blank: letters < BLANK_PAGE_LETTERS,
    start,
    headerTable,
    summary,
    cover: top.some((line) => COVER_SHEET.some((pattern) => pattern.test(line))) ? 'a fax cover sheet' : null,
    other: OTHER_DOCUMENTS.find(({ title }) => lines.slice(0, TITLE_LINES).some((line) => isTitleLine(line) && title.test(line)))?.kind ?? null,
    body: LETTER_BODY.test(raw),
    printed: printed ? { number: Number(printed[1]), of: Number(printed[2]) } : null,
    once,
  };
}

/** Splits a document's text (pages parted by form feeds) into letters and pages set aside. */
export function splitDocument(text: string): DocumentSplit {
  const { ordered, notes: orderNotes } = inPrintedOrder(text.split(PAGE_BREAK).map((raw, index) => factsOf(raw, index + 1)));
  const pages: PageReading[] = [];
  const runs: Array<{ pages: PageFacts[]; uncertain: string | null; seen: Set<string>; notes: string[] }> = [];
  // Which kind of pages the last page read belongs to (kept in an object: the helpers below change it).
  const state: { current: 'none' | 'letter' | 'other' } = { current: 'none' };
  /** Starts a letter at `page`; on weaker evidence than a start heading, both it and the letter before it say so. */
  const startLetter = (page: PageFacts, doubt: string | null) => {
    const before = state.current === 'letter' ? runs.at(-1) : undefined;
    if (doubt && before) before.uncertain ??= `${doubt}: check where the letter before it ends`;
    runs.push({ pages: [], uncertain: doubt, seen: new Set(), notes: [] });
    state.current = 'letter';
    addToLetter(page);
  };
  const addToLetter = (page: PageFacts) => {
    const run = runs.at(-1)!;
    run.pages.push(page);
    for (const [name, count] of page.once) {
      run.seen.add(name);
      if (count > 1) run.uncertain ??= `page ${page.page} prints the heading ${name} ${count} times: two letters may run together on it`;
    }
    const note = orderNotes.get(page.page);
    if (note && !run.notes.includes(note)) run.notes.push(note);
  };
  for (const page of ordered) {
    const read = (role: PageRole, evidence: string) => pages.push({ page: page.page, role, evidence });
    const repeated = state.current === 'letter' ? [...page.once.keys()].find((name) => runs.at(-1)!.seen.has(name)) : undefined;
    if (page.blank) {
      read('BLANK', 'no printed text (a blank back or a separator)');
    } else if (page.start) {
      read('LETTER_START', `the heading ${page.start}`);
      startLetter(page, null);
    } else if (page.cover && !page.body) {
      read('COVER_SHEET', page.cover);
      state.current = 'other';
    } else if (page.other && !page.body && !page.headerTable) {
      read('OTHER_DOCUMENT', `it opens as ${page.other}`);
      state.current = 'other';
    } else if (page.headerTable || repeated || (page.summary && state.current !== 'letter')) {
      // No start heading was read, but the page opens as a letter's first page does, or repeats a heading
      // the letter before it already printed: a new letter, on weaker evidence.
      const mark = page.headerTable
        ? 'a letter header table (Case Number, Date Assigned)'
        : repeated
          ? `the heading ${repeated}, which the letter before it already printed`
          : `the heading ${HEADINGS.caseSummary}`;
      read('LETTER_START', `${mark}, without the heading ${HEADINGS.howMade}`);
      startLetter(page, `page ${page.page} was taken for a letter's first page from ${mark}`);
    } else if (state.current === 'letter') {
      read('CONTINUATION', 'follows the pages before it');
      addToLetter(page);
    } else if (state.current === 'other') {
      read('OTHER_DOCUMENT', 'follows a page set aside, with no letter heading');
    } else if (page.body) {
      // A letter's page before any start: its first page is missing or its heading unreadable. Read, not set aside, and said so.
      read('CONTINUATION', 'reads as an IMR letter but comes before any letter heading');
      startLetter(page, `page ${page.page} reads as part of a letter but no letter heading comes before it`);
    } else {
      read('OTHER_DOCUMENT', 'comes before any letter heading and reads as no part of one');
      state.current = 'other';
    }
  }
  const letters = runs.map((run) => letterOf(run.pages, run.uncertain, run.notes));
  const inLetters = new Set(letters.flatMap((letter) => letter.pages));
  return { pages: pages.sort((a, b) => a.page - b.page), letters, setAside: pages.filter((page) => !inLetters.has(page.page)) };
}

/**
 * The pages in their printed order: a run of pages each printed "Page n of m" (the same m),
 * holding each number from 1 to m once but not in order, is put in order (a sheet fed out of
 * turn). Other pages stay where they are. Each page moved has a note, for its letter.
 */
function inPrintedOrder(facts: readonly PageFacts[]): { ordered: PageFacts[]; notes: Map<number, string> } {
  const ordered = [...facts];
  const notes = new Map<number, string>();
  for (let i = 0; i < ordered.length; i++) {
    const first = ordered[i]!.printed;
    if (!first) continue;
    const window = ordered.slice(i, i + first.of);
    const numbers = window.map((page) => (page.printed?.of === first.of ? page.printed.number : -1));
    const complete = window.length === first.of && new Set(numbers).size === first.of && numbers.every((number) => number >= 1 && number <= first.of);
    if (!complete) continue;
    if (numbers.some((number, k) => k > 0 && number < numbers[k - 1]!)) {
      const sorted = [...window].sort((a, b) => a.printed!.number - b.printed!.number);
      ordered.splice(i, window.length, ...sorted);
      const note = `pages ${window.map((page) => page.page).join(', ')} were out of order and were read in their printed order (${sorted.map((page) => page.page).join(', ')})`;
      for (const page of window) notes.set(page.page, note);
    }
    i += first.of - 1;
  }
  return { ordered, notes };
}

/** A run of pages as one letter. */
function letterOf(run: readonly PageFacts[], uncertain: string | null, notes: readonly string[]): LetterPart {
  const numbers = run.map((page) => page.page);
  return {
    from: Math.min(...numbers),
    to: Math.max(...numbers),
    pages: numbers,
    text: run.map((page) => page.raw).join(PAGE_BREAK),
    notes: [...(uncertain ? [uncertain] : []), ...notes],
    uncertain: uncertain !== null,
  };
}

/** One letter of a document, read: its Determination, and its pages when the document held more than it. */
export interface LetterReading {
  readonly determination: Determination;
  /** The letter's own text (the document's, when the letter is the whole of it). */
  readonly text: string;
  /** Null when the letter is the whole document (no page set aside, nothing else in it). */
  readonly pages: { readonly from: number; readonly to: number } | null;
  /** The pages of the file that belong to no letter, with why (the same for every letter of a file). */
  readonly setAside: readonly PageReading[];
}

/**
 * Reads every letter of a document. A document that is one letter and nothing else is read
 * exactly as {@link classifyLetter} reads it; otherwise each letter is read on its own pages,
 * with the pages set aside named in its warnings, and an uncertain boundary flagged.
 */
export function classifyDocument(text: string, context: ReadingContext = {}): LetterReading[] {
  const split = splitDocument(text);
  const whole = split.letters.length === 1 && split.setAside.length === 0 && split.letters[0]!.notes.length === 0;
  // No letter start at all: read as a whole, as before (a letter missing its first page, or not a letter).
  if (split.letters.length === 0 || whole) return [{ determination: classifyLetter(text, context), text, pages: null, setAside: [] }];
  const { setAside: asidePages } = split;
  // Pages the reader never read (its OCR budget ran out) are set aside as such, not as blank.
  const unread = new Set((context.incomplete ?? []).filter((note) => /\bnot read\b/.test(note)).flatMap(pagesNamed));
  const setAside = describeSetAside(split.setAside, unread);
  const inAnyLetter = new Set(split.letters.flatMap((letter) => letter.pages));
  const several = split.letters.length > 1;
  return split.letters.map((letter, index) => {
    const own = (page: number) => letter.pages.includes(page);
    const letterContext: ReadingContext = {
      ...context,
      pageCount: context.pageCount === undefined ? undefined : letter.pages.length,
      pageConfidences: context.pageConfidences ? letter.pages.map((page) => context.pageConfidences![page - 1] ?? null) : undefined,
      // Notes naming a page go with the letter holding it; the rest with every letter. A blank page the
      // reader named (it skipped its OCR) is named once, with the pages set aside.
      warnings: context.warnings?.filter((warning) => !/^page \d+ is blank\b/.test(warning) && pagesNamed(warning).every(own)),
      // What the file is missing (cut short after its last page) is missing from its last letter; a page that could not be read, from its own.
      // A page that could not be read and belongs to no letter (its text too little to place it) may be any
      // letter's: every letter is told, rather than none.
      incomplete: context.incomplete?.filter((note) => {
        const named = pagesNamed(note);
        if (named.length === 0) return index === split.letters.length - 1;
        return named.some(own) || !named.some((page) => inAnyLetter.has(page));
      }),
    };
    const read = classifyLetter(letter.text, letterContext);
    const notes = [
      ...(several ? [`this file holds ${split.letters.length} letters: this one is pages ${letter.from}-${letter.to}`] : []),
      ...setAside,
      ...letter.notes,
    ];
    const pages = { from: letter.from, to: letter.to };
    if (read.status !== 'CLASSIFIED') return { determination: { ...read, pages }, text: letter.text, pages, setAside: asidePages };
    const flags: Flag[] = letter.uncertain && !read.flags.includes('LOW_CONFIDENCE') ? [...read.flags, 'LOW_CONFIDENCE'] : read.flags;
    return { determination: { ...read, pages, flags, warnings: [...read.warnings, ...notes] }, text: letter.text, pages, setAside: asidePages };
  });
}

/** The pages set aside, in words: "pages 1, 4 set aside: page 1 a fax cover sheet, page 4 blank"; pages the reader did not read are said once. */
function describeSetAside(pages: readonly PageReading[], unread: ReadonlySet<number>): string[] {
  return pages
    .filter((page) => !unread.has(page.page))
    .map((page) => `page ${page.page} was set aside, no part of a letter: ${page.role === 'BLANK' ? 'blank' : page.evidence}`);
}

/** The page numbers a note names ("page 3 OCR confidence 41%", "pages 2 and 5", "pages 43-60 of 60 were not read"). */
function pagesNamed(note: string): number[] {
  return [...note.matchAll(/\bpages?\s+(\d{1,4})(?:-(\d{1,4}))?\b/gi)].flatMap((match) => {
    const from = Number(match[1]);
    // A range names each of its pages (bounded: a file has at most 3,000).
    const to = Math.min(Number(match[2] ?? from), from + 3000);
    return Array.from({ length: Math.max(1, to - from + 1) }, (_, i) => from + i);
  });
}
