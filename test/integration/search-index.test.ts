/**
 * The search index against its port, on each store: it follows every write that changes what a
 * letter says (a first reading, a re-reading, a person's correction, a letter turning
 * UNRECOGNIZED, another form of a letter, a new file name), never lets an older entry replace a
 * newer one, and answers best first, page by page.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyCorrection, classifyLetter, CorrectionSchema, parseSearchQuery, type ClassifiedDetermination } from '../../functions/domain/index.ts';
import { LmdbDeterminationStore } from '../../functions/adapters/lmdb/determination-store.ts';
import { CursorCodec, CursorError } from '../../functions/common/cursor.ts';
import type { DeterminationStore, SearchIndex } from '../../functions/service/ports.ts';
import { saveCorrection, saveReading } from '../../functions/service/ledger.ts';
import { drainSearchBacklog, type SearchDependencies } from '../../functions/service/search.ts';
import { letterText } from '../fixtures/factories.ts';

/** A letter built to order, its text and its reading. */
function letter(preamble: string[], items: Array<{ request: string; decision?: 'Upheld' | 'Overturned'; rationale?: string }>) {
  const text = letterText({ preamble, items });
  const determination = classifyLetter(text);
  if (determination.status !== 'CLASSIFIED') throw new Error('fixture letter not classified');
  return { text, determination: determination as ClassifiedDetermination };
}

const folder = mkdtempSync(join(tmpdir(), 'imr-search-'));
const stores: Record<string, () => { store: DeterminationStore; search: SearchIndex }> = {};

beforeAll(async () => {
  stores.lmdb = () => {
    const store = LmdbDeterminationStore.open(join(folder, `store-${Date.now()}-${Math.random()}`), new CursorCodec('test-secret'));
    return { store, search: store.searchIndex };
  };
}, 60_000);

afterAll(async () => {
  rmSync(folder, { recursive: true, force: true });
});

describe.each(['lmdb'])('the %s search index', (name) => {
  /** The store, its index, the letters' texts, and a way to build what the commits marked. */
  function setUp() {
    const { store, search } = stores[name]!();
    const texts = new Map<string, string>();
    const deps: SearchDependencies = { store, objects: { getText: async (id) => texts.get(id) ?? null }, search };
    const find = async (query: string, limit = 50) => (await search.search({ terms: parseSearchQuery(query), limit })).data;
    const build = async () => {
      const report = await drainSearchBacklog(deps, 100);
      expect(report.failed).toBe(0);
      expect(await search.backlog(10)).toEqual([]);
      return report.indexed;
    };
    return { store, search, texts, find, build };
  }
  const ids = (prefix: string) => (n: number) => `${name}${prefix}${n}`.padEnd(64, '0');

  it('follows every write that changes what a letter says, and each letter is found once', async () => {
    const { store, texts, find, build } = setUp();
    const id = ids('a');
    const first = letter(
      ['Case Number: CM15-0001234', 'Employee: Zoë Müller', 'WCAB number: ADJ1234567', 'Reviewer: Dr. Ángel Ibáñez', ''],
      [{ request: 'Percocet 10/325mg #90' }, { request: 'Acupuncture 6 sessions for the lumbar spine', decision: 'Overturned' }],
    );
    await store.recordReceipt(id(1), 'imr-inbox/faxes/fax 0612.pdf', '2026-02-02T10:00:00.000Z');
    texts.set(id(1), first.text);
    await saveReading(store, id(1), first.determination, '2026-02-02T10:00:01.000Z');
    // The commit marked it: nothing is found until the indexer builds it.
    expect(await find('percocet')).toEqual([]);
    expect(await build()).toBe(1);
    for (const query of [
      'Percocet',
      'PERCOCET',
      'perco',
      'lumbar acupuncture',
      'zoe muller',
      'Zoë',
      'ibanez',
      'ADJ1234567',
      'adj 1234567',
      'CM15-0001234',
      '0612',
      'fax',
      'oxycodone',
    ])
      expect([query, await find(query)]).toEqual([query, [id(1)]]);
    // Every word must match.
    expect(await find('percocet tramadol')).toEqual([]);
    expect(await find('per')).toEqual([id(1)]);

    // A person's correction of a request: the new request is found, and the old one only through the text.
    const stored = (await store.getDetermination(id(1)))!;
    const corrected = applyCorrection(first.determination, CorrectionSchema.parse({ items: [{ index: 0, request: 'Zolpidem 10mg #30' }] }));
    const entry = { revision: 2, at: '2026-02-02T11:00:00.000Z', by: 'paralegal@firm', changes: corrected.changes, note: null };
    expect(
      await saveCorrection(store, id(1), {
        expectedRevision: stored.revision,
        determination: corrected.determination,
        entry,
        reviewed: null,
        receivedOn: null,
      }),
    ).toBe('SAVED');
    expect(await build()).toBe(1);
    expect(await find('zolpidem')).toEqual([id(1)]);

    // A re-reading replaces the words: what the letter no longer says no longer finds it.
    const norco = letter(['Case Number: CM15-0005555', ''], [{ request: 'Norco 10/325mg #120' }]);
    await store.recordReceipt(id(2), 'imr-inbox/b.txt', '2026-02-03T10:00:00.000Z');
    texts.set(id(2), norco.text);
    await saveReading(store, id(2), norco.determination, '2026-02-03T10:00:01.000Z');
    await build();
    expect(await find('norco')).toEqual([id(2)]);
    const tramadol = letter(['Case Number: CM15-0005555', ''], [{ request: 'Tramadol ER 150mg #30' }]);
    texts.set(id(2), tramadol.text);
    await saveReading(store, id(2), tramadol.determination, '2026-02-03T12:00:00.000Z');
    await build();
    expect([await find('norco'), await find('tramadol')]).toEqual([[], [id(2)]]);

    // Read again as no IMR letter at all: dropped.
    await saveReading(store, id(2), { ...tramadol.determination, status: 'UNRECOGNIZED', reason: 'not an IMR letter' } as never, '2026-02-03T13:00:00.000Z');
    await build();
    expect(await find('tramadol')).toEqual([]);

    // Another form of the first letter (a fax of it): linked, and not found a second time.
    await store.recordReceipt(id(3), 'imr-inbox/scan of the same.pdf', '2026-02-04T10:00:00.000Z');
    texts.set(id(3), `${first.text}\nscanned again\n`);
    await saveReading(store, id(3), first.determination, '2026-02-04T10:00:01.000Z', { sameLetterAs: id(1) });
    await build();
    expect(await find('percocet lumbar')).toEqual([id(1)]);
    expect(await find('scanned')).toEqual([]);

    // A new file name for a letter already read (the same bytes sent again under another name).
    await store.recordReceipt(id(1), 'imr-inbox/email/Muller IMR decision.pdf', '2026-02-05T10:00:00.000Z');
    expect(await build()).toBe(1);
    expect(await find('decision muller')).toEqual([id(1)]);
  });

  it('never lets an entry built from an older reading replace a newer one, and clears a mark only if no later write moved it', async () => {
    const { store, search, find } = setUp();
    const id = ids('b')(1);
    const older = new Map([['oldword', 10]]);
    const newer = new Map([['newword', 10]]);
    await search.put({ id, revision: 2, terms: newer });
    await search.put({ id, revision: 1, terms: older });
    expect([await find('newword'), await find('oldword')]).toEqual([[id], []]);
    // A mark read before a later write is not cleared by the entry built from it.
    const read = letter([], [{ request: 'Physical therapy 2x6' }]);
    await store.recordReceipt(id, 'imr-inbox/x.txt', '2026-03-01T10:00:00.000Z');
    await saveReading(store, id, read.determination, '2026-03-01T10:00:01.000Z');
    const seen = await search.markOf(id);
    expect(seen).not.toBeNull();
    await store.recordReceipt(id, 'imr-inbox/y.txt', '2026-03-01T10:00:02.000Z');
    const later = await search.markOf(id);
    expect(later).not.toBe(seen);
    await search.put({ id, revision: 3, terms: newer }, seen!);
    expect(await search.markOf(id)).toBe(later);
    await search.put({ id, revision: 3, terms: newer }, later!);
    expect(await search.markOf(id)).toBeNull();
  });

  it('answers best first (a word in a request above one in the text, then the newest), page by page, with cursors for that search only', async () => {
    const { store, texts, find, search, build } = setUp();
    const id = ids('c');
    const mention = (n: number) => letter([`Case Number: CM16-000000${n}`, ''], [{ request: n === 2 ? 'Gabapentin 600mg #90' : 'Physical therapy 2x6' }]);
    for (let n = 1; n <= 5; n++) {
      const { text, determination } = mention(n);
      await store.recordReceipt(id(n), `imr-inbox/c${n}.txt`, `2026-04-0${n}T10:00:00.000Z`);
      texts.set(id(n), n === 2 ? text : `${text}\nGabapentin was tried before.\n`);
      await saveReading(store, id(n), determination, `2026-04-0${n}T10:00:01.000Z`);
    }
    await build();
    const all = await find('gabapentin');
    // Its request names it: first; the others, which mention it in passing, newest first.
    expect(all).toEqual([id(2), id(5), id(4), id(3), id(1)]);
    const terms = parseSearchQuery('gabapentin');
    const paged: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await search.search({ terms, limit: 2, cursor });
      expect(page.data.length).toBeLessThanOrEqual(2);
      paged.push(...page.data);
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(paged).toEqual(all);
    const page = await search.search({ terms, limit: 2 });
    await expect(search.search({ terms: parseSearchQuery('therapy'), limit: 2, cursor: page.nextCursor! })).rejects.toBeInstanceOf(CursorError);
    await expect(search.search({ terms, limit: 2, cursor: `${page.nextCursor!.slice(0, -2)}xx` })).rejects.toBeInstanceOf(CursorError);
  });
});
