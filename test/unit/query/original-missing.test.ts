import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { GetObjectCommand, NoSuchKey, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { route, type ApiRequest } from '../../../functions/query/routes.ts';
import { httpAnswer } from '../../../functions/query/http-errors.ts';
import { S3ObjectStore } from '../../../functions/adapters/s3/object-store.ts';
import type { DeterminationStore, DocumentRecord } from '../../../functions/service/ports.ts';

const id = 'd'.repeat(64);
const s3 = mockClient(S3Client);
/** A store that knows one CLASSIFIED document, delivered as `imr-inbox/2026/letter.txt`. */
const store = {
  getDocument: async (): Promise<DocumentRecord> => ({
    id,
    status: 'CLASSIFIED',
    reason: null,
    receivedAt: '2026-11-22T10:00:00.000Z',
    updatedAt: '2026-11-22T10:00:01.000Z',
    sourceKeys: ['imr-inbox/2026/letter.txt'],
  }),
} as unknown as DeterminationStore;
const originals = new S3ObjectStore('imr-text', new S3Client({ region: 'us-east-1' }));

/** A GET as the HTTP API answers it (status and JSON body of an error). */
async function get(path: string) {
  const request: ApiRequest = { method: 'GET', path, query: {} };
  try {
    const response = await route(store, request, { originals });
    return { statusCode: response.statusCode, body: response.body };
  } catch (error) {
    const answer = httpAnswer(error);
    return { statusCode: answer.statusCode, body: JSON.parse(answer.body) as unknown };
  }
}

beforeEach(() => s3.reset());
afterAll(() => s3.restore());

describe('an original whose object is gone from the bucket', () => {
  const gone = { error: { code: 'NOT_FOUND', message: 'the original file of this document is no longer stored' } };
  beforeEach(() => {
    s3.on(GetObjectCommand, { Bucket: 'imr-inbox', Key: '2026/letter.txt' }).rejects(
      new NoSuchKey({ message: 'The specified key does not exist.', $metadata: { httpStatusCode: 404 } }),
    );
  });

  it('answers 404 saying so for the original', async () => {
    expect(await get(`/documents/${id}/original`)).toEqual({ statusCode: 404, body: gone });
  });

  it('answers 404 saying so for a page', async () => {
    expect(await get(`/documents/${id}/pages/1`)).toEqual({ statusCode: 404, body: gone });
  });
});

describe('an original that is there, or that S3 cannot give for another reason', () => {
  it('is served as before when it is stored', async () => {
    // The SDK's body as far as the store reads it.
    const Body = { transformToByteArray: async () => new Uint8Array(Buffer.from('INDEPENDENT MEDICAL REVIEW\n')) };
    s3.on(GetObjectCommand).resolves({ Body } as never);
    const answer = await get(`/documents/${id}/original`);
    expect(answer.statusCode).toBe(200);
    expect(Buffer.from(answer.body as Buffer).toString()).toBe('INDEPENDENT MEDICAL REVIEW\n');
  });

  it('is still a 500 when S3 refuses access: only a missing object is a 404', async () => {
    s3.on(GetObjectCommand).rejects(
      new S3ServiceException({ name: 'AccessDenied', $fault: 'client', message: 'Access Denied', $metadata: { httpStatusCode: 403 } }),
    );
    expect(await get(`/documents/${id}/original`)).toEqual({ statusCode: 500, body: { error: { code: 'INTERNAL', message: 'internal error' } } });
  });
});
