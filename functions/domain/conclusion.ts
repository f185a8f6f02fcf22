import { repairDecisionSentence } from './headings.ts';
import type { Determination } from './determination.ts';
/**
 * Reads what a rationale concludes: whether the reviewer found the treatment medically
 * necessary. The conclusion is the last sentence that says so; earlier sentences quote
 * guidelines ("recommended for a short course") and must not decide it.
 */

const NEGATIVE_STRONG = [
  /\b(?:is|are|was|were)\s+not\s+(?:\w+\s+){0,2}?(?:medically\s+)?(?:necessary|appropriate|indicated|warranted|supported|reasonable|recommended|certified|substantiated|established)/i,
  /\bnot\s+medically\s+(?:necessary|appropriate|reasonable)/i,
  /\bnon-?\s*certif(?:ied|y|ication)|\bnot\s+certified\b|\bdenied\b|\bnot\s+approved\b/i,
  /\bcannot\s+be\s+(?:determined|deemed|considered|recommended|supported|certified)\s+(?:as\s+)?(?:medically\s+)?(?:necessary|appropriate|reasonable)?/i,
  /\b(?:is|are)\s+(?:therefore\s+)?(?:un|in)(?:necessary|warranted|appropriate)\b/i,
  /\bno\s+(?:medical\s+)?necessity\b/i,
  // "is determined to not be medically necessary", "does not appear medically necessary".
  /\bto\s+not\s+be\s+(?:medically\s+)?(?:necessary|appropriate|indicated|warranted)/i,
  /\b(?:does|do|did)\s+not\s+(?:appear|seem)\s+(?:to\s+be\s+)?(?:medically\s+)?(?:necessary|appropriate|indicated|warranted)/i,
];
const POSITIVE_STRONG = [
  /\b(?:is|are|was|were)\s+(?:\w+\s+){0,2}?medically\s+(?:necessary|appropriate|reasonable)/i,
  /\b(?:is|are)\s+(?:therefore\s+)?(?:certified|approved|authorized|warranted|supported|indicated|reasonable|appropriate|recommended)\b/i,
  /\bmedical\s+necessity\s+(?:is|has\s+been)\s+(?:established|supported)/i,
  /\b(?:appears?|seems?)\s+(?:to\s+be\s+)?medically\s+(?:necessary|appropriate)/i,
];

/** Splits prose into sentences, keeping decimals ("7.5mg") and abbreviations whole. */
export function sentences(prose: string): string[] {
  return prose
    .split(/(?<=[a-z)"'%\]][.!?]["']?)\s+(?=[A-Z("])|(?<=[.!?]["']?)(?=[A-Z][a-z])/)
    .map((sentence) => sentence.trim())
    .filter((sentence) => sentence.length > 0);
}

/** How much of a rationale's end is split first when only its final sentences are wanted (real ones run 0.5-5 KB). */
const FINAL_SENTENCES_WINDOW = 4096;

/**
 * The last `count` sentences of `prose`, exactly as {@link sentences} splits the whole of it, split
 * from its end only: a letter with a file of records appended reads as one rationale of megabytes,
 * and splitting all of it held the service for a fifth of a second. The window's first piece may
 * be cut (a boundary needs the characters before it), so it is never used: with more than `count`
 * pieces in the window the last `count` are whole sentences; otherwise a window four times larger,
 * up to the whole prose.
 */
export function finalSentences(prose: string, count: number, firstWindow = FINAL_SENTENCES_WINDOW): string[] {
  for (let window = firstWindow; window < prose.length; window *= 4) {
    const pieces = sentences(prose.slice(prose.length - window));
    if (pieces.length > count) return pieces.slice(-count);
  }
  return sentences(prose).slice(-count);
}

/**
 * A rationale that ran on past its letter (records filed after it), cut where the letter's own
 * text most likely ends: after the last sentence within its first `max` characters that states a
 * conclusion (every rationale ends in its verdict), else after the last whole sentence there.
 */
export function cutAfterVerdict(rationale: string, max: number): string {
  const head = rationale.slice(0, max);
  // The last piece may have been cut at `max`: only whole sentences are kept.
  const whole = sentences(head).slice(0, -1);
  const verdict = [...whole].reverse().find((sentence) => necessityOf(repairDecisionSentence(sentence)) !== null) ?? whole.at(-1);
  return verdict ? head.slice(0, head.lastIndexOf(verdict) + verdict.length) : head;
}

/**
 * Whether `statement` (one sentence) says the treatment is medically necessary: true, false,
 * or null when it says neither.
 */
export function necessityOf(statement: string): boolean | null {
  if (NEGATIVE_STRONG.some((pattern) => pattern.test(statement))) return false;
  if (POSITIVE_STRONG.some((pattern) => pattern.test(statement))) return true;
  return null;
}

/**
 * The sentence that states the rationale's own conclusion (the last of its final four that
 * says necessary or not) and what it says; null when none does. The review console shows it
 * beside the decision so a person sees at once whether the two agree.
 */
export function conclusionSentence(rationale: string): RationaleConclusion | null {
  const all = finalSentences(rationale, 4);
  for (let i = all.length - 1; i >= 0; i--) {
    const sentence = all[i]!;
    const verdict = necessityOf(repairDecisionSentence(sentence));
    if (verdict !== null) return { sentence, necessary: verdict };
  }
  return null;
}

/** The rationale's own conclusion: the last of its final sentences that states one. */
export function rationaleConclusion(rationale: string): boolean | null {
  return conclusionSentence(rationale)?.necessary ?? null;
}

/** A rationale's own conclusion: its concluding sentence, and whether it says the treatment is medically necessary. */
export interface RationaleConclusion {
  readonly sentence: string;
  readonly necessary: boolean;
}

/** Each item's rationale conclusion, in order (none for a letter not read as a Determination). */
export function rationaleConclusions(determination: Determination): Array<RationaleConclusion | null> {
  return determination.status === 'CLASSIFIED' ? determination.items.map((item) => conclusionSentence(item.rationale)) : [];
}
