import { describe, expect, it } from 'vitest';
import { route } from '../../../functions/query/routes.ts';
import { httpAnswer } from '../../../functions/query/http-errors.ts';
import type { DeterminationStore } from '../../../functions/service/ports.ts';

const store = {} as DeterminationStore;
const brought: Array<{ name: string; bytes: string }> = [];
const options = {
  upload: async (name: string, bytes: Buffer) => {
    brought.push({ name, bytes: bytes.toString() });
    return 'a'.repeat(64);
  },
};
const post = (headers: Record<string, string>, bytes?: Buffer, withUpload = true) =>
  route(store, { method: 'POST', path: '/documents', query: {}, headers, ...(bytes ? { bytes } : {}) }, withUpload ? options : {}).then(
    (answer) => ({ statusCode: answer.statusCode, body: answer.body as unknown }),
    (error: unknown) => {
      const answer = httpAnswer(error);
      return { statusCode: answer.statusCode, body: JSON.parse(answer.body) as unknown };
    },
  );

describe('POST /documents: a file brought in through the console', () => {
  it('stores the bytes under the name as sent and answers its id and where to follow it', async () => {
    const answer = await post({ 'x-file-name': encodeURIComponent('fax from Dr. Patel.pdf') }, Buffer.from('%PDF-1.7 letter'));
    expect(answer).toEqual({ statusCode: 202, body: { id: 'a'.repeat(64), status: 'RECEIVED', links: { status: `/documents/${'a'.repeat(64)}/status` } } });
    expect(brought.at(-1)).toEqual({ name: 'fax from Dr. Patel.pdf', bytes: '%PDF-1.7 letter' });
  });

  it('keeps only the last part of a name that is a path', async () => {
    await post({ 'x-file-name': encodeURIComponent('../../etc/passwd') }, Buffer.from('x'));
    expect(brought.at(-1)!.name).toBe('passwd');
    await post({ 'x-file-name': encodeURIComponent('C:\\Users\\pat\\fax.tif') }, Buffer.from('x'));
    expect(brought.at(-1)!.name).toBe('fax.tif');
  });

  it('refuses an empty upload, a name that is not URI-encoded, and an API without uploads (AWS)', async () => {
    expect(await post({ 'x-file-name': 'a.pdf' })).toMatchObject({ statusCode: 400, body: { error: { code: 'EMPTY' } } });
    expect(await post({ 'x-file-name': '%E0%A4%A' }, Buffer.from('x'))).toMatchObject({ statusCode: 400, body: { error: { code: 'BAD_REQUEST' } } });
    expect(await post({ 'x-file-name': 'a.pdf' }, Buffer.from('x'), false)).toMatchObject({ statusCode: 405, body: { error: { code: 'METHOD_NOT_ALLOWED' } } });
  });
});

describe('POST /uploads: a signed form for a reviewer to post a file into the inbox (AWS)', () => {
  const forms: Array<{ bucket: string; key: string; metadata: Readonly<Record<string, string>>; size: number; expiresInSeconds: number }> = [];
  const aws = {
    review: { deps: {} as never, by: 'pat@firm.example' },
    uploadForms: {
      inbox: 'imr-inbox-bucket',
      forms: {
        uploadForm: async (bucket: string, key: string, metadata: Readonly<Record<string, string>>, size: number, expiresInSeconds: number) => {
          forms.push({ bucket, key, metadata, size, expiresInSeconds });
          return { url: 'https://imr-inbox-bucket.s3.us-west-2.amazonaws.com/', fields: { key, Policy: 'p' } };
        },
      },
    },
    now: () => new Date('2026-11-30T16:05:09.000Z'),
  };
  const ask = (body: unknown, options: object = aws) =>
    route(store, { method: 'POST', path: '/uploads', query: {}, headers: {}, body: JSON.stringify(body) }, options).then(
      (answer) => ({ statusCode: answer.statusCode, body: answer.body as unknown }),
      (error: unknown) => {
        const answer = httpAnswer(error);
        return { statusCode: answer.statusCode, body: JSON.parse(answer.body) as unknown };
      },
    );
  const sha256 = 'b'.repeat(64);

  it('signs a form for exactly this file, under console/, with the reviewer and the time fixed as its source', async () => {
    const answer = await ask({ fileName: 'C:\\scans\\fax from Dr. Patel.pdf', size: 184_231, sha256 });
    expect(answer).toEqual({
      statusCode: 201,
      body: {
        id: sha256,
        upload: {
          url: 'https://imr-inbox-bucket.s3.us-west-2.amazonaws.com/',
          fields: expect.objectContaining({ key: forms.at(-1)!.key }),
          expiresInSeconds: 900,
        },
        links: { status: `/documents/${sha256}/status` },
      },
    });
    expect(forms.at(-1)).toEqual({
      bucket: 'imr-inbox-bucket',
      key: 'console/2026-11-30/160509-bbbbbbbb/fax from Dr. Patel.pdf',
      metadata: {
        'imr-channel': 'console',
        'imr-sender': encodeURIComponent('pat@firm.example'),
        'imr-received-at': encodeURIComponent('2026-11-30T16:05:09.000Z'),
        'imr-file-name': encodeURIComponent('fax from Dr. Patel.pdf'),
      },
      size: 184_231,
      expiresInSeconds: 900,
    });
  });

  it('refuses a body that is not a file name, size and SHA-256, a file over 500 MB, and answers 405 where the bytes go through the API (locally)', async () => {
    const signedBefore = forms.length;
    expect(await ask({ fileName: 'a.pdf', size: 1 })).toMatchObject({ statusCode: 400, body: { error: { message: expect.stringMatching(/^sha256: /) } } });
    expect(await ask({ fileName: 'a.pdf', size: 600 * 1024 * 1024, sha256 })).toMatchObject({
      statusCode: 400,
      body: { error: { message: expect.stringMatching(/^size: /) } },
    });
    expect(await ask({ fileName: 'a.pdf', size: 0, sha256 })).toMatchObject({ statusCode: 400 });
    expect(await ask({ fileName: 'a.pdf', size: 10, sha256, bucket: 'elsewhere' })).toMatchObject({ statusCode: 400 });
    expect(await ask({ fileName: 'a.pdf', size: 10, sha256 }, options)).toMatchObject({ statusCode: 405, body: { error: { code: 'METHOD_NOT_ALLOWED' } } });
    expect(forms.length).toBe(signedBefore);
  });
});
