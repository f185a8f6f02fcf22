import { boundedDistance, ocrFold, repairWords, resolveOcrWord, vocabularyOf } from './fuzzy.ts';
import type { Decision } from './determination.ts';

/**
 * Section headings and item labels of the published layouts, recognised through OCR damage
 * (`1MR ISSUES`, `Decision rationa1e`, a lost colon).
 */
export const HEADINGS = {
  howMade: 'HOW THE IMR FINAL DETERMINATION WAS MADE',
  caseSummary: 'CLINICAL CASE SUMMARY',
  issues2014: 'IMR ISSUES, DECISIONS AND RATIONALES',
  decisions2013: 'IMR DECISION(S) AND RATIONALE(S)',
  professionalReview: 'MEDICAL PROFESSIONAL REVIEW',
  issueAtDispute: 'ISSUE AT DISPUTE',
  earlyCaseSummary: 'CASE SUMMARY',
  earlyDocuments: 'DOCUMENTS REVIEWED FOR DETERMINATION',
  earlyGuidelines: 'MEDICAL TREATMENT GUIDELINE(S) RELIED UPON BY PROFESSIONAL REVIEWER AND WHY',
  earlyRationale: 'RATIONALE FOR WHY THE REQUESTED TREATMENT/SERVICE IS',
  earlyQualifications: 'MEDICAL REVIEWER QUALIFICATIONS',
  claimsAdministratorGuideline: 'Claims Administrator guideline',
  reviewerGuideline: 'MAXIMUS guideline',
  decisionRationale: 'Decision rationale',
  guidelinesCriteria: 'Guidelines/Criteria',
  rationaleForDecision: 'Rationale for the Decision',
  notice2013: 'Notice of Independent Medical Review Determination',
  noticeDecisions2013: 'INDEPENDENT MEDICAL REVIEW DECISION AND RATIONALE',
  noticeGuidelines2013: 'Medical Treatment Guideline or Medical Evidence Basis for the Decision',
} as const;

/** A heading or label of {@link HEADINGS}. */
export type Heading = keyof typeof HEADINGS;

/** A heading's comparison key: letters and digits only, upper case, OCR digit-for-letter slips undone. */
export function headingKey(text: string): string {
  return text
    .toUpperCase()
    .replace(/[^A-Z0-9]/g, '')
    .replace(/1/g, 'I')
    .replace(/0/g, 'O');
}

/** The character code `headingKey(text)` would have at `position`, for the first few characters only. */
function keyCode(text: string, position: number): number {
  let seen = 0;
  for (let i = 0; i < text.length && i < 8; i++) {
    let code = text.charCodeAt(i);
    if (code >= 97 && code <= 122) code -= 32;
    else if (code === 49) code = 73;
    else if (code === 48) code = 79;
    else if (!((code >= 65 && code <= 90) || (code >= 50 && code <= 57))) continue;
    if (seen++ === position) return code;
  }
  return -1;
}

const KEYS = Object.fromEntries(Object.entries(HEADINGS).map(([name, text]) => [name, headingKey(text)])) as Record<Heading, string>;

function keysMatch(candidate: string, expected: string): boolean {
  if (candidate === expected) return true;
  // OCR rarely damages both of a heading's first two letters; checking them first keeps prose lines cheap.
  if (candidate.charCodeAt(0) !== expected.charCodeAt(0) && candidate.charCodeAt(1) !== expected.charCodeAt(1)) return false;
  const tolerance = expected.length >= 20 ? 3 : expected.length >= 12 ? 2 : 1;
  return boundedDistance(candidate, expected, tolerance) <= tolerance;
}

/** Whether a whole line is the heading (nothing else on it but punctuation). */
export function isHeadingLine(line: string, heading: Heading): boolean {
  // A heading line is about as long as its text; prose lines are rejected before any work.
  if (line.length > HEADINGS[heading].length * 2 + 8) return false;
  const key = headingKey(line);
  const expected = KEYS[heading];
  if (Math.abs(key.length - expected.length) > 3) return false;
  return keysMatch(key, expected);
}

/**
 * If the line starts with the label (`Decision rationale: text...`), the text after it;
 * otherwise null. The colon may be missing.
 */
export function afterLabel(line: string, heading: Heading): string | null {
  const trimmed = line.trimStart();
  const expected = KEYS[heading];
  if (keyCode(trimmed, 0) !== expected.charCodeAt(0) && keyCode(trimmed, 1) !== expected.charCodeAt(1)) return null;
  const word = /\S+/g;
  let end = 0;
  for (let w = 0; w < WORD_COUNTS[heading]; w++) {
    const found = word.exec(trimmed);
    if (!found) return null;
    end = found.index + found[0].length;
  }
  if (!keysMatch(headingKey(trimmed.slice(0, end)), KEYS[heading])) return null;
  return trimmed
    .slice(end)
    .replace(/^[:;.,\s]+/, '')
    .replace(/\s+/g, ' ')
    .trimEnd();
}

const WORD_COUNTS = Object.fromEntries(Object.entries(HEADINGS).map(([name, text]) => [name, text.split(/\s+/).length])) as Record<Heading, number>;

const DECISION_WORDS = new Map<string, Decision>([
  [ocrFold('Upheld'), 'UPHELD'],
  [ocrFold('Uphold'), 'UPHELD'],
  [ocrFold('Overturned'), 'OVERTURNED'],
  [ocrFold('Overturn'), 'OVERTURNED'],
]);

/** A decision word read from a heading, and whether OCR damage had to be read through. */
export interface DecisionWord {
  readonly decision: Decision;
  readonly exact: boolean;
}

/** Reads `Upheld` / `Overturned` through OCR damage (`Uphe1d`, `Overtumed`, `0verturned`). */
export function readDecisionWord(word: string): DecisionWord | null {
  // Both decision words end in d, which OCR splits into c and l ("Uphelcl", "Overturnecl").
  const cleaned = word.replace(/[^A-Z0-9|]/gi, '').replace(/cl$/i, 'd');
  if (cleaned.length < 5 || cleaned.length > 12) return null;
  if (/^(?:upheld|overturned)$/i.test(cleaned)) {
    return { decision: cleaned.toLowerCase() === 'upheld' ? 'UPHELD' : 'OVERTURNED', exact: true };
  }
  const folded = ocrFold(cleaned);
  // Both words start "up" or "ov"; a word matching neither letter is prose.
  if (!'uo'.includes(folded[0] ?? '') && !'pv'.includes(folded[1] ?? '')) return null;
  const decision = resolveOcrWord(cleaned, DECISION_WORDS);
  return decision ? { decision, exact: false } : null;
}

const DECISION_SENTENCE_WORDS = vocabularyOf(['medically', 'necessary', 'appropriate', 'certified']);

/** Undoes OCR damage in the words of a decision sentence ("rnedically necessarv"). */
export function repairDecisionSentence(text: string): string {
  return repairWords(text, DECISION_SENTENCE_WORDS);
}
