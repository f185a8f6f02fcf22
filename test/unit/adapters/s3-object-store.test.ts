import { Readable } from 'node:stream';
import { GetObjectCommand, NoSuchKey, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { S3ObjectStore } from '../../../functions/adapters/s3/object-store.ts';
import { StoredReadingCorruptError } from '../../../functions/adapters/errors.ts';
import { ObjectMissingError } from '../../../functions/service/ports.ts';

const s3 = mockClient(S3Client);
const store = new S3ObjectStore('text-bucket', new S3Client({ region: 'us-west-2' }));

/** A GetObject answer whose body (a stream, as the SDK gives) records whether it was read or dropped. */
function answer(bytes: Buffer, declared = bytes.length) {
  const body = Object.assign(Readable.from([bytes]), { transformToByteArray: async () => new Uint8Array(bytes) });
  return { body, output: { ContentLength: declared, Body: body } };
}

describe('S3ObjectStore.getWithin', () => {
  beforeEach(() => s3.reset());

  it('answers the bytes of an object within the limit, in one GetObject (no HeadObject first)', async () => {
    s3.on(GetObjectCommand, { Bucket: 'inbox', Key: 'a/letter.pdf' }).resolves(answer(Buffer.from('%PDF-1.7 letter')).output as never);
    const got = await store.getWithin('inbox', 'a/letter.pdf', 1024);
    expect('bytes' in got && Buffer.from(got.bytes).toString()).toBe('%PDF-1.7 letter');
    expect(s3.calls().map((call) => call.args[0].constructor.name)).toEqual(['GetObjectCommand']);
  });

  it('answers only the size of an object over the limit and drops its body unread', async () => {
    const { body, output } = answer(Buffer.alloc(16), 600 * 1024 * 1024);
    s3.on(GetObjectCommand).resolves(output as never);
    expect(await store.getWithin('inbox', 'huge.tif', 500 * 1024 * 1024)).toEqual({ tooLarge: 600 * 1024 * 1024 });
    expect(body.destroyed).toBe(true);
  });

  it('says an object is missing with ObjectMissingError, not the SDK error', async () => {
    s3.on(GetObjectCommand).rejects(new NoSuchKey({ message: 'gone', $metadata: {} }));
    await expect(store.getWithin('inbox', 'gone.pdf', 1024)).rejects.toBeInstanceOf(ObjectMissingError);
  });
});

describe('S3ObjectStore readings', () => {
  beforeEach(() => s3.reset());
  const id = 'a'.repeat(64);
  const text = (body: string) => ({ Body: { transformToString: async () => body } }) as never;
  const missing = new NoSuchKey({ message: 'gone', $metadata: {} });

  it('keeps a reading as one object, its text and context together', async () => {
    s3.on(PutObjectCommand).resolves({});
    await store.putReading(id, { text: 'Case Number: CM13-0000001', context: { pageCount: 2, incomplete: ['page 2 of 2 could not be read'] } });
    const puts = s3.commandCalls(PutObjectCommand).map((call) => call.args[0].input);
    expect(puts).toHaveLength(1);
    expect(puts[0]).toMatchObject({ Bucket: 'text-bucket', Key: `text/${id}.json`, ContentType: 'application/json' });
    expect(JSON.parse(String(puts[0]!.Body))).toEqual({
      text: 'Case Number: CM13-0000001',
      context: { pageCount: 2, incomplete: ['page 2 of 2 could not be read'] },
    });
  });

  it('reads it back in one GetObject, the text alone too', async () => {
    s3.on(GetObjectCommand, { Key: `text/${id}.json` }).resolves(text(JSON.stringify({ text: 'the letter', context: { pageCount: 1 } })));
    expect(await store.getReading(id)).toEqual({ text: 'the letter', context: { pageCount: 1 } });
    expect(await store.getText(id)).toBe('the letter');
    expect(s3.commandCalls(GetObjectCommand).map((call) => call.args[0].input.Key)).toEqual([`text/${id}.json`, `text/${id}.json`]);
  });

  it('still reads a reading an earlier version stored as two objects, and one stored before contexts were kept', async () => {
    s3.on(GetObjectCommand, { Key: `text/${id}.json` }).rejects(missing);
    s3.on(GetObjectCommand, { Key: `text/${id}.txt` }).resolves(text('the old letter'));
    s3.on(GetObjectCommand, { Key: `text/${id}.reading.json` }).resolves(text(JSON.stringify({ pageCount: 3 })));
    expect(await store.getReading(id)).toEqual({ text: 'the old letter', context: { pageCount: 3 } });
    s3.on(GetObjectCommand, { Key: `text/${id}.reading.json` }).rejects(missing);
    expect(await store.getReading(id)).toEqual({ text: 'the old letter', context: null });
  });

  it('answers null for a document with no reading, in either form', async () => {
    s3.on(GetObjectCommand).rejects(missing);
    expect(await store.getReading(id)).toBeNull();
    expect(await store.getText(id)).toBeNull();
  });

  it('refuses a reading object it did not write rather than read it as an empty letter', async () => {
    s3.on(GetObjectCommand, { Key: `text/${id}.json` }).resolves(text('{"text": 12}'));
    await expect(store.getReading(id)).rejects.toBeInstanceOf(StoredReadingCorruptError);
    s3.on(GetObjectCommand, { Key: `text/${id}.json` }).resolves(text('{"text": "cut sho'));
    await expect(store.getText(id)).rejects.toMatchObject({ code: 'READING_CORRUPT' });
  });

  it('keeps where the lines lie on the pages in the same object, and reads them back checked', async () => {
    s3.on(PutObjectCommand).resolves({});
    const layout = { pages: [[{ text: 'Flexeril 7.5mg #60: Upheld', box: [0.09, 0.25, 0.28, 0.27] as const }], null] };
    await store.putReading(id, { text: 'the letter', context: {}, layout });
    const puts = s3.commandCalls(PutObjectCommand).map((call) => call.args[0].input);
    expect(puts).toHaveLength(1);
    const body = String(puts[0]!.Body);
    expect(JSON.parse(body)).toEqual({ text: 'the letter', context: {}, layout });
    s3.on(GetObjectCommand, { Key: `text/${id}.json` }).resolves(text(body));
    expect(await store.getLayout(id)).toEqual(layout);
    expect(await store.getText(id)).toBe('the letter');
    // A reading with none, one of another shape, or none at all: no lines, never an error.
    s3.on(GetObjectCommand, { Key: `text/${id}.json` }).resolves(text(JSON.stringify({ text: 'the letter', context: {} })));
    expect(await store.getLayout(id)).toBeNull();
    s3.on(GetObjectCommand, { Key: `text/${id}.json` }).resolves(text('{"text": "cut sho'));
    expect(await store.getLayout(id)).toBeNull();
    s3.on(GetObjectCommand, { Key: `text/${id}.json` }).rejects(missing);
    expect(await store.getLayout(id)).toBeNull();
  });

  it('keeps page images under a versioned key: a squashed fax page drawn by an earlier version is never served again', async () => {
    s3.on(PutObjectCommand).resolves({});
    await store.putPageImage(id, 3, new Uint8Array([1]));
    expect(s3.commandCalls(PutObjectCommand)[0]!.args[0].input.Key).toBe(`pages/${id}/v2/3.png`);
  });
});

describe('S3ObjectStore.uploadForm (a presigned POST)', () => {
  it('signs a policy that pins the bucket, the key, every metadata field and the exact size, for the time asked', async () => {
    const signer = new S3ObjectStore(
      'text-bucket',
      new S3Client({ region: 'us-west-2', credentials: { accessKeyId: 'AKIAEXAMPLE', secretAccessKey: 'secret', sessionToken: 'session' } }),
    );
    const before = Date.now();
    const form = await signer.uploadForm(
      'inbox-bucket',
      'console/2026-11-30/160509-bbbbbbbb/letter.pdf',
      { 'imr-channel': 'console', 'imr-sender': 'pat%40firm.example' },
      1234,
      900,
    );
    expect(form.url).toBe('https://inbox-bucket.s3.us-west-2.amazonaws.com/');
    expect(form.fields).toMatchObject({
      key: 'console/2026-11-30/160509-bbbbbbbb/letter.pdf',
      'x-amz-meta-imr-channel': 'console',
      'x-amz-meta-imr-sender': 'pat%40firm.example',
      'X-Amz-Security-Token': 'session',
    });
    const policy = JSON.parse(Buffer.from(form.fields.Policy!, 'base64').toString('utf8')) as { expiration: string; conditions: unknown[] };
    expect(policy.conditions).toEqual(
      expect.arrayContaining([
        { bucket: 'inbox-bucket' },
        { key: 'console/2026-11-30/160509-bbbbbbbb/letter.pdf' },
        ['content-length-range', 1234, 1234],
        { 'x-amz-meta-imr-channel': 'console' },
        { 'x-amz-meta-imr-sender': 'pat%40firm.example' },
      ]),
    );
    const expires = Date.parse(policy.expiration) - before;
    expect(expires).toBeGreaterThan(890_000);
    expect(expires).toBeLessThanOrEqual(901_000);
  });
});
