import { Readable } from 'node:stream';
import { GetObjectCommand, NoSuchKey, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { S3ObjectStore } from '../../../functions/adapters/s3/object-store.ts';
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
