/**
 * A long export shares the event loop and stops for a client that went away: the API's other
 * requests are answered between its pages, and an abandoned export reads no further.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { classifyLetter } from '../../../functions/domain/index.ts';
import { LmdbDeterminationStore } from '../../../functions/adapters/lmdb/determination-store.ts';
import { CursorCodec } from '../../../functions/common/cursor.ts';
import { route } from '../../../functions/query/routes.ts';
import { httpAnswer } from '../../../functions/query/http-errors.ts';
import { saveReading } from '../../../functions/service/ledger.ts';
import type { DeterminationStore } from '../../../functions/service/ports.ts';
import { letterText } from '../../fixtures/factories.ts';

const LETTERS = 350;
const folder = mkdtempSync(join(tmpdir(), 'imr-export-'));
let store: LmdbDeterminationStore;

beforeAll(async () => {
  store = LmdbDeterminationStore.open(folder, new CursorCodec('test-secret'));
  const determination = classifyLetter(letterText({ items: [{ request: 'Acupuncture 1 x 6', decision: 'Overturned' }] }));
  for (let i = 0; i < LETTERS; i += 1) {
    const id = i.toString(16).padStart(64, '0');
    const at = new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString();
    await store.recordReceipt(id, `inbox/${i}.txt`, at);
    await saveReading(store, id, determination, at);
  }
});

afterAll(async () => {
  await store?.close();
  rmSync(folder, { recursive: true, force: true });
});

describe('a CSV export', () => {
  it('lets other work run between its pages, and still holds every letter', async () => {
    let turns = 0;
    let exporting = true;
    // Another request's turn: it runs only when the event loop gets back to it.
    const other = (async () => {
      while (exporting) {
        await new Promise((resolveTurn) => setImmediate(resolveTurn));
        turns += 1;
      }
    })();
    const answer = await route(store, { method: 'GET', path: '/determinations', query: { format: 'csv' } });
    exporting = false;
    await other;
    expect(answer.headers?.['x-total-rows']).toBe(String(LETTERS));
    // Four pages of 100: the other work had a turn between each.
    expect(turns).toBeGreaterThanOrEqual(3);
  });

  it('stops reading when its client goes away, answered as 499 and not logged as a failure', async () => {
    const gone = new AbortController();
    let pages = 0;
    const watched = new Proxy(store, {
      get(target, name, receiver) {
        if (name !== 'listDeterminations') return Reflect.get(target, name, receiver);
        return async (...args: Parameters<DeterminationStore['listDeterminations']>) => {
          pages += 1;
          const page = await target.listDeterminations(...args);
          gone.abort(); // the client closes its connection after the first page
          return page;
        };
      },
    });
    const error = await route(watched, { method: 'GET', path: '/determinations', query: { format: 'csv' }, signal: gone.signal }).catch(
      (problem: unknown) => problem,
    );
    expect((error as Error).name).toBe('AbortError');
    expect(pages).toBe(1);
    expect(httpAnswer(error).statusCode).toBe(499);
  });
});

describe('the calendar feed', () => {
  it('writes its events a page of letters at a time, with other work let in between, and still holds every letter', async () => {
    // A letter counts as written once the feed reads its deadlines: the store's own filter reads them before the page is handed over.
    const written = new Set<string>();
    const watched = new Proxy(store, {
      get(target, name, receiver) {
        if (name !== 'listDeterminations') return Reflect.get(target, name, receiver);
        return async (...args: Parameters<DeterminationStore['listDeterminations']>) => {
          const page = await target.listDeterminations(...args);
          const data = page.data.map(
            (letter) => new Proxy(letter, { get: (one, key, again) => (key === 'deadlines' && written.add(one.id), Reflect.get(one, key, again)) }),
          );
          return { ...page, data };
        };
      },
    });
    const seen: number[] = [];
    let exporting = true;
    const other = (async () => {
      while (exporting) {
        await new Promise((resolveTurn) => setImmediate(resolveTurn));
        seen.push(written.size);
      }
    })();
    const answer = await route(watched, { method: 'GET', path: '/deadlines.ics', query: {} });
    exporting = false;
    await other;
    seen.push(written.size);
    expect(written.size).toBe(LETTERS);
    expect((answer.body as string).match(/^BEGIN:VEVENT\r$/gm)).toHaveLength(LETTERS * 2);
    // Between two turns of the other work, at most one page (100 letters) was written: never the whole feed in one block.
    const steps = seen.slice(1).map((size, index) => size - seen[index]!);
    expect(Math.max(...steps)).toBeLessThanOrEqual(100);
  });
});
