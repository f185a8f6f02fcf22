import { beforeAll, describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { route } from '../../../functions/query/routes.ts';
import { PAGE_IMAGE_MAX_BYTES } from '../../../functions/reader/pages.ts';
import type { DeterminationStore, DocumentRecord, ObjectStore, PageImageCache } from '../../../functions/service/ports.ts';
import { PageLinesSchema } from '../../../functions/query/answers.ts';

const id = 'e'.repeat(64);
/** Lambda's response limit: a binary body travels base64-encoded inside it. */
const LAMBDA_RESPONSE_BYTES = 6 * 1024 * 1024;

/** A store that knows one document, a phone photo delivered as `imr-inbox/photo.jpg`. */
const store = {
  getDocument: async (): Promise<DocumentRecord> => ({
    id,
    status: 'CLASSIFIED',
    reason: null,
    receivedAt: '2026-11-22T10:00:00.000Z',
    updatedAt: '2026-11-22T10:00:01.000Z',
    sourceKeys: ['imr-inbox/photo.jpg'],
  }),
  // The whole file: no page range of a letter within it.
  getDetermination: async () => null,
} as unknown as DeterminationStore;

/** A 12-megapixel phone photo of a page: 4000 x 3000, with the grain of a camera sensor. */
let photo: Buffer;
beforeAll(async () => {
  photo = await sharp({ create: { width: 4000, height: 3000, channels: 3, background: '#f4f1ea', noise: { type: 'gaussian', mean: 200, sigma: 40 } } })
    .jpeg({ quality: 92 })
    .toBuffer();
}, 60_000);

/** A page cache that keeps what it is given, seeded with `cached`. */
function cacheWith(cached: Uint8Array | null): PageImageCache & { puts: Uint8Array[] } {
  const puts: Uint8Array[] = [];
  return {
    puts,
    getPageImage: async () => cached,
    putPageImage: async (_id: string, _page: number, png: Uint8Array) => {
      puts.push(png);
    },
  };
}

describe('a page image of a phone photo', () => {
  it('is answered as a PNG small enough for a Lambda response, and cached at that size', async () => {
    const pageCache = cacheWith(null);
    const originals = { get: async () => new Uint8Array(photo) } as unknown as Pick<ObjectStore, 'get'>;
    const response = await route(store, { method: 'GET', path: `/documents/${id}/pages/1`, query: {} }, { originals, pageCache });
    const body = response.body as Buffer;
    expect(response).toMatchObject({ statusCode: 200, contentType: 'image/png' });
    expect(body.length).toBeLessThanOrEqual(PAGE_IMAGE_MAX_BYTES);
    expect(Math.ceil(body.length / 3) * 4).toBeLessThan(LAMBDA_RESPONSE_BYTES);
    const { format, width = 0 } = await sharp(body).metadata();
    expect(format).toBe('png');
    expect(width).toBeGreaterThanOrEqual(800);
    expect(pageCache.puts.map((png) => png.length)).toEqual([body.length]);
  }, 60_000);

  it('is drawn again when the image cached by an earlier version is over the limit', async () => {
    const oversized = new Uint8Array(PAGE_IMAGE_MAX_BYTES + 1);
    const pageCache = cacheWith(oversized);
    const originals = { get: async () => new Uint8Array(photo) } as unknown as Pick<ObjectStore, 'get'>;
    const response = await route(store, { method: 'GET', path: `/documents/${id}/pages/1`, query: {} }, { originals, pageCache });
    expect((response.body as Buffer).length).toBeLessThanOrEqual(PAGE_IMAGE_MAX_BYTES);
    expect(pageCache.puts).toHaveLength(1);
  }, 60_000);
});

describe('a page image of a standard-resolution fax', () => {
  it('is answered at the proportions of the printed page (a letter page, 1.29 as tall as wide), not squashed to half', async () => {
    const { g4Tiff } = await import('../../fixtures/scans.ts');
    const page = await sharp({ create: { width: 1728, height: 1078, channels: 3, background: '#ffffff' } })
      .png()
      .toBuffer();
    const fax = await g4Tiff([page], 98);
    const faxStore = {
      ...store,
      getDocument: async () => ({ ...(await store.getDocument(id))!, sourceKeys: ['imr-inbox/fax.tif'] }),
    } as unknown as DeterminationStore;
    const originals = { get: async () => new Uint8Array(fax) } as unknown as Pick<ObjectStore, 'get'>;
    const response = await route(faxStore, { method: 'GET', path: `/documents/${id}/pages/1`, query: {} }, { originals, pageCache: cacheWith(null) });
    const { width = 0, height = 0 } = await sharp(response.body as Buffer).metadata();
    expect(height / width).toBeGreaterThan(1.25);
    expect(height / width).toBeLessThan(1.34);
  }, 60_000);
});

describe('the lines of a page (GET /documents/{id}/pages/{n}/lines)', () => {
  const line = (text: string, top: number) => ({ text, box: [0.09, top, 0.5, top + 0.012] as const });
  const layout = { pages: [[line('cover sheet', 0.1)], null, [line('Flexeril 7.5mg #60: Upheld', 0.25)]] };
  const asked: string[] = [];
  const objects = {
    getText: async () => null,
    getLayout: async (documentId: string) => {
      asked.push(documentId);
      return documentId === id ? layout : null;
    },
  };
  const storeOf = (determination: object | null, known = true) =>
    ({ getDetermination: async () => determination, getDocument: async () => (known ? { id } : null) }) as unknown as DeterminationStore;
  const letterId = 'f'.repeat(64);

  it("answers a page's lines (as the OpenAPI document describes them), and a page with none kept as an empty list", async () => {
    const answer = await route(storeOf(null), { method: 'GET', path: `/documents/${id}/pages/3/lines`, query: {} }, { objects });
    expect(answer.body).toEqual({ page: 3, lines: layout.pages[2] });
    expect(PageLinesSchema.safeParse(answer.body).success).toBe(true);
    expect((await route(storeOf(null), { method: 'GET', path: `/documents/${id}/pages/2/lines`, query: {} }, { objects })).body).toEqual({
      page: 2,
      lines: [],
    });
    expect((await route(storeOf(null), { method: 'GET', path: `/documents/${id}/pages/9/lines`, query: {} }, { objects })).body).toEqual({
      page: 9,
      lines: [],
    });
  });

  it("answers a letter of a file that held several with its file's pages, as its page images are", async () => {
    asked.length = 0;
    const letter = storeOf({ id: letterId, sourceDocument: id, pages: { from: 2, to: 3 } });
    expect((await route(letter, { method: 'GET', path: `/documents/${letterId}/pages/2/lines`, query: {} }, { objects })).body).toEqual({
      page: 2,
      lines: layout.pages[2],
    });
    expect(asked).toEqual([id]);
  });

  it("maps a letter's page to its file's page: a single letter keeps the file's pages (its cover sheet included); a letter of several skips a blank back set aside", async () => {
    // One letter after a cover sheet: its text is the file's, so its page 3 is the file's page 3 (not 4).
    const single = storeOf({ id, pages: { from: 2, to: 3 } });
    expect((await route(single, { method: 'GET', path: `/documents/${id}/pages/3/lines`, query: {} }, { objects })).body).toEqual({
      page: 3,
      lines: layout.pages[2],
    });
    // A letter of pages 1-3 whose page 2 (a blank back) was set aside: its text's page 2 is the file's page 3.
    const split = {
      getDetermination: async () => ({ id: letterId, sourceDocument: id, pages: { from: 1, to: 3 } }),
      getDocument: async (asked: string) =>
        asked === id
          ? { id, split: { letters: [{ id: letterId, from: 1, to: 3 }], setAside: [{ page: 2, role: 'BLANK', evidence: 'blank' }] } }
          : { id: asked },
    } as unknown as DeterminationStore;
    expect((await route(split, { method: 'GET', path: `/documents/${letterId}/pages/2/lines`, query: {} }, { objects })).body).toEqual({
      page: 2,
      lines: layout.pages[2],
    });
    // Past its last page: nothing.
    expect((await route(split, { method: 'GET', path: `/documents/${letterId}/pages/3/lines`, query: {} }, { objects })).body).toEqual({ page: 3, lines: [] });
  });

  it('is not found for a document it does not know, and not offered without a store of layouts', async () => {
    await expect(route(storeOf(null, false), { method: 'GET', path: `/documents/${id}/pages/1/lines`, query: {} }, { objects })).rejects.toMatchObject({
      statusCode: 404,
    });
    await expect(route(storeOf(null), { method: 'GET', path: `/documents/${id}/pages/0/lines`, query: {} }, { objects })).rejects.toMatchObject({
      statusCode: 400,
    });
    await expect(
      route(storeOf(null), { method: 'GET', path: `/documents/${id}/pages/1/lines`, query: {} }, { objects: { getText: async () => null } }),
    ).rejects.toMatchObject({ statusCode: 404 });
  });
});
