import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Storage } from '../../../../functions/local/s3/storage.ts';
import { PreconditionFailedError } from '../../../../functions/local/s3/errors.ts';

const METADATA = { contentType: 'application/pdf', headers: {}, userMetadata: {} };
const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

/** The local S3 endpoint's storage, its index commits batched: the orders a batch can put two requests' steps in. */
describe('Storage (batched index commits)', () => {
  let folder: string;
  let storage: Storage;
  beforeEach(() => {
    folder = mkdtempSync(join(tmpdir(), 'imr-storage-'));
    storage = Storage.open(folder);
  });
  afterEach(async () => {
    await storage.close();
    rmSync(folder, { recursive: true, force: true });
  });

  /** Receives `body` as an upload would: a flushed temporary file. */
  async function received(body: Buffer) {
    const file = await storage.files.write(
      (async function* () {
        yield body;
      })(),
      'tmp',
    );
    return { path: file.path, digest: { size: body.length, sha256: sha256(body), etag: 'e' } };
  }

  it('keeps a blob its last key lost when an upload of the same bytes is committed in the same batch', async () => {
    const bytes = Buffer.from('the letter, twice');
    const first = await received(bytes);
    await storage.commit('inbox', 'old.pdf', first.path, first.digest, METADATA);
    const again = await received(bytes);
    // Same tick: the delete drops the last reference, the upload links the bytes again, then the delete's removal is decided.
    await Promise.all([storage.delete('inbox', 'old.pdf'), storage.commit('inbox', 'new.pdf', again.path, again.digest, METADATA)]);
    expect(storage.head('inbox', 'old.pdf')).toBeUndefined();
    const opened = storage.open('inbox', 'new.pdf')!;
    expect(readFileSync(opened.fd).equals(bytes)).toBe(true);
  });

  it('removes the blob of an overwritten object once nothing names it, and keeps one another key still names', async () => {
    const [a, b] = [Buffer.from('first reading'), Buffer.from('second reading')];
    for (const key of ['x', 'y']) {
      const file = await received(a);
      await storage.commit('text', key, file.path, file.digest, METADATA);
    }
    const over = await received(b);
    await storage.commit('text', 'x', over.path, over.digest, METADATA);
    expect(existsSync(storage.files.blobPath(sha256(a)))).toBe(true);
    const overY = await received(b);
    await storage.commit('text', 'y', overY.path, overY.digest, METADATA);
    expect(existsSync(storage.files.blobPath(sha256(a)))).toBe(false);
    expect(existsSync(storage.files.blobPath(sha256(b)))).toBe(true);
  });

  it('refuses an If-None-Match write over an object, in the same batch as the write that made it, and leaves no file behind', async () => {
    const [one, two] = [await received(Buffer.from('one')), await received(Buffer.from('two'))];
    const results = await Promise.allSettled([
      storage.commit('inbox', 'k', one.path, one.digest, METADATA, { ifNoneMatch: true }),
      storage.commit('inbox', 'k', two.path, two.digest, METADATA, { ifNoneMatch: true }),
    ]);
    expect(results.map((result) => result.status)).toEqual(['fulfilled', 'rejected']);
    expect((results[1] as PromiseRejectedResult).reason).toBeInstanceOf(PreconditionFailedError);
    expect(storage.head('inbox', 'k')?.sha256).toBe(one.digest.sha256);
    expect(existsSync(two.path)).toBe(false);
    expect(existsSync(storage.files.blobPath(two.digest.sha256))).toBe(false);
  });

  it('abandons a change whose own step throws (a multipart upload aborted meanwhile), and leaves no file of it', async () => {
    const file = await received(Buffer.from('a multipart object'));
    await expect(
      storage.commit('inbox', 'm', file.path, file.digest, METADATA, {
        within: () => {
          throw new Error('the upload was aborted meanwhile');
        },
      }),
    ).rejects.toThrow('aborted');
    expect(storage.head('inbox', 'm')).toBeUndefined();
    expect(existsSync(file.path)).toBe(false);
    expect(existsSync(storage.files.blobPath(file.digest.sha256))).toBe(false);
  });
});
