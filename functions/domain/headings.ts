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
} as const;

/** A heading or label of {@link HEADINGS}: those more than one layout prints. */
export type Heading = keyof typeof HEADINGS;

/** A heading or label as matched: its text's comparison key and word count. A layout's own headings are made with {@link headingPattern}. */
export interface HeadingPattern {
  readonly text: string;
  readonly key: string;
  readonly words: number;
}

/** The pattern of a heading or label printed as `text` (one layout's own: it lives in that layout's spec). */
export function headingPattern(text: string): HeadingPattern {
  return { text, key: headingKey(text), words: text.split(/\s+/).length };
}

/** A heading named in {@link HEADINGS}, or a layout's own pattern. */
export type HeadingLike = Heading | HeadingPattern;

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

const PATTERNS = Object.fromEntries(Object.entries(HEADINGS).map(([name, text]) => [name, headingPattern(text)])) as Record<Heading, HeadingPattern>;

function patternOf(heading: HeadingLike): HeadingPattern {
  return typeof heading === 'string' ? PATTERNS[heading] : heading;
}

function keysMatch(candidate: string, expected: string): boolean {
  if (candidate === expected) return true;
  // OCR rarely damages both of a heading's first two letters; checking them first keeps prose lines cheap.
  if (candidate.charCodeAt(0) !== expected.charCodeAt(0) && candidate.charCodeAt(1) !== expected.charCodeAt(1)) return false;
  const tolerance = expected.length >= 20 ? 3 : expected.length >= 12 ? 2 : 1;
  return boundedDistance(candidate, expected, tolerance) <= tolerance;
}

/** Whether a whole line is the heading (nothing else on it but punctuation). */
export function isHeadingLine(line: string, heading: HeadingLike): boolean {
  const pattern = patternOf(heading);
  // A heading line is about as long as its text; prose lines are rejected before any work.
  if (line.length > pattern.text.length * 2 + 8) return false;
  const key = headingKey(line);
  const expected = pattern.key;
  if (Math.abs(key.length - expected.length) > 3) return false;
  return keysMatch(key, expected);
}

/**
 * If the line starts with the label (`Decision rationale: text...`), the text after it;
 * otherwise null. The colon may be missing.
 */
export function afterLabel(line: string, heading: HeadingLike): string | null {
  const pattern = patternOf(heading);
  const trimmed = line.trimStart();
  const expected = pattern.key;
  if (keyCode(trimmed, 0) !== expected.charCodeAt(0) && keyCode(trimmed, 1) !== expected.charCodeAt(1)) return null;
  const word = /\S+/g;
  let end = 0;
  for (let w = 0; w < pattern.words; w++) {
    const found = word.exec(trimmed);
    if (!found) return null;
    end = found.index + found[0].length;
  }
  if (!keysMatch(headingKey(trimmed.slice(0, end)), expected)) return null;
  return trimmed
    .slice(end)
    .replace(/^[:;.,\s]+/, '')
    .replace(/\s+/g, ' ')
    .trimEnd();
}

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
