/**
 * The 2014 layout (and later): "IMR ISSUES, DECISIONS AND RATIONALES", then each item as a request
 * heading ending in its decision word ("Upheld" / "Overturned"), followed by the labels
 * "Claims Administrator guideline", "MAXIMUS guideline" and "Decision rationale". A letter with
 * the 2014 headings but not that one (a cover page lost, the heading unreadable) is read the same
 * way from its first line, tried after every other layout.
 */
import type { Decision } from '../determination.ts';
import { afterLabel, readDecisionWord, type Heading } from '../headings.ts';
import { joinProse } from '../normalize.ts';
import { rationaleConclusion } from '../conclusion.ts';
import { findHeading, listedCount, missingBodies, readLabelledSections } from './passes.ts';
import type { LayoutSpec, NotADetermination, ParsedItem, ParsedLetter } from './spec.ts';

/** The 2014 layout, anchored on its items' heading. */
export const LAYOUT_2014: LayoutSpec = {
  layout: '2014',
  priority: 10,
  detect(lines) {
    const issues = findHeading(lines, 'issues2014');
    return issues >= 0 ? { at: issues + 1 } : null;
  },
  read: (lines, anchor) => parse2014(lines, anchor.at),
};

/** A 2014 letter without its items' heading: recognised by its other headings, read from the top. */
export const LAYOUT_2014_UNHEADED: LayoutSpec = {
  layout: '2014',
  priority: 90,
  detect: (lines) => (findHeading(lines, 'howMade') >= 0 || findHeading(lines, 'caseSummary') >= 0 ? { at: 0 } : null),
  read(lines) {
    const { items, headingsWithoutBody } = read2014Items(lines, 0);
    if (items.length > 0)
      return { layout: '2014', items, listedItemCount: listedCount(lines), statedOutcome: null, missing: missingBodies(headingsWithoutBody) };
    return { reason: 'IMR determination headings found but no disputed item with a decision: the letter may be truncated' };
  },
};

function parse2014(lines: readonly string[], from: number): ParsedLetter | NotADetermination {
  const { items, headingsWithoutBody } = read2014Items(lines, from);
  if (items.length === 0) {
    return { reason: 'IMR ISSUES, DECISIONS AND RATIONALES found but no item heading with a decision: the letter may be truncated' };
  }
  return { layout: '2014', items, listedItemCount: listedCount(lines), statedOutcome: null, missing: missingBodies(headingsWithoutBody) };
}

const ITEM_LABELS: readonly Heading[] = ['claimsAdministratorGuideline', 'reviewerGuideline', 'decisionRationale'];

/** Longest line that can be an item heading; longer lines are prose (and would make matching slow). */
const MAX_HEADING_LINE = 300;
/** Most lines between an item's heading (its decision line) and its first label. */
const HEADING_WINDOW = 5;
/** Most lines a request heading wraps over above its decision line. */
const MAX_REQUEST_WRAP = 2;

interface DecisionLine {
  readonly index: number;
  readonly requestPart: string;
  readonly decision: Decision;
  readonly exact: boolean;
}

/** Trailing characters OCR and Textract leave after a decision word: punctuation, rules and specks. */
const TRAILING_NOISE = /[\s.,;:!'"`|_~*^-]/;

/** Most speck tokens read after a decision word ("Upheld | Do 2 Ds mt St" on a worn fax). */
const MAX_TRAILING_SPECKS = 12;

/**
 * The line without trailing noise: punctuation glued on, and up to a dozen one- or
 * two-character tokens (OCR reads a worn fax's specks as `Do`, `mt`, `|`). Only ever used to
 * find a decision word at the end, so a real short word lost here costs nothing.
 */
function withoutTrailingNoise(line: string): string {
  let end = line.length;
  for (let tokens = 0; ; tokens++) {
    while (end > 0 && TRAILING_NOISE.test(line[end - 1]!)) end--;
    let start = end;
    while (start > 0 && end - start < 3 && !/\s/.test(line[start - 1]!)) start--;
    const short = end - start <= 2 && start > 0 && /\s/.test(line[start - 1]!);
    if (start === end || !short || tokens >= MAX_TRAILING_SPECKS) return line.slice(0, end);
    end = start;
  }
}

/** Words before a decision word that make the line a sentence, not a heading (`... was upheld.`). */
const PROSE_BEFORE_DECISION = /\b(?:is|was|are|were|be|been|being|not|and|or|to|the|decision)\s*$/i;

/**
 * A 2014 item heading ends in its decision: `<request>: Upheld`. Read through what OCR and
 * Textract do to it: punctuation glued on (`Upheld.`), the word split (`Over turned`), damaged
 * letters (`Uphe1d`), a lost colon, specks after it. A sentence ending in the word
 * (`... was upheld.`) is prose, not a heading.
 */
function readDecisionLine(line: string, index: number): DecisionLine | null {
  if (line.length > MAX_HEADING_LINE) return null;
  const body = withoutTrailingNoise(line);
  const lastSpace = body.lastIndexOf(' ');
  const candidates: Array<{ word: string; before: string; split: boolean }> = [
    { word: body.slice(lastSpace + 1), before: lastSpace < 0 ? '' : body.slice(0, lastSpace), split: false },
  ];
  if (lastSpace > 0) {
    // A word split in two by a stray space ("Over turned", "Up held").
    const previousSpace = body.lastIndexOf(' ', lastSpace - 1);
    const first = body.slice(previousSpace + 1, lastSpace);
    if (first.length >= 2 && first.length <= 8)
      candidates.push({ word: first + body.slice(lastSpace + 1), before: previousSpace < 0 ? '' : body.slice(0, previousSpace), split: true });
  }
  for (const { word, before, split } of candidates) {
    const decision = readDecisionWord(word.replace(/^[:;.,]+/, ''));
    if (!decision) continue;
    const requestPart = before.replace(/(?<![\s:;,.-])[\s:;,.-]+$/, '').trim();
    // "Overturned" alone on a line is a heading's last line; prose needs a verb before it.
    if (PROSE_BEFORE_DECISION.test(before) && !/[:;]\s*$/.test(before)) return null;
    return { index, requestPart, decision: decision.decision, exact: decision.exact && !split };
  }
  return null;
}

function isItemLabel(line: string): boolean {
  return ITEM_LABELS.some((label) => afterLabel(line, label) !== null);
}

function isIntroLine(line: string): boolean {
  return /final\s+determination\s+was\s+based|set\s+forth\s+below|disputed\s+items\/services/i.test(line);
}

/** An item label printed after other text on its line (a heading merged with the label below). */
const MID_LINE_LABEL = /\b(?:Claims\s+Administrator\s+guideline|MAXIMUS\s+guideline|Decision\s+rationale)\s*:/gi;

/** Splits lines where an item label starts mid-line, so that every label starts its own line. */
function labelsOnTheirOwnLines(lines: readonly string[], from: number): string[] {
  const out = lines.slice(0, from) as string[];
  for (let i = from; i < lines.length; i++) {
    const line = lines[i]!;
    let last = 0;
    for (const match of line.matchAll(MID_LINE_LABEL)) {
      if (match.index === 0 || line.slice(last, match.index).trim() === '') continue;
      out.push(line.slice(last, match.index).trimEnd());
      last = match.index;
    }
    out.push(last === 0 ? line : line.slice(last));
  }
  return out;
}

/** Where a sentence ends inside a line, or the letter's intro ("... set forth below:") does. */
const SENTENCE_END_INSIDE = /[a-z)%]{2}[.!?]["')]?\s+(?=[A-Z])|[a-z]{4}[.!?]["')]?\s+(?=[0-9#])|set\s+forth\s+below\s*:\s*/g;
/**
 * A rationale's conclusion, which no request contains: where a merged heading starts even
 * when the letter printed no period after it ("... the request is non-certified Fexmid ...").
 */
const CONCLUSION_INSIDE =
  /\b(?:non-?certified|not\s+(?:medically\s+)?(?:necessary|appropriate|certified|recommended|supported|warranted|indicated)|medically\s+(?:necessary|appropriate)|is\s+(?:certified|recommended|supported|warranted|indicated|appropriate))[.,;:!]?\s+/gi;

/** A modified request read from its paragraph (spec section 1), and the prose before the paragraph. */
interface ModifiedRequest {
  readonly request: string;
  readonly originalRequest: string | null;
  readonly authorized: string | null;
  /** Text before the paragraph on its lines: the end of the item above. */
  readonly before: string;
}

/** Where a modified request's eligible portion is named: "The remaining IMR eligible portion of the original request, X" or "The original request, X". */
const ELIGIBLE_PORTION =
  /(?:^|[.!?]\s+)(?:the\s+)?(?:remaining\s+)?IMR[- ]eligible\s+portion\s+of\s+the\s+original\s+request,?\s*|(?:^|[.!?]\s+)the\s+original\s+request,\s*/i;
/** The sentences of a modified request's paragraph before its eligible portion. */
const MODIFIED_SENTENCE =
  /\bwas\s+the\s+original\s+request\b|\bauthorized\s+by\s+the\s+claims\s+administrator\b|\bclaims\s+administrator\s+authorized\b|\bleaving\s+the\s+original\s+request\b/i;
/** How many lines a modified request's paragraph may take above its decision. */
const MAX_MODIFIED_LINES = 6;

/**
 * Reads a modified request's paragraph: `Physical therapy x12 was the original request.
 * Physical therapy x6 was authorized by the Claims Administrator. The remaining IMR eligible
 * portion of the original request, Physical therapy x6` (or `The Claims Administrator
 * authorized ..., leaving the original request IMR eligible. The original request, ...`). The
 * request is what IMR decided, without the boilerplate or a trailing "is". Null when the
 * text holds no eligible portion.
 */
function readModifiedRequest(text: string): ModifiedRequest | null {
  const eligible = [...text.matchAll(new RegExp(ELIGIBLE_PORTION.source, 'gi'))].at(-1);
  if (!eligible) return null;
  let request = text
    .slice(eligible.index + eligible[0].length)
    .trim()
    .replace(/[:;]$/, '')
    .trim();
  if (request.toLowerCase().endsWith(' is')) request = request.slice(0, -3).trim();
  if (request.length === 0) return null;
  const sentences = text
    .slice(0, eligible.index + (/^[.!?]/.test(eligible[0]) ? 1 : 0))
    .split(/(?<=[.!?])\s+(?=\S)/)
    .map((sentence) => sentence.trim())
    .filter(Boolean);
  let originalRequest: string | null = null;
  let authorized: string | null = null;
  // Plain string tests, not patterns: the sentences are the letter's own boilerplate around free text.
  while (sentences.length > 0) {
    const sentence = sentences.at(-1)!.replace(/\s+/g, ' ').replace(/\.$/, '');
    const lower = sentence.toLowerCase();
    if (lower.endsWith(ORIGINAL_SUFFIX)) originalRequest ??= sentence.slice(0, -ORIGINAL_SUFFIX.length).trim();
    else if (lower.endsWith(AUTHORIZED_SUFFIX)) authorized ??= sentence.slice(0, -AUTHORIZED_SUFFIX.length).trim();
    else if (lower.startsWith(AUTHORIZED_PREFIX)) {
      const rest = sentence.slice(AUTHORIZED_PREFIX.length);
      const leaving = rest.toLowerCase().indexOf('leaving the original request');
      authorized ??= (leaving >= 0 ? rest.slice(0, leaving) : rest).trim().replace(/,$/, '').trim();
    } else break;
    sentences.pop();
  }
  return { request, originalRequest, authorized, before: sentences.join(' ') };
}

const ORIGINAL_SUFFIX = ' was the original request';
const AUTHORIZED_SUFFIX = ' was authorized by the claims administrator';
const AUTHORIZED_PREFIX = 'the claims administrator authorized ';

/** The text after the last sentence that ends inside it (the heading merged with the prose above). */
function afterLastSentence(text: string): { text: string; cut: boolean; before: string } {
  let cut = -1;
  for (const match of text.matchAll(SENTENCE_END_INSIDE)) cut = match.index + match[0].length;
  for (const match of text.matchAll(CONCLUSION_INSIDE)) cut = Math.max(cut, match.index + match[0].length);
  return cut < 0 ? { text, cut: false, before: '' } : { text: text.slice(cut), cut: true, before: text.slice(0, cut).trim() };
}

/** Whether a line above a decision line is prose rather than the first line(s) of the request. */
function endsProse(line: string): boolean {
  return /[.!?]["')]?\s*$/.test(line) || /\bmedically\s+necessary\b/i.test(line) || PROSE_SIGNS.test(line) || isSpeckLine(line);
}

/** A line OCR made of specks ("Do PY : 3 Se re Po pot"): its tokens are mostly one or two characters. */
function isSpeckLine(line: string): boolean {
  const tokens = line.trim().split(/\s+/);
  return tokens.length >= 3 && tokens.filter((token) => token.replace(/[^A-Z0-9]/gi, '').length <= 2).length * 3 >= tokens.length * 2;
}

/** Words of a rationale's sentences that no request heading uses. */
const PROSE_SIGNS =
  /\b(?:the\s+request\s+(?:is|was)|non-?certified|as\s+such|therefore|guidelines?\s+(?:state|support|recommend)|not\s+(?:medically|certified|recommended|supported|indicated|warranted))\b/i;

/** One item's run of labels (`Claims Administrator guideline`, `MAXIMUS guideline`, `Decision rationale`). */
interface LabelGroup {
  readonly first: number;
  readonly labels: Array<{ line: number; order: number }>;
}

/**
 * Groups the item labels in order: a group runs CA guideline, MAXIMUS guideline, Decision
 * rationale; a label that does not come later in that order than the last one starts a new
 * group. A repeated label inside what looked like one item is how a missed heading shows.
 */
function labelGroups(lines: readonly string[], from: number): LabelGroup[] {
  const groups: Array<{ first: number; labels: Array<{ line: number; order: number }> }> = [];
  for (let i = from; i < lines.length; i++) {
    const order = ITEM_LABELS.findIndex((label) => afterLabel(lines[i]!, label) !== null);
    if (order < 0) continue;
    const current = groups[groups.length - 1];
    if (!current || order <= current.labels[current.labels.length - 1]!.order) groups.push({ first: i, labels: [{ line: i, order }] });
    else current.labels.push({ line: i, order });
  }
  return groups;
}

/** The 2014 layout's items, with what the reader had to repair or could not read. */
interface Read2014 {
  readonly items: ParsedItem[];
  /** Item headings found with no labels or rationale after them (a letter cut short). */
  readonly headingsWithoutBody: string[];
}

/**
 * Reads the 2014 layout's items from its structure: each item's labels are the anchor, and its
 * heading is the decision line just above them. The request is the heading's own line(s),
 * never the prose above it; an item whose heading cannot be read is still an item, flagged.
 */
function read2014Items(original: readonly string[], from: number): Read2014 {
  const lines = labelsOnTheirOwnLines(original, from);
  const groups = labelGroups(lines, from);
  // `carried`: the prose a merged heading line began with, which ends the item before it.
  const headings: Array<{
    group: LabelGroup;
    start: number;
    decision: DecisionLine | null;
    request: string;
    repaired: boolean;
    carried: string;
    modified: ModifiedRequest | null;
  }> = [];
  let floor = from;
  for (const group of groups) {
    let decision: DecisionLine | null = null;
    let seen = 0;
    for (let i = group.first - 1; i >= floor && seen < HEADING_WINDOW; i--) {
      if (lines[i]!.trim() === '') continue;
      seen++;
      decision = readDecisionLine(lines[i]!, i);
      if (decision) break;
    }
    // The request: the decision line's text and the line(s) above it that are not prose.
    const bottom = decision ? decision.index : group.first;
    let start = bottom;
    // A decision word alone on its line, a blank line below its request (`Norco #120:` / `` / `Upheld`,
    // as Textract and some OCR lay it out): the request is the line ending in a colon above the gap.
    if (
      decision &&
      decision.requestPart === '' &&
      bottom - 2 >= floor &&
      lines[bottom - 1]!.trim() === '' &&
      /:\s*$/.test(lines[bottom - 2]!) &&
      !isIntroLine(lines[bottom - 2]!)
    )
      start = bottom - 2;
    while (start - 1 >= floor && bottom - (start - 1) <= MAX_REQUEST_WRAP + (start < bottom - 1 ? 1 : 0)) {
      const above = lines[start - 1]!;
      if (above.trim() === '' || isItemLabel(above) || isIntroLine(above) || endsProse(above)) break;
      start--;
    }
    // Without a decision line, the request is the nearest line above the labels (blank lines
    // skipped) that is neither prose nor a label: the heading whose decision word was unreadable.
    if (!decision && start === bottom) {
      let above = bottom - 1;
      while (above >= floor && bottom - above <= HEADING_WINDOW && lines[above]!.trim() === '') above--;
      const line = lines[above];
      if (above >= floor && line !== undefined && !isItemLabel(line) && !isIntroLine(line) && !endsProse(line)) start = above;
    }
    const parts = [...lines.slice(start, bottom), ...(decision ? [decision.requestPart] : [])];
    let merged = afterLastSentence(joinProse(parts));
    let modified: ModifiedRequest | null = null;
    if (decision && ELIGIBLE_PORTION.test(merged.text.trim())) {
      // A modified request's paragraph: its first sentences may stand on lines of their own above.
      // A line belongs to it when it names the original or the authorized part, or runs on into the line below (no sentence ends it).
      const inParagraph = (line: string) =>
        line.trim() !== '' && !isItemLabel(line) && !isIntroLine(line) && (MODIFIED_SENTENCE.test(line) || !/[.!?]["')]?\s*$/.test(line));
      const headingStart = start;
      for (let above = start - 1; above >= floor && bottom - above <= MAX_MODIFIED_LINES; above--) {
        // A blank line inside the paragraph (a page break) is stepped over when the paragraph goes on above it.
        if (lines[above]!.trim() === '' && above - 1 >= floor && inParagraph(lines[above - 1]!)) continue;
        if (!inParagraph(lines[above]!)) break;
        start = above;
      }
      modified = readModifiedRequest(joinProse([...lines.slice(start, bottom).filter((line) => line.trim() !== ''), decision.requestPart]));
      if (modified) merged = { text: modified.request, cut: false, before: modified.before };
      // Not a paragraph after all: the lines above stay the item above's, read as before.
      else start = headingStart;
    }
    const request = merged.text.replace(/(?<![\s:;,.-])[\s:;,.-]+$/, '');
    headings.push({ group, start: decision ? start : Math.min(start, group.first), decision, request, repaired: merged.cut, carried: merged.before, modified });
    floor = group.labels[group.labels.length - 1]!.line + 1;
  }
  const items: ParsedItem[] = [];
  for (let h = 0; h < headings.length; h++) {
    const heading = headings[h]!;
    const end = h + 1 < headings.length ? headings[h + 1]!.start : lines.length;
    const sections = readLabelledSections(lines, heading.group.first, end, ITEM_LABELS);
    const carried = headings[h + 1]?.carried ?? '';
    const rationale = [sections.decisionRationale ?? '', carried].filter(Boolean).join(' ');
    const fromRationale = rationaleConclusion(rationale);
    // An item whose heading and conclusion were both unreadable is still an item: its labels say
    // it is there. It is kept, flagged (headingRead false), never dropped.
    items.push({
      request: heading.request || 'request not read',
      // A missed heading: the rationale's conclusion is the best reading of the decision, flagged.
      decision: heading.decision?.decision ?? (fromRationale ? 'OVERTURNED' : 'UPHELD'),
      decisionExact: heading.decision?.exact ?? false,
      headingRead: heading.decision !== null && heading.request !== '',
      requestRepaired: heading.repaired,
      originalRequest: heading.modified?.originalRequest ?? null,
      authorized: heading.modified?.authorized ?? null,
      claimsAdministratorGuideline: sections.claimsAdministratorGuideline ?? null,
      reviewerGuideline: sections.reviewerGuideline ?? null,
      rationale,
    });
  }
  // A heading after the last item's labels with nothing after it: the letter stops there.
  const headingsWithoutBody: string[] = [];
  const lastLabel = groups.length > 0 ? groups[groups.length - 1]!.labels.at(-1)!.line : from - 1;
  for (let i = lastLabel + 1; i < lines.length; i++) {
    const decision = /[:;]/.test(lines[i]!) ? readDecisionLine(lines[i]!, i) : null;
    if (decision && decision.requestPart.length > 0) headingsWithoutBody.push(decision.requestPart);
  }
  return { items, headingsWithoutBody };
}
