/**
 * The routes that resolve a problem (dismiss with a note, put back, delete, the audit log), the
 * live queue's activity and a scan's pages read, against the embedded store: what each answers,
 * what it refuses, and what the lists and the audit log show after.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Ajv2020 } from 'ajv/dist/2020.js';
import formats from 'ajv-formats';
import { openApiDocument } from '../../../functions/query/openapi.ts';
import { classifyLetter } from '../../../functions/domain/index.ts';
import { LmdbDeterminationStore } from '../../../functions/adapters/lmdb/determination-store.ts';
import { CursorCodec } from '../../../functions/common/cursor.ts';
import { route, type ApiRequest, type RouteOptions } from '../../../functions/query/routes.ts';
import { answerRequest } from '../../../functions/query/query-handler.ts';
import { saveReading } from '../../../functions/service/ledger.ts';
import { ProgressBoard } from '../../../functions/service/progress.ts';
import { letterText } from '../../fixtures/factories.ts';

const folder = mkdtempSync(join(tmpdir(), 'imr-problems-'));
const AT = '2026-03-02T10:00:00.000Z';
const failedId = 'a1'.repeat(32);
const unrecognizedId = 'b2'.repeat(32);
const classifiedId = 'c3'.repeat(32);
const letterOfFileId = 'd4'.repeat(32);
const rewrittenId = 'e5'.repeat(32);
const reason = 'BINARY: document: a Word document (.docx), not a PDF or a scan: open it, save or print it as PDF, and upload the PDF';
const invoice = 'INVOICE 4471\nOffice supplies, 12 boxes of paper, net 30 days.\n';
let store: LmdbDeterminationStore;
const removed: string[] = [];
const progress = new ProgressBoard(() => new Date(AT));
let options: RouteOptions;

/** Every answer the tests got, with the route template and method it came from, to check against the OpenAPI document at the end. */
const answered: Array<{ template: string; method: string; status: number; body: unknown }> = [];
const TEMPLATES: Array<[RegExp, string]> = [
  [/^\/documents\/[0-9a-f]+\/dismissal$/, '/documents/{id}/dismissal'],
  [/^\/documents\/[0-9a-f]+\/status$/, '/documents/{id}/status'],
  [/^\/documents\/[0-9a-f]+$/, '/documents/{id}'],
  [/^\/(?:documents|audit|activity)$/, ''],
];

async function call(method: string, path: string, body?: unknown, query: Record<string, string> = {}, using: RouteOptions = options) {
  const request: ApiRequest = { method, path, query, ...(body === undefined ? {} : { body: JSON.stringify(body) }) };
  const answer = await answerRequest(store, request, using, () => undefined);
  const template = TEMPLATES.find(([pattern]) => pattern.test(path));
  if (template && using === options)
    answered.push({ template: template[1] || path, method: method.toLowerCase(), status: answer.statusCode, body: JSON.parse(String(answer.body)) });
  return { status: answer.statusCode, headers: answer.headers, body: JSON.parse(String(answer.body)) as Record<string, unknown> & { data?: unknown[] } };
}

beforeAll(async () => {
  store = LmdbDeterminationStore.open(folder, new CursorCodec('test-secret'));
  await store.recordReceipt(failedId, 'imr-inbox/console/2026-03-02/letter.docx', AT);
  await store.markFailed(failedId, reason, AT);
  await store.recordReceipt(unrecognizedId, 'imr-inbox/misc/invoice.txt', AT);
  await saveReading(store, unrecognizedId, classifyLetter(invoice), AT);
  await store.recordReceipt(classifiedId, 'imr-inbox/letters/one.txt', AT);
  await saveReading(store, classifiedId, classifyLetter(letterText({ items: [{ request: 'Acupuncture 1 x 6', decision: 'Overturned' }] })), AT);
  await store.recordReceipt(letterOfFileId, 'imr-inbox/batch/day.pdf', AT);
  await saveReading(store, letterOfFileId, { ...classifyLetter(invoice), sourceDocument: 'f'.repeat(64) }, AT);
  // A key written again with other bytes: the first document's record still names it.
  await store.recordReceipt(rewrittenId, 'imr-inbox/again/scan.pdf', AT);
  await store.markFailed(rewrittenId, 'CORRUPT: document: not a readable PDF (the file is damaged or truncated)', AT);
  options = {
    problems: {
      deps: {
        store,
        objects: {
          remove: async (bucket, key) => void removed.push(`${bucket}/${key}`),
          removeDerived: async (id) => (removed.push(`derived of ${id.slice(0, 4)}`), 3),
        },
        holds: async (sourceKey) => sourceKey !== 'imr-inbox/again/scan.pdf',
        now: () => new Date('2026-03-02T11:00:00.000Z'),
      },
      by: 'Pat Reviewer',
    },
    progress,
    changes: store,
  };
});

afterAll(async () => {
  await store?.close();
  rmSync(folder, { recursive: true, force: true });
});

describe('dismissing a problem', () => {
  it('takes a FAILED document off the Problems list with who, when and why, keeps it, and puts it back on request', async () => {
    const dismissed = await call('POST', `/documents/${failedId}/dismissal`, { note: 'sent by mistake; the PDF came by fax' });
    expect(dismissed).toMatchObject({
      status: 200,
      body: { id: failedId, status: 'FAILED', dismissal: { by: 'Pat Reviewer', at: '2026-03-02T11:00:00.000Z', note: 'sent by mistake; the PDF came by fax' } },
    });
    const ids = async (query: Record<string, string>) =>
      ((await call('GET', '/documents', undefined, query)).body.data as Array<{ id: string }>).map((row) => row.id);
    // The Problems list asks for those not dismissed; the dismissed ones are listed apart, of any status.
    expect(await ids({ status: 'FAILED', dismissed: 'false' })).not.toContain(failedId);
    expect(await ids({ status: 'FAILED' })).toContain(failedId);
    expect(await ids({ dismissed: 'true' })).toEqual([failedId]);
    const back = await call('DELETE', `/documents/${failedId}/dismissal`);
    expect(back.status).toBe(200);
    expect(back.body.dismissal).toBeUndefined();
    expect(await ids({ status: 'FAILED', dismissed: 'false' })).toContain(failedId);
    expect(await ids({ dismissed: 'true' })).toEqual([]);
    const audit = (await call('GET', '/audit')).body.data as Array<Record<string, unknown>>;
    expect(audit.map((entry) => entry.action)).toEqual(['undismissed', 'dismissed']);
    expect(audit[1]).toEqual({
      at: '2026-03-02T11:00:00.000Z',
      by: 'Pat Reviewer',
      action: 'dismissed',
      documentId: failedId,
      sourceKeys: ['imr-inbox/console/2026-03-02/letter.docx'],
      fileNames: ['letter.docx'],
      status: 'FAILED',
      reasonCode: 'BINARY',
      note: 'sent by mistake; the PDF came by fax',
    });
  });

  it('needs a note, and refuses a read letter, a document not dismissed, and an unknown id', async () => {
    expect(await call('POST', `/documents/${unrecognizedId}/dismissal`, {})).toMatchObject({ status: 400, body: { error: { code: 'BAD_REQUEST' } } });
    expect(await call('POST', `/documents/${unrecognizedId}/dismissal`, { note: '   ' })).toMatchObject({ status: 400 });
    expect(await call('POST', `/documents/${unrecognizedId}/dismissal`, { note: 'x'.repeat(501) })).toMatchObject({ status: 400 });
    expect(await call('POST', `/documents/${unrecognizedId}/dismissal`, { note: 'fine', other: 1 })).toMatchObject({ status: 400 });
    expect(await call('POST', `/documents/${classifiedId}/dismissal`, { note: 'no' })).toMatchObject({
      status: 409,
      body: { error: { code: 'NOT_ALLOWED', message: expect.stringContaining('correct it on its page instead') } },
    });
    expect(await call('DELETE', `/documents/${unrecognizedId}/dismissal`)).toMatchObject({
      status: 409,
      body: { error: { message: 'this document is not dismissed' } },
    });
    expect(await call('POST', `/documents/${'9'.repeat(64)}/dismissal`, { note: 'x' })).toMatchObject({ status: 404 });
  });
});

describe('deleting a wrong upload', () => {
  it('removes its original, what was derived from it and its records; it shows in no list; the audit log keeps who, when, why and its files', async () => {
    const before = await store.changes();
    const answer = await call('DELETE', `/documents/${unrecognizedId}`, { note: "another firm's invoice" });
    expect(answer).toMatchObject({ status: 200, body: { id: unrecognizedId, deleted: true, audit: { action: 'deleted', objectsRemoved: 4 } } });
    expect(removed).toEqual(['imr-inbox/misc/invoice.txt', `derived of ${unrecognizedId.slice(0, 4)}`]);
    expect(await store.changes()).toBeGreaterThan(before);
    expect(await call('GET', `/documents/${unrecognizedId}`)).toMatchObject({ status: 404 });
    expect(await call('GET', `/determinations/${unrecognizedId}`)).toMatchObject({ status: 404 });
    expect(await store.history(unrecognizedId)).toEqual([]);
    for (const [path, query] of [
      ['/documents', {}],
      ['/documents', { status: 'UNRECOGNIZED' }],
      ['/determinations', {}],
    ] as const) {
      const rows = (await call('GET', path, undefined, query)).body.data as Array<{ id: string }>;
      expect(rows.map((row) => row.id)).not.toContain(unrecognizedId);
    }
    const [entry] = (await call('GET', '/audit', undefined, { limit: '1' })).body.data as Array<Record<string, unknown>>;
    expect(entry).toEqual({
      at: '2026-03-02T11:00:00.000Z',
      by: 'Pat Reviewer',
      action: 'deleted',
      documentId: unrecognizedId,
      sourceKeys: ['imr-inbox/misc/invoice.txt'],
      fileNames: ['invoice.txt'],
      status: 'UNRECOGNIZED',
      reasonCode: 'UNRECOGNIZED',
      note: "another firm's invoice",
      objectsRemoved: 4,
    });
    // Never a word of the document.
    expect(JSON.stringify(entry)).not.toMatch(/Office supplies|INVOICE 4471/);
  });

  it('leaves an object its key now holds for other bytes', async () => {
    removed.length = 0;
    expect(await call('DELETE', `/documents/${rewrittenId}`, { note: 'superseded by the good scan' })).toMatchObject({
      status: 200,
      body: { audit: { objectsRemoved: 3 } },
    });
    expect(removed).toEqual([`derived of ${rewrittenId.slice(0, 4)}`]);
  });

  it('refuses a read letter and one letter of a file that held several, needs a note, and deletes once', async () => {
    removed.length = 0;
    expect(await call('DELETE', `/documents/${classifiedId}`, { note: 'wrong' })).toMatchObject({ status: 409, body: { error: { code: 'NOT_ALLOWED' } } });
    expect(await call('DELETE', `/documents/${letterOfFileId}`, { note: 'wrong' })).toMatchObject({
      status: 409,
      body: { error: { message: expect.stringContaining('dismiss this one instead') } },
    });
    expect(await call('DELETE', `/documents/${failedId}`)).toMatchObject({ status: 400 });
    expect(removed).toEqual([]);
    expect(await call('DELETE', `/documents/${failedId}`, { note: 'a .docx: the PDF came by fax' })).toMatchObject({ status: 200 });
    expect(await call('DELETE', `/documents/${failedId}`, { note: 'again' })).toMatchObject({ status: 404 });
  });
});

describe('a method a route does not answer', () => {
  it('is answered 405 with the methods it has in Allow, on any route; a deployment without deletions says so the same way', async () => {
    expect(await call('DELETE', `/determinations/${classifiedId}`)).toMatchObject({ status: 405, headers: { allow: 'GET, PATCH' } });
    expect(await call('PUT', `/documents/${classifiedId}`)).toMatchObject({ status: 405, headers: { allow: 'GET, DELETE' } });
    expect(await call('GET', '/documents/abc/dismissal')).toMatchObject({ status: 405, headers: { allow: 'POST, DELETE' } });
    const bare: RouteOptions = {};
    expect(await call('DELETE', `/documents/${classifiedId}`, { note: 'x' }, {}, bare)).toMatchObject({
      status: 405,
      headers: { allow: 'GET' },
      body: { error: { code: 'METHOD_NOT_ALLOWED', message: 'deleting documents is not enabled on this API' } },
    });
    expect(await call('POST', `/documents/${classifiedId}/dismissal`, { note: 'x' }, {}, bare)).toMatchObject({ status: 405, headers: { allow: '' } });
    expect(await call('POST', `/documents/${classifiedId}/retry`, undefined, {}, bare)).toMatchObject({ status: 405, headers: { allow: '' } });
    // Routes a deployment does not offer at all are not there.
    expect(await call('GET', '/audit', undefined, {}, bare)).toMatchObject({ status: 404 });
    expect(await call('GET', '/activity', undefined, {}, bare)).toMatchObject({ status: 404 });
    await expect(route(store, { method: 'DELETE', path: '/stats', query: {} })).rejects.toMatchObject({ statusCode: 405, headers: { allow: 'GET' } });
  });
});

describe('a scan being read, and what a console polls', () => {
  it('answers its pages read in its status, its list row and the activity, until its reading ends', async () => {
    const id = 'f6'.repeat(32);
    await store.recordReceipt(id, 'imr-inbox/faxes/long fax.pdf', AT);
    const quiet = (await call('GET', '/activity')).body;
    expect(quiet).toMatchObject({ reading: [], waiting: 1, waitingMore: false });
    expect((await call('GET', `/documents/${id}/status`)).body).toEqual({
      id,
      status: 'RECEIVED',
      reason: 'RECEIVED: stored, waiting to be read',
      updatedAt: AT,
    });
    progress.report(id, 12, 60);
    const expected = { pagesRead: 12, pages: 60, startedAt: AT, at: AT };
    expect((await call('GET', `/documents/${id}/status`)).body).toEqual({
      id,
      status: 'RECEIVED',
      reason: 'RECEIVED: being read by OCR: 12 of 60 pages read',
      updatedAt: AT,
      progress: expected,
    });
    const rows = (await call('GET', '/documents', undefined, { status: 'RECEIVED' })).body.data as Array<{ id: string; progress?: unknown }>;
    expect(rows.find((row) => row.id === id)?.progress).toEqual(expected);
    const busy = (await call('GET', '/activity')).body;
    expect(busy).toMatchObject({ changes: quiet.changes, reading: [{ id, fileNames: ['long fax.pdf'], ...expected }], waiting: 0 });
    progress.finish(id);
    expect((await call('GET', `/documents/${id}/status`)).body.progress).toBeUndefined();
    // Any write the store commits moves the counter a console compares.
    await store.markFailed(id, 'OCR_BUDGET: document: 160 scanned pages is over the 100-page OCR budget for one letter; split the document', AT);
    expect(Number((await call('GET', '/activity')).body.changes)).toBeGreaterThan(Number(quiet.changes));
  });
});

describe('the OpenAPI document', () => {
  it('describes every answer of these routes the tests above got, success and refusal alike', () => {
    const document = openApiDocument() as {
      paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema: unknown }> }> }>>;
      components: unknown;
    };
    const ajv = formats.default(new Ajv2020({ strict: false, allErrors: true }));
    const base = 'https://imr-letters.example/openapi';
    ajv.addSchema({ $id: base, components: document.components });
    let checks = 0;
    // A method a path does not have (405) has no operation to describe it.
    const described = answered.filter((answer) => document.paths[answer.template]?.[answer.method]);
    expect(new Set(described.map((answer) => `${answer.method} ${answer.template}`))).toEqual(
      new Set([
        'post /documents/{id}/dismissal',
        'delete /documents/{id}/dismissal',
        'delete /documents/{id}',
        'get /documents/{id}',
        'get /documents/{id}/status',
        'get /documents',
        'get /audit',
        'get /activity',
      ]),
    );
    for (const answer of described) {
      const declared = document.paths[answer.template]?.[answer.method]?.responses[String(answer.status)];
      // A 404 of a document route is declared once for all of them (byId); 405s and 409s too.
      expect(declared, `${answer.method} ${answer.template} ${answer.status}`).toBeDefined();
      const schema = declared!.content!['application/json']!.schema;
      const validate = ajv.compile({
        $id: `https://imr-letters.example/check/${checks++}`,
        ...JSON.parse(JSON.stringify(schema).replaceAll('"#/components/', `"${base}#/components/`)),
      });
      expect(validate(answer.body) ? [] : validate.errors, `${answer.method} ${answer.template} ${answer.status}`).toEqual([]);
    }
  });
});
