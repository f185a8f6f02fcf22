import { describe, expect, it } from 'vitest';
import { SearchIndexer } from '../../../functions/local/search-indexer.ts';
import type { SearchBacklogEntry, SearchEntry, SearchIndex } from '../../../functions/service/ports.ts';

/** A search index holding marks in a list: what the indexer reads and writes through its port. */
function indexWith(marked: string[], broken: ReadonlySet<string> = new Set()): SearchIndex & { readonly built: string[] } {
  const built: string[] = [];
  return {
    built,
    put: async (entry: SearchEntry) => {
      if (broken.has(entry.id)) throw new Error('this entry cannot be written');
      built.push(entry.id);
      marked.splice(marked.indexOf(entry.id), 1);
    },
    search: async () => ({ data: [], nextCursor: null }),
    backlog: async (limit: number): Promise<SearchBacklogEntry[]> => marked.slice(0, limit).map((id) => ({ id, mark: `m-${id}` })),
    markOf: async (id: string) => (marked.includes(id) ? `m-${id}` : null),
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
// No letter stored under these ids: each entry is built empty, from nothing read.
const deps = (search: SearchIndex) => ({ store: { getDetermination: async () => null }, objects: { getText: async () => null }, search });

describe('the local search indexer', () => {
  it('gives way while letters are being read, and builds what is marked once the lanes are empty', async () => {
    const search = indexWith(['a', 'b']);
    let busy = true;
    const indexer = new SearchIndexer(
      deps(search),
      () => undefined,
      () => busy,
    );
    indexer.start();
    await sleep(100);
    expect(search.built).toEqual([]);
    busy = false;
    await indexer.idle();
    expect(search.built).toEqual(['a', 'b']);
    await indexer.stop();
  });

  it('still builds a batch now and then while letters never stop coming, so search is never left behind for good', async () => {
    const marked = Array.from({ length: 12 }, (_, i) => `letter-${i}`);
    const search = indexWith(marked);
    const indexer = new SearchIndexer(
      deps(search),
      () => undefined,
      () => true,
    );
    indexer.start();
    await sleep(1_500);
    expect(search.built.length).toBeGreaterThanOrEqual(5);
    await indexer.stop();
  });

  it('passes over letters that cannot be built, so a run of them at the head of the backlog never holds back the letters behind', async () => {
    const broken = Array.from({ length: 7 }, (_, i) => `broken-${i}`);
    const good = Array.from({ length: 6 }, (_, i) => `good-${i}`);
    const search = indexWith([...broken, ...good], new Set(broken));
    const failures: string[] = [];
    const indexer = new SearchIndexer(deps(search), (id) => failures.push(id));
    indexer.start();
    await indexer.idle();
    expect(search.built).toEqual(good);
    // Each broken letter was tried once, said so, and is still marked (tried again later).
    expect(failures.sort()).toEqual([...broken].sort());
    expect((await search.backlog(100)).map((entry) => entry.id)).toEqual(broken);
    await indexer.stop();
  });
});
