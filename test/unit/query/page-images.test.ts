import { beforeAll, describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { route } from '../../../functions/query/routes.ts';
import { PAGE_IMAGE_MAX_BYTES } from '../../../functions/reader/pages.ts';
import type { DeterminationStore, DocumentRecord, ObjectStore, PageImageCache } from '../../../functions/service/ports.ts';

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
