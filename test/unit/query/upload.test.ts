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
