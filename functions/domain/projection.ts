/**
 * What a stored Determination is projected into, the same for every store: stats counter changes,
 * the day of receipt and deadlines it is answered with, whether it needs a person, and the reason
 * a document's state gives. Pure rules, kept here once so that the two stores cannot differ.
 */
import { deadlinesOf, earliestDue, receivedOnOf, type Deadline } from './deadlines.ts';
import type { Determination } from './determination.ts';

/** Whether a person should look at a Determination: any flag, on an item or the letter. */
export function needsReview(determination: Determination): boolean {
  return determination.status === 'CLASSIFIED' && determination.flags.length > 0;
}

/** Item counts by decision: one stats counter's change. */
export interface CounterDelta {
  UPHELD: number;
  OVERTURNED: number;
}

/**
 * Adds to `into` what one Determination counts in each stats counter (`category#X`,
 * `subcategory#X/Y`, `decision#D`, `month#yyyy-mm`), with `sign` -1 to take a previous reading
 * back out. Pure: replacing a reading applies its deltas once, however often it is saved.
 */
export function counterDeltas(determination: Determination | null | undefined, receivedAt: string, sign: 1 | -1, into: Map<string, CounterDelta>): void {
  if (!determination || determination.status !== 'CLASSIFIED') return;
  for (const item of determination.items) {
    for (const key of [
      `category#${item.category}`,
      `subcategory#${item.category}/${item.subcategory ?? '-'}`,
      `decision#${item.decision}`,
      `month#${receivedAt.slice(0, 7)}`,
    ]) {
      const counter = into.get(key) ?? { UPHELD: 0, OVERTURNED: 0 };
      counter[item.decision] += sign;
      into.set(key, counter);
    }
  }
}

/** The counter changes of replacing `previous` with `next`, zero changes left out. */
export function replacementDeltas(previous: Determination | null | undefined, next: Determination | null, receivedAt: string): Map<string, CounterDelta> {
  const deltas = new Map<string, CounterDelta>();
  counterDeltas(previous, receivedAt, -1, deltas);
  counterDeltas(next, receivedAt, 1, deltas);
  for (const [key, delta] of deltas) if (delta.UPHELD === 0 && delta.OVERTURNED === 0) deltas.delete(key);
  return deltas;
}

/**
 * The day of receipt and the deadlines a stored Determination is answered with: the day a
 * person set, else the day `receivedAt` fell on in California; deadlines for a classified
 * letter only. Both stores answer through this, so they cannot differ.
 */
export function deadlineView(
  determination: Determination,
  receivedAt: string,
  receivedOnSet: string | null | undefined,
  confirmed = false,
): { receivedOn: string; deadlines: Deadline[]; earliestDue: string | null } {
  const arrived = receivedOnOf(receivedAt);
  const stamp = determination.status === 'CLASSIFIED' ? determination.receiptStamp : undefined;
  // A receipt stamp earlier than the day the file arrived: the letter was received then, and deadlines count from
  // that earlier day (a deadline shown too late is the mistake a user cannot forgive). A person's day overrides both.
  const receivedOn = receivedOnSet ?? (stamp && stamp < arrived ? stamp : arrived);
  const evidence = !receivedOnSet && stamp && stamp !== arrived ? { stamp, arrived } : null;
  // A day of receipt a person set, or a letter a person confirmed, is no longer in doubt.
  const deadlines = determination.status === 'CLASSIFIED' ? deadlinesOf(determination, receivedOn, Boolean(receivedOnSet) || confirmed, evidence) : [];
  return { receivedOn, deadlines, earliestDue: earliestDue(deadlines) };
}

/**
 * Whether a reading needs a person: a flag on the letter or an item, or deadlines counted from a
 * day of receipt its own date makes doubtful. Both stores keep this at every write.
 */
export function needsReviewOf(determination: Determination, receivedAt: string, receivedOnSet: string | null | undefined): boolean {
  return needsReview(determination) || deadlineView(determination, receivedAt, receivedOnSet).deadlines.some((deadline) => deadline.caution !== undefined);
}

/** What each state means when nothing more particular was recorded: every status answer says why it is where it is. */
const STATUS_REASONS = {
  RECEIVED: 'RECEIVED: stored, waiting to be read',
  OCR_PENDING: 'OCR_PENDING: scanned pages are being read (OCR)',
  CLASSIFIED: 'CLASSIFIED: read as an IMR Final Determination',
  UNRECOGNIZED: 'UNRECOGNIZED: not read as an IMR Final Determination',
  FAILED: 'FAILED: could not be read',
  SPLIT: 'SPLIT: held several letters, each read and stored as its own',
} as const;

/** A document record whose reason is never empty (the recorded reason, else what its state means). */
export function withReason<T extends { status: keyof typeof STATUS_REASONS; reason: string | null }>(record: T): T & { reason: string } {
  return { ...record, reason: record.reason ?? STATUS_REASONS[record.status] };
}
