import { letterFingerprint, type Determination } from '../../domain/index.ts';
import { deadlineView, needsReviewOf, replacementDeltas } from '../../domain/index.ts';
import type { DocumentItem } from './documents.ts';

/** What a person's correction adds to the writes: the revision it corrects, and a confirmation. */
export interface CorrectionWrite {
  readonly expectedRevision: number;
  readonly reviewed: { readonly by: string; readonly at: string } | null;
  /** The day of receipt a person set (null: unchanged). */
  readonly receivedOn: string | null;
  /** A person says this is not another form of the letter it was linked to. */
  readonly unlink?: boolean;
}

/**
 * The writes that save a Determination over the stored `current` document item, in order: the
 * document (with its Determination) and the stats counter changes first, then item records
 * (idempotent puts) and the removal of items a shorter reading no longer has. Pure: the same
 * inputs always give the same writes.
 */
export function determinationWrites(
  tableName: string,
  id: string,
  current: DocumentItem | null,
  determination: Determination,
  at: string,
  correction?: CorrectionWrite,
  sameLetterAs?: string,
) {
  const receivedAt = current?.receivedAt ?? at;
  const order = `${receivedAt}#${id}`;
  const classified = determination.status === 'CLASSIFIED' ? determination : null;
  const review = needsReviewOf(determination, receivedAt, correction?.receivedOn ?? current?.receivedOn);
  const names: Record<string, string> = { '#status': 'status' };
  const values: Record<string, unknown> = {
    ':status': determination.status,
    ':determination': JSON.stringify(determination),
    ':review': review,
    ':engine': determination.engineVersion,
    ':at': at,
    ':gsi1pk': 'DETERMINATION',
    ':order': order,
    ':received': receivedAt,
  };
  let update =
    'SET #status = :status, determination = :determination, needsReview = :review, engineVersion = :engine, updatedAt = :at, receivedAt = if_not_exists(receivedAt, :received), gsi1pk = :gsi1pk, gsi1sk = :order REMOVE reason';
  // An unrecognized document keeps why, as every status answer must; a classified one has no reason.
  if (determination.status === 'UNRECOGNIZED') {
    update = update.replace(' REMOVE reason', ', reason = :reason');
    values[':reason'] = `UNRECOGNIZED: ${determination.reason}`;
  }
  if (classified) {
    update = update.replace(' REMOVE', ', outcome = :outcome REMOVE');
    values[':outcome'] = classified.outcome;
  }
  if (classified?.caseNumber) {
    update = update.replace(' REMOVE', ', gsi2pk = :gsi2pk, gsi2sk = :order, caseNumber = :case REMOVE');
    Object.assign(values, { ':gsi2pk': `CASE#${classified.caseNumber}`, ':case': classified.caseNumber });
  }
  const set = (clause: string) => (update = update.includes(' REMOVE') ? update.replace(' REMOVE', `, ${clause} REMOVE`) : `${update}, ${clause}`);
  let condition: string | undefined;
  // The earliest deadline, for `dueBefore` filters: from the day of receipt a person set, if any.
  const due = deadlineView(determination, receivedAt, correction?.receivedOn ?? current?.receivedOn).earliestDue;
  if (due) {
    set('earliestDue = :due');
    values[':due'] = due;
  } else {
    update = update.includes(' REMOVE ') ? `${update}, earliestDue` : `${update} REMOVE earliestDue`;
  }
  // Another form of a letter already counted: linked, and (below) left out of the counters.
  const copyOf = correction?.unlink ? undefined : (sameLetterAs ?? current?.sameLetterAs);
  if (correction?.unlink) update = update.includes(' REMOVE ') ? `${update}, sameLetterAs` : `${update} REMOVE sameLetterAs`;
  if (sameLetterAs) {
    set('sameLetterAs = :sameLetterAs');
    values[':sameLetterAs'] = sameLetterAs;
  }
  if (correction?.receivedOn) {
    set('receivedOn = :receivedOn');
    values[':receivedOn'] = correction.receivedOn;
  }
  if (correction) {
    // A person's correction: only over the revision they saw; it is a fact re-readings leave alone.
    set('revision = :next, corrected = :corrected');
    Object.assign(values, { ':next': correction.expectedRevision + 1, ':corrected': true, ':expected': correction.expectedRevision });
    condition = correction.expectedRevision === 1 ? '(attribute_not_exists(revision) OR revision = :expected)' : 'revision = :expected';
    if (correction.reviewed) {
      set('reviewedBy = :reviewedBy, reviewedAt = :reviewedAt');
      Object.assign(values, { ':reviewedBy': correction.reviewed.by, ':reviewedAt': correction.reviewed.at });
    }
    // Confirmed by a person (now or before), the letter needs no more review.
    if (correction.reviewed || current?.reviewedBy) values[':review'] = false;
  } else {
    set('revision = if_not_exists(revision, :zero) + :one');
    Object.assign(values, { ':zero': 0, ':one': 1 });
    // A machine reading commits only over the revision it was decided against, and never over a
    // person's correction: anything saved in between cancels the transaction (read again, decide again).
    names['#corrected'] = 'corrected';
    if (current?.revision === undefined) condition = 'attribute_not_exists(revision) AND attribute_not_exists(#corrected)';
    else {
      condition = 'revision = :seen AND attribute_not_exists(#corrected)';
      values[':seen'] = current.revision;
    }
  }
  // Another form of a letter has no item records: its items are the first form's, listed once.
  const items = (copyOf ? [] : (classified?.items ?? [])).map((item, index) => {
    const number = String(index + 1).padStart(3, '0');
    return {
      Put: {
        TableName: tableName,
        Item: {
          pk: `DOC#${id}`,
          sk: `ITEM#${number}`,
          documentId: id,
          receivedAt,
          caseNumber: classified?.caseNumber ?? null,
          request: item.request,
          decision: item.decision,
          category: item.category,
          subcategory: item.subcategory,
          needsReview: item.flags.length > 0,
          gsi3pk: `CATEGORY#${item.category}`,
          gsi3sk: `${order}#${number}`,
          gsi4pk: 'ITEM',
          gsi4sk: `${order}#${number}`,
        },
      },
    };
  });
  const deltas = replacementDeltas(
    current?.determination && !current.sameLetterAs ? (JSON.parse(current.determination) as Determination) : null,
    copyOf ? null : determination,
    receivedAt,
  );
  const counters = [...deltas].map(([key, delta]) => ({
    Update: {
      TableName: tableName,
      Key: { pk: 'STATS', sk: key },
      UpdateExpression: 'ADD UPHELD :u, OVERTURNED :o',
      ExpressionAttributeValues: { ':u': delta.UPHELD, ':o': delta.OVERTURNED },
    },
  }));
  // A reclassified letter with fewer items than before leaves stale item records: remove them.
  const previousCount = current?.determination ? ((JSON.parse(current.determination) as Determination & { items?: unknown[] }).items?.length ?? 0) : 0;
  const stale = Array.from({ length: Math.max(0, previousCount - items.length) }, (_, k) => ({
    Delete: { TableName: tableName, Key: { pk: `DOC#${id}`, sk: `ITEM#${String(items.length + k + 1).padStart(3, '0')}` } },
  }));
  // The Determination and its counter changes go in the first transaction together: the
  // counters are computed against the stored reading, so once that reading is replaced they
  // must already be applied. Item records (idempotent puts) follow; a failed later chunk is
  // simply written again on the retry, and counters are never applied twice or lost.
  // The letter's fingerprint, under which another form of it will be found (only the first form is indexed).
  const fingerprint = classified && !copyOf ? letterFingerprint(classified) : null;
  const fingerprintMarker = fingerprint ? [{ Put: { TableName: tableName, Item: { pk: `LETTER#${fingerprint}`, sk: order, id } } }] : [];
  const writes = [
    {
      Update: {
        TableName: tableName,
        Key: { pk: `DOC#${id}`, sk: 'DOC' },
        UpdateExpression: update,
        ConditionExpression: condition,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      },
    },
    ...counters,
    ...fingerprintMarker,
    ...items,
    ...stale,
  ];
  return writes;
}
