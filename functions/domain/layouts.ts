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
  const issueAtDispute = findLabel(lines, 'issueAtDispute');
  if (issueAtDispute >= 0 && findHeading(lines, 'professionalReview') >= 0) return parseEarliest(lines);
  if (findHeading(lines, 'howMade') >= 0 || findHeading(lines, 'caseSummary') >= 0) {
    const items = read2014Items(lines, 0);
    if (items.length > 0) return { layout: '2014', items, listedItemCount: listedCount(lines), statedOutcome: null };
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
  const items = read2014Items(lines, from);
  if (items.length === 0) {
    return { reason: 'IMR ISSUES, DECISIONS AND RATIONALES found but no item heading with a decision: the letter may be truncated' };
  }
  return { layout: '2014', items, listedItemCount: listedCount(lines), statedOutcome: null };
}

const ITEM_LABELS: readonly Heading[] = ['claimsAdministratorGuideline', 'reviewerGuideline', 'decisionRationale'];

/** Longest line that can be an item heading; longer lines are prose (and would make matching slow). */
const MAX_HEADING_LINE = 300;

interface DecisionLine {
  readonly index: number;
  readonly requestPart: string;
  readonly decision: Decision;
  readonly exact: boolean;
}

/**
 * A 2014 item heading ends in its decision: `<request>: Upheld`. The colon may be lost and
 * the word damaged; a heading ending a sentence (`... was upheld.`) is prose, not a heading.
 */
function readDecisionLine(line: string, index: number): DecisionLine | null {
  if (line.length > MAX_HEADING_LINE) return null;
  // Up to a few specks OCR may leave after the decision word (" : . po") are not part of the heading.
  // eslint-disable-next-line regexp/no-super-linear-backtracking -- the line is at most MAX_HEADING_LINE characters (checked above)
  const match = /^(.*?)(?:\s*[:;]\s*|\s+)([A-Z0-9|]{5,12})(?:\s+\S{1,2}){0,12}\s*$/i.exec(line);
  const alone = match ? null : /^\s*(?::\s*)?([A-Z0-9|]{5,12})\s*$/i.exec(line);
  const word = match ? match[2]! : alone?.[1];
  if (!word) return null;
  const decision = readDecisionWord(word);
  if (!decision) return null;
  return { index, requestPart: match ? match[1]!.trim() : '', decision: decision.decision, exact: decision.exact };
}

function isItemLabel(line: string): boolean {
  return ITEM_LABELS.some((label) => afterLabel(line, label) !== null);
}

function isIntroLine(line: string): boolean {
  return /final\s+determination\s+was\s+based|set\s+forth\s+below|disputed\s+items\/services/i.test(line);
}

/** Whether an item label follows within the next few lines: what makes a decision line a heading. */
function labelFollows(lines: readonly string[], index: number): boolean {
  let seen = 0;
  for (let i = index + 1; i < lines.length && seen < 4; i++) {
    if (lines[i]!.trim() === '') continue;
    if (isItemLabel(lines[i]!)) return true;
    seen++;
  }
  return false;
}

function read2014Items(lines: readonly string[], from: number): ParsedItem[] {
  const headings: Array<DecisionLine & { start: number }> = [];
  for (let i = from; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.trim() === '' || isItemLabel(line)) continue;
    const decisionLine = readDecisionLine(line, i);
    if (!decisionLine || !labelFollows(lines, i)) continue;
    let start = i;
    const floor = headings.length > 0 ? headings[headings.length - 1]!.index + 1 : from;
    // A heading may wrap over up to three lines; walk back while the lines above belong to it.
    while (start - 1 >= floor && i - start < 3) {
      const above = lines[start - 1]!;
      // Prose is not a heading: a line ending a sentence, or with a sentence ending inside it.
      if (above.trim() === '' || isItemLabel(above) || isIntroLine(above) || /[.!?]["')]?\s*$/.test(above) || /[a-z]{2}[.!?]\s+[A-Z]/.test(above)) break;
      start--;
    }
    headings.push({ ...decisionLine, start });
  }
  const items: ParsedItem[] = [];
  for (let h = 0; h < headings.length; h++) {
    const heading = headings[h]!;
    const end = h + 1 < headings.length ? headings[h + 1]!.start : lines.length;
    const requestLines = [...lines.slice(heading.start, heading.index), heading.requestPart];
    const request = joinProse(requestLines).replace(/(?<![\s:;,.-])[\s:;,.-]+$/, '');
    if (request.length === 0) continue;
    const sections = readLabelledSections(lines, heading.index + 1, end, ITEM_LABELS);
    items.push({
      request,
      decision: heading.decision,
      decisionExact: heading.exact,
      claimsAdministratorGuideline: sections.claimsAdministratorGuideline ?? null,
      reviewerGuideline: sections.reviewerGuideline ?? null,
      rationale: sections.decisionRationale ?? '',
    });
  }
  return items;
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
  const start = lines.findIndex((line) => /^\s*(?:disputed\s+(?:items?|treatments?|services?)(?:\/services?)?|items?\s+in\s+dispute|treatments?\s+in\s+dispute)\s*:/i.test(line));
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

/** 2013 guideline paragraphs name each party in its own sentences. */
function splitGuidelineParties(printed: string): { claimsAdministrator: string | null; reviewer: string | null } {
  const paragraph = repairWords(printed, GUIDELINE_WORDS);
  const parts = paragraph.split(/(?=\bThe\s+(?:Claims\s+Administrator|Physician\s+Reviewer|Expert\s+Reviewer|Professional\s+Reviewer|Reviewer)\b)/);
  const claims = parts.filter((part) => /^The\s+Claims\s+Administrator/i.test(part)).join(' ').trim();
  const reviewer = parts.filter((part) => /^The\s+(?:(?:Physician|Expert|Professional)\s*)?Reviewer/i.test(part)).join(' ').trim();
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
    const numbered = issueText.split(/(?:^|\s)(?=\d{1,2}\s*[.)]\s)/).map((part) => part.trim()).filter((part) => part.length > 0);
    const issues = numbered.length > 1 ? numbered : [issueText];
    // Block-level evidence, shared by every issue the block lists.
    const headingSays = /IS\s+NOT\s+MEDICALLY|WAS\s+NOT\s+MEDICALLY/i.test(rationaleHeading) && !/IS\s*\/\s*WAS/i.test(rationaleHeading)
      ? false
      : /IS\s+MEDICALLY/i.test(rationaleHeading) && !/NOT/i.test(rationaleHeading) ? true : null;
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
