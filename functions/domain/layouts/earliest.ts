/**
 * The earliest layout: "MEDICAL PROFESSIONAL REVIEW", then one or more "ISSUE AT DISPUTE:" blocks,
 * each with its own case summary, documents, guidelines, rationale ("... IS [NOT] MEDICALLY
 * NECESSARY") and qualifications sections.
 */
import { afterLabel, repairDecisionSentence, type Heading } from '../headings.ts';
import { necessityOf, rationaleConclusion } from '../conclusion.ts';
import { findHeading, findLabel, readLabelledSections, statedOutcome } from './passes.ts';
import type { LayoutSpec, NotADetermination, ParsedItem, ParsedLetter } from './spec.ts';

/** The earliest layout, anchored on its first issue and its review heading. */
export const EARLIEST: LayoutSpec = {
  layout: 'EARLIEST',
  priority: 40,
  detect(lines) {
    const issueAtDispute = findLabel(lines, 'issueAtDispute');
    return issueAtDispute >= 0 && findHeading(lines, 'professionalReview') >= 0 ? { at: issueAtDispute } : null;
  },
  read: (lines) => parseEarliest(lines),
};

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
