/**
 * The search index against its port, on each store: it follows every write that changes what a
 * letter says (a first reading, a re-reading, a person's correction, a letter turning
 * UNRECOGNIZED, another form of a letter, a new file name), never lets an older entry replace a
 * newer one, and answers best first, page by page.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { open } from 'lmdb';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyCorrection, classifyLetter, CorrectionSchema, parseSearchQuery, type ClassifiedDetermination } from '../../functions/domain/index.ts';
import { LmdbDeterminationStore } from '../../functions/adapters/lmdb/determination-store.ts';
import { CursorCodec, CursorError } from '../../functions/common/cursor.ts';
import type { DeterminationStore, SearchIndex } from '../../functions/service/ports.ts';
import { saveCorrection, saveReading } from '../../functions/service/ledger.ts';
import { buildSearchEntry, drainSearchBacklog, type SearchDependencies } from '../../functions/service/search.ts';
import { letterText } from '../fixtures/factories.ts';
import { startLocalStack, type LocalStack } from './harness.ts';
import { DeleteCommand, DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { createTable } from '../../functions/adapters/dynamodb/table.ts';
import { DynamoDeterminationStore } from '../../functions/adapters/dynamodb/determination-store.ts';
import { DynamoSearchIndex, SearchEntryBusyError } from '../../functions/adapters/dynamodb/search-index.ts';

/** A letter built to order, its text and its reading. */
function letter(preamble: string[], items: Array<{ request: string; decision?: 'Upheld' | 'Overturned'; rationale?: string }>) {
  const text = letterText({ preamble, items });
  const determination = classifyLetter(text);
  if (determination.status !== 'CLASSIFIED') throw new Error('fixture letter not classified');
  return { text, determination: determination as ClassifiedDetermination };
}

const folder = mkdtempSync(join(tmpdir(), 'imr-search-'));
const stores: Record<string, () => Promise<{ store: DeterminationStore; search: SearchIndex }>> = {};
let stack: LocalStack;

beforeAll(async () => {
  stack = await startLocalStack();
  // A table of its own for each test: the index answers over every letter of its table.
  stores.dynamodb = async () => {
    const tableName = `imr-search-${Date.now()}-${Math.random().toString(36).slice(2, 8)}`;
    await createTable(stack.dynamoClient, tableName);
    const client = DynamoDBDocumentClient.from(stack.dynamoClient, { marshallOptions: { removeUndefinedValues: true } });
    const cursors = new CursorCodec('test-secret');
    return { store: new DynamoDeterminationStore(tableName, cursors, client), search: new DynamoSearchIndex(client, tableName, cursors) };
  };
  stores.lmdb = async () => {
    const store = LmdbDeterminationStore.open(join(folder, `store-${Date.now()}-${Math.random()}`), new CursorCodec('test-secret'));
    return { store, search: store.searchIndex };
  };
}, 60_000);

afterAll(async () => {
  await stack?.stop();
  rmSync(folder, { recursive: true, force: true });
});

describe('the LMDB search index and a deleted document', () => {
  it('forgets a deleted document: the same file brought in again is indexed afresh and found', async () => {
    const store = LmdbDeterminationStore.open(join(folder, 'deleted'), new CursorCodec('test-secret'));
    const id = 'deleted1'.padEnd(64, '0');
    const { text, determination } = letter([], [{ request: 'Baclofen 10mg #60' }]);
    const texts = new Map([[id, text]]);
    const deps: SearchDependencies = { store, objects: { getText: async (key) => texts.get(key) ?? null }, search: store.searchIndex };
    const find = async () => (await store.searchIndex.search({ terms: parseSearchQuery('baclofen'), limit: 10 })).data;
    await store.recordReceipt(id, 'imr-inbox/a.txt', '2026-01-01T10:00:00.000Z');
    await saveReading(store, id, determination, '2026-01-01T10:00:01.000Z');
    await drainSearchBacklog(deps, 10);
    expect(await find()).toEqual([id]);
    // Read again as not a letter (revision 2): it holds no words, then it is deleted.
    await saveReading(store, id, classifyLetter('INVOICE 4471\nOffice supplies, net 30 days.\n'), '2026-01-02T10:00:00.000Z');
    await drainSearchBacklog(deps, 10);
    const record = (await store.getDocument(id))!;
    const audit = {
      at: '2026-01-03T10:00:00.000Z',
      by: 'Pat',
      action: 'deleted',
      documentId: id,
      sourceKeys: [],
      fileNames: [],
      status: record.status,
      reasonCode: null,
      note: 'a wrong upload',
    } as const;
    expect(await store.removeDocument(id, { status: record.status, updatedAt: record.updatedAt }, audit)).toBe(true);
    // The same bytes again, read as the letter (revision 1): indexed, and found.
    await store.recordReceipt(id, 'imr-inbox/a-again.txt', '2026-01-04T10:00:00.000Z');
    await saveReading(store, id, determination, '2026-01-04T10:00:01.000Z');
    expect((await drainSearchBacklog(deps, 10)).failed).toBe(0);
    expect(await find()).toEqual([id]);
    await store.close();
  });
});

describe('the LMDB search index of a store written before it existed', () => {
  it('marks every letter already read once, when the store is first opened, so the indexer builds them all', async () => {
    const path = join(folder, 'older');
    const cursors = new CursorCodec('test-secret');
    let store = LmdbDeterminationStore.open(path, cursors);
    const read = letter([], [{ request: 'Baclofen 10mg #60' }]);
    for (const n of [1, 2]) {
      const id = `older${n}`.padEnd(64, '0');
      await store.recordReceipt(id, `imr-inbox/${n}.txt`, '2026-01-01T10:00:00.000Z');
      await saveReading(store, id, read.determination, '2026-01-01T10:00:01.000Z');
    }
    const deps = (opened: LmdbDeterminationStore): SearchDependencies => ({
      store: opened,
      objects: { getText: async () => read.text },
      search: opened.searchIndex,
    });
    await drainSearchBacklog(deps(store), 10);
    await store.close();
    // As a store of an earlier version: no index, and nothing saying its letters were marked.
    const raw = open({ path, compression: false });
    const search = raw.openDB({ name: 'search', compression: false });
    await search.clearAsync();
    await raw.close();
    store = LmdbDeterminationStore.open(path, cursors);
    expect((await store.searchIndex.backlog(10)).map((entry) => entry.id).sort()).toEqual(['older1'.padEnd(64, '0'), 'older2'.padEnd(64, '0')]);
    expect((await drainSearchBacklog(deps(store), 10)).indexed).toBe(2);
    expect((await store.searchIndex.search({ terms: parseSearchQuery('baclofen'), limit: 10 })).data).toHaveLength(2);
    await store.close();
    // Opened again: nothing is marked a second time.
    store = LmdbDeterminationStore.open(path, cursors);
    expect(await store.searchIndex.backlog(10)).toEqual([]);
    await store.close();
  });
});

describe.each(['lmdb', 'dynamodb'])('the %s search index', (name) => {
  /** The store, its index, the letters' texts, and a way to build what the commits marked. */
  async function setUp() {
    const { store, search } = await stores[name]!();
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
    const { store, texts, find, build } = await setUp();
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
    const { store, search, find } = await setUp();
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
    const { store, texts, find, search, build } = await setUp();
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

  it('pages through letters tied on their scores once each, though letters are indexed between the pages', async () => {
    const { store, texts, search, build } = await setUp();
    const tied = ids('t');
    // Three digits: 't1' padded with zeros would be 't10'.
    const id = (n: number) => tied(Number(`9${String(n).padStart(3, '0')}`));
    const read = async (n: number, request: string) => {
      const { text, determination } = letter([`Case Number: CM16-00${String(n).padStart(5, '0')}`, ''], [{ request }]);
      await store.recordReceipt(id(n), `imr-inbox/t${n}.txt`, '2026-04-01T10:00:00.000Z');
      texts.set(id(n), text);
      await saveReading(store, id(n), determination, '2026-04-01T10:00:01.000Z');
    };
    // Twelve letters that hold the word alike: every score ties.
    for (let n = 1; n <= 12; n++) await read(n, 'Percocet 10/325mg #90');
    await build();
    const terms = parseSearchQuery('percocet');
    const first = await search.search({ terms, limit: 5 });
    const paged = [...first.data];
    let cursor = first.nextCursor ?? undefined;
    // Between the pages, a letter without the word and one with it are indexed: the counts the scores are reckoned from move.
    await read(13, 'Physical therapy 2x6');
    await read(14, 'Percocet 10/325mg #90');
    await build();
    while (cursor) {
      const page = await search.search({ terms, limit: 5, cursor });
      paged.push(...page.data);
      cursor = page.nextCursor ?? undefined;
    }
    // The twelve that were there when the search began, each once (a letter indexed since is for the next search).
    expect([...paged].sort()).toEqual(Array.from({ length: 12 }, (_, i) => id(i + 1)).sort());
  });
});

describe('the DynamoDB search index, when two writers meet or one dies half way', () => {
  async function table() {
    const tableName = `imr-search-${Date.now()}-${Math.random().toString(36).slice(2, 8)}`;
    await createTable(stack.dynamoClient, tableName);
    return { tableName, client: DynamoDBDocumentClient.from(stack.dynamoClient, { marshallOptions: { removeUndefinedValues: true } }) };
  }
  const terms = (...words: string[]) => new Map(words.map((word) => [word, 10]));

  it('cleans up after a writer that died between its postings and its entry: the next write removes what it left', async () => {
    const { tableName, client } = await table();
    const cursors = new CursorCodec('test-secret');
    const id = 'died'.padEnd(64, '0');
    // A client whose entry commit fails once: the postings are written, the entry still names the words before.
    let failOnce = true;
    const dying = {
      send: (command: { input: { UpdateExpression?: string } }) => {
        if (failOnce && command.input.UpdateExpression?.startsWith('SET terms')) {
          failOnce = false;
          return Promise.reject(new Error('the function timed out'));
        }
        return client.send(command as never);
      },
    } as unknown as DynamoDBDocumentClient;
    const index = new DynamoSearchIndex(client, tableName, cursors);
    await index.put({ id, revision: 1, terms: terms('alpha') });
    await expect(new DynamoSearchIndex(dying, tableName, cursors).put({ id, revision: 2, terms: terms('alpha', 'strayword') })).rejects.toThrow(/timed out/);
    // Half written: the posting is there, though the entry does not hold it.
    const posting = async (word: string) =>
      (await client.send(new GetCommand({ TableName: tableName, Key: { pk: `SEARCH#W#${word}`, sk: '0000000001' } }))).Item;
    expect(await posting('strayword')).toBeDefined();
    const find = async (word: string) => (await index.search({ terms: parseSearchQuery(word), limit: 10 })).data;
    await index.put({ id, revision: 2, terms: terms('alpha', 'beta') });
    expect([await find('alpha'), await find('beta'), await find('strayword')]).toEqual([[id], [id], []]);
    expect(await posting('strayword')).toBeUndefined();
  });

  it('lets one writer at a time write a letter: another is told it is busy until the first lease runs out', async () => {
    const { tableName, client } = await table();
    const cursors = new CursorCodec('test-secret');
    const id = 'busy'.padEnd(64, '0');
    await client.send(
      new PutCommand({ TableName: tableName, Item: { pk: `SEARCH#L#${id}`, sk: 'ENTRY', lease: `${new Date(Date.now() + 60_000).toISOString()}#other` } }),
    );
    await expect(new DynamoSearchIndex(client, tableName, cursors).put({ id, revision: 1, terms: terms('gamma') })).rejects.toBeInstanceOf(
      SearchEntryBusyError,
    );
    const later = new DynamoSearchIndex(client, tableName, cursors, () => new Date(Date.now() + 120_000));
    await later.put({ id, revision: 1, terms: terms('gamma') });
    expect((await later.search({ terms: parseSearchQuery('gamma'), limit: 10 })).data).toEqual([id]);
  });
});

describe('the DynamoDB search index of a table written before it existed', () => {
  it('marks every letter read before, once, leaving the letters it holds already alone, so the sweep builds them', async () => {
    const tableName = `imr-search-${Date.now()}-backfill`;
    await createTable(stack.dynamoClient, tableName);
    const client = DynamoDBDocumentClient.from(stack.dynamoClient, { marshallOptions: { removeUndefinedValues: true } });
    const cursors = new CursorCodec('test-secret');
    const store = new DynamoDeterminationStore(tableName, cursors, client);
    const index = new DynamoSearchIndex(client, tableName, cursors);
    const read = letter([], [{ request: 'Baclofen 10mg #60' }]);
    const ids = [1, 2, 3].map((n) => `backfill${n}`.padEnd(64, '0'));
    for (const id of ids) {
      await store.recordReceipt(id, `imr-inbox/${id.slice(0, 9)}.txt`, '2026-01-01T10:00:00.000Z');
      await saveReading(store, id, read.determination, '2026-01-01T10:00:01.000Z');
    }
    const deps: SearchDependencies = { store, objects: { getText: async () => read.text }, search: index };
    // The first letter was indexed; the others were read before the index existed: no entry, no mark.
    await buildSearchEntry(deps, ids[0]!, (await index.markOf(ids[0]!))!);
    for (const id of ids.slice(1)) await client.send(new DeleteCommand({ TableName: tableName, Key: { pk: 'SEARCH', sk: `BEHIND#${id}` } }));
    expect(await index.backlog(10)).toEqual([]);
    expect(await index.backfill(Date.now() + 60_000)).toEqual({ marked: 2, done: true });
    expect((await index.backlog(10)).map((entry) => entry.id).sort()).toEqual(ids.slice(1));
    await drainSearchBacklog(deps, 10);
    expect((await index.search({ terms: parseSearchQuery('baclofen'), limit: 10 })).data.sort()).toEqual([...ids].sort());
    expect(await index.backfill(Date.now() + 60_000)).toEqual({ marked: 0, done: true });
  });
});
