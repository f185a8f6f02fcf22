import { CursorError, type CursorCodec } from '../common/cursor.ts';
import {
  expansionsOf,
  matchWindow,
  rankingBasis,
  searchFingerprint,
  searchPage,
  searchPositionOf,
  type PostingReader,
  type SearchPosition,
  type SearchTerm,
} from '../domain/index.ts';
import type { Page, SearchQuery } from '../service/ports.ts';

/** What a store of postings answers a search from: the rest (matching, ranking, paging, cursors) is the same in every store. */
export interface PostingStore {
  /** The last place given to a letter, and how many letters hold words. */
  counts(): Promise<{ readonly seq: number; readonly letters: number }>;
  /** The words of the dictionary a term may match, with how many letters hold each. */
  dictionary(term: SearchTerm): Promise<ReadonlyArray<{ word: string; postings: number }>>;
  /** The letters at these places. */
  idsAt(seqs: readonly number[]): Promise<ReadonlyMap<number, string>>;
  readonly reader: PostingReader;
}

/**
 * One page of a search over `store`, as both search indexes (LMDB, DynamoDB) answer it: the
 * cursor checked against the query it was made for, every term matched (a term no letter holds
 * matches nothing), scores reckoned on the basis of the search's first page (letters indexed
 * between two pages do not move them), the domain's matching and paging.
 */
export async function searchPostings(store: PostingStore, cursors: CursorCodec, query: SearchQuery): Promise<Page<string>> {
  const { terms, limit } = query;
  const fingerprint = searchFingerprint(terms);
  const { seq, letters } = await store.counts();
  let start: SearchPosition = { top: seq + 1, after: null };
  if (query.cursor) {
    const position = cursors.decode(query.cursor);
    const at = searchPositionOf(position.key);
    if (position.index !== 'search' || position.filters !== fingerprint || !at) throw new CursorError('INVALID_CURSOR', 'cursor belongs to another search');
    start = at;
  }
  const expansions = await Promise.all(terms.map(async (term) => expansionsOf(term, await store.dictionary(term))));
  if (expansions.some((words) => words.length === 0)) return { data: [], nextCursor: null };
  const basis = start.basis ?? rankingBasis(expansions, letters);
  const { matches, next } = await searchPage({ ...start, basis }, limit, (low, top) => matchWindow(terms, expansions, basis, low, top, store.reader));
  const ids = await store.idsAt(matches.map((match) => match.seq));
  return {
    data: matches.map((match) => ids.get(match.seq)).filter((id): id is string => id !== undefined),
    nextCursor: next ? cursors.encode({ index: 'search', filters: fingerprint, key: next }) : null,
  };
}
