import type { Decision, Layout, Outcome } from './determination.ts';
import { afterLabel, isHeadingLine, readDecisionWord, repairDecisionSentence, type Heading } from './headings.ts';
import { joinProse } from './normalize.ts';
import { necessityOf, rationaleConclusion } from './conclusion.ts';
import { GUIDELINE_WORDS } from './citations.ts';
import { repairWords } from './fuzzy.ts';

/** One disputed item as the layout printed it, before classification. */
export interface ParsedItem {
  /** The request heading as written, wrapped lines joined. */
  readonly request: string;
  readonly decision: Decision;
  /** False when the decision had to be read through OCR damage or inferred. */
  readonly decisionExact: boolean;
  /** False when the item's heading was not found and its decision came from the rationale. */
  readonly headingRead?: boolean;
  /** True when the request had to be cut out of prose merged onto its line. */
  readonly requestRepaired?: boolean;
  /** A modified request's original request and what was authorized of it (spec section 1). */
  readonly originalRequest?: string | null;
  readonly authorized?: string | null;
  /** Where the letter contradicts itself about this item (two lists that disagree), what it says. */
  readonly conflict?: string;
  /** The claims administrator's guideline paragraph; null when the layout has none. */
  readonly claimsAdministratorGuideline: string | null;
  /** The reviewer's guideline paragraph. */
  readonly reviewerGuideline: string | null;
  /** The decision rationale. */
  readonly rationale: string;
}

/** A letter's structure as its layout printed it. */
export interface ParsedLetter {
  readonly layout: Layout;
  readonly items: ParsedItem[];
  /** How many disputed items the letter says there are, where it says so. */
  readonly listedItemCount: number | null;
  /** The overall outcome a cover page states, where it states one. */
  readonly statedOutcome: Outcome | null;
  /** What the letter shows is missing from it (a heading with no rationale after it, ...). */
  readonly missing?: string[];
}

/** Why a text is not a readable IMR determination. */
export interface NotADetermination {
  readonly reason: string;
}

/** Finds the first line at or after `from` that is the heading. */
function findHeading(lines: readonly string[], heading: Heading, from = 0): number {
  for (let i = from; i < lines.length; i++) if (isHeadingLine(lines[i]!, heading)) return i;
  return -1;
}

/** Finds the first line at or after `from` that starts with the label. */
function findLabel(lines: readonly string[], heading: Heading, from = 0, to = lines.length): number {
  for (let i = from; i < to; i++) if (afterLabel(lines[i]!, heading) !== null) return i;
  return -1;
}

/**
 * Detects the layout and reads its items. Returns why not when the text is not an IMR
 * Final Determination or its items cannot be found.
 */
export function parseLetter(lines: readonly string[]): ParsedLetter | NotADetermination {
  const issues = findHeading(lines, 'issues2014');
  if (issues >= 0) return parse2014(lines, issues + 1);
  const decisions = findHeading(lines, 'decisions2013');
  if (decisions >= 0) return parse2013(lines, decisions + 1);
  const notice = findHeading(lines, 'notice2013');
  if (notice >= 0 || lines.some((line) => NOTICE_SENTENCE_START.test(line))) return parseNotice2013(lines);
  const issueAtDispute = findLabel(lines, 'issueAtDispute');
  if (issueAtDispute >= 0 && findHeading(lines, 'professionalReview') >= 0) return parseEarliest(lines);
  if (findHeading(lines, 'howMade') >= 0 || findHeading(lines, 'caseSummary') >= 0) {
    const { items, headingsWithoutBody } = read2014Items(lines, 0);
    if (items.length > 0)
      return { layout: '2014', items, listedItemCount: listedCount(lines), statedOutcome: null, missing: missingBodies(headingsWithoutBody) };
    return { reason: 'IMR determination headings found but no disputed item with a decision: the letter may be truncated' };
  }
  return { reason: foreignReason(lines) };
}

function foreignReason(lines: readonly string[]): string {
  const text = lines.join(' ');
  if (text.trim().length === 0) return 'the document has no text';
  if (/utilization\s+review/i.test(text) && /non-?certif|denied|modif|request\s+for\s+authorization/i.test(text)) {
    return 'looks like a utilization review notice, not an IMR Final Determination';
  }
  if (!/(?<![A-Z])[A-Z]{3,}(?:\s+[A-Z]{3,}){3}/i.test(text)) return 'the text has no readable sentences (OCR garbage or not a letter)';
  return 'no IMR Final Determination headings found (HOW THE IMR FINAL DETERMINATION WAS MADE, IMR ISSUES, DECISIONS AND RATIONALES, ...)';
}

function parse2014(lines: readonly string[], from: number): ParsedLetter | NotADetermination {
  const { items, headingsWithoutBody } = read2014Items(lines, from);
  if (items.length === 0) {
    return { reason: 'IMR ISSUES, DECISIONS AND RATIONALES found but no item heading with a decision: the letter may be truncated' };
  }
  return { layout: '2014', items, listedItemCount: listedCount(lines), statedOutcome: null, missing: missingBodies(headingsWithoutBody) };
}

function missingBodies(headings: readonly string[]): string[] {
  return headings.map((heading) => `the item "${heading.slice(0, 80)}" has a heading but no guidelines or rationale after it`);
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

const CLOSING = /^\s*(?:cc\s*:|Sincerely|Enclosure|Effect\s+of\s+the\s+Decision|\/[a-z]{2,3}\s*$)/i;

/** Splits lines [from, to) at the given labels; each label's text runs to the next label. */
function readLabelledSections(lines: readonly string[], from: number, to: number, labels: readonly Heading[]): Partial<Record<Heading, string>> {
  const sections: Partial<Record<Heading, string[]>> = {};
  let current: Heading | null = null;
  for (let i = from; i < to; i++) {
    const line = lines[i]!;
    if (CLOSING.test(line)) break;
    const label = labels.find((candidate) => afterLabel(line, candidate) !== null);
    if (label) {
      current = label;
      sections[label] = [afterLabel(line, label)!];
      continue;
    }
    if (current) sections[current]!.push(line);
  }
  return Object.fromEntries(Object.entries(sections).map(([label, body]) => [label, joinProse(body ?? [])]));
}

/** A list of disputed items printed before the items ("Disputed Items: 1. ... 2. ..."). */
function listedCount(lines: readonly string[]): number | null {
  const start = lines.findIndex((line) =>
    /^\s*(?:disputed\s+(?:items?|treatments?|services?)(?:\/services?)?|items?\s+in\s+dispute|treatments?\s+in\s+dispute)\s*:/i.test(line),
  );
  if (start < 0) return null;
  let count = 0;
  const first = lines[start]!.replace(/^[^:]*:/, '');
  if (/\S/.test(first)) count += Math.max(1, (first.match(/(?:^|\s)\d{1,2}\s*[.)]\s/g) ?? []).length);
  for (let i = start + 1; i < lines.length; i++) {
    const line = lines[i]!;
    if (/^\s*\d{1,2}\s*[.)]\s+\S/.test(line)) count++;
    else if (line.trim() === '' && count > 0) break;
    else if (line.trim() !== '' && count === 0) break;
  }
  return count > 0 ? count : null;
}

const STATED_OUTCOME = /Final\s+Determination\s*(?::\s*)?(UPHOLD(?:\s+IN\s+PART)?|UPHELD|OVERTURN(?:ED)?(?:\s+IN\s+PART)?|PARTIAL(?:LY)?\s+OVERTURN(?:ED)?)/i;

function statedOutcome(lines: readonly string[]): Outcome | null {
  const match = STATED_OUTCOME.exec(lines.join('\n'));
  if (!match) return null;
  const word = match[1]!.toUpperCase();
  if (/PART/.test(word)) return 'PARTIALLY_OVERTURNED';
  return word.startsWith('UPHOLD') || word.startsWith('UPHELD') ? 'UPHELD' : 'OVERTURNED';
}

const SENTENCE_DECISION = /^(.*?\S)\s+(?:is|are)\s+(not\s+)?medically\s+necessary\s+and\s+appropriate\b/i;
const ITEM_NUMBER = /^\s*([0-9lI]{1,2})\s*[.)]\s+(\S.*)$/;

/** 2013 items: `1. <request> is [not] medically necessary and appropriate.` */
function parse2013(lines: readonly string[], from: number): ParsedLetter | NotADetermination {
  const starts: Array<{ index: number; endOfHeading: number; number: number; request: string; decision: Decision }> = [];
  for (let i = from; i < lines.length; i++) {
    const numbered = ITEM_NUMBER.exec(lines[i]!);
    if (!numbered) continue;
    let heading = numbered[2]!;
    for (let j = i; j < Math.min(lines.length, i + 5); j++) {
      if (j > i) heading += ' ' + lines[j]!.trim();
      const sentence = SENTENCE_DECISION.exec(repairDecisionSentence(heading));
      if (sentence) {
        starts.push({
          index: i,
          endOfHeading: j,
          number: Number(numbered[1]!.replace(/[lI]/g, '1')),
          request: sentence[1]!.replace(/\s+/g, ' ').trim(),
          decision: sentence[2] ? 'UPHELD' : 'OVERTURNED',
        });
        i = j;
        break;
      }
      if (j > i && lines[j]!.trim() === '') break;
    }
  }
  if (starts.length === 0) {
    return { reason: 'IMR DECISION(S) AND RATIONALE(S) found but no numbered item with a decision: the letter may be truncated' };
  }
  const items: ParsedItem[] = starts.map((start, k) => {
    const end = k + 1 < starts.length ? starts[k + 1]!.index : lines.length;
    const sections = readLabelledSections(lines, start.endOfHeading + 1, end, ['guidelinesCriteria', 'rationaleForDecision']);
    const { claimsAdministrator, reviewer } = splitGuidelineParties(sections.guidelinesCriteria ?? '');
    return {
      request: start.request,
      decision: start.decision,
      decisionExact: true,
      claimsAdministratorGuideline: claimsAdministrator,
      reviewerGuideline: reviewer,
      rationale: sections.rationaleForDecision ?? '',
    };
  });
  const highestNumber = Math.max(...starts.map((start) => start.number));
  return {
    layout: '2013',
    items,
    listedItemCount: listedCount(lines) ?? highestNumber,
    statedOutcome: statedOutcome(lines),
  };
}

/** The start of a 2013 notice's decision sentence, spaces possibly lost in extraction. */
const NOTICE_SENTENCE_START = /has\s*determined\s*(?:that\s*)?the\s*request/i;
/** A 2013 notice's decision: `... has determined the request for <request> is [not] medically necessary`. */
// eslint-disable-next-line regexp/no-super-linear-backtracking -- run on one numbered entry of at most NOTICE_ENTRY_LINES lines
const NOTICE_SENTENCE = /determined\s*(?:that\s*)?the\s*request\s*for\s*(.+?)\s*(?:is|are)\s*(not)?\s*medically\s*necessary/i;
const NOTICE_NUMBER = /^\s*([0-9lI]{1,2})\s*[).]\s*(\S.*)$/;
/** Most lines one numbered decision wraps over. */
const NOTICE_ENTRY_LINES = 6;

interface NoticeDecision {
  readonly number: number;
  readonly line: number;
  readonly request: string;
  readonly decision: Decision;
}

/**
 * Puts back the spaces text extraction lost between a notice sentence's words (`isnot`,
 * `notmedically`, `hasdetermined`), before any OCR repair could misread the glued word.
 */
function unglued(entry: string): string {
  return entry
    .replace(/\b(is|are)(not|medically)/gi, '$1 $2')
    .replace(/\bnot(medically)/gi, 'not $1')
    .replace(/medically(necessary)/gi, 'medically $1')
    .replace(/\bhas(determined)/gi, 'has $1')
    .replace(/\brequest(for)\b/gi, 'request $1');
}

/** The numbered decision sentences in lines [from, to). */
function noticeDecisions(lines: readonly string[], from: number, to: number): NoticeDecision[] {
  const found: NoticeDecision[] = [];
  for (let i = from; i < to; i++) {
    const numbered = NOTICE_NUMBER.exec(lines[i]!);
    if (!numbered || /^\s*Regarding\b/i.test(numbered[2]!)) continue;
    let entry = numbered[2]!;
    for (let j = i; j < Math.min(to, i + NOTICE_ENTRY_LINES); j++) {
      if (j > i) {
        if (lines[j]!.trim() === '' || NOTICE_NUMBER.test(lines[j]!)) break;
        entry += ` ${lines[j]!.trim()}`;
      }
      const sentence = NOTICE_SENTENCE.exec(repairDecisionSentence(unglued(entry)));
      if (!sentence) continue;
      found.push({
        number: Number(numbered[1]!.replace(/[lI]/g, '1')),
        line: i,
        request: sentence[1]!
          .replace(/\s+/g, ' ')
          .replace(/(?<![\s,.;:])[\s,.;:]+$/, '')
          .trim(),
        decision: sentence[2] ? 'UPHELD' : 'OVERTURNED',
      });
      i = j;
      break;
    }
  }
  return found;
}

/**
 * The 2013 notice layout: decisions as a numbered list of sentences, repeated under
 * INDEPENDENT MEDICAL REVIEW DECISION AND RATIONALE; then qualifications, a case summary and
 * one rationale per item (`1) Regarding the request for ...`, `Rationale for the Decision:`).
 * The two lists are read and compared; where they disagree, the item says so.
 */
function parseNotice2013(lines: readonly string[]): ParsedLetter | NotADetermination {
  const body = findHeading(lines, 'noticeDecisions2013');
  const firstList = noticeDecisions(lines, 0, body >= 0 ? body : lines.length);
  const summaryAt = lines.findIndex((line, i) => i > body && /^\s*(?:Expert\s+Reviewer\s+)?Case\s+Summary\s*:/i.test(line));
  const secondList = body >= 0 ? noticeDecisions(lines, body + 1, summaryAt > body ? summaryAt : lines.length) : [];
  const decisions = firstList.length >= secondList.length ? firstList : secondList;
  const other = decisions === firstList ? secondList : firstList;
  if (decisions.length === 0) {
    return { reason: 'a 2013 IMR notice but no numbered decision could be read: the letter may be truncated' };
  }
  // Rationale blocks: `N) Regarding the request for ...`, or failing those, each `Rationale for the Decision:`.
  const rationaleFrom = summaryAt >= 0 ? summaryAt : body >= 0 ? body : 0;
  let starts: number[] = [];
  for (let i = rationaleFrom; i < lines.length; i++) if (/^\s*\d{1,2}\s*[).]\s*Regarding\b/i.test(lines[i]!)) starts.push(i);
  if (starts.length !== decisions.length) {
    starts = [];
    for (let i = rationaleFrom; i < lines.length; i++)
      if (
        afterLabel(lines[i]!, 'noticeGuidelines2013') !== null ||
        (afterLabel(lines[i]!, 'rationaleForDecision') !== null &&
          !starts.some((start) => start >= i - 20 && afterLabel(lines[start]!, 'noticeGuidelines2013') !== null))
      )
        starts.push(i);
  }
  const items: ParsedItem[] = decisions.map((decision, k) => {
    const block = starts.length === decisions.length ? { from: starts[k]!, to: k + 1 < starts.length ? starts[k + 1]! : lines.length } : null;
    const sections = block ? readLabelledSections(lines, block.from, block.to, ['noticeGuidelines2013', 'rationaleForDecision']) : {};
    const { claimsAdministrator, reviewer } = splitGuidelineParties(sections.noticeGuidelines2013 ?? '');
    const twin = other.find((entry) => entry.number === decision.number);
    return {
      request: decision.request,
      decision: decision.decision,
      decisionExact: true,
      claimsAdministratorGuideline: claimsAdministrator,
      reviewerGuideline: reviewer,
      rationale: sections.rationaleForDecision ?? '',
      conflict: twin && twin.decision !== decision.decision ? `the letter lists it once as ${decision.decision} and once as ${twin.decision}` : undefined,
    };
  });
  const listed = Math.max(0, ...decisions.map((entry) => entry.number), ...other.map((entry) => entry.number));
  return { layout: '2013_NOTICE', items, listedItemCount: listed, statedOutcome: null };
}

/** 2013 guideline paragraphs name each party in its own sentences. */
function splitGuidelineParties(printed: string): { claimsAdministrator: string | null; reviewer: string | null } {
  const paragraph = repairWords(printed, GUIDELINE_WORDS);
  const parts = paragraph.split(/(?=\bThe\s+(?:Claims\s+Administrator|Physician\s+Reviewer|Expert\s+Reviewer|Professional\s+Reviewer|Reviewer)\b)/);
  const claims = parts
    .filter((part) => /^The\s+Claims\s+Administrator/i.test(part))
    .join(' ')
    .trim();
  const reviewer = parts
    .filter((part) => /^The\s+(?:(?:Physician|Expert|Professional)\s*)?Reviewer/i.test(part))
    .join(' ')
    .trim();
  return { claimsAdministrator: claims || null, reviewer: reviewer || (claims ? null : paragraph.trim() || null) };
}

const EARLY_SECTIONS: readonly Heading[] = ['earlyCaseSummary', 'earlyDocuments', 'earlyGuidelines', 'earlyRationale', 'earlyQualifications'];

/** Earliest layout: one or more `ISSUE AT DISPUTE:` blocks with their own guideline and rationale sections. */
function parseEarliest(lines: readonly string[]): ParsedLetter | NotADetermination {
  const blockStarts: number[] = [];
  for (let i = 0; i < lines.length; i++) if (afterLabel(lines[i]!, 'issueAtDispute') !== null) blockStarts.push(i);
  const stated = statedOutcome(lines);
  const items: ParsedItem[] = [];
  blockStarts.forEach((start, b) => {
    const end = b + 1 < blockStarts.length ? blockStarts[b + 1]! : lines.length;
    const sections = readLabelledSections(lines, start, end, ['issueAtDispute', ...EARLY_SECTIONS]);
    const rationaleHeading = lines.slice(start, end).find((line) => afterLabel(line, 'earlyRationale') !== null) ?? '';
    const issueText = sections.issueAtDispute ?? '';
    const numbered = issueText
      .split(/(?:^|\s)(?=\d{1,2}\s*[.)]\s)/)
      .map((part) => part.trim())
      .filter((part) => part.length > 0);
    const issues = numbered.length > 1 ? numbered : [issueText];
    // Block-level evidence, shared by every issue the block lists.
    const headingSays =
      /IS\s+NOT\s+MEDICALLY|WAS\s+NOT\s+MEDICALLY/i.test(rationaleHeading) && !/IS\s*\/\s*WAS/i.test(rationaleHeading)
        ? false
        : /IS\s+MEDICALLY/i.test(rationaleHeading) && !/NOT/i.test(rationaleHeading)
          ? true
          : null;
    // The rationale heading ends in its verdict ("... IS NOT MEDICALLY NECESSARY:"), not in rationale text.
    const rationale = (sections.earlyRationale ?? '').replace(/^(?:[\s/]*(?:IS|WAS)\b)*\s*(?:NOT\s+)?MEDICALLY\s+NECESSARY[\s:]*/i, '');
    const fromRationale = rationaleConclusion(rationale);
    const coverSays = stated === 'UPHELD' ? false : stated === 'OVERTURNED' ? true : null;
    for (const issue of issues) {
      const request = issue
        .replace(/^\d{1,2}\s*[.)]\s*/, '')
        .replace(/^(?:whether|is|was)\s+(?:the\s+)?(?:requested|request\s+for|proposed)\s+/i, '')
        .replace(/(?<!\s)\s+(?:is|was|are|were)\s+(?:not\s+)?medically\s+necessary.*$/i, '')
        .replace(/(?<![?.\s])[?.\s]+$/, '')
        .trim();
      if (request.length === 0) continue;
      const issueSays = /\?\s*$/.test(issue) ? null : necessityOf(repairDecisionSentence(issue));
      const necessary = issueSays ?? headingSays ?? coverSays ?? fromRationale;
      if (necessary === null) continue;
      items.push({
        request,
        decision: necessary ? 'OVERTURNED' : 'UPHELD',
        decisionExact: (issueSays ?? headingSays ?? coverSays) !== null,
        claimsAdministratorGuideline: null,
        reviewerGuideline: sections.earlyGuidelines ?? null,
        rationale,
      });
    }
  });
  if (items.length === 0) {
    return { reason: 'ISSUE AT DISPUTE found but no disputed item with a readable decision: the letter may be truncated' };
  }
  return { layout: 'EARLIEST', items, listedItemCount: null, statedOutcome: stated };
}
