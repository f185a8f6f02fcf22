import { get as httpGet } from 'node:http';
import { createHash } from 'node:crypto';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { Ajv2020 } from 'ajv/dist/2020.js';
import formats from 'ajv-formats';
import { openApiDocument } from '../../functions/query/openapi.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import sharp from 'sharp';
import ICAL from 'ical.js';
import { parse as parseCsv } from 'csv-parse/sync';
import { ingestObject, type IngestDependencies } from '../../functions/service/ingest.ts';
import { DocumentReader } from '../../functions/reader/read-document.ts';
import { JsonPieces, route, type ApiRequest } from '../../functions/query/routes.ts';
import { httpAnswer } from '../../functions/query/http-errors.ts';
import { classifyLetter } from '../../functions/domain/index.ts';
import { loadGoldenLetters } from '../fixtures/golden.ts';
import { letterText, storedDetermination } from '../fixtures/factories.ts';
import { determinationEvent, failureEvent } from '../../functions/service/events.ts';
import { reviewedEvent } from '../../functions/service/review.ts';
import { SERVICE_EVENT_TYPES } from '../../functions/service/ports.ts';
import { INBOX, RecordingPublisher, startLocalStack, type LocalStack } from './harness.ts';
import { drainSearchBacklog } from '../../functions/service/search.ts';

const letters = loadGoldenLetters();
let stack: LocalStack;
let clock = Date.parse('2026-03-01T09:00:00Z');
const ids: string[] = [];

/** A route's answer with its JSON body as an object (a list is answered as the JSON pieces of its stored rows). */
const get = async (path: string, query: Record<string, string> = {}) => {
  const answer = await route(stack.store, { method: 'GET', path, query } satisfies ApiRequest, { objects: stack.objects });
  return answer.body instanceof JsonPieces ? { ...answer, body: JSON.parse(answer.body.toString()) as unknown } : answer;
};
const fails = (path: string, query: Record<string, string> = {}) => get(path, query).then(() => null, httpAnswer);

beforeAll(async () => {
  stack = await startLocalStack();
  const deps: IngestDependencies = {
    store: stack.store,
    objects: stack.objects,
    events: new RecordingPublisher(),
    reader: new DocumentReader(),
    now: () => new Date(clock),
  };
  // Twelve letters over three months: the four real letters three times (with distinct bytes), one a month apart.
  for (let i = 0; i < 12; i++) {
    clock = Date.parse('2026-03-01T09:00:00Z') + i * 8 * 86_400_000;
    const body = `${letters[i % 4]!.text}\n\nCopy ${i}.\n`;
    await stack.upload(`q/${i}.txt`, body);
    ids.push((await ingestObject(deps, INBOX, `q/${i}.txt`)).id);
  }
  clock += 86_400_000;
  const withCase = letterText({
    preamble: ['Case Number: CM15-0012345   Date Assigned: 02/04/2015'],
    items: [{ request: 'Norco 10/325mg #90', decision: 'Overturned', rationale: 'The request is not medically necessary.' }],
  });
  await stack.upload('q/case.txt', withCase);
  ids.push((await ingestObject(deps, INBOX, 'q/case.txt')).id);
}, 120_000);
afterAll(() => stack?.stop());

async function all<T>(path: string, query: Record<string, string>): Promise<T[]> {
  const out: T[] = [];
  let cursor: string | null = null;
  do {
    const page = (await get(path, { ...query, ...(cursor ? { cursor } : {}) })).body as { data: T[]; nextCursor: string | null };
    out.push(...page.data);
    cursor = page.nextCursor;
  } while (cursor);
  return out;
}

describe('GET /determinations filters', () => {
  it('pages newest first with no duplicates or gaps at any page size', async () => {
    const everything = await all<{ id: string }>('/determinations', { limit: '200' });
    expect(everything.map((d) => d.id)).toEqual([...ids].reverse());
    for (const limit of ['1', '3', '5']) expect((await all<{ id: string }>('/determinations', { limit })).map((d) => d.id)).toEqual([...ids].reverse());
  });

  it('filters by case number through its index', async () => {
    expect((await all<{ id: string }>('/determinations', { caseNumber: 'CM15-0012345' })).map((d) => d.id)).toEqual([ids[12]]);
  });

  it('filters by outcome and by needsReview', async () => {
    const upheld = await all<{ outcome: string }>('/determinations', { outcome: 'UPHELD', limit: '2' });
    expect(upheld).toHaveLength(6);
    expect(upheld.every((d) => d.outcome === 'UPHELD')).toBe(true);
    const review = await all<{ id: string; needsReview: boolean }>('/determinations', { needsReview: 'true' });
    expect(review.map((d) => d.id)).toEqual([ids[12]]);
  });

  it('filters by received dates, inclusive', async () => {
    const april = await all<{ receivedAt: string }>('/determinations', { from: '2026-04-01', to: '2026-04-30' });
    expect(april.length).toBeGreaterThan(0);
    expect(april.every((d) => d.receivedAt >= '2026-04-01' && d.receivedAt <= '2026-04-30T23:59:59.999Z')).toBe(true);
    expect(april).toHaveLength(4);
  });
});

describe('GET /items', () => {
  it('lists every item newest first, and by category, subcategory and decision', async () => {
    const items = await all<{ category: string; subcategory: string; decision: string; documentId: string }>('/items', { limit: '7' });
    expect(items).toHaveLength(3 * (2 + 2 + 2 + 4) + 1);
    const opioids = await all<{ subcategory: string; category: string }>('/items', { category: 'PHARMACEUTICAL', subcategory: 'OPIOID' });
    expect(opioids).toHaveLength(3 * 3 + 1);
    expect(opioids.every((item) => item.category === 'PHARMACEUTICAL' && item.subcategory === 'OPIOID')).toBe(true);
    const overturned = await all<{ decision: string }>('/items', { decision: 'OVERTURNED' });
    expect(overturned).toHaveLength(3 * 3 + 1);
  });

  it('answers CSV for spreadsheets, formula-looking cells defused', async () => {
    const answer = await get('/items', { category: 'REHABILITATION', format: 'csv' });
    expect(answer.contentType).toBe('text/csv; charset=utf-8');
    const rows = parseCsv(answer.body as string, { columns: true }) as Array<Record<string, string>>;
    expect(rows).toHaveLength(6);
    expect(rows[0]).toMatchObject({ category: 'REHABILITATION', decision: 'OVERTURNED' });
  });
});

describe('GET /determinations/{id}?format=csv', () => {
  it('answers one row per item', async () => {
    const answer = await get(`/determinations/${ids[3]}`, { format: 'csv' });
    const rows = parseCsv(answer.body as string, { columns: true }) as Array<Record<string, string>>;
    expect(rows.map((row) => [row.request, row.decision, row.subcategory])).toEqual(
      (classifyLetter(letters[3]!.text) as { items: Array<{ request: string; decision: string; subcategory: string }> }).items.map((item) => [
        item.request,
        item.decision,
        item.subcategory,
      ]),
    );
  });
});

describe('GET /stats', () => {
  it('counts items by category, subcategory, decision and month from write-time counters', async () => {
    const byDecision = (await get('/stats', { groupBy: 'decision' })).body as { data: Array<{ key: string; total: number }> };
    expect(Object.fromEntries(byDecision.data.map((row) => [row.key, row.total]))).toEqual({ UPHELD: 21, OVERTURNED: 10 });
    const byCategory = (await get('/stats', { groupBy: 'category' })).body as { data: Array<{ key: string; upheld: number; overturned: number }> };
    expect(byCategory.data.find((row) => row.key === 'REHABILITATION')).toMatchObject({ upheld: 0, overturned: 6 });
    const bySub = (await get('/stats', { groupBy: 'subcategory' })).body as { data: Array<{ key: string; total: number }> };
    expect(bySub.data.find((row) => row.key === 'PHARMACEUTICAL/OPIOID')!.total).toBe(10);
    const byMonth = (await get('/stats', { groupBy: 'month' })).body as { data: Array<{ key: string; total: number }> };
    expect(byMonth.data.map((row) => row.key)).toEqual(['2026-05', '2026-04', '2026-03']);
    expect(byMonth.data.reduce((sum, row) => sum + row.total, 0)).toBe(31);
  });
});

describe('GET /documents/{id}/text', () => {
  it('answers the text the parser read, as plain text', async () => {
    const answer = await get(`/documents/${ids[3]}/text`);
    expect(answer).toMatchObject({ statusCode: 200, contentType: 'text/plain; charset=utf-8' });
    expect(answer.body as string).toContain('HOW THE IMR FINAL DETERMINATION WAS MADE');
    expect((await fails(`/documents/${'0'.repeat(64)}/text`))!.statusCode).toBe(404);
  });
});

describe('bad requests', () => {
  it.each([
    ['/determinations', { outcome: 'MAYBE' }, /^outcome: /],
    ['/determinations', { from: '2026-02-30' }, /^from: /],
    ['/determinations', { from: 'yesterday' }, /^from: /],
    ['/determinations', { caseNumber: 'ABC' }, /^caseNumber: /],
    ['/determinations', { needsReview: 'yes' }, /^needsReview: /],
    ['/items', { category: 'SNACKS' }, /^category: /],
    ['/items', { decision: 'upheld' }, /^decision: /],
    ['/items', { limit: '500' }, /^limit: /],
    ['/stats', {}, /^groupBy: /],
    ['/stats', { groupBy: 'colour' }, /^groupBy: /],
    ['/determinations/abc', {}, /^id: /],
    ['/determinations', { sort: 'asc' }, /^unknown parameter: sort$/],
    ['/determinations', { from: '2026-03-02', to: '2026-03-01' }, /^from: must not be after to$/],
    ['/items', { from: '2026-03-01T10:00:00Z', to: '2026-03-01T09:00:00Z' }, /^from: must not be after to$/],
    ['/determinations', { limit: '0x10' }, /^limit: /],
    ['/determinations', { limit: '1e1' }, /^limit: /],
    ['/items', { limit: ' 5' }, /^limit: /],
    // API Gateway (and the local server) join a repeated parameter with commas.
    ['/determinations', { limit: '5,10' }, /^limit: /],
    ['/determinations', { outcome: 'UPHELD,OVERTURNED' }, /^outcome: /],
  ])('%s %o is a 400 naming the parameter', async (path, query, message) => {
    const answer = await fails(path, query as Record<string, string>);
    expect(answer!.statusCode).toBe(400);
    expect(JSON.parse(answer!.body).error.message).toMatch(message);
  });

  it('a tampered cursor, or one from another list, is a 400', async () => {
    const page = (await get('/determinations', { limit: '2' })).body as { nextCursor: string };
    const [body, signature] = page.nextCursor.split('.');
    const tampered = `${Buffer.from(Buffer.from(body!, 'base64url').toString().replace('DETERMINATION', 'ITEM')).toString('base64url')}.${signature}`;
    expect((await fails('/determinations', { cursor: tampered }))!.statusCode).toBe(400);
    expect((await fails('/items', { cursor: page.nextCursor }))!.statusCode).toBe(400);
    expect((await fails('/determinations', { caseNumber: 'CM15-0012345', cursor: page.nextCursor }))!.statusCode).toBe(400);
  });

  it('a cursor used with other filter values is a 400, not a page of another list', async () => {
    const page = (await get('/determinations', { limit: '1', from: '2000-01-01' })).body as { nextCursor: string };
    expect(page.nextCursor).not.toBeNull();
    expect((await fails('/determinations', { limit: '1', from: '2000-01-02', cursor: page.nextCursor }))!.statusCode).toBe(400);
    expect((await fails('/determinations', { limit: '1', from: '2000-01-01', outcome: 'UPHELD', cursor: page.nextCursor }))!.statusCode).toBe(400);
  });

  it('another method on a known route is a 405; on an unknown one a 404', async () => {
    const post = (path: string) => route(stack.store, { method: 'POST', path, query: {} }).then(() => null, httpAnswer);
    expect((await post('/determinations'))!.statusCode).toBe(405);
    expect((await post('/nowhere'))!.statusCode).toBe(404);
  });

  it('errors never echo letter text', async () => {
    const answer = await fails('/determinations', { caseNumber: 'Norco 10/325mg' });
    expect(answer!.body).not.toContain('Norco');
  });
});

describe('GET /openapi.json', () => {
  it('names the server it was asked of first: a local service on another port, the AWS API behind HTTPS', async () => {
    const asked = async (headers: Record<string, string>) =>
      ((await route(stack.store, { method: 'GET', path: '/openapi.json', query: {}, headers })).body as { servers: Array<{ url: string }> }).servers.map(
        (server) => server.url,
      );
    expect((await asked({ host: '127.0.0.1:4321' }))[0]).toBe('http://127.0.0.1:4321');
    expect((await asked({ host: 'abc123.execute-api.us-west-2.amazonaws.com', 'x-forwarded-proto': 'https' }))[0]).toBe(
      'https://abc123.execute-api.us-west-2.amazonaws.com',
    );
    // A Host header that is not a host name is not echoed into the document.
    expect(await asked({ host: 'evil.example/<script>' })).not.toContain('http://evil.example/<script>');
  });

  it('describes every route with the parameters the validators accept', async () => {
    const document = (await get('/openapi.json')).body as {
      openapi: string;
      paths: Record<string, { get: { parameters?: Array<{ name: string; schema: { enum?: string[] } }> } }>;
    };
    expect(document.openapi).toBe('3.1.0');
    expect(Object.keys(document.paths).sort()).toEqual([
      '/activity',
      '/audit',
      '/deadlines.ics',
      '/determinations',
      '/determinations/{id}',
      '/determinations/{id}/history',
      '/documents',
      '/documents/{id}',
      '/documents/{id}/dismissal',
      '/documents/{id}/original',
      '/documents/{id}/pages/{n}',
      '/documents/{id}/pages/{n}/lines',
      '/documents/{id}/retry',
      '/documents/{id}/status',
      '/documents/{id}/text',
      '/items',
      '/openapi.json',
      '/search',
      '/stats',
      '/uploads',
    ]);
    const items = document.paths['/items']!.get.parameters!;
    expect(items.map((parameter) => parameter.name)).toEqual(['category', 'subcategory', 'decision', 'from', 'to', 'limit', 'cursor', 'format']);
    expect(items.find((parameter) => parameter.name === 'category')!.schema.enum).toContain('PHARMACEUTICAL');
  });
});

describe('the OpenAPI document is the API', () => {
  const document = openApiDocument() as {
    paths: Record<string, Record<string, { operationId: string; responses: Record<string, { content?: Record<string, { schema: unknown }> }> }>>;
    components: { schemas: Record<string, unknown> };
  };
  const ajv = formats.default(new Ajv2020({ strict: false, allErrors: true }));
  const base = 'https://imr-letters.example/openapi';
  ajv.addSchema({ $id: base, components: document.components });
  let checks = 0;
  /** The answer's JSON checked against the schema the document declares for this route and status. */
  function conforms(path: string, method: string, status: number, body: unknown): string[] {
    const schema = document.paths[path]![method]!.responses[String(status)]!.content!['application/json']!.schema;
    const validate = ajv.compile({
      $id: `https://imr-letters.example/check/${checks++}`,
      ...JSON.parse(JSON.stringify(schema).replaceAll('"#/components/', `"${base}#/components/`)),
    });
    return validate(body) ? [] : (validate.errors ?? []).map((error: { instancePath: string; message?: string }) => `${error.instancePath} ${error.message}`);
  }

  it('gives every operation an operationId, a response schema and error answers', () => {
    for (const [path, methods] of Object.entries(document.paths)) {
      for (const [method, operation] of Object.entries(methods)) {
        expect(operation.operationId, `${method} ${path}`).toMatch(/^[a-z][A-Za-z]+$/);
        expect(
          Object.keys(operation.responses).some((status) => status.startsWith('4')),
          `${method} ${path}`,
        ).toBe(true);
        const success = Object.keys(operation.responses).find((status) => status.startsWith('2'))!;
        expect(operation.responses[success]!.content, `${method} ${path}`).toBeDefined();
      }
    }
  });

  it('describes the real answers: every list, one determination, its history, a status, the stats and an error', async () => {
    const id = ids[12]!;
    const answers: Array<[string, string, Record<string, string>]> = [
      ['/determinations', '/determinations', {}],
      ['/determinations', '/determinations', { needsReview: 'true' }],
      ['/items', '/items', {}],
      ['/documents', '/documents', {}],
      [`/determinations/${id}`, '/determinations/{id}', {}],
      [`/determinations/${id}/history`, '/determinations/{id}/history', {}],
      [`/documents/${id}/status`, '/documents/{id}/status', {}],
      [`/documents/${id}`, '/documents/{id}', {}],
      ['/stats', '/stats', { groupBy: 'category' }],
    ];
    for (const [path, template, query] of answers) {
      const answer = await get(path, query);
      expect(conforms(template, 'get', answer.statusCode, answer.body), path).toEqual([]);
    }
    for (const letter of ((await get('/determinations', { limit: '200' })).body as { data: unknown[] }).data)
      expect(conforms('/determinations/{id}', 'get', 200, letter)).toEqual([]);
    const refused = (await fails('/determinations', { limit: 'x' }))!;
    expect(conforms('/determinations', 'get', 400, JSON.parse(refused.body))).toEqual([]);
  });

  it('describes every event a webhook receives: real payloads of each type validate against the webhooks section', async () => {
    const webhooks = (openApiDocument() as { webhooks: Record<string, { post: { requestBody: { content: Record<string, { schema: unknown }> } } }> }).webhooks;
    expect(Object.keys(webhooks).sort()).toEqual([...SERVICE_EVENT_TYPES].sort());
    const check = (payload: { type: string }) => {
      const validate = ajv.compile({
        $id: `https://imr-letters.example/check/${checks++}`,
        ...JSON.parse(
          JSON.stringify(webhooks[payload.type]!.post.requestBody.content['application/json']!.schema).replaceAll('"#/components/', `"${base}#/components/`),
        ),
      });
      return validate(payload)
        ? []
        : (validate.errors ?? []).map((error: { instancePath: string; message?: string }) => `${error.instancePath} ${error.message}`);
    };
    const at = '2026-11-30T12:00:00.000Z';
    const payloads = [];
    for (const id of ids) payloads.push(determinationEvent((await stack.store.getDetermination(id))!, at));
    const stored = (await stack.store.getDetermination(ids[12]!))!;
    payloads.push(reviewedEvent({ ...stored, revision: 2 }, [{ path: 'items[0].decision', from: 'OVERTURNED', to: 'UPHELD' }], at, 'paralegal@firm.example'));
    payloads.push(determinationEvent({ ...stored, pages: { from: 3, to: 5 }, sourceDocument: 'f'.repeat(64) }, at));
    const notALetter = classifyLetter('UTILIZATION REVIEW DETERMINATION\nDear Dr. Patel: your request is non-certified.');
    payloads.push(determinationEvent(storedDetermination(notALetter, { id: 'e'.repeat(64) }), at));
    payloads.push(
      failureEvent(
        'd'.repeat(64),
        {
          id: 'd'.repeat(64),
          status: 'FAILED',
          reason: 'CORRUPT: document: not a readable PDF',
          receivedAt: at,
          updatedAt: at,
          sourceKeys: ['imr-inbox/x/broken.pdf'],
        },
        at,
      ),
    );
    expect(new Set(payloads.map((payload) => payload.type))).toEqual(new Set(SERVICE_EVENT_TYPES));
    for (const payload of payloads) expect(check(payload), payload.type).toEqual([]);
    // What an integrator acts on is in the payload itself.
    expect(payloads.find((payload) => payload.type === 'document.failed')!.data).toMatchObject({
      reason: 'CORRUPT: document: not a readable PDF',
      fileNames: ['broken.pdf'],
    });
    expect(payloads.find((payload) => payload.type === 'determination.unrecognized')!.data.reason).toEqual(expect.any(String));
    expect(payloads.find((payload) => payload.type === 'determination.reviewed')!.data).toMatchObject({ by: 'paralegal@firm.example', revision: 2 });
    expect(payloads[0]!.data.items.map((item) => item.number)).toEqual(payloads[0]!.data.items.map((_, index) => index + 1));
  });

  it("passes Redocly's recommended lint with no error and no warning", async () => {
    const folder = mkdtempSync(join(tmpdir(), 'imr-openapi-'));
    const file = join(folder, 'openapi.json');
    writeFileSync(file, JSON.stringify(document));
    const cli = join(dirname(createRequire(import.meta.url).resolve('@redocly/cli/package.json')), 'bin', 'cli.js');
    const { stdout } = await promisify(execFile)(process.execPath, [cli, 'lint', '--extends', 'recommended', '--format', 'json', file], {
      env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true', NO_COLOR: '1' },
    });
    const report = JSON.parse(stdout) as { totals: { errors: number; warnings: number }; problems: Array<{ ruleId: string; message: string }> };
    expect(report.problems.map((problem) => `${problem.ruleId}: ${problem.message}`)).toEqual([]);
    expect(report.totals).toMatchObject({ errors: 0, warnings: 0 });
    rmSync(folder, { recursive: true, force: true });
  }, 60_000);
});

describe('GET /search on DynamoDB', () => {
  it('finds the letters of the table once their entries are built, best first, in the shape the OpenAPI document gives', async () => {
    const search = stack.store.searchIndex();
    // Read here without a search index: every reading was marked behind by its commit, and is built now as the sweep builds it.
    expect((await search.backlog(100)).length).toBeGreaterThanOrEqual(13);
    while ((await drainSearchBacklog({ store: stack.store, objects: stack.objects, search }, 100, { concurrency: 4 })).more);
    expect(await search.backlog(10)).toEqual([]);
    const searched = async (query: Record<string, string>) => {
      const answer = await route(stack.store, { method: 'GET', path: '/search', query }, { search });
      return JSON.parse(answer.body as string) as { data: Array<{ id: string; caseNumber: string | null }>; nextCursor: string | null };
    };
    // The letters whose requests name Norco: the third real letter three times, and the one built with a case number.
    expect((await searched({ q: 'norco' })).data.map((letter) => letter.id).sort()).toEqual([ids[2], ids[6], ids[10], ids[12]].sort());
    expect((await searched({ q: 'cm15 0012345' })).data.map((letter) => letter.caseNumber)).toEqual(['CM15-0012345']);
    // The fourth real letter three times (Percocet), page by page.
    const percocet = (await searched({ q: 'Percocet' })).data.map((letter) => letter.id);
    expect([...percocet].sort()).toEqual([ids[3], ids[7], ids[11]].sort());
    const first = await searched({ q: 'perco', limit: '2' });
    const second = await searched({ q: 'perco', limit: '2', cursor: first.nextCursor! });
    expect([...first.data, ...second.data].map((letter) => letter.id)).toEqual(percocet);
    expect(second.nextCursor).toBeNull();
    const document = openApiDocument() as {
      components: unknown;
      paths: Record<string, { get: { responses: Record<string, { content: Record<string, { schema: unknown }> }> } }>;
    };
    const ajv = formats.default(new Ajv2020({ strict: false, allErrors: true }));
    ajv.addSchema({ $id: 'https://imr-letters.example/search-check', components: document.components });
    const schema = JSON.parse(
      JSON.stringify(document.paths['/search']!.get.responses['200']!.content['application/json']!.schema).replaceAll(
        '"#/components/',
        '"https://imr-letters.example/search-check#/components/',
      ),
    );
    expect(ajv.validate(schema, first), JSON.stringify(ajv.errors)).toBe(true);
    const refused = await route(stack.store, { method: 'GET', path: '/search', query: { q: 'of the' } }, { search }).then(() => null, httpAnswer);
    expect([refused!.statusCode, JSON.parse(refused!.body).error.code]).toEqual([400, 'NOTHING_TO_SEARCH']);
  });
});

describe('originals and pages for the review console', () => {
  let pageId = '';
  const fileName = 'scan of "letter" ü.png';

  beforeAll(async () => {
    const png = await sharp({ create: { width: 850, height: 1100, channels: 3, background: '#ffffff' } })
      .png()
      .toBuffer();
    pageId = createHash('sha256').update(png).digest('hex');
    await stack.upload(`q/${fileName}`, png);
    await stack.store.recordReceipt(pageId, `${INBOX}/q/${fileName}`, new Date(clock).toISOString());
  });

  it('answers an original with a presigned link that expires in five minutes and downloads under its file name', async () => {
    const options = { links: stack.objects, originals: stack.objects };
    const redirect = await route(stack.store, { method: 'GET', path: `/documents/${pageId}/original`, query: {} }, options);
    expect(redirect.statusCode).toBe(302);
    const location = redirect.headers!.location!;
    expect(new URL(location).searchParams.get('X-Amz-Expires')).toBe('300');
    // Fetched as a plain HTTP client: the local S3 endpoint refuses what browsers send (Node's fetch sends Sec-Fetch-Mode too).
    const download = await plainGet(location);
    expect(download.status).toBe(200);
    expect(download.headers['content-disposition']).toBe(`attachment; filename="scan of _letter_ _.png"; filename*=UTF-8''${encodeURIComponent(fileName)}`);
    expect(createHash('sha256').update(download.body).digest('hex')).toBe(pageId);
    // The console asks for JSON, and follows the link itself.
    const json = await route(
      stack.store,
      { method: 'GET', path: `/documents/${pageId}/original`, query: {}, headers: { accept: 'application/json' } },
      options,
    );
    expect(json).toMatchObject({ statusCode: 200, body: { expiresInSeconds: 300, url: expect.stringContaining('X-Amz-Signature=') } });
  });

  it('renders a page once, keeps it beside the text, and serves it from there afterwards', async () => {
    const reads: string[] = [];
    const originals = { get: async (bucket: string, key: string) => (reads.push(key), stack.objects.get(bucket, key)) };
    const first = await route(stack.store, { method: 'GET', path: `/documents/${pageId}/pages/1`, query: {} }, { originals, pageCache: stack.objects });
    expect([first.statusCode, first.contentType]).toEqual([200, 'image/png']);
    expect(await stack.objects.getPageImage(pageId, 1)).not.toBeNull();
    const again = await route(stack.store, { method: 'GET', path: `/documents/${pageId}/pages/1`, query: {} }, { originals, pageCache: stack.objects });
    expect(Buffer.compare(again.body as Buffer, first.body as Buffer)).toBe(0);
    expect(reads).toHaveLength(1);
    expect(
      (
        await route(stack.store, { method: 'GET', path: `/documents/${pageId}/pages/2`, query: {} }, { originals, pageCache: stack.objects }).then(
          () => null,
          httpAnswer,
        )
      )?.statusCode,
    ).toBe(404);
  });
});

describe('whole exports and the calendar feed', () => {
  const csvOf = (text: string) => parseCsv(text.replace(/^\ufeff/, ''), { columns: true }) as Array<Record<string, string>>;

  it('exports every letter, not one page, with its files, dates, review state and deadlines, ready for Excel', async () => {
    const answer = await get('/determinations', { format: 'csv' });
    const text = answer.body as string;
    expect(text.startsWith('\ufeff')).toBe(true);
    expect(text).toContain('\r\n');
    expect(answer.headers).toMatchObject({ 'content-disposition': expect.stringContaining('imr-letters.csv'), 'x-total-rows': String(ids.length) });
    const rows = csvOf(text);
    expect(rows.map((row) => row.id)).toEqual([...ids].reverse());
    expect(rows.find((row) => row.id === ids[0])).toMatchObject({
      file: '0.txt',
      sourceKeys: `${INBOX}/q/0.txt`,
      receivedOn: '2026-03-01',
      needsReview: 'false',
    });
    const overturned = rows.find((row) => Number(row.overturned) > 0)!;
    expect(overturned.authorizeBy).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });

  it('exports every item with its file and deadlines; past the size budget it says where the rest begins', async () => {
    const whole = csvOf((await get('/items', { format: 'csv' })).body as string);
    expect(whole).toHaveLength(3 * (2 + 2 + 2 + 4) + 1);
    expect(whole.every((row) => row.file!.endsWith('.txt'))).toBe(true);
    expect(whole.filter((row) => row.decision === 'OVERTURNED').every((row) => /^\d{4}-/.test(row.authorizeBy!))).toBe(true);
    expect(whole.filter((row) => row.decision === 'UPHELD').every((row) => row.authorizeBy === '')).toBe(true);
    // A small budget: the export stops after a page and links to the rest; following the links gives every row once.
    const collected: Array<Record<string, string>> = [];
    let query: Record<string, string> = { format: 'csv' };
    for (let round = 0; round < 10; round++) {
      const answer = await route(stack.store, { method: 'GET', path: '/items', query }, { exportBytes: 100 });
      collected.push(...csvOf(answer.body as string));
      const link = answer.headers?.link;
      if (!link) break;
      expect(link).toMatch(/^<\/items\?format=csv&cursor=[^>]+>; rel="next"$/);
      query = Object.fromEntries(new URLSearchParams(link.slice(link.indexOf('?') + 1, link.indexOf('>'))));
    }
    expect(collected.map((row) => `${row.documentId}/${row.item}`)).toEqual(whole.map((row) => `${row.documentId}/${row.item}`));
  });

  it('filters letters by their deadlines and publishes them as a calendar a calendar parser reads', async () => {
    const letters = await all<{ id: string; deadlines: Array<{ due: string }> }>('/determinations', {});
    const earliest = letters.flatMap((letter) => letter.deadlines.map((deadline) => deadline.due)).sort()[0]!;
    const due = await all<{ id: string; deadlines: Array<{ due: string }> }>('/determinations', { dueBefore: earliest });
    expect(due.length).toBeGreaterThan(0);
    expect(due.every((letter) => letter.deadlines.some((deadline) => deadline.due <= earliest))).toBe(true);
    expect((await fails('/determinations', { dueBefore: '2026-02-30' }))?.statusCode).toBe(400);

    const answer = await route(stack.store, { method: 'GET', path: '/deadlines.ics', query: {}, headers: { host: 'imr.example:3000' } });
    expect(answer.contentType).toBe('text/calendar; charset=utf-8');
    const calendar = new ICAL.Component(ICAL.parse(answer.body as string));
    const events = calendar.getAllSubcomponents('vevent').map((vevent) => new ICAL.Event(vevent));
    expect(events).toHaveLength(letters.reduce((sum, letter) => sum + letter.deadlines.length, 0));
    const first = events.find((event) => event.uid.startsWith(letters[0]!.id))!;
    expect(first.startDate.isDate).toBe(true);
    expect(letters[0]!.deadlines.map((deadline) => deadline.due)).toContain(first.startDate.toString());
    expect(first.description).toMatch(/8 CCR 9792\.10\.7|Labor Code 4610\.6/);
    expect(String(first.component.getFirstPropertyValue('url'))).toBe(`http://imr.example:3000/determinations/${letters[0]!.id}`);
  });
});

/** A GET by node:http, with no browser headers. */
function plainGet(url: string): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    httpGet(url, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks) }));
      response.on('error', reject);
    }).on('error', reject);
  });
}
