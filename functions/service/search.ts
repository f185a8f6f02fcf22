/**
 * Keeping the full-text index up to date, out of the way of the store's commits: a commit marks
 * the letter behind (in its own transaction, so nothing is missed), and the indexer here builds
 * the letter's entry from what is stored then: its text as read, its reading as a person may have
 * corrected it, its file names. The same on one machine (an indexer in the service process,
 * woken by each commit) and on AWS (right after the commit in the function that made it, and by
 * the sweep for whatever that left).
 */
import { letterSearchTerms } from '../domain/index.ts';
import { fileNamesOf } from '../common/source-keys.ts';
import type { DeterminationReadModel, ObjectStore, SearchIndex } from './ports.ts';

/** What building search entries reads and writes. */
export interface SearchDependencies {
  readonly store: Pick<DeterminationReadModel, 'getDetermination'>;
  readonly objects: Pick<ObjectStore, 'getText'>;
  readonly search: SearchIndex;
}

/**
 * Builds one letter's entry from what is stored and writes it, clearing its backlog mark if it
 * is still `mark`. A document that is not an IMR letter (UNRECOGNIZED) and another form of a
 * letter already indexed (`sameLetterAs`: the queue shows it as a copy) are taken out: a search
 * finds a letter once. Throws when the text cannot be read (the mark stays, and it is tried again).
 */
export async function buildSearchEntry(deps: SearchDependencies, id: string, mark?: string, text?: string): Promise<void> {
  const stored = await deps.store.getDetermination(id);
  if (!stored) {
    // Nothing read under this id (yet): nothing to find; an entry from a reading is never replaced by this.
    await deps.search.put({ id, revision: 0, terms: new Map() }, mark);
    return;
  }
  const found = stored.status === 'CLASSIFIED' && stored.sameLetterAs === undefined;
  const terms = found
    ? letterSearchTerms({ text: text ?? (await deps.objects.getText(id)), determination: stored, fileNames: fileNamesOf(stored.sourceKeys) })
    : new Map<string, number>();
  await deps.search.put({ id, revision: stored.revision, terms }, mark);
}

/**
 * Builds the entry of one letter if it is behind (after a commit that marked it), from `text`
 * when the caller holds it (a function that just read the letter); does nothing when it is up to date.
 */
export async function refreshSearchEntry(deps: SearchDependencies, id: string, text?: string): Promise<void> {
  const mark = await deps.search.markOf(id);
  if (mark !== null) await buildSearchEntry(deps, id, mark, text);
}

/**
 * {@link refreshSearchEntry} after a commit, out of its way: a failure is left to the backlog
 * (the letter's mark stays, and the sweep, or the local indexer, builds it), never the caller's.
 * Answers the error, if any, for the caller to count or log (by its name: never a word of the letter).
 */
export async function refreshSearchEntryAfterCommit(deps: SearchDependencies, id: string, text?: string): Promise<unknown> {
  try {
    await refreshSearchEntry(deps, id, text);
    return null;
  } catch (error) {
    return error;
  }
}

/** What one pass over the backlog did. */
export interface SearchBacklogReport {
  readonly indexed: number;
  /** Letters whose entry could not be built this time (their text could not be read): their marks stay. */
  readonly failed: number;
  /** True when the backlog held at least as many as were asked for: there may be more. */
  readonly more: boolean;
}

/**
 * Builds the entries of up to `limit` letters of the backlog, `concurrency` at a time (an LMDB
 * index commits the writes made together in one transaction: a batch costs one disk sync, not
 * one a letter). `onError` hears of each letter that could not be built (its mark stays).
 */
export async function drainSearchBacklog(
  deps: SearchDependencies,
  limit: number,
  options: { readonly concurrency?: number; readonly onError?: (id: string, error: unknown) => void } = {},
): Promise<SearchBacklogReport> {
  const backlog = await deps.search.backlog(limit);
  let indexed = 0;
  let failed = 0;
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(options.concurrency ?? 1, backlog.length) }, async () => {
      while (next < backlog.length) {
        const { id, mark } = backlog[next++]!;
        try {
          await buildSearchEntry(deps, id, mark);
          indexed++;
        } catch (error) {
          failed++;
          options.onError?.(id, error);
        }
      }
    }),
  );
  return { indexed, failed, more: backlog.length >= limit };
}
