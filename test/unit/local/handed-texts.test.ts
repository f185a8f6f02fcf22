import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { HandingObjectStore } from '../../../functions/local/handed-texts.ts';

const s3 = mockClient(S3Client);
const reading = (text: string) => ({ text, context: { pageCount: 1 } });
const stored = (text: string) => ({ Body: { transformToString: async () => JSON.stringify(reading(text)) } });
/** A store over the mocked client, on the test's own clock when it moves time. */
const handing = (clock?: () => number) => new HandingObjectStore('imr-text', new S3Client({ region: 'us-east-1' }), clock);
/** Five minutes and a millisecond after a write: past the hold. */
const PAST_HOLD_MS = 5 * 60 * 1000 + 1;

describe('HandingObjectStore: the text of a reading just written, handed to the search indexer', () => {
  beforeEach(() => s3.reset());

  it('writes the reading to the bucket, then hands its text over once without reading it back', async () => {
    const objects = handing();
    await objects.putReading('doc-1', reading('Percocet is not medically necessary'));
    expect(s3.commandCalls(PutObjectCommand)[0]!.args[0].input).toMatchObject({ Bucket: 'imr-text', Key: 'text/doc-1.json' });
    expect(await objects.takeText('doc-1')).toBe('Percocet is not medically necessary');
    expect(s3.commandCalls(GetObjectCommand)).toHaveLength(0);
    // Taken once: the next asks the bucket.
    s3.on(GetObjectCommand, { Bucket: 'imr-text', Key: 'text/doc-1.json' }).resolves(stored('as stored') as never);
    expect(await objects.takeText('doc-1')).toBe('as stored');
    expect(s3.commandCalls(GetObjectCommand)).toHaveLength(1);
  });

  it('holds nothing for a reading whose write failed, nor for a document whose derived objects were removed', async () => {
    const objects = handing();
    s3.on(PutObjectCommand).rejectsOnce(new Error('SlowDown'));
    await expect(objects.putReading('doc-1', reading('never stored'))).rejects.toThrow('SlowDown');
    expect(objects.heldCount).toBe(0);
    s3.on(PutObjectCommand).resolves({});
    await objects.putReading('doc-2', reading('deleted soon'));
    s3.on(ListObjectsV2Command).resolves({ Contents: [] });
    await objects.removeDerived('doc-2');
    expect(objects.heldCount).toBe(0);
  });

  it('holds at most a thousand texts, the oldest let go first', async () => {
    const objects = handing();
    s3.on(PutObjectCommand).resolves({});
    for (let i = 0; i < 1_005; i++) await objects.putReading(`doc-${i}`, reading(`letter ${i}`));
    expect(objects.heldCount).toBe(1_000);
    s3.on(GetObjectCommand, { Key: 'text/doc-0.json' }).resolves(stored('letter 0, from the bucket') as never);
    expect(await objects.takeText('doc-0')).toBe('letter 0, from the bucket');
    expect(await objects.takeText('doc-1004')).toBe('letter 1004');
  });

  it('lets a text go after five minutes (a document the indexer never asks for: a file of several letters, one not a letter)', async () => {
    let clock = 0;
    const objects = handing(() => clock);
    s3.on(PutObjectCommand).resolves({});
    await objects.putReading('file-of-two', reading('two letters'));
    clock = PAST_HOLD_MS;
    await objects.putReading('letter-1', reading('the first'));
    expect(objects.heldCount).toBe(1);
    expect(await objects.takeText('letter-1')).toBe('the first');
  });

  it('hands over nothing older than five minutes, even when no write came since: it reads the bucket instead', async () => {
    let clock = 0;
    const objects = handing(() => clock);
    s3.on(PutObjectCommand).resolves({});
    await objects.putReading('doc-1', reading('held'));
    clock = PAST_HOLD_MS;
    s3.on(GetObjectCommand, { Key: 'text/doc-1.json' }).resolves(stored('from the bucket') as never);
    expect(await objects.takeText('doc-1')).toBe('from the bucket');
    expect(objects.heldCount).toBe(0);
  });
});
