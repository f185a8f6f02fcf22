/**
 * What a person does with a document that needs one, beside a retry (`retry.ts`): dismiss it
 * (off the Problems list with a note, kept, and put back at will) or delete it (a wrong upload:
 * its original, what was derived from it and its records gone), each kept in the audit log with
 * who, when and why. The rules are here; a store applies each change with its audit entry in one
 * commit.
 */
import { CodedError } from '../common/coded-error.ts';
import { fileNamesOf } from '../common/source-keys.ts';
import type { AuditAction, AuditEntry, DeterminationReadModel, DocumentDisposals, DocumentRecord, DocumentStatus, ObjectRemoval } from './ports.ts';

/**
 * The statuses a person resolves on the Problems page: a document that could not be read, or
 * that is not an IMR Final Determination. Only these are dismissed or deleted. A read letter
 * (CLASSIFIED) is not deleted: it was counted in the stats, announced to case systems, and other
 * forms of it may be linked to it; a file that held several letters (SPLIT) is kept for them.
 */
export const PROBLEM_STATUSES: readonly DocumentStatus[] = ['FAILED', 'UNRECOGNIZED'];

/** Longest note a person may give. */
export const NOTE_MAX_CHARACTERS = 500;

/** Why a dismissal or deletion was refused (`MOVED`: the document changed while it was being done; look again). */
export class ProblemActionError extends CodedError<'NOT_FOUND' | 'NOT_ALLOWED' | 'BAD_REQUEST' | 'MOVED'> {
  override readonly name = 'ProblemActionError';
}

/** What dismissing and deleting use. */
export interface ProblemDependencies {
  readonly store: Pick<DeterminationReadModel, 'getDocument' | 'getDetermination'> & DocumentDisposals;
  readonly objects: ObjectRemoval;
  /**
   * Whether the object under a source key (`bucket/key`) is still this document's bytes: a key
   * written again with other bytes belongs to that other document now, and stays.
   */
  readonly holds: (sourceKey: string, documentId: string) => Promise<boolean>;
  readonly now: () => Date;
}

/** The code a reason starts with (`BINARY: document: ...` -> `BINARY`). */
export function reasonCode(reason: string | null | undefined): string | null {
  return /^([A-Z][A-Z0-9_]*):/.exec(reason ?? '')?.[1] ?? null;
}

/** A person's note: text, trimmed, at most {@link NOTE_MAX_CHARACTERS}; required where `required`. */
function noteOf(note: unknown, required: boolean): string | null {
  if (note === undefined || note === null || (typeof note === 'string' && note.trim() === '')) {
    if (required) throw new ProblemActionError('BAD_REQUEST', 'note: say why, in a few words (it is kept in the audit log)');
    return null;
  }
  if (typeof note !== 'string') throw new ProblemActionError('BAD_REQUEST', 'note: must be text');
  const trimmed = note.trim();
  if (trimmed.length > NOTE_MAX_CHARACTERS) throw new ProblemActionError('BAD_REQUEST', `note: at most ${NOTE_MAX_CHARACTERS} characters`);
  return trimmed;
}

function auditEntry(record: DocumentRecord, action: AuditAction, by: string, at: string, note: string | null): AuditEntry {
  return {
    at,
    by,
    action,
    documentId: record.id,
    sourceKeys: record.sourceKeys,
    fileNames: fileNamesOf(record.sourceKeys),
    status: record.status,
    reasonCode: reasonCode(record.reason),
    note,
  };
}

async function problem(deps: ProblemDependencies, id: string, doing: string): Promise<DocumentRecord> {
  const record = await deps.store.getDocument(id);
  if (!record) throw new ProblemActionError('NOT_FOUND', 'no document with this id');
  if (!PROBLEM_STATUSES.includes(record.status))
    throw new ProblemActionError(
      'NOT_ALLOWED',
      record.status === 'CLASSIFIED'
        ? `only a document that could not be read or is not an IMR Final Determination can be ${doing}; this one was read as a letter (counted in the stats and announced to case systems): correct it on its page instead`
        : `only a document that could not be read or is not an IMR Final Determination can be ${doing}; this one is ${record.status}`,
    );
  return record;
}

/** Takes a FAILED or UNRECOGNIZED document off the Problems list, with why; it is kept and can be put back. */
export async function dismissDocument(deps: ProblemDependencies, id: string, by: string, note: unknown): Promise<DocumentRecord> {
  const record = await problem(deps, id, 'dismissed');
  const why = noteOf(note, true)!;
  const at = deps.now().toISOString();
  const updated = await deps.store.setDismissal(id, { by, at, note: why }, auditEntry(record, 'dismissed', by, at, why), PROBLEM_STATUSES);
  if (!updated) throw new ProblemActionError('MOVED', 'the document changed while it was being dismissed; look at it again');
  return updated;
}

/** Puts a dismissed document back on the Problems list. */
export async function undismissDocument(deps: ProblemDependencies, id: string, by: string, note: unknown): Promise<DocumentRecord> {
  const record = await problem(deps, id, 'put back');
  if (!record.dismissal) throw new ProblemActionError('NOT_ALLOWED', 'this document is not dismissed');
  const at = deps.now().toISOString();
  const updated = await deps.store.setDismissal(id, null, auditEntry(record, 'undismissed', by, at, noteOf(note, false)), PROBLEM_STATUSES);
  if (!updated) throw new ProblemActionError('MOVED', 'the document changed while it was being put back; look at it again');
  return updated;
}

/**
 * Deletes a FAILED or UNRECOGNIZED document: its original under every key that still holds its
 * bytes, what was derived from it, then its records, and keeps who, when and why in the audit
 * log (with its id and file names, never its text). The objects go first: a record removed with
 * its original left would be read again at the next start. Were the records to have moved
 * meanwhile, nothing more is removed and the person is told; deleting again finishes the job.
 */
export async function deleteDocument(deps: ProblemDependencies, id: string, by: string, note: unknown): Promise<AuditEntry> {
  const record = await problem(deps, id, 'deleted');
  // One letter of a file that held several: its bytes are the file's, kept for its other letters.
  const sourceDocument = (await deps.store.getDetermination(id))?.sourceDocument;
  if (sourceDocument)
    throw new ProblemActionError(
      'NOT_ALLOWED',
      `this is one letter of a file that held several (${sourceDocument.slice(0, 12)}); the file is kept for its other letters: dismiss this one instead`,
    );
  const why = noteOf(note, true)!;
  let removed = 0;
  for (const sourceKey of record.sourceKeys) {
    if (!(await deps.holds(sourceKey, id))) continue;
    const slash = sourceKey.indexOf('/');
    await deps.objects.remove(sourceKey.slice(0, slash), sourceKey.slice(slash + 1));
    removed++;
  }
  removed += await deps.objects.removeDerived(id);
  const entry: AuditEntry = { ...auditEntry(record, 'deleted', by, deps.now().toISOString(), why), objectsRemoved: removed };
  if (!(await deps.store.removeDocument(id, { status: record.status, updatedAt: record.updatedAt }, entry)))
    throw new ProblemActionError('MOVED', 'the document changed while it was being deleted; look at it again');
  return entry;
}
