/**
 * Passes every layout reader may use: finding headings and labels, splitting a block into its
 * labelled sections, the count of items a letter lists, the outcome a cover states, and the
 * guideline paragraph's parties. Each is small, pure and tested through the layouts.
 */
import type { Outcome } from '../determination.ts';
import { afterLabel, isHeadingLine, type HeadingLike } from '../headings.ts';
import { joinProse } from '../normalize.ts';
import { GUIDELINE_WORDS } from '../citations.ts';
import { repairWords } from '../fuzzy.ts';

/** Finds the first line at or after `from` that is the heading. */
export function findHeading(lines: readonly string[], heading: HeadingLike, from = 0): number {
  for (let i = from; i < lines.length; i++) if (isHeadingLine(lines[i]!, heading)) return i;
  return -1;
}

/** Finds the first line at or after `from` that starts with the label. */
export function findLabel(lines: readonly string[], heading: HeadingLike, from = 0, to = lines.length): number {
  for (let i = from; i < to; i++) if (afterLabel(lines[i]!, heading) !== null) return i;
  return -1;
}

/** What a letter shows is missing: item headings with no guidelines or rationale after them. */
export function missingBodies(headings: readonly string[]): string[] {
  return headings.map((heading) => `the item "${heading.slice(0, 80)}" has a heading but no guidelines or rationale after it`);
}

export const CLOSING = /^\s*(?:cc\s*:|Sincerely|Enclosure|Effect\s+of\s+the\s+Decision|\/[a-z]{2,3}\s*$)/i;

/**
 * Splits lines [from, to) at the given labels; each label's text runs to the next label (or a
 * closing line). Sections are keyed by the label's name, or a layout's own pattern's text.
 */
export function readLabelledSections(lines: readonly string[], from: number, to: number, labels: readonly HeadingLike[]): Partial<Record<string, string>> {
  const sections = new Map<HeadingLike, string[]>();
  let current: HeadingLike | null = null;
  for (let i = from; i < to; i++) {
    const line = lines[i]!;
    if (CLOSING.test(line)) break;
    const label = labels.find((candidate) => afterLabel(line, candidate) !== null);
    if (label) {
      current = label;
      sections.set(label, [afterLabel(line, label)!]);
      continue;
    }
    if (current) sections.get(current)!.push(line);
  }
  return Object.fromEntries([...sections].map(([label, body]) => [sectionKey(label), joinProse(body)]));
}

/** The key of a label's section in {@link readLabelledSections}'s answer. */
export function sectionKey(label: HeadingLike): string {
  return typeof label === 'string' ? label : label.text;
}

/** A list of disputed items printed before the items ("Disputed Items: 1. ... 2. ..."). */
export function listedCount(lines: readonly string[]): number | null {
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

export const STATED_OUTCOME =
  /Final\s+Determination\s*(?::\s*)?(UPHOLD(?:\s+IN\s+PART)?|UPHELD|OVERTURN(?:ED)?(?:\s+IN\s+PART)?|PARTIAL(?:LY)?\s+OVERTURN(?:ED)?)/i;

export function statedOutcome(lines: readonly string[]): Outcome | null {
  const match = STATED_OUTCOME.exec(lines.join('\n'));
  if (!match) return null;
  const word = match[1]!.toUpperCase();
  if (/PART/.test(word)) return 'PARTIALLY_OVERTURNED';
  return word.startsWith('UPHOLD') || word.startsWith('UPHELD') ? 'UPHELD' : 'OVERTURNED';
}

/** 2013 guideline paragraphs name each party in its own sentences. */
export function splitGuidelineParties(printed: string): { claimsAdministrator: string | null; reviewer: string | null } {
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
