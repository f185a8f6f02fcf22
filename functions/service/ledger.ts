/**
 * Every rule about changing a document's reading, in one place: a pure `decide` (current
 * document and a command in; the change to commit, or why there is none out) and the loop that
 * loads, decides and commits under the revision it decided against. The stores (LMDB on one
 * machine, DynamoDB on AWS) only load and commit; they cannot differ on what a change is.
 */
import { deadlineView, letterFingerprint, needsReviewOf, rationaleConclusions, replacementDeltas, type Determination } from '../domain/index.ts';
import { CodedError } from '../common/coded-error.ts';
import {
  storedAnswer,
  type DeterminationLedger,
  type HistoryEntry,
  type ItemRecord,
  type LedgerChange,
  type LedgerDocument,
  type StoredCorrection,
  type StoredDetermination,
} from './ports.ts';
import { fileNamesOf } from '../common/source-keys.ts';

/** What changes a document's reading: a machine reading (first, or again), or a person's correction. */
export type LedgerCommand =
  | { readonly kind: 'reading'; readonly determination: Determination; readonly at: string; readonly sameLetterAs?: string }
  | { readonly kind: 'correction'; readonly correction: StoredCorrection };

/** What a command decides against a document: a change to commit, or why nothing is written. */
export type Decided =
  | { readonly kind: 'change'; readonly change: LedgerChange }
  /** A machine reading of a letter a person corrected: the correction is a fact about the letter. */
  | { readonly kind: 'corrected' }
  /** A correction of a revision no longer stored (or of a document with no reading): the person must look again. */
  | { readonly kind: 'stale' };

/** The stored revision a document counts as: documents stored before revisions were kept count as 1 once read. */
function revisionOf(current: LedgerDocument | null): number | null {
  if (!current?.determination) return current?.revision ?? null;
  return current.revision ?? 1;
}

/**
 * Decides what a command changes. Pure: the same document and command always give the same
 * change (counters as the difference between the stored reading and the new one, so a reading
 * saved twice changes no counter).
 */
export function decide(id: string, current: LedgerDocument | null, command: LedgerCommand): Decided {
  const expectedRevision = revisionOf(current);
  const receivedAt = current?.receivedAt ?? (command.kind === 'reading' ? command.at : command.correction.entry.at);
  let determination: Determination;
  let at: string;
  let sameLetterAs: string | undefined;
  let person: { reviewed: { by: string; at: string } | null; receivedOn?: string; revision: number } | null = null;
  if (command.kind === 'reading') {
    // A person's correction is a fact about the letter: a re-reading never overwrites it.
    if (current?.corrected) return { kind: 'corrected' };
    ({ determination, at } = command);
    // Another form of a letter stays linked through later re-readings.
    sameLetterAs = command.sameLetterAs ?? current?.sameLetterAs;
  } else {
    const { correction } = command;
    // Only over the revision the person saw.
    if (!current?.determination || expectedRevision !== correction.expectedRevision) return { kind: 'stale' };
    determination = correction.determination;
    at = correction.entry.at;
    sameLetterAs = correction.unlink ? undefined : current.sameLetterAs;
    const reviewed = correction.reviewed ?? (current.reviewedBy && current.reviewedAt ? { by: current.reviewedBy, at: current.reviewedAt } : null);
    person = { reviewed, receivedOn: correction.receivedOn ?? current.receivedOn, revision: correction.entry.revision };
  }
  const receivedOn = person ? person.receivedOn : current?.receivedOn;
  const classified = determination.status === 'CLASSIFIED' ? determination : null;
  // Another form of a letter already counted has no item records and is not counted again.
  const items: ItemRecord[] = (sameLetterAs ? [] : (classified?.items ?? [])).map((item, index) => ({
    documentId: id,
    itemNumber: index + 1,
    receivedAt,
    caseNumber: classified!.caseNumber,
    request: item.request,
    decision: item.decision,
    category: item.category,
    subcategory: item.subcategory,
    needsReview: item.flags.length > 0,
  }));
  const previous = current?.determination ?? null;
  const deltas = replacementDeltas(current?.sameLetterAs ? null : previous, sameLetterAs ? null : determination, receivedAt);
  return {
    kind: 'change',
    change: {
      id,
      by: person ? 'person' : 'machine',
      expectedRevision,
      receivedAt,
      next: {
        status: determination.status,
        // An unrecognized document keeps why, as every status answer must; a classified one has no reason.
        reason: determination.status === 'UNRECOGNIZED' ? `UNRECOGNIZED: ${determination.reason}` : null,
        determination,
        revision: person ? person.revision : (expectedRevision ?? 0) + 1,
        corrected: person !== null,
        ...(person?.reviewed ? { reviewedBy: person.reviewed.by, reviewedAt: person.reviewed.at } : {}),
        ...(receivedOn ? { receivedOn } : {}),
        ...(sameLetterAs ? { sameLetterAs } : {}),
        // Confirmed by a person (now or before), the letter needs no more review; otherwise its flags (and a doubtful day of receipt) say so.
        needsReview: person?.reviewed ? false : needsReviewOf(determination, receivedAt, receivedOn),
        earliestDue: deadlineView(determination, receivedAt, receivedOn).earliestDue,
        conclusions: rationaleConclusions(determination),
        updatedAt: at,
      },
      items,
      previousItemCount: previous?.status === 'CLASSIFIED' ? previous.items.length : 0,
      deltas,
      // The letter's fingerprint, under which another form of it will be found (only the first form is indexed).
      fingerprint: classified && !sameLetterAs ? letterFingerprint(classified) : null,
      history:
        command.kind === 'correction'
          ? command.correction.entry
          : machineEntry(determination, (expectedRevision ?? 0) + 1, at, previous, current?.sourceKeys ?? []),
    },
  };
}

/**
 * The history entry of a machine reading (spec section 5: revision 1 is the reading): who read
 * it (the engine and its version), from which file, and for a re-reading what it changed.
 */
function machineEntry(determination: Determination, revision: number, at: string, previous: Determination | null, sourceKeys: readonly string[]): HistoryEntry {
  const files = fileNamesOf(sourceKeys).join(', ');
  const changes =
    previous === null
      ? []
      : [
          ...(previous.status !== determination.status ? [{ path: 'status', from: previous.status, to: determination.status }] : []),
          ...(previous.engineVersion !== determination.engineVersion
            ? [{ path: 'engineVersion', from: previous.engineVersion, to: determination.engineVersion }]
            : []),
        ];
  return {
    revision,
    at,
    by: `imr engine ${determination.engineVersion}`,
    changes,
    note: `${previous === null ? 'read' : 'read again'}${files ? ` from ${files}` : ''}`,
  };
}

/**
 * How often a reading is decided again when the stored revision moved under it. Each retry
 * follows a commit that succeeded elsewhere, so only a document saved this often at the same
 * moment runs out.
 */
const SAVE_ATTEMPTS = 8;

/** A reading could not be committed: the document kept changing under it. Retried by the delivery. */
export class LedgerContentionError extends CodedError<'CONTENTION'> {
  override readonly name = 'LedgerContentionError';
}

/**
 * Stores a machine reading of a document (with `sameLetterAs`, another form of that earlier
 * letter: linked to it and left out of the stats). Loaded, decided and committed under the
 * revision it was decided against; decided again when that moved. Answers the Determination as
 * committed ({@link committedAnswer}); null when nothing was written: a corrected letter is left as is.
 */
export async function saveReading(
  ledger: DeterminationLedger,
  id: string,
  determination: Determination,
  at: string,
  link?: { readonly sameLetterAs: string },
): Promise<StoredDetermination | null> {
  for (let attempt = 1; attempt <= SAVE_ATTEMPTS; attempt += 1) {
    const current = await ledger.load(id);
    const decided = decide(id, current, { kind: 'reading', determination, at, ...(link ? { sameLetterAs: link.sameLetterAs } : {}) });
    if (decided.kind !== 'change') return null;
    if ((await ledger.commit(decided.change)) === 'COMMITTED') return committedAnswer(current, decided.change);
  }
  throw new LedgerContentionError(
    'CONTENTION',
    `document ${id.slice(0, 12)}: its reading changed ${SAVE_ATTEMPTS} times while being saved; it will be read again`,
  );
}

/**
 * The Determination a committed change stored, as the API answers it: what announcing it needs,
 * without reading back what was just written (on AWS a read per letter). The keys are those
 * loaded with the revision the change was decided against.
 */
export function committedAnswer(current: LedgerDocument | null, change: LedgerChange): StoredDetermination {
  return storedAnswer({ ...change.next, id: change.id, receivedAt: change.receivedAt, sourceKeys: current?.sourceKeys ?? [] });
}

/**
 * Stores a person's correction if the stored revision is still the one they corrected: 'STALE'
 * otherwise. The reading, its items, its counters and a history entry change together.
 */
export async function saveCorrection(ledger: DeterminationLedger, id: string, correction: StoredCorrection): Promise<'SAVED' | 'STALE'> {
  const decided = decide(id, await ledger.load(id), { kind: 'correction', correction });
  if (decided.kind !== 'change') return 'STALE';
  return (await ledger.commit(decided.change)) === 'COMMITTED' ? 'SAVED' : 'STALE';
}
