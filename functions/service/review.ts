import { applyCorrection, CorrectionError, CorrectionSchema, type Change } from '../domain/index.ts';
import { CodedError } from '../common/coded-error.ts';
import { determinationEvent } from './events.ts';
import { STORED_FIELDS, type DeterminationStore, type EventPublisher, type ServiceEvent, type StoredDetermination } from './ports.ts';
import { receivedOnOf, type Determination } from '../domain/index.ts';
import { saveCorrection } from './ledger.ts';
import { refreshSearchEntryAfterCommit, type SearchDependencies } from './search.ts';

/** Why a correction was refused, as a person (or their client) can act on it. */
export type ReviewErrorCode = 'NOT_FOUND' | 'PRECONDITION_REQUIRED' | 'PRECONDITION_FAILED' | 'NOT_CORRECTABLE' | 'INVALID_CORRECTION';

/** A correction that cannot be applied; the message names the field or the revision, never letter text. */
export class ReviewError extends CodedError<ReviewErrorCode> {
  override readonly name = 'ReviewError';
}

/** What reviewing needs: the store, the event publisher, a clock. */
export interface ReviewDependencies {
  readonly store: DeterminationStore;
  readonly events: EventPublisher;
  readonly now: () => Date;
  /**
   * When set, the letter's search entry is built right after the correction is saved (on AWS);
   * otherwise the backlog's indexer builds it (locally, woken by the commit). The commit marked it
   * either way: a failure here only delays it.
   */
  readonly search?: Omit<SearchDependencies, 'store'>;
}

/** The revision an `If-Match` header names: `2`, `"2"` or `W/"2"`; null when it names none. */
export function revisionOf(ifMatch: string | undefined): number | null {
  const match = /^\s*(?:W\/)?"?(\d{1,9})"?\s*$/.exec(ifMatch ?? '');
  return match ? Number(match[1]) : null;
}

/** The event announcing a person's correction or confirmation: the usual body plus who made it, the revision and its changes. */
export function reviewedEvent(
  stored: StoredDetermination,
  changes: readonly Change[],
  timestamp: string,
  by: string,
): ServiceEvent & { data: { revision: number; changes: readonly Change[]; by: string } } {
  const base = determinationEvent(stored, timestamp);
  return { ...base, type: 'determination.reviewed', data: { ...base.data, needsReview: stored.needsReview, revision: stored.revision, changes, by } };
}

/**
 * A person corrects or confirms a Determination (spec section 5): only over the revision they
 * saw (`If-Match`), the body validated field by field, every change kept in the history and
 * announced as `determination.reviewed`. Returns the stored Determination as it now is.
 */
export async function reviewDetermination(
  deps: ReviewDependencies,
  request: { id: string; ifMatch: string | undefined; body: unknown; by: string },
): Promise<StoredDetermination> {
  if (request.ifMatch === undefined)
    throw new ReviewError('PRECONDITION_REQUIRED', 'If-Match: send the revision you corrected (the `revision` of the Determination)');
  const stored = await deps.store.getDetermination(request.id);
  if (!stored) throw new ReviewError('NOT_FOUND', 'no determination with this id');
  if (stored.status !== 'CLASSIFIED') throw new ReviewError('NOT_CORRECTABLE', 'an unrecognized document has no reading to correct');
  const expected = revisionOf(request.ifMatch);
  if (expected !== stored.revision)
    throw new ReviewError('PRECONDITION_FAILED', `If-Match: the determination is at revision ${stored.revision}; reload it and correct that`);
  const parsed = CorrectionSchema.safeParse(request.body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field =
      issue.path
        .map((part) => (typeof part === 'number' ? `[${part}]` : `.${String(part)}`))
        .join('')
        .replace(/^\./, '') || 'body';
    throw new ReviewError(
      'INVALID_CORRECTION',
      issue.code === 'unrecognized_keys' ? `${field === 'body' ? '' : `${field}: `}unknown field: ${issue.keys.join(', ')}` : `${field}: ${issue.message}`,
    );
  }
  let corrected;
  try {
    corrected = applyCorrection(stored, parsed.data);
  } catch (error) {
    if (error instanceof CorrectionError) throw new ReviewError('INVALID_CORRECTION', error.message);
    throw error;
  }
  const at = deps.now().toISOString();
  // The reading alone is stored; what the store adds (id, revision, deadlines...) is taken off.
  const determination = Object.fromEntries(
    Object.entries({ ...stored, ...corrected.determination }).filter(([key]) => !(STORED_FIELDS as readonly string[]).includes(key)),
  ) as Determination;
  const receivedOn = parsed.data.receivedOn ?? null;
  // A letter is received after it was mailed, and not after today: a slip here moves every deadline.
  const decided = corrected.determination.dates.decision;
  if (receivedOn !== null && decided && receivedOn < decided)
    throw new ReviewError('INVALID_CORRECTION', `receivedOn: must not be before the decision date (${decided})`);
  if (receivedOn !== null && receivedOn > receivedOnOf(at)) throw new ReviewError('INVALID_CORRECTION', 'receivedOn: must not be after today');
  const unlink = parsed.data.sameLetterAs === null && stored.sameLetterAs !== undefined;
  const changes = [
    ...corrected.changes,
    ...(receivedOn !== null && receivedOn !== stored.receivedOn ? [{ path: 'receivedOn', from: stored.receivedOn, to: receivedOn }] : []),
    ...(unlink ? [{ path: 'sameLetterAs', from: stored.sameLetterAs, to: null }] : []),
    // A confirmation is a change too: who confirmed, and (when the deadlines carried a caution about
    // the day received and no day was set) that the day received is taken as right. Never silent.
    ...(parsed.data.reviewed && !stored.reviewedBy ? [{ path: 'reviewedBy', from: null, to: request.by }] : []),
    ...(parsed.data.reviewed && receivedOn === null && stored.deadlines.some((deadline) => deadline.caution !== undefined)
      ? [{ path: 'receivedOnConfirmed', from: false, to: true }]
      : []),
  ];
  const entry = { revision: stored.revision + 1, at, by: request.by, changes, note: parsed.data.note ?? null };
  const outcome = await saveCorrection(deps.store, request.id, {
    expectedRevision: stored.revision,
    determination,
    entry,
    reviewed: parsed.data.reviewed ? { by: request.by, at } : null,
    receivedOn,
    unlink,
  });
  if (outcome === 'STALE')
    throw new ReviewError('PRECONDITION_FAILED', 'If-Match: the determination changed while you corrected it; reload it and correct that');
  if (deps.search) await refreshSearchEntryAfterCommit({ ...deps.search, store: deps.store }, request.id);
  const updated = (await deps.store.getDetermination(request.id))!;
  await deps.events.publish(reviewedEvent(updated, changes, at, request.by));
  return updated;
}
