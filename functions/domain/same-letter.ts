import type { ClassifiedDetermination } from './determination.ts';
import { boundedDistance } from './fuzzy.ts';

/**
 * One letter arriving in several forms (the text, a PDF of it, a fax of that) is one
 * determination: read from the content, never the bytes, which differ in every form. Two
 * different letters must never be merged, so a match needs every sign to agree, and anything
 * between a match and a clear difference is kept apart and flagged for a person.
 */

/**
 * What must be equal for two readings to be the same letter, in a form OCR cannot change: the
 * decision (mailing) date, the date of injury, and the decision of each item in order. Null
 * when the letter gives no decision date: then nothing says two readings are one letter.
 */
export function letterFingerprint(determination: Pick<ClassifiedDetermination, 'dates' | 'items'>): string | null {
  if (!determination.dates.decision) return null;
  const decisions = determination.items.map((item) => (item.decision === 'OVERTURNED' ? 'O' : 'U')).join('');
  return `${determination.dates.decision}|${determination.dates.injury ?? '-'}|${decisions}`;
}

/** A request as compared: lower case, letters and digits (a quantity or a strength tells two requests apart). */
function normalizedRequest(request: string): string {
  return request
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
}

/** How alike two requests read, 0 to 1 (1 - edit distance / longer length). */
function similarity(a: string, b: string): number {
  const [x, y] = [normalizedRequest(a), normalizedRequest(b)];
  const longer = Math.max(x.length, y.length);
  if (longer === 0) return 1;
  // Requests are short (a few dozen characters); the bound keeps a long pair cheap.
  return 1 - Math.min(longer, boundedDistance(x, y, longer)) / longer;
}

/** Least similarity of every item's request for one letter read twice (an OCR slip or two). */
export const SAME_REQUEST = 0.85;
/** Below this, the requests are other requests: a different letter. */
export const OTHER_REQUEST = 0.5;

/** The numbers of a request (strength, quantity, sessions), which tell two requests apart however alike their words. */
function numbers(request: string): string {
  return (request.match(/\d+(?:\.\d+)?/g) ?? []).join(' ');
}

/**
 * Whether two readings are one letter: SAME when the fingerprints agree, no case number or
 * employee detail differs, and every request reads alike with the same numbers; DIFFERENT
 * when anything clearly differs; UNSURE otherwise (a person should compare them).
 */
export function compareLetters(a: ClassifiedDetermination, b: ClassifiedDetermination): 'SAME' | 'DIFFERENT' | 'UNSURE' {
  const fingerprint = letterFingerprint(a);
  if (!fingerprint || fingerprint !== letterFingerprint(b)) return 'DIFFERENT';
  if (a.caseNumber && b.caseNumber && a.caseNumber !== b.caseNumber) return 'DIFFERENT';
  if (a.employee.age !== null && b.employee.age !== null && a.employee.age !== b.employee.age) return 'DIFFERENT';
  if (a.employee.sex !== null && b.employee.sex !== null && a.employee.sex !== b.employee.sex) return 'DIFFERENT';
  const least = Math.min(...a.items.map((item, index) => similarity(item.request, b.items[index]!.request)));
  if (least < OTHER_REQUEST) return 'DIFFERENT';
  // `#60` and `#90` are two requests, or one misread: never the same letter without a person.
  const sameNumbers = a.items.every((item, index) => numbers(item.request) === numbers(b.items[index]!.request));
  return least >= SAME_REQUEST && sameNumbers ? 'SAME' : 'UNSURE';
}
