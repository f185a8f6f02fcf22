/**
 * Keeping the search index up to date after a commit, as the functions on AWS do: ingest builds
 * a letter's entry from the text it has just read (it may not read it back), a correction's
 * from the stored text; a failure there is the backlog's, never the commit's.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { classifyLetter, parseSearchQuery, type ClassifiedDetermination } from '../../../functions/domain/index.ts';
import { LmdbDeterminationStore } from '../../../functions/adapters/lmdb/determination-store.ts';
import { CursorCodec } from '../../../functions/common/cursor.ts';
import { DocumentReader } from '../../../functions/reader/read-document.ts';
import { documentId, ingestObject, type IngestDependencies } from '../../../functions/service/ingest.ts';
import { reviewDetermination } from '../../../functions/service/review.ts';
import { saveReading } from '../../../functions/service/ledger.ts';
import { drainSearchBacklog, refreshSearchEntryAfterCommit, type SearchDependencies } from '../../../functions/service/search.ts';
import type { EventPublisher, ObjectStore, StoredReading } from '../../../functions/service/ports.ts';
import { letterText } from '../../fixtures/factories.ts';

const folder = mkdtempSync(join(tmpdir(), 'imr-search-service-'));
const stores: LmdbDeterminationStore[] = [];
afterAll(async () => {
  for (const store of stores) await store.close();
  rmSync(folder, { recursive: true, force: true });
});
const open = () => {
  const store = LmdbDeterminationStore.open(join(folder, String(stores.length)), new CursorCodec('test-secret'));
  stores.push(store);
  return store;
};
const find = async (store: LmdbDeterminationStore, query: string) => (await store.searchIndex.search({ terms: parseSearchQuery(query), limit: 10 })).data;
const quiet: EventPublisher = { publish: async () => undefined };
const letter = letterText({ preamble: ['Case Number: CM15-0044444', 'Employee: Renée Dubois', ''], items: [{ request: 'Lidoderm patches #30' }] });

describe('search entries built right after a commit', () => {
  it('by ingest, from the text it has just read: found at once, the text never read back', async () => {
    const store = open();
    const bytes = Buffer.from(letter);
    const stored = new Map<string, StoredReading>();
    const objects = {
      getWithin: async () => ({ bytes }),
      putReading: async (id: string, reading: StoredReading) => void stored.set(id, reading),
      getText: async () => {
        throw new Error('ingest reads no text back');
      },
    } as unknown as ObjectStore;
    const deps: IngestDependencies = {
      store,
      objects,
      events: quiet,
      reader: new DocumentReader(),
      now: () => new Date('2026-06-01T10:00:00Z'),
      search: store.searchIndex,
    };
    const { id, outcome } = await ingestObject(deps, 'imr-inbox', 'mail/dubois.txt', {});
    expect([id, outcome]).toEqual([documentId(bytes), 'CLASSIFIED']);
    expect(await store.searchIndex.backlog(10)).toEqual([]);
    expect(await find(store, 'renee dubois')).toEqual([id]);
    expect(await find(store, 'lidoderm')).toEqual([id]);
    expect(stored.get(id)?.text).toContain('Renée Dubois');
  });

  it('by a correction, from the stored text: the corrected request is found at once', async () => {
    const store = open();
    const id = 'd'.repeat(64);
    const read = classifyLetter(letter) as ClassifiedDetermination;
    await store.recordReceipt(id, 'imr-inbox/mail/dubois.txt', '2026-06-01T10:00:00.000Z');
    await saveReading(store, id, read, '2026-06-01T10:00:01.000Z');
    const search: Omit<SearchDependencies, 'store'> = { objects: { getText: async () => letter }, search: store.searchIndex };
    await drainSearchBacklog({ store, ...search }, 10);
    expect(await find(store, 'celebrex')).toEqual([]);
    await reviewDetermination(
      { store, events: quiet, now: () => new Date('2026-06-01T11:00:00Z'), search },
      { id, ifMatch: '1', body: { items: [{ index: 0, request: 'Celebrex 200mg #30' }] }, by: 'pat@firm.example' },
    );
    expect(await store.searchIndex.backlog(10)).toEqual([]);
    expect(await find(store, 'celebrex')).toEqual([id]);
  });

  it('leaves a failure to the backlog: the commit stands, the mark stays, and the next pass builds it', async () => {
    const store = open();
    const id = 'e'.repeat(64);
    const read = classifyLetter(letter) as ClassifiedDetermination;
    await store.recordReceipt(id, 'imr-inbox/mail/dubois.txt', '2026-06-01T10:00:00.000Z');
    await saveReading(store, id, read, '2026-06-01T10:00:01.000Z');
    const broken: SearchDependencies = {
      store,
      objects: {
        getText: async () => {
          throw new Error('the text bucket did not answer');
        },
      },
      search: store.searchIndex,
    };
    expect(await refreshSearchEntryAfterCommit(broken, id)).toMatchObject({ message: 'the text bucket did not answer' });
    expect((await store.getDetermination(id))?.revision).toBe(1);
    expect((await store.searchIndex.backlog(10)).map((entry) => entry.id)).toEqual([id]);
    const failures: string[] = [];
    expect(await drainSearchBacklog(broken, 10, { onError: (failed) => failures.push(failed) })).toEqual({
      indexed: 0,
      failed: 1,
      more: false,
      failedIds: [id],
    });
    expect(failures).toEqual([id]);
    expect(await drainSearchBacklog({ ...broken, objects: { getText: async () => letter } }, 10)).toEqual({
      indexed: 1,
      failed: 0,
      more: false,
      failedIds: [],
    });
    expect(await find(store, 'dubois')).toEqual([id]);
    // Up to date: nothing to do.
    expect(await refreshSearchEntryAfterCommit(broken, id)).toBeNull();
  });

  it('passes over the letters it is told to skip and builds the ones marked after them, in order', async () => {
    const store = open();
    const ids = ['1', '2', '3', '4'].map((digit) => digit.repeat(64));
    const read = classifyLetter(letter) as ClassifiedDetermination;
    for (const [n, id] of ids.entries()) {
      await store.recordReceipt(id, `imr-inbox/mail/${n}.txt`, '2026-06-01T10:00:00.000Z');
      await saveReading(store, id, read, `2026-06-01T10:00:0${n}.000Z`);
    }
    // The first letter's text cannot be read.
    const deps: SearchDependencies = {
      store,
      objects: {
        getText: async (id) => {
          if (id === ids[0]) throw new Error('the text bucket did not answer');
          return letter;
        },
      },
      search: store.searchIndex,
    };
    expect(await drainSearchBacklog(deps, 1)).toEqual({ indexed: 0, failed: 1, more: true, failedIds: [ids[0]] });
    // Told to pass over it, a pass of one takes the next letter; there are more behind it.
    expect(await drainSearchBacklog(deps, 1, { skip: new Set([ids[0]!]) })).toEqual({ indexed: 1, failed: 0, more: true, failedIds: [] });
    expect(await drainSearchBacklog(deps, 5, { skip: new Set([ids[0]!]) })).toEqual({ indexed: 2, failed: 0, more: false, failedIds: [] });
    // The one passed over is still marked, for a later pass.
    expect((await store.searchIndex.backlog(10)).map((entry) => entry.id)).toEqual([ids[0]]);
  });
});
