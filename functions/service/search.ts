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
import type { DeterminationReadModel, ObjectStore, SearchEntry, SearchIndex } from './ports.ts';

/** What building search entries reads and writes. */
export interface SearchDependencies {
  readonly store: Pick<DeterminationReadModel, 'getDetermination'>;
  readonly objects: Pick<ObjectStore, 'getText'>;
  readonly search: SearchIndex;
}

/**
 * One letter's entry, from what is stored (and from `text` when the caller holds it, as a function
 * that just read the letter does). A document that is not an IMR letter (UNRECOGNIZED) and another
 * form of a letter already indexed (`sameLetterAs`: the queue shows it as a copy) hold no words: a
 * search finds a letter once. Throws when the text cannot be read.
 */
export async function searchEntryOf(deps: SearchDependencies, id: string, text?: string): Promise<SearchEntry> {
  const stored = await deps.store.getDetermination(id);
  // Nothing read under this id (yet): nothing to find; an entry from a reading is never replaced by this one.
  if (!stored) return { id, revision: 0, terms: new Map() };
  const found = stored.status === 'CLASSIFIED' && stored.sameLetterAs === undefined;
  const terms = found
    ? letterSearchTerms({ text: text ?? (await deps.objects.getText(id)), determination: stored, fileNames: fileNamesOf(stored.sourceKeys) })
    : new Map<string, number>();
  return { id, revision: stored.revision, terms };
}

/** Builds one letter's entry and writes it, clearing its backlog mark if it is still `mark`. Throws when its text cannot be read (the mark stays). */
export async function buildSearchEntry(deps: SearchDependencies, id: string, mark?: string, text?: string): Promise<void> {
  await deps.search.put(await searchEntryOf(deps, id, text), mark);
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
  /** The letters that could not be built this time. */
  readonly failedIds: readonly string[];
}

/** Runs `task` on each index of `count`, at most `limit` at once, started in order. */
async function inOrder(count: number, limit: number, task: (index: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, count) }, async () => {
      while (next < count) await task(next++);
    }),
  );
}

/**
 * Builds the entries of up to `limit` letters of the backlog: read `concurrency` at a time, then
 * written in the backlog's order (oldest mark first), as many at once, so that letters take
 * their places in the index in the order they were marked, and an LMDB index commits the writes
 * made together in one transaction (one disk sync a batch, not one a letter). `onError` hears
 * of each letter that could not be built (its mark stays, for the next pass).
 */
export async function drainSearchBacklog(
  deps: SearchDependencies,
  limit: number,
  options: {
    readonly concurrency?: number;
    readonly onError?: (id: string, error: unknown) => void;
    /**
     * Letters passed over (ones that just failed): the pass takes the next ones behind them, so a
     * run of letters that cannot be built at the head of the backlog never stops the ones after it.
     */
    readonly skip?: ReadonlySet<string>;
  } = {},
): Promise<SearchBacklogReport> {
  const skip = options.skip ?? new Set<string>();
  const marked = await deps.search.backlog(limit + skip.size);
  const backlog = marked.filter((entry) => !skip.has(entry.id)).slice(0, limit);
  const concurrency = options.concurrency ?? 1;
  const entries: Array<SearchEntry | null> = backlog.map(() => null);
  let indexed = 0;
  const failedIds: string[] = [];
  const failure = (id: string, error: unknown) => {
    failedIds.push(id);
    options.onError?.(id, error);
  };
  await inOrder(backlog.length, concurrency, async (index) => {
    const { id } = backlog[index]!;
    entries[index] = await searchEntryOf(deps, id).catch((error: unknown) => (failure(id, error), null));
  });
  await inOrder(backlog.length, concurrency, async (index) => {
    const entry = entries[index];
    if (!entry) return;
    await deps.search.put(entry, backlog[index]!.mark).then(
      () => indexed++,
      (error: unknown) => failure(entry.id, error),
    );
  });
  return { indexed, failed: failedIds.length, more: marked.length >= limit + skip.size, failedIds };
}
