/** Plain words for what the service records, for a person who is not an integrator. */
import type { Flag } from '../../domain/determination.ts';
import { fileNameOf } from '../../common/source-keys.ts';

/** What each flag means to the person checking the letter, and what to look at. */
export const FLAG_WORDS: Record<Flag, string> = {
  DECISION_CONFLICTS_WITH_RATIONALE:
    'The decision printed for this item disagrees with what its rationale concludes. Read the rationale and set the decision it supports.',
  LOW_CONFIDENCE: 'Part of this was hard to read (a poor scan or garbled text). Check the request and decision against the page.',
  ITEM_COUNT_MISMATCH: 'The letter lists a different number of items than were found. Check that no item is missing or doubled.',
  UNKNOWN_TREATMENT: 'The treatment was not recognised, so its class is a guess. Set the right category.',
  INCOMPLETE: 'The letter seems to have arrived cut short (missing pages or an unfinished item). Check the original for the missing part.',
};

/** "OVERTURNED" -> "Overturned", "PARTIALLY_OVERTURNED" -> "Partially overturned". */
export function label(code: string | null | undefined): string {
  if (!code) return '—';
  const words = code.toLowerCase().replaceAll('_', ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** The file that delivered a document first. */
export function fileName(sourceKeys: readonly string[] | undefined): string {
  const key = sourceKeys?.[0];
  return key ? fileNameOf(key) : '(no file)';
}

/** A timestamp as a local date and time, a date as written. */
export function when(value: string | null | undefined): string {
  if (!value) return '—';
  if (value.length === 10) return value;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? value : date.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

/** A confidence as a percentage. */
export function percent(value: number): string {
  return `${Math.round(value * 100)}%`;
}

/** Today in America/Los_Angeles (the day deadlines are counted in), as yyyy-mm-dd. */
export function todayInCalifornia(now: Date = new Date()): string {
  return now.toLocaleDateString('en-CA', { timeZone: 'America/Los_Angeles' });
}

/** How far a deadline's day is from today, in words: "3 days left", "due today", "2 days overdue". */
export function daysLeft(due: string, today: string = todayInCalifornia()): { words: string; overdue: boolean; soon: boolean } {
  const days = Math.round((Date.parse(`${due}T00:00:00Z`) - Date.parse(`${today}T00:00:00Z`)) / 86_400_000);
  if (days < 0) return { words: `${-days} day${days === -1 ? '' : 's'} overdue`, overdue: true, soon: false };
  if (days === 0) return { words: 'due today', overdue: false, soon: true };
  return { words: `${days} day${days === 1 ? '' : 's'} left`, overdue: false, soon: days <= 7 };
}

/** An item field, in the screen's words. */
const ITEM_FIELDS: Record<string, string> = { decision: 'decision', category: 'category', subcategory: 'subcategory', request: 'request' };
/** A letter field (or what a review records), in the screen's words. */
const LETTER_FIELDS: Record<string, string> = {
  caseNumber: 'Case number',
  outcome: 'Outcome',
  receivedOn: 'Day received',
  receivedOnConfirmed: 'Day received confirmed (its caution cleared)',
  reviewedBy: 'Confirmed by',
  sameLetterAs: 'Linked to another form of the letter',
  status: 'Status',
  engineVersion: 'Engine version',
  'dates.decision': 'Decision date',
  'dates.injury': 'Date of injury',
  'dates.urDecision': 'UR decision date',
  'dates.received': 'Application received',
  'dates.assigned': 'Date assigned',
};

/** A history change's path as the screen names it: `items[0].request` is "Item 1 request". */
export function changedField(path: string): string {
  const item = /^items\[(\d+)\]\.(\w+)$/.exec(path);
  if (item) return `Item ${Number(item[1]) + 1} ${ITEM_FIELDS[item[2]!] ?? item[2]}`;
  return LETTER_FIELDS[path] ?? path;
}
