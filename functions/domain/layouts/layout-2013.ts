/**
 * The 2013 layout: "IMR DECISION(S) AND RATIONALE(S)", then numbered items whose decision is a
 * sentence (`1. <request> is [not] medically necessary and appropriate.`), each followed by
 * "Guidelines/Criteria" and "Rationale for the Decision".
 */
import type { Decision } from '../determination.ts';
import { repairDecisionSentence } from '../headings.ts';
import { findHeading, listedCount, readLabelledSections, splitGuidelineParties, statedOutcome } from './passes.ts';
import type { LayoutSpec, NotADetermination, ParsedItem, ParsedLetter } from './spec.ts';

/** The 2013 layout, anchored on its decisions' heading. */
export const LAYOUT_2013: LayoutSpec = {
  layout: '2013',
  priority: 20,
  detect(lines) {
    const decisions = findHeading(lines, 'decisions2013');
    return decisions >= 0 ? { at: decisions + 1 } : null;
  },
  read: (lines, anchor) => parse2013(lines, anchor.at),
};

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
