import { describe, expect, it } from 'vitest';
import {
  classifyLetter,
  expansionsOf,
  indexedWords,
  letterSearchTerms,
  matchWindow,
  rankingBasis,
  pageOfMatches,
  parseSearchQuery,
  SEARCH_LIMITS,
  SearchQueryError,
  searchPage,
  searchPositionOf,
  type ClassifiedDetermination,
  type PostingReader,
  type SearchMatch,
  type SearchTerm,
} from '../../../functions/domain/index.ts';
import { letterText } from '../../fixtures/factories.ts';

const read = (spec: Parameters<typeof letterText>[0]) => {
  const determination = classifyLetter(letterText(spec));
  if (determination.status !== 'CLASSIFIED') throw new Error('fixture letter not classified');
  return determination as ClassifiedDetermination;
};

describe('the words a letter is found by', () => {
  it('folds case, accents and compatibility forms, and leaves out very common words and single characters', () => {
    expect(indexedWords('The PATIENT, Señor José MÜLLER-Ødegaard: ﬁbromyalgia of the L4 (a) disc')).toEqual([
      'patient',
      'senor',
      'jose',
      'muller',
      'ødegaard',
      'fibromyalgia',
      'l4',
      'disc',
    ]);
  });

  it('keeps a word of letters and digits whole and as its runs, and joins a word broken over two lines (`up` is too common to keep)', () => {
    expect(indexedWords('WCAB ADJ1234567; Percocet 10/325mg; medi-\ncation; follow-up')).toEqual([
      'wcab',
      'adj1234567',
      'adj',
      '1234567',
      'percocet',
      '10',
      '325mg',
      '325',
      'mg',
      'medication',
      'follow',
    ]);
  });

  it('cuts a runaway word to the longest kept, the same in the index and in a query', () => {
    const long = 'x'.repeat(80);
    expect(indexedWords(long)).toEqual(['x'.repeat(SEARCH_LIMITS.longestWord)]);
    expect(parseSearchQuery(long)).toEqual([{ word: 'x'.repeat(SEARCH_LIMITS.longestWord), prefix: true }]);
  });

  it('weighs a word in a disputed request, the case number or a file name above one in the running text, each repeat less', () => {
    const letter = read({
      preamble: ['Case Number: CM15-0012345', 'Employee: Jane Doe', ''],
      items: [{ request: 'Percocet 10/325mg #90', decision: 'Upheld' }],
    });
    const terms = letterSearchTerms({
      text: `${letterText({ items: [] })}\nEmployee: Jane Doe\nPercocet was prescribed.`,
      determination: letter,
      fileNames: ['fax 0612.pdf'],
    });
    expect(terms.get('percocet')!).toBeGreaterThan(terms.get('jane')!);
    expect(terms.get('0612')).toBeGreaterThan(terms.get('jane')!);
    // The extension says nothing of the letter.
    expect(terms.has('pdf')).toBe(false);
    // The case number as its parts, its prefix and its digits.
    expect(['cm15', 'cm', '15', '0012345'].every((word) => terms.has(word))).toBe(true);
    // What the engine knows of the drug: its generic name finds it too.
    expect(terms.has('oxycodone')).toBe(true);
    expect(terms.get('jane')).toBe(10);
    expect(letterSearchTerms({ text: 'Invoice 4471', determination: { ...letter, status: 'UNRECOGNIZED', reason: 'no' } as never, fileNames: [] }).size).toBe(
      0,
    );
  });

  it('indexes at most the first SEARCH_LIMITS.textCharacters characters of a text', () => {
    const letter = read({ items: [{ request: 'Physical therapy 2x6' }] });
    const text = `${'padding '.repeat(SEARCH_LIMITS.textCharacters / 8)} afterthecut`;
    expect(letterSearchTerms({ text, determination: letter, fileNames: [] }).has('afterthecut')).toBe(false);
  });
});

describe('a query', () => {
  it('is its words, folded as the index folds them, once each; three letters or more also find the words they begin', () => {
    expect(parseSearchQuery('  Lumbar MRI  lumbar ')).toEqual([
      { word: 'lumbar', prefix: true },
      { word: 'mri', prefix: true },
    ]);
    expect(parseSearchQuery('PERCOCÉT of the L4')).toEqual([
      { word: 'percocet', prefix: true },
      { word: 'l4', prefix: false },
    ]);
  });

  it('is refused in words, with a code, when too long, with too many words, or with nothing to search for; never repeating it', () => {
    const refused = (query: string) => {
      try {
        parseSearchQuery(query);
      } catch (error) {
        expect(error).toBeInstanceOf(SearchQueryError);
        return { code: (error as SearchQueryError).code, message: (error as Error).message };
      }
      throw new Error('not refused');
    };
    const long = refused('secretword '.repeat(20));
    expect(long.code).toBe('QUERY_TOO_LONG');
    expect(long.message).toMatch(/at most 200 characters, and this one has 220/);
    expect(long.message).not.toContain('secretword');
    const many = refused('one two three four five six seven eight nine');
    expect(many).toEqual({ code: 'TOO_MANY_WORDS', message: expect.stringMatching(/at most 8 words, and this one has 9/) });
    // Very common words do not count against the limit.
    expect(parseSearchQuery('the percocet and the flexeril of the patient with the lumbar mri for his back pain')).toHaveLength(7);
    expect(refused('the and of a').code).toBe('NOTHING_TO_SEARCH');
    expect(refused('').code).toBe('NOTHING_TO_SEARCH');
  });
});

describe('ranking and paging', () => {
  const match = (seq: number, score: number): SearchMatch => ({ seq, score });

  it('orders by score, then the newest, and pages after the last answered', () => {
    const matches = [match(1, 2), match(2, 5), match(3, 2), match(4, 1)];
    const first = pageOfMatches(matches, null, 2);
    expect(first).toEqual({ page: [match(2, 5), match(3, 2)], more: true });
    expect(pageOfMatches(matches, [3 - 1, 3], 2)).toEqual({ page: [match(1, 2), match(4, 1)], more: false });
  });

  it('picks the same page as sorting them all would, page after page, ties and all', () => {
    let seed = 7;
    const random = () => (seed = (seed * 48271) % 2147483647) / 2147483647;
    const matches = Array.from({ length: 3000 }, (_, k) => match(k + 1, Math.floor(random() * 40) / 4));
    const sorted = [...matches].sort((a, b) => b.score - a.score || b.seq - a.seq);
    let after: [number, number] | null = null;
    const seen: SearchMatch[] = [];
    for (;;) {
      const { page, more } = pageOfMatches(matches, after, 97);
      seen.push(...page);
      if (!more) break;
      after = [page.at(-1)!.score, page.at(-1)!.seq];
    }
    expect(seen).toEqual(sorted);
  });

  it('answers every match once, page after page, window after window, newest windows first', async () => {
    // 50,000 places; every seventh letter matches, scored by its place modulo 10.
    const evaluated: Array<[number, number]> = [];
    const evaluate = async (low: number, top: number) => {
      evaluated.push([low, top]);
      const found: SearchMatch[] = [];
      for (let seq = low; seq < top; seq++) if (seq % 7 === 0) found.push(match(seq, seq % 10));
      return found;
    };
    const seen: number[] = [];
    let position = { top: 50_001, after: null } as Parameters<typeof searchPage>[0] | null;
    let requests = 0;
    while (position) {
      const { matches, next } = await searchPage(position, 1000, evaluate);
      seen.push(...matches.map((one) => one.seq));
      // Best first within a window (30,001-50,000, 10,001-30,000, 1-10,000).
      const windowOf = (seq: number) => (seq > 30_000 ? 0 : seq > 10_000 ? 1 : 2);
      for (let i = 1; i < matches.length; i++)
        if (windowOf(matches[i]!.seq) === windowOf(matches[i - 1]!.seq)) expect(matches[i - 1]!.score).toBeGreaterThanOrEqual(matches[i]!.score);
      position = next === null ? null : searchPositionOf(JSON.parse(JSON.stringify(next)));
      requests++;
    }
    expect(seen).toHaveLength(Math.floor(50_000 / 7));
    expect(new Set(seen).size).toBe(seen.length);
    // The newest window first: 30,001-50,000, then 10,001-30,000, then 1-10,000.
    expect(evaluated[0]).toEqual([30_001, 50_001]);
    expect(evaluated.at(-1)).toEqual([1, 10_001]);
    expect(requests).toBeGreaterThan(3);
  });

  it('looks through at most SEARCH_LIMITS.windowsPerRequest windows in one request, then says where to go on', async () => {
    let windows = 0;
    const nothing = async () => {
      windows++;
      return [];
    };
    const top = SEARCH_LIMITS.window * (SEARCH_LIMITS.windowsPerRequest + 2) + 1;
    const { matches, next } = await searchPage({ top, after: null }, 10, nothing);
    expect([matches, windows]).toEqual([[], SEARCH_LIMITS.windowsPerRequest]);
    expect(next).toEqual({ top: top - SEARCH_LIMITS.window * SEARCH_LIMITS.windowsPerRequest, after: null });
    expect(await searchPage({ top: 1, after: null }, 10, nothing)).toEqual({ matches: [], next: null });
  });

  it('accepts only positions it wrote as cursors', () => {
    expect(searchPositionOf({ top: 10, after: [1.5, 3] })).toEqual({ top: 10, after: [1.5, 3] });
    // The basis of the first page's scores travels with the cursor, checked.
    expect(searchPositionOf({ top: 10, after: null, basis: { letters: 120, postings: [120, 3] } })).toEqual({
      top: 10,
      after: null,
      basis: { letters: 120, postings: [120, 3] },
    });
    expect(searchPositionOf({ top: 10, after: null, basis: { letters: -1, postings: [] } })).toBeNull();
    expect(searchPositionOf({ top: 10, after: null, basis: { letters: 5, postings: Array(9).fill(1) } })).toBeNull();
    for (const bad of [null, 'x', { top: 0, after: null }, { top: 1.5, after: null }, { top: 5, after: [1] }, { top: 5, after: ['a', 1] }])
      expect(searchPositionOf(bad)).toBeNull();
  });
});

describe('matching in a window', () => {
  /** An index of postings: word -> place -> weight. */
  function readerOf(index: Record<string, Record<number, number>>, calls: string[]): PostingReader {
    const weight = (term: SearchTerm, word: string, value: number) => (value / 10) * (word === term.word ? 1 : 0.6);
    return {
      lookUpCost: 1,
      read: async (term, words, low, top) => {
        calls.push(`read ${term.word}`);
        const found = new Map<number, number>();
        for (const word of words)
          for (const [seq, value] of Object.entries(index[word] ?? {})) {
            if (Number(seq) >= low && Number(seq) < top) found.set(Number(seq), Math.max(found.get(Number(seq)) ?? 0, weight(term, word, value)));
          }
        return found;
      },
      lookUp: async (term, words, seqs) => {
        calls.push(`lookUp ${term.word} ${seqs.length}`);
        const found = new Map<number, number>();
        for (const seq of seqs)
          for (const word of words) if (index[word]?.[seq] !== undefined) found.set(seq, Math.max(found.get(seq) ?? 0, weight(term, word, index[word]![seq]!)));
        return found;
      },
    };
  }
  const common: Record<number, number> = Object.fromEntries(Array.from({ length: 100 }, (_, k) => [k + 1, 10]));

  it('finds only the letters holding every term, reading the rarest and looking the others up among its letters', async () => {
    const index = { patient: common, percocet: { 7: 20, 9: 10 }, percocets: { 12: 10 }, lumbar: { 9: 10, 40: 10 } };
    const calls: string[] = [];
    const terms = parseSearchQuery('patient perco');
    const expansions = terms.map((term) =>
      expansionsOf(
        term,
        Object.entries(index).map(([word, postings]) => ({ word, postings: Object.keys(postings).length })),
      ),
    );
    const matches = await matchWindow(terms, expansions, rankingBasis(expansions, 100), 1, 101, readerOf(index, calls));
    expect(matches.map((one) => one.seq).sort((a, b) => a - b)).toEqual([7, 9, 12]);
    expect(calls).toEqual(['read perco', 'lookUp patient 3']);
    // A heavier word weighs more than a lighter; the same weight ties (and the newest comes first).
    const score = (seq: number) => matches.find((one) => one.seq === seq)!.score;
    expect(score(7)).toBeGreaterThan(score(9));
    expect(score(9)).toBe(score(12));
    expect(pageOfMatches(matches, null, 3).page.map((one) => one.seq)).toEqual([7, 12, 9]);
    // The word itself weighs more than a word it only begins.
    const exact = parseSearchQuery('percocet');
    const [one] = exact.map((term) =>
      expansionsOf(term, [
        { word: 'percocet', postings: 2 },
        { word: 'percocets', postings: 1 },
      ]),
    );
    const both2 = await matchWindow(exact, [one!], rankingBasis([one!], 100), 1, 101, readerOf(index, []));
    expect(both2.find((entry) => entry.seq === 9)!.score).toBeGreaterThan(both2.find((entry) => entry.seq === 12)!.score);
    // A term with fewer postings than look-ups would take (a prefix of several words) is read instead.
    const both = parseSearchQuery('percocet lum');
    const words = [
      { word: 'percocet', postings: 2 },
      { word: 'lumbar', postings: 1 },
      { word: 'lumbago', postings: 1 },
      { word: 'lumen', postings: 1 },
    ];
    const calls2: string[] = [];
    const bothExpansions = both.map((term) => expansionsOf(term, words));
    const found = await matchWindow(both, bothExpansions, rankingBasis(bothExpansions, 100), 1, 101, readerOf(index, calls2));
    expect(found.map((one) => one.seq)).toEqual([9]);
    expect(calls2).toEqual(['read percocet', 'read lum']);
  });

  it('chooses a prefix’s words: the word itself, then the most common it begins, at most SEARCH_LIMITS.prefixWords', () => {
    const words = [{ word: 'per', postings: 1 }, ...Array.from({ length: 80 }, (_, k) => ({ word: `per${k}`, postings: k }))];
    const chosen = expansionsOf({ word: 'per', prefix: true }, words);
    expect(chosen).toHaveLength(SEARCH_LIMITS.prefixWords);
    expect(chosen[0]).toEqual({ word: 'per', postings: 1 });
    expect(chosen[1]).toEqual({ word: 'per79', postings: 79 });
    expect(expansionsOf({ word: 'mg', prefix: false }, [{ word: 'mgs', postings: 4 }])).toEqual([]);
  });
});
