import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeleteObjectsCommand, GetObjectCommand, ListObjectsV2Command, NoSuchKey, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { open } from 'lmdb';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { LmdbDeterminationStore } from '../../../functions/adapters/lmdb/determination-store.ts';
import { LmdbReadingStore } from '../../../functions/adapters/lmdb/reading-store.ts';
import { StoredReadingCorruptError } from '../../../functions/adapters/errors.ts';
import { CursorCodec } from '../../../functions/common/cursor.ts';
import { LocalObjectStore } from '../../../functions/local/local-objects.ts';
import type { StoredReading } from '../../../functions/service/ports.ts';

const s3 = mockClient(S3Client);
const folder = mkdtempSync(join(tmpdir(), 'imr-local-objects-'));
const opened: LmdbDeterminationStore[] = [];
afterAll(async () => {
  for (const store of opened) await store.close();
  rmSync(folder, { recursive: true, force: true });
});

/** A store in a folder of its own (or `name`'s again), and the local objects over it and a mocked S3. */
function objectsIn(name = String(opened.length)) {
  const store = LmdbDeterminationStore.open(join(folder, name), new CursorCodec('test-secret'));
  opened.push(store);
  return { store, objects: new LocalObjectStore('imr-text', new S3Client({ region: 'us-east-1' }), store.readings) };
}

const id = 'c'.repeat(64);
const missing = new NoSuchKey({ message: 'gone', $metadata: {} });
const body = (text: string) => ({ Body: { transformToString: async () => text } }) as never;
const reading = (overrides: Partial<StoredReading> = {}): StoredReading => ({
  text: 'Case Number: CM13-0000001\nFlexeril 7.5mg #60: Upheld',
  context: { pageCount: 2, ocrConfidence: 91, incomplete: ['page 2 of 2 could not be read'] },
  ...overrides,
});

describe('the local service keeps readings in its store', () => {
  beforeEach(() => {
    s3.reset();
    s3.onAnyCommand().rejects(new Error('the text bucket was asked'));
  });

  it('writes a reading to the store, not to the text bucket, and reads it back whole after the store is opened again', async () => {
    const layout = { pages: [[{ text: 'Flexeril 7.5mg #60: Upheld', box: [0.09, 0.25, 0.28, 0.27] as const }], null] };
    const first = objectsIn('reopened');
    await first.objects.putReading(id, reading({ layout }));
    await first.store.close();
    opened.pop();
    const { objects } = objectsIn('reopened');
    expect(await objects.getReading(id)).toEqual({ text: reading().text, context: reading().context });
    expect(await objects.getText(id)).toBe(reading().text);
    expect(await objects.getLayout(id)).toEqual(layout);
    expect(s3.calls()).toHaveLength(0);
  });

  it("answers a reading kept without line boxes with none, without asking the bucket for an earlier version's", async () => {
    const { objects } = objectsIn();
    await objects.putReading(id, reading());
    expect(await objects.getLayout(id)).toBeNull();
    expect(s3.calls()).toHaveLength(0);
  });

  it('a reading written again replaces the one before', async () => {
    const { objects } = objectsIn();
    await objects.putReading(id, reading());
    await objects.putReading(id, reading({ text: 'read again', context: {} }));
    expect(await objects.getReading(id)).toEqual({ text: 'read again', context: {} });
  });

  it('still reads a reading an earlier version kept in the text bucket, and says none when neither has one', async () => {
    const { objects } = objectsIn();
    s3.on(GetObjectCommand, { Bucket: 'imr-text', Key: `text/${id}.json` }).resolves(body(JSON.stringify({ text: 'kept in S3', context: { pageCount: 1 } })));
    expect(await objects.getReading(id)).toEqual({ text: 'kept in S3', context: { pageCount: 1 } });
    expect(await objects.getText(id)).toBe('kept in S3');
    expect(await objects.getLayout(id)).toBeNull();
    const other = 'd'.repeat(64);
    s3.on(GetObjectCommand, { Key: `text/${other}.json` }).rejects(missing);
    s3.on(GetObjectCommand, { Key: `text/${other}.txt` }).rejects(missing);
    expect(await objects.getReading(other)).toBeNull();
    expect(await objects.getText(other)).toBeNull();
  });

  it("removes a document's reading from the store, and its page images and any earlier reading from the bucket, counting each", async () => {
    const { store, objects } = objectsIn();
    await objects.putReading(id, reading());
    s3.on(ListObjectsV2Command, { Prefix: `text/${id}.` }).resolves({ Contents: [{ Key: `text/${id}.json` }] });
    s3.on(ListObjectsV2Command, { Prefix: `pages/${id}/` }).resolves({ Contents: [{ Key: `pages/${id}/v2/1.png` }, { Key: `pages/${id}/v2/2.png` }] });
    s3.on(DeleteObjectsCommand).resolves({});
    expect(await objects.removeDerived(id)).toBe(4);
    expect(s3.commandCalls(DeleteObjectsCommand).map((call) => call.args[0].input)).toEqual([
      { Bucket: 'imr-text', Delete: { Objects: [{ Key: `text/${id}.json` }], Quiet: true } },
      { Bucket: 'imr-text', Delete: { Objects: [{ Key: `pages/${id}/v2/1.png` }, { Key: `pages/${id}/v2/2.png` }], Quiet: true } },
    ]);
    s3.on(GetObjectCommand).rejects(missing);
    expect(await objects.getReading(id)).toBeNull();
    // The bucket first: when it fails, the store's reading (the newest) stays the one read.
    await objects.putReading(id, reading({ text: 'kept' }));
    s3.reset();
    s3.on(ListObjectsV2Command).rejects(new Error('the endpoint is down'));
    await expect(objects.removeDerived(id)).rejects.toThrow('the endpoint is down');
    expect(await objects.getText(id)).toBe('kept');
    await store.readings.removeReading(id);
    // Nothing left to remove: nothing counted.
    s3.reset();
    s3.on(ListObjectsV2Command).resolves({ Contents: [] });
    expect(await objects.removeDerived(id)).toBe(0);
  });

  it('refuses a stored value it did not write rather than read it as an empty letter', async () => {
    const db = open({ path: join(folder, 'raw'), compression: false });
    const values = db.openDB<string, string>({ name: 'readings', compression: false, encoding: 'string' });
    const readings = new LmdbReadingStore(values);
    await values.put(id, '{"text": "cut sho');
    await expect(readings.getReading(id)).rejects.toBeInstanceOf(StoredReadingCorruptError);
    await values.put(id, '{"text": 12}');
    await expect(readings.getText(id)).rejects.toMatchObject({ code: 'READING_CORRUPT' });
    // Its line boxes are left out, never an error: the console shows the page without marks.
    expect(await readings.getLayout(id)).toBeNull();
    await db.close();
  });
});
