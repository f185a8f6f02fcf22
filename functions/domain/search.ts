/**
 * Full-text search, the rules both stores keep: what a word is (case and accents folded), which
 * words of a letter are indexed and how much each weighs, what a query may be, and how matches
 * are scored and ordered. Pure: the LMDB index on one machine and the DynamoDB index on AWS read
 * and write their entries through these, so they cannot find or order letters differently.
 */
import type { Determination } from './determination.ts';

/** The bounds of a search and of what is indexed. */
export const SEARCH_LIMITS = {
  /** Longest query: a search box's worth; a pasted page is refused, not searched. */
  queryCharacters: 200,
  /** Most words in a query (after the very common ones are left out): each is a look-up. */
  queryWords: 8,
  /** Shortest word indexed and searched (`mg` and `L4` are two characters). */
  shortestWord: 2,
  /** Longest word kept: a longer one is cut to this, the same in the index and in a query, so it still finds itself. */
  longestWord: 32,
  /** Shortest start of a word that also finds the words it begins (`perco` finds `percocet`). */
  prefixLetters: 3,
  /** Most indexed words one prefix stands for (the most common first): `per` is not every word starting with it. */
  prefixWords: 50,
  /** Most dictionary words looked at to choose them. */
  prefixScan: 2_000,
  /** Characters of a letter's text that are indexed: a letter is 3-10 pages (20,000-40,000 characters); a runaway OCR text is cut. */
  textCharacters: 200_000,
  /**
   * Letters one step of a search looks through, newest first (by their place in the index). A
   * collection this size or smaller is ranked as a whole; a larger one is ranked this many letters at
   * a time, each window best first, the cursor going on to the next, so the work of one request stays
   * bounded however many letters hold a word.
   */
  window: 20_000,
  /** Windows one request looks through before it answers what it found with a cursor to go on. */
  windowsPerRequest: 5,
} as const;

/** How much a letter's part weighs: a word in a disputed request or the case number counts three times one in the running text. */
const FIELD_WEIGHT = { text: 1, fileName: 2, treatment: 2, request: 3, caseNumber: 3 } as const;

/** A word that matches only by its start counts this much of an exact match. */
export const PREFIX_MATCH = 0.6;

/**
 * Words too common to tell one letter from another (and in every letter's boilerplate): never
 * indexed, and left out of a query. `patient` or `medical` are kept: they are searched, just
 * ranked low (their weight is small), within the same bounds as any word.
 */
export const STOP_WORDS: ReadonlySet<string> = new Set(
  (
    'an and are as at be been being but by can could did do does for from had has have he her hers him his how if in into is it its ' +
    'may me my no nor not of on or our shall she should so such than that the their them then there these they this those to ' +
    'up us was we were what when where which while who whom why will with would you your'
  ).split(' '),
);

/** Why a query is refused (400 with this code). */
export type SearchQueryErrorCode = 'QUERY_TOO_LONG' | 'TOO_MANY_WORDS' | 'NOTHING_TO_SEARCH';

/** A query that is not searched: the message says why in words, and never repeats the query. */
export class SearchQueryError extends Error {
  override readonly name = 'SearchQueryError';
  constructor(
    readonly code: SearchQueryErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** One word of a query: found exactly, and (three letters or more) as the start of longer words. */
export interface SearchTerm {
  readonly word: string;
  readonly prefix: boolean;
}

const TOKEN = /[\p{L}\p{N}]+/gu;
const RUN = /\p{L}+|\p{N}+/gu;
const HAS_LETTER = /\p{L}/u;
const HAS_DIGIT = /\p{N}/u;

/** Text folded for search: compatibility forms taken apart (`ﬁ` is `fi`), lower case, accents and other marks off (`Müller` is `muller`). */
export function foldForSearch(text: string): string {
  return text
    .normalize('NFKD')
    .toLowerCase()
    .replace(/\p{M}+/gu, '');
}

/** A folded token as a word: cut to the longest kept; null when too short or too common. */
function keep(token: string): string | null {
  const word = token.length > SEARCH_LIMITS.longestWord ? token.slice(0, SEARCH_LIMITS.longestWord) : token;
  return word.length < SEARCH_LIMITS.shortestWord || STOP_WORDS.has(word) ? null : word;
}

/**
 * The words of a text as the index keeps them, in order, repeats included. A word of letters and
 * digits (`ADJ1234567`, `325mg`, `CM14`) is kept whole and also as its runs (`adj`, `1234567`),
 * so that `ADJ 1234567` finds it too. A word broken over two lines (`medi-` / `cation`) is joined.
 */
export function indexedWords(text: string): string[] {
  const joined = text.replace(/(\p{L})-[ \t]*\r?\n[ \t]*(?=\p{Ll})/gu, '$1');
  const words: string[] = [];
  for (const [token] of foldForSearch(joined).matchAll(TOKEN)) {
    const word = keep(token);
    if (word) words.push(word);
    if (HAS_LETTER.test(token) && HAS_DIGIT.test(token)) {
      for (const [run] of token.matchAll(RUN)) {
        const part = keep(run);
        if (part && part !== word) words.push(part);
      }
    }
  }
  return words;
}

/** What a letter is found by: its text as read, its reading (as a person corrected it) and the names of the files that brought it. */
export interface SearchableLetter {
  /** The letter's text as read (after OCR); null when none is stored. */
  readonly text: string | null;
  readonly determination: Determination;
  readonly fileNames: readonly string[];
}

/**
 * The words a letter is indexed under, each with its weight (a whole number, 10 for a word once
 * in the running text): the text, each disputed request (as corrected), the treatment's name and
 * generic name, the case number and the file names (without their extension), a word weighing more
 * in a request or the case number than in the running text, and less for each repeat (logarithmic).
 * Empty for a document that is not a letter (unrecognized): it is found by nothing.
 */
export function letterSearchTerms(letter: SearchableLetter): Map<string, number> {
  const { determination } = letter;
  if (determination.status !== 'CLASSIFIED') return new Map();
  const counts = new Map<string, number>();
  const add = (text: string | null | undefined, weight: number) => {
    if (!text) return;
    for (const word of indexedWords(text)) counts.set(word, (counts.get(word) ?? 0) + weight);
  };
  add(letter.text?.slice(0, SEARCH_LIMITS.textCharacters), FIELD_WEIGHT.text);
  for (const item of determination.items) {
    add(item.request, FIELD_WEIGHT.request);
    add(item.originalRequest, FIELD_WEIGHT.treatment);
    add(item.treatment.name, FIELD_WEIGHT.treatment);
    add(item.treatment.generic, FIELD_WEIGHT.treatment);
  }
  add(determination.caseNumber, FIELD_WEIGHT.caseNumber);
  for (const name of letter.fileNames) add(name.replace(/\.[a-z0-9]{1,5}$/i, ''), FIELD_WEIGHT.fileName);
  const terms = new Map<string, number>();
  for (const [word, count] of counts) terms.set(word, Math.round(10 * (1 + Math.log(count))));
  return terms;
}

/**
 * A query's words, each searched (all must match): folded like the index's, the very common ones
 * and those of one character left out, repeats once. Refused (a {@link SearchQueryError}) when
 * longer than {@link SEARCH_LIMITS.queryCharacters}, with more than {@link SEARCH_LIMITS.queryWords}
 * words, or with nothing left to search.
 */
export function parseSearchQuery(query: string): SearchTerm[] {
  if (query.length > SEARCH_LIMITS.queryCharacters)
    throw new SearchQueryError(
      'QUERY_TOO_LONG',
      `q: a search is at most ${SEARCH_LIMITS.queryCharacters} characters, and this one has ${query.length}; search for a few telling words`,
    );
  const words = new Set<string>();
  for (const [token] of foldForSearch(query).matchAll(TOKEN)) {
    const word = keep(token);
    if (word) words.add(word);
  }
  if (words.size === 0)
    throw new SearchQueryError(
      'NOTHING_TO_SEARCH',
      'q: nothing to search for: words of one character and very common words (the, and, of, ...) are not searched; search for a drug, a treatment, a name or a case number',
    );
  if (words.size > SEARCH_LIMITS.queryWords)
    throw new SearchQueryError(
      'TOO_MANY_WORDS',
      `q: a search is at most ${SEARCH_LIMITS.queryWords} words, and this one has ${words.size} (very common words left out); leave out the least telling`,
    );
  return [...words].map((word) => ({ word, prefix: word.length >= SEARCH_LIMITS.prefixLetters }));
}

/** Whether an indexed word matches a query's term: the same word, or (a prefix term) a word it begins. */
export function matchesTerm(term: SearchTerm, word: string): boolean {
  return word === term.word || (term.prefix && word.startsWith(term.word));
}

/** How telling a term is among `letters` letters when `postings` of them hold it (BM25's idf, never below a small positive). */
export function termRarity(postings: number, letters: number): number {
  const n = Math.max(letters, postings, 1);
  return Math.log(1 + (n - postings + 0.5) / (postings + 0.5));
}

/** What one indexed word of a letter adds for the term it matches: its weight, less when it matched by its start only. */
export function matchWeight(term: SearchTerm, word: string, weight: number): number {
  return (weight / 10) * (word === term.word ? 1 : PREFIX_MATCH);
}

/**
 * A letter that holds every term, with its score: for each term, the best of its matching words
 * (weight times the term's rarity), summed, rounded to a millionth so that a cursor compares
 * scores exactly. `seq` is its place in the index (newer letters have higher).
 */
export interface SearchMatch {
  readonly seq: number;
  readonly score: number;
}

/** Where a page of results ended: after this score and place (results are ordered by score, then newest first). */
export type SearchAfter = readonly [score: number, seq: number];

/** Best first: the higher score, then the newer letter. */
export function compareMatches(a: SearchMatch, b: SearchMatch): number {
  return b.score - a.score || b.seq - a.seq;
}

/**
 * One page of matches, best first, after `after` (the last of the previous page): at most
 * `limit`, and whether more remain in these matches. The best are picked, not all sorted: a word
 * in every letter matches them all, and a page is fifty of them.
 */
export function pageOfMatches(matches: readonly SearchMatch[], after: SearchAfter | null, limit: number): { page: SearchMatch[]; more: boolean } {
  const last = after ? { score: after[0], seq: after[1] } : null;
  // The best `limit`, kept in order: a match enters only when it beats the worst kept.
  const page: SearchMatch[] = [];
  let remaining = 0;
  for (const match of matches) {
    if (last && compareMatches(match, last) <= 0) continue;
    remaining++;
    if (page.length === limit && compareMatches(match, page[limit - 1]!) >= 0) continue;
    let low = 0;
    let high = page.length;
    while (low < high) {
      const middle = (low + high) >> 1;
      if (compareMatches(page[middle]!, match) <= 0) low = middle + 1;
      else high = middle;
    }
    page.splice(low, 0, match);
    if (page.length > limit) page.pop();
  }
  return { page, more: remaining > limit };
}

/** The fingerprint of a query's terms that a cursor carries, so a cursor serves only the search it came from. */
export function searchFingerprint(terms: readonly SearchTerm[]): string {
  return terms.map((term) => `${term.word}${term.prefix ? '*' : ''}`).join(' ');
}

/**
 * What a search's scores are reckoned from: how many letters the index held and how many postings
 * each term's words had when its first page was answered. Kept in the cursor, so the letters
 * indexed between two pages do not move the scores (which would skip or repeat tied letters).
 */
export interface RankingBasis {
  readonly letters: number;
  readonly postings: readonly number[];
}

/** The basis of a search's ranking from what the index holds now (its first page). */
export function rankingBasis(expansions: ReadonlyArray<ReadonlyArray<{ readonly postings: number }>>, letters: number): RankingBasis {
  return { letters, postings: expansions.map((words) => words.reduce((sum, entry) => sum + Math.max(entry.postings, 1), 0)) };
}

/** Where a search stands: the window being ranked (the letters placed below `top`), the last match answered in it, and the basis of its scores. */
export interface SearchPosition {
  readonly top: number;
  readonly after: SearchAfter | null;
  readonly basis?: RankingBasis;
}

/**
 * A page of a search, window by window from the newest letters: `evaluate(low, top)` answers the
 * matches among the letters placed in [low, top) (places start at 1), ranked here best first.
 * A window's matches are answered page after page; when they run out the next window (older
 * letters) follows, at most {@link SEARCH_LIMITS.windowsPerRequest} in one request. `next` is
 * where the next page starts, null when every letter was looked through.
 */
export async function searchPage(
  start: SearchPosition,
  limit: number,
  evaluate: (low: number, top: number) => Promise<SearchMatch[]>,
): Promise<{ matches: SearchMatch[]; next: SearchPosition | null }> {
  const matches: SearchMatch[] = [];
  let { top, after } = start;
  const basis = start.basis ? { basis: start.basis } : {};
  for (let step = 0; step < SEARCH_LIMITS.windowsPerRequest && top > 1 && matches.length < limit; step++) {
    const low = Math.max(1, top - SEARCH_LIMITS.window);
    const { page, more } = pageOfMatches(await evaluate(low, top), after, limit - matches.length);
    matches.push(...page);
    if (more) return { matches, next: { top, after: [page.at(-1)!.score, page.at(-1)!.seq], ...basis } };
    top = low;
    after = null;
  }
  return { matches, next: top > 1 ? { top, after: null, ...basis } : null };
}

/** A cursor's position, checked: null when it is not one this search wrote. */
export function searchPositionOf(value: unknown): SearchPosition | null {
  if (typeof value !== 'object' || value === null) return null;
  const { top, after, basis } = value as { top?: unknown; after?: unknown; basis?: unknown };
  if (!Number.isSafeInteger(top) || (top as number) < 1) return null;
  const count = (part: unknown) => Number.isSafeInteger(part) && (part as number) >= 0;
  let kept: { basis?: RankingBasis } = {};
  if (basis !== undefined) {
    const { letters, postings } = (basis ?? {}) as { letters?: unknown; postings?: unknown };
    if (!count(letters) || !Array.isArray(postings) || postings.length > SEARCH_LIMITS.queryWords || !postings.every(count)) return null;
    kept = { basis: { letters: letters as number, postings: postings as number[] } };
  }
  if (after === null) return { top: top as number, after: null, ...kept };
  if (!Array.isArray(after) || after.length !== 2 || !after.every((part) => typeof part === 'number' && Number.isFinite(part))) return null;
  return { top: top as number, after: [after[0] as number, after[1] as number], ...kept };
}

/**
 * Which indexed words a term stands for, from the words the index holds that are it or begin with
 * it, each with how many letters hold it: the word itself, and (a prefix term) the words it begins,
 * the most common first, at most {@link SEARCH_LIMITS.prefixWords} in all.
 */
export function expansionsOf(
  term: SearchTerm,
  words: ReadonlyArray<{ readonly word: string; readonly postings: number }>,
): Array<{ word: string; postings: number }> {
  const exact = words.filter((entry) => entry.word === term.word);
  if (!term.prefix) return exact.map((entry) => ({ ...entry }));
  const longer = words
    .filter((entry) => entry.word !== term.word && entry.word.startsWith(term.word))
    .sort((a, b) => b.postings - a.postings || a.word.localeCompare(b.word))
    .slice(0, SEARCH_LIMITS.prefixWords - exact.length);
  return [...exact, ...longer].map((entry) => ({ ...entry }));
}

/** How an index reads postings for {@link matchWindow}: each answers, per letter, the best weight of the term's words it holds ({@link matchWeight}). */
export interface PostingReader {
  /**
   * What looking one posting up costs, in postings read in a row: a term is read whole rather
   * than looked up letter by letter when that reads fewer than this many times the look-ups (a
   * point read in LMDB costs a few sequential ones; a DynamoDB look-up is an item read, a Query
   * reads a page of postings).
   */
  readonly lookUpCost: number;
  /** Every letter placed in [low, top) that holds one of `words`. */
  read(term: SearchTerm, words: readonly string[], low: number, top: number): Promise<Map<number, number>>;
  /** The same, among `seqs` only (looked up letter by letter). */
  lookUp(term: SearchTerm, words: readonly string[], seqs: readonly number[]): Promise<Map<number, number>>;
}

/**
 * The letters placed in [low, top) that hold every term, scored: the rarest term's postings are
 * read, and each other term is looked up among the letters still in the running, or read when
 * it has fewer postings than that would take look-ups. `expansions` are each term's words
 * ({@link expansionsOf}); `letters` is how many letters the index holds.
 */
export async function matchWindow(
  terms: readonly SearchTerm[],
  expansions: ReadonlyArray<ReadonlyArray<{ readonly word: string; readonly postings: number }>>,
  basis: RankingBasis,
  low: number,
  top: number,
  reader: PostingReader,
): Promise<SearchMatch[]> {
  const { letters, postings } = basis;
  const rarities = postings.map((count) => termRarity(Math.min(count, Math.max(letters, 1)), letters));
  const [driver, ...others] = terms.map((_, index) => index).sort((a, b) => postings[a]! - postings[b]!);
  const wordsOf = (index: number) => expansions[index]!.map((entry) => entry.word);
  // Each letter still in the running, with its score so far (the terms' best weights times their rarities, summed).
  const scores = new Map<number, number>();
  for (const [seq, weight] of await reader.read(terms[driver!]!, wordsOf(driver!), low, top)) scores.set(seq, weight * rarities[driver!]!);
  for (const index of others) {
    if (scores.size === 0) break;
    const words = wordsOf(index);
    const found =
      postings[index]! < scores.size * words.length * reader.lookUpCost
        ? await reader.read(terms[index]!, words, low, top)
        : await reader.lookUp(terms[index]!, words, [...scores.keys()]);
    for (const [seq, score] of scores) {
      const weight = found.get(seq);
      if (weight === undefined) scores.delete(seq);
      else scores.set(seq, score + weight * rarities[index]!);
    }
  }
  const matches: SearchMatch[] = [];
  for (const [seq, score] of scores) matches.push({ seq, score: Math.round(score * 1e6) / 1e6 });
  return matches;
}
