/**
 * Where an item's heading lies on its page image: found in the lines OCR read on the page (each
 * with its box), by the item's request, read back from the item's rationale. The rationale's
 * opening, already placed in the letter's text (`locate.ts`), is placed among the page's lines
 * the same way (the same words, in the same order: the k-th time they occur in the text is the
 * k-th time among the lines); the heading is the nearest line above it that holds the request,
 * as OCR may have misread it, and reads as a heading. Anything less certain gives no mark: a
 * mark in the wrong place is worse than none.
 */
import { folded, type Passage } from './locate.ts';
import type { LayoutLine, LineBox } from '../../domain/page-layout.ts';

/** An item's heading on a page image: the page (from 1), the box over its lines (fractions of the page), and which lines. */
export interface HeadingMark {
  readonly page: number;
  readonly box: LineBox;
  readonly lines: readonly number[];
}

/** The lines of a page (from 1): null when it has none kept, undefined when they are not known yet. */
export type LinesOf = (page: number) => readonly LayoutLine[] | null | undefined;

/** Most lines above its rationale a heading is looked for: the guideline lines between them are a dozen at most. */
export const HEADING_WINDOW = 25;
/** Most characters of a request matched: its lines are marked as far as these reach. */
const REQUEST_CHARACTERS = 160;
/** Edits allowed per character of the request matched (OCR's slips: `1` read `|`, `e` read `c`). */
const EDITS_PER_CHARACTER = 0.15;
/** A request shorter than this must be read exactly: a few letters match too much with an edit. */
const FUZZY_FROM = 8;
/** Characters of the rationale's opening matched among the lines. */
const ANCHOR_CHARACTERS = 40;
/** What a heading line says besides its request, in the layouts letters are printed in. */
const HEADING_WORDS = /\b(?:upheld|overturned|medically\s+necessary|issue\s+at\s+dispute)\b/i;

/**
 * The pages whose lines {@link headingMark} may need for an item whose rationale is at `passage`:
 * its page, and the page before (a heading at the foot of one page, its rationale on the next).
 */
export function pagesToRead(passage: Passage | null): number[] {
  if (!passage || (passage.needle ?? 0) !== 0) return [];
  return passage.page > 1 ? [passage.page, passage.page - 1] : [passage.page];
}

/** Folded lines of a page, one string, with the line each character came from. */
function joined(lines: readonly LayoutLine[]): { chars: string; line: number[] } {
  const text = lines.map((line) => line.text).join('\n');
  const { chars, offsets } = folded(text);
  const starts: number[] = [];
  let at = 0;
  for (const line of lines) {
    starts.push(at);
    at += line.text.length + 1;
  }
  const line: number[] = [];
  let index = 0;
  for (const offset of offsets) {
    while (index + 1 < starts.length && starts[index + 1]! <= offset) index++;
    line.push(index);
  }
  return { chars, line };
}

/** The index of the `count`-th (from 0) occurrence of `needle` in `haystack`, or -1. */
function nthIndexOf(haystack: string, needle: string, count: number): number {
  let at = -1;
  for (let n = 0; n <= count; n++) {
    at = haystack.indexOf(needle, at + 1);
    if (at < 0) return -1;
  }
  return at;
}

/**
 * The line of `lines` where the passage at `passage` (in `pageText`) begins: its opening words,
 * found as many times before it among the lines as in the text. Null when the lines do not hold them.
 */
export function anchorLine(pageText: string, passage: Passage, lines: readonly LayoutLine[]): number | null {
  const text = folded(pageText);
  const at = text.offsets.findIndex((offset) => offset >= passage.start);
  if (at < 0) return null;
  const needle = text.chars.slice(at, at + ANCHOR_CHARACTERS).trim();
  if (needle.length < 12) return null;
  let before = 0;
  for (let found = text.chars.indexOf(needle); found >= 0 && found < at; found = text.chars.indexOf(needle, found + 1)) before++;
  const page = joined(lines);
  const found = nthIndexOf(page.chars, needle, before);
  // The same words a further time among the lines (or one time fewer) and which is which is not known: no anchor.
  if (found < 0 || nthIndexOf(page.chars, needle, before + 1) >= 0 !== nthIndexOf(text.chars, needle, before + 1) >= 0) return null;
  return page.line[found] ?? null;
}

/**
 * The best approximate match of `pattern` within `text` (Sellers' algorithm: the fewest edits
 * turning the pattern into some stretch of the text): its edits, and where it starts and ends.
 */
export function bestMatch(pattern: string, text: string): { edits: number; start: number; end: number } | null {
  const m = pattern.length;
  if (m === 0 || text.length === 0) return null;
  // Column j of the table: edits[i] for pattern[0..i) against a stretch of the text ending at j, and where that stretch starts.
  let edits = Array.from({ length: m + 1 }, (_, i) => i);
  let starts = Array.from({ length: m + 1 }, () => 0);
  let best: { edits: number; start: number; end: number } | null = null;
  for (let j = 1; j <= text.length; j++) {
    const nextEdits = [0];
    const nextStarts = [j];
    for (let i = 1; i <= m; i++) {
      const substitute = edits[i - 1]! + (pattern[i - 1] === text[j - 1] ? 0 : 1);
      const skipText = edits[i]! + 1;
      const skipPattern = nextEdits[i - 1]! + 1;
      const least = Math.min(substitute, skipText, skipPattern);
      nextEdits.push(least);
      nextStarts.push(least === substitute ? starts[i - 1]! : least === skipText ? starts[i]! : nextStarts[i - 1]!);
    }
    edits = nextEdits;
    starts = nextStarts;
    if (!best || edits[m]! < best.edits) best = { edits: edits[m]!, start: starts[m]!, end: j };
  }
  return best;
}

/** A request as matched: folded, its first {@link REQUEST_CHARACTERS} characters. */
function requestPattern(request: string): string {
  return folded(request.trim()).chars.slice(0, REQUEST_CHARACTERS).trim();
}

/** Edits a match of `pattern` may have. */
function allowedEdits(pattern: string): number {
  return pattern.length < FUZZY_FROM ? 0 : Math.floor(pattern.length * EDITS_PER_CHARACTER);
}

/** One line of the lines searched: its page, its index on the page, its text. */
interface Candidate {
  readonly page: number;
  readonly index: number;
  readonly lines: readonly LayoutLine[];
}

/**
 * Where the heading of the item whose rationale is at `passage` lies on its page image, or null
 * when it cannot be told for certain. `text` is the letter's pages of text, `request` the item's
 * request as read, `others` the other items' requests (a line that holds another's better is
 * not this one's heading), `previous` the passage of the item before (its heading and rationale
 * are above this one's: the search stops there), `earlier` the requests of the items before this
 * one: when one of them reads like this one's and the item before was not placed, nothing stops
 * the search at its heading, and no mark is given.
 */
export function headingMark(
  text: readonly string[],
  passage: Passage | null,
  request: string,
  linesOf: LinesOf,
  options: { readonly others?: readonly string[]; readonly previous?: Passage | null; readonly earlier?: readonly string[] } = {},
): HeadingMark | null {
  // Placed by the rationale only: a passage found by the request alone may be the request as a summary lists it.
  if (!passage || (passage.needle ?? 0) !== 0) return null;
  const pattern = requestPattern(request);
  if (pattern.length < 3) return null;
  const lines = linesOf(passage.page);
  if (!lines) return null;
  const anchor = anchorLine(text[passage.page - 1] ?? '', passage, lines);
  if (anchor === null) return null;
  // The item before: nothing above its rationale is this item's heading.
  const previous = options.previous && (options.previous.needle ?? 0) === 0 ? options.previous : null;
  // An item above with a request that reads like this one's, and no barrier at the item before: its heading could be taken for this one's.
  const twinAbove = (options.earlier ?? []).map(requestPattern).some((other) => {
    const match = other.length >= 3 ? bestMatch(pattern, other) : null;
    return other === pattern || (match !== null && match.edits <= allowedEdits(pattern));
  });
  if (twinAbove && !previous) return null;
  const barrierOn = (page: number, pageLines: readonly LayoutLine[]): number =>
    previous && previous.page === page ? (anchorLine(text[page - 1] ?? '', previous, pageLines) ?? -1) : -1;
  const candidates: Candidate[] = [];
  const stopHere = barrierOn(passage.page, lines);
  for (let index = anchor - 1; index > stopHere && candidates.length < HEADING_WINDOW; index--) candidates.push({ page: passage.page, index, lines });
  if (candidates.length < HEADING_WINDOW && stopHere < 0 && passage.page > 1 && !(previous && previous.page === passage.page)) {
    const before = linesOf(passage.page - 1);
    if (before === undefined) return null;
    if (before) {
      const stop = barrierOn(passage.page - 1, before);
      for (let index = before.length - 1; index > stop && candidates.length < HEADING_WINDOW; index--)
        candidates.push({ page: passage.page - 1, index, lines: before });
    }
  }
  const others = (options.others ?? []).map(requestPattern).filter((other) => other.length >= 3 && other !== pattern);
  for (const candidate of candidates) {
    const mark = headingAt(candidate, pattern, others, candidate.page === passage.page ? anchor : candidate.lines.length);
    if (mark) return mark;
  }
  return null;
}

/** The heading, when the request's match starts on this line and the lines it spans read as a heading. */
function headingAt({ page, index, lines }: Candidate, pattern: string, others: readonly string[], end: number): HeadingMark | null {
  // The line and the two after it (a heading may wrap), never the rationale's own line.
  const spanned = lines.slice(index, Math.min(index + 3, end));
  const window = joined(spanned);
  const match = bestMatch(pattern, window.chars);
  if (!match || match.edits > allowedEdits(pattern)) return null;
  // A match starting on a later line was tried as that line's.
  if (window.line[match.start] !== 0) return null;
  const used = [...new Set(window.line.slice(match.start, match.end))];
  const usedText = folded(used.map((at) => spanned[at]!.text).join(' ')).chars;
  // A heading says what it decided ("Upheld", "is not medically necessary"), or is the request and little else;
  // a sentence of the case summary that names the request ("modified the request for ...") is neither.
  const next = index + used[used.length - 1]! + 1;
  const after = next < end ? lines[next]!.text : '';
  const letters = (value: string) => value.replace(/[^a-z0-9]/g, '').length;
  const mostlyRequest = letters(pattern) >= 0.6 * letters(usedText);
  // The line after counts only as a heading's own decision line (short: "Upheld", "is not medically necessary"); a
  // summary's sentence running on ("... as not medically necessary. The patient ...") does not make its first line a heading.
  const decisionAfter = after.trim().split(/\s+/).length <= 6 && HEADING_WORDS.test(after);
  if (!HEADING_WORDS.test(usedText) && !decisionAfter && !mostlyRequest) return null;
  // Another item's request read there with fewer edits for its length: that item's heading, not this one's.
  const share = match.edits / pattern.length;
  for (const other of others) {
    const theirs = bestMatch(other, window.chars);
    if (theirs && theirs.edits <= allowedEdits(other) && theirs.edits / other.length < share) return null;
  }
  const boxes = used.map((at) => spanned[at]!.box);
  return {
    page,
    box: [
      Math.min(...boxes.map((box) => box[0])),
      Math.min(...boxes.map((box) => box[1])),
      Math.max(...boxes.map((box) => box[2])),
      Math.max(...boxes.map((box) => box[3])),
    ],
    lines: used.map((at) => index + at),
  };
}
