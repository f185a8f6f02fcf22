/**
 * The 2013 notice: "Notice of Independent Medical Review Determination", decisions as numbered
 * sentences (`1) ... has determined the request for <request> is [not] medically necessary`),
 * repeated under "INDEPENDENT MEDICAL REVIEW DECISION AND RATIONALE"; then one rationale per item.
 * Everything this layout alone prints is here: its headings, its anchor, its decision grammar.
 */
import type { Decision } from '../determination.ts';
import { afterLabel, headingPattern, repairDecisionSentence } from '../headings.ts';
import { findHeading, readLabelledSections, sectionKey, splitGuidelineParties } from './passes.ts';
import type { LayoutSpec, NotADetermination, ParsedItem, ParsedLetter } from './spec.ts';

/** The notice's cover heading. */
const NOTICE_HEADING = headingPattern('Notice of Independent Medical Review Determination');
/** The heading its second list of decisions, and the rationales, follow. */
const NOTICE_DECISIONS = headingPattern('INDEPENDENT MEDICAL REVIEW DECISION AND RATIONALE');
/** Each rationale's guideline label. */
const NOTICE_GUIDELINES = headingPattern('Medical Treatment Guideline or Medical Evidence Basis for the Decision');

/** The 2013 notice: anchored on its cover heading, or (a cover lost) on a decision sentence. */
export const NOTICE_2013: LayoutSpec = {
  layout: '2013_NOTICE',
  priority: 30,
  detect: (lines) => (findHeading(lines, NOTICE_HEADING) >= 0 || lines.some((line) => NOTICE_SENTENCE_START.test(line)) ? { at: 0 } : null),
  read: (lines) => parseNotice2013(lines),
};

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
  const body = findHeading(lines, NOTICE_DECISIONS);
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
        afterLabel(lines[i]!, NOTICE_GUIDELINES) !== null ||
        (afterLabel(lines[i]!, 'rationaleForDecision') !== null &&
          !starts.some((start) => start >= i - 20 && afterLabel(lines[start]!, NOTICE_GUIDELINES) !== null))
      )
        starts.push(i);
  }
  const items: ParsedItem[] = decisions.map((decision, k) => {
    const block = starts.length === decisions.length ? { from: starts[k]!, to: k + 1 < starts.length ? starts[k + 1]! : lines.length } : null;
    const sections = block ? readLabelledSections(lines, block.from, block.to, [NOTICE_GUIDELINES, 'rationaleForDecision']) : {};
    const { claimsAdministrator, reviewer } = splitGuidelineParties(sections[sectionKey(NOTICE_GUIDELINES)] ?? '');
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
