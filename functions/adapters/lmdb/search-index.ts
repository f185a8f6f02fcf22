import type { Database } from 'lmdb';
import type { CursorCodec } from '../../common/cursor.ts';
import { searchPostings, type PostingStore } from '../search-pages.ts';
import { matchWeight, SEARCH_LIMITS, type PostingReader, type SearchTerm } from '../../domain/index.ts';
import type { Page, SearchBacklogEntry, SearchEntry, SearchIndex, SearchQuery } from '../../service/ports.ts';

/** What the index keeps of one letter: its place (once it has held words), the revision its words came from, and the words with their weights. */
interface LetterEntry {
  readonly seq?: number;
  readonly revision: number;
  readonly terms: ReadonlyArray<readonly [string, number]>;
}

/**
 * {@link SearchIndex} on LMDB: a named database (`search`) in the store's own environment, so
 * the store's commit marks a letter behind in the same transaction as its reading. Keys:
 * - `['p', word, seq]` → weight: a posting (the letter at place `seq` holds the word);
 * - `['w', word]` → how many letters hold it: the dictionary, for prefixes and rarity;
 * - `['d', id]` → the letter's place, revision and words (what a new entry replaces);
 * - `['s', seq]` → id; `['meta', ...]` → counters;
 * - `['m', id]` → the letter's backlog mark (a number), and `['q', mark]` → id: the backlog, oldest mark first.
 * A letter's place is given when it is first indexed and kept: newer letters have higher places.
 * A search reads the postings of its rarest term in a window of places (newest first) and looks
 * the other terms up letter by letter, or reads theirs when that is less work: the plan, the
 * matching and the ranking are the domain's (`matchWindow`, `searchPage`); this reads postings.
 */
export class LmdbSearchIndex implements SearchIndex {
  /** Told after a write that marked letters is committed (the local indexer wakes up). */
  private listener: (() => void) | null = null;

  constructor(
    private readonly db: Database,
    private readonly cursors: CursorCodec,
  ) {}

  /** Calls `listener` after each committed write that marked a letter behind. */
  onMarked(listener: () => void): void {
    this.listener = listener;
  }

  /** Called by the store once a transaction that marked letters is committed. */
  marksCommitted(): void {
    this.listener?.();
  }

  /** Marks a letter's entry as behind what is stored: called inside the store's write transaction. */
  markSync(id: string): void {
    const mark = this.counter('mark') + 1;
    const before = this.db.get(['m', id]) as number | undefined;
    if (before !== undefined) this.db.removeSync(['q', before]);
    this.db.putSync(['meta', 'mark'], mark);
    this.db.putSync(['m', id], mark);
    this.db.putSync(['q', mark], id);
  }

  /** Whether the letters stored before the index existed have been marked to be indexed. */
  get marked(): boolean {
    return this.db.get(['meta', 'marked']) === true;
  }

  /** Records that they have (inside the store's transaction that marked them). */
  markedSync(): void {
    this.db.putSync(['meta', 'marked'], true);
  }

  async put(entry: SearchEntry, mark?: string): Promise<void> {
    await this.db.transaction(() => {
      const current = this.db.get(['d', entry.id]) as LetterEntry | undefined;
      // An entry built from an older reading never replaces one built from a newer.
      if (!current || current.revision <= entry.revision) this.replace(entry, current);
      if (mark !== undefined && String(this.db.get(['m', entry.id])) === mark) {
        this.db.removeSync(['m', entry.id]);
        this.db.removeSync(['q', Number(mark)]);
      }
    });
  }

  /**
   * Forgets a document deleted from the store (inside the store's transaction that deletes it):
   * its words, its place and its mark go, so the same bytes uploaded again start afresh at
   * revision 1 (an entry left at a higher revision would refuse theirs for ever).
   */
  forgetSync(id: string): void {
    const current = this.db.get(['d', id]) as LetterEntry | undefined;
    if (current) {
      this.replace({ id, revision: current.revision, terms: new Map() }, current);
      if (current.seq !== undefined) this.db.removeSync(['s', current.seq]);
      this.db.removeSync(['d', id]);
    }
    const mark = this.db.get(['m', id]) as number | undefined;
    if (mark !== undefined) {
      this.db.removeSync(['m', id]);
      this.db.removeSync(['q', mark]);
    }
  }

  /** The oldest marks first: letters take their places in the index in the order their readings were committed. */
  async backlog(limit: number): Promise<SearchBacklogEntry[]> {
    return [...this.db.getRange({ start: ['q', 0], end: ['q', Infinity], limit })].map(({ key, value }) => ({
      id: String(value),
      mark: String((key as [string, number])[1]),
    }));
  }

  async markOf(id: string): Promise<string | null> {
    const mark = this.db.get(['m', id]) as number | undefined;
    return mark === undefined ? null : String(mark);
  }

  async search(query: SearchQuery): Promise<Page<string>> {
    return searchPostings(this.postings, this.cursors, query);
  }

  /** Postings read from the index: a term's words in a window of places, or at given places. */
  private readonly reader: PostingReader = {
    // A point read costs about three postings read in a row (measured: 10,000 of each, 9 ms and 4 ms).
    lookUpCost: 3,
    read: async (term, words, low, top) => {
      const found = new Map<number, number>();
      for (const [index, word] of words.entries()) {
        const scale = matchWeight(term, word, 1);
        // Backwards from the top of the window (the end is exclusive); a term's first word fills the map, the others keep the best.
        for (const { key, value } of this.db.getRange({ start: ['p', word, top - 1], end: ['p', word, low - 1], reverse: true })) {
          const seq = (key as [string, string, number])[2];
          const weight = (value as number) * scale;
          if (index === 0 || weight > (found.get(seq) ?? 0)) found.set(seq, weight);
        }
      }
      return found;
    },
    lookUp: async (term, words, seqs) => {
      const found = new Map<number, number>();
      for (const seq of seqs) {
        for (const word of words) {
          const weight = this.db.get(['p', word, seq]) as number | undefined;
          if (weight !== undefined) found.set(seq, Math.max(found.get(seq) ?? 0, matchWeight(term, word, weight)));
        }
      }
      return found;
    },
  };

  /** What a search reads here: the counters, the dictionary, the places' letters and the postings. */
  private readonly postings: PostingStore = {
    counts: async () => ({ seq: this.counter('seq'), letters: this.counter('letters') }),
    dictionary: async (term) => this.dictionary(term),
    idsAt: async (seqs) =>
      new Map(
        seqs.flatMap((seq) => {
          const id = this.db.get(['s', seq]) as string | undefined;
          return id === undefined ? [] : [[seq, id] as const];
        }),
      ),
    reader: this.reader,
  };

  /** The dictionary words a term may stand for, with how many letters hold each. */
  private dictionary(term: SearchTerm): Array<{ word: string; postings: number }> {
    if (!term.prefix) {
      const postings = this.db.get(['w', term.word]) as number | undefined;
      return postings === undefined ? [] : [{ word: term.word, postings }];
    }
    return [...this.db.getRange({ start: ['w', term.word], end: ['w', `${term.word}\uffff`], limit: SEARCH_LIMITS.prefixScan })].map(({ key, value }) => ({
      word: String((key as string[])[1]),
      postings: value as number,
    }));
  }

  /** Writes a letter's entry over its current one: only the words that changed are written. */
  private replace(entry: SearchEntry, current: LetterEntry | undefined): void {
    let seq = current?.seq;
    // A document that never held a word (not a letter) takes no place; its revision is kept all the same.
    if (seq === undefined && entry.terms.size === 0) {
      this.db.putSync(['d', entry.id], { revision: entry.revision, terms: [] } satisfies LetterEntry);
      return;
    }
    if (seq === undefined) {
      seq = this.counter('seq') + 1;
      this.db.putSync(['meta', 'seq'], seq);
      this.db.putSync(['s', seq], entry.id);
    }
    const before = new Map(current?.terms ?? []);
    for (const word of before.keys()) {
      if (entry.terms.has(word)) continue;
      this.db.removeSync(['p', word, seq!]);
      this.count(word, -1);
    }
    for (const [word, weight] of entry.terms) {
      const was = before.get(word);
      if (was === weight) continue;
      this.db.putSync(['p', word, seq], weight);
      if (was === undefined) this.count(word, 1);
    }
    const held = before.size > 0;
    const holds = entry.terms.size > 0;
    if (held !== holds) this.db.putSync(['meta', 'letters'], this.counter('letters') + (holds ? 1 : -1));
    this.db.putSync(['d', entry.id], { seq, revision: entry.revision, terms: [...entry.terms] } satisfies LetterEntry);
  }

  private count(word: string, delta: number): void {
    const postings = ((this.db.get(['w', word]) as number | undefined) ?? 0) + delta;
    if (postings > 0) this.db.putSync(['w', word], postings);
    else this.db.removeSync(['w', word]);
  }

  private counter(name: 'seq' | 'letters' | 'mark'): number {
    return (this.db.get(['meta', name]) as number | undefined) ?? 0;
  }
}
