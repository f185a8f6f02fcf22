/**
 * `GET /search` against the real local service: letters uploaded as a user would, read, indexed
 * a moment later, and found by a drug, a treatment, a name, a case number or the start of a word;
 * the same rows as `GET /determinations`, best first, paged; refused in words when unbounded; kept
 * up to date by a person's correction; and the words searched never written to a log.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import formats from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { startOnFreePorts, LOCAL_INBOX, type LocalService } from '../../functions/local/runtime.ts';
import { documentId } from '../../functions/service/ingest.ts';
import { openApiDocument } from '../../functions/query/openapi.ts';
import { loadGoldenLetters } from '../fixtures/golden.ts';
import { letterText } from '../fixtures/factories.ts';
import { waitFor } from './harness.ts';

const letters = loadGoldenLetters();
const root = mkdtempSync(join(tmpdir(), 'imr-search-api-'));
const lines: string[] = [];
let service: LocalService;

/** The four real letters (the fourth is the only one naming Percocet), and letters built to order. */
const golden = letters.map((letter, n) => ({ key: `golden/letter ${n}.txt`, body: `${letter.text}\n\nSearch copy ${n}.\n` }));
const named = {
  key: 'faxes/Muller fax 0612.txt',
  body: letterText({
    preamble: [
      'Case Number: CM15-0098765',
      'Decision Date: 01/21/2015',
      'Employee: Zoë Müller',
      'WCAB Case Number: ADJ1234567',
      'Claims Administrator: Golden State Insurance',
      'Reviewer: Dr. Ángel Ibáñez',
      '',
    ],
    items: [
      { request: 'MRI of the lumbar spine without contrast', decision: 'Overturned' },
      { request: 'Gabapentin 600mg #90', decision: 'Upheld' },
    ],
  }),
};
/** The same letter as the named one, in another form: linked to it, never found a second time. */
const copy = { key: 'scans/the same letter again.txt', body: `${named.body}\n\nSent again by fax.\n` };
/** Not an IMR letter at all, though it names a drug: never found. */
const invoice = { key: 'misc/invoice.txt', body: 'INVOICE 4471\nPercocet and Gabapentin, pharmacy supplies, net 30 days.\n' };
const id = (upload: { body: string }) => documentId(Buffer.from(upload.body));

type Row = { id: string; status: string; sourceKeys: string[]; sameLetterAs?: string; items?: Array<{ request: string }> };
async function search(
  query: Record<string, string>,
): Promise<{ status: number; body: { data: Row[]; nextCursor: string | null; error?: { code: string; message: string } } }> {
  const response = await fetch(`${service.endpoints.http}/search?${new URLSearchParams(query)}`);
  return { status: response.status, body: (await response.json()) as never };
}
const found = async (q: string) => {
  const answer = await search({ q });
  expect(answer.status, q).toBe(200);
  return answer.body.data.map((row) => row.id);
};

beforeAll(async () => {
  service = await startOnFreePorts(root, (line) => lines.push(line), { reviewer: 'Pat Reviewer' });
  for (const upload of [...golden, named, invoice])
    await service.s3.send(new PutObjectCommand({ Bucket: LOCAL_INBOX, Key: upload.key, Body: Buffer.from(upload.body) }));
  await waitFor(async () => ((await service.store.getDocument(id(named)))?.status === 'CLASSIFIED' ? true : undefined), 60_000);
  // Another form of the named letter, after it.
  await service.s3.send(new PutObjectCommand({ Bucket: LOCAL_INBOX, Key: copy.key, Body: Buffer.from(copy.body) }));
  await new Promise((resolveWait) => setTimeout(resolveWait, 300));
  await service.idle();
}, 120_000);

afterAll(async () => {
  await service?.stop();
  rmSync(root, { recursive: true, force: true });
});

describe('GET /search', () => {
  it('finds a drug, a treatment, a name, a case number and the start of a word, case and accents aside', async () => {
    const percocet = id(golden[3]!);
    expect(await found('Percocet')).toEqual([percocet]);
    expect(await found('PERCOCÉT')).toEqual([percocet]);
    expect(await found('perco')).toEqual([percocet]);
    expect(await found('lumbar MRI')).toEqual([id(named)]);
    for (const query of ['Zoë Müller', 'zoe muller', 'Ibáñez', 'ADJ1234567', 'adj 1234567', 'CM15-0098765', 'gabapentin', 'gaba', 'fax 0612'])
      expect([query, await found(query)]).toEqual([query, [id(named)]]);
    // Every word must match.
    expect(await found('percocet gabapentin')).toEqual([]);
    expect(await found('acupuncture percocet')).toEqual([percocet]);
    // The generic name the engine knows for a drug finds it too (Percocet and OxyContin are oxycodone).
    expect((await found('oxycodone')).sort()).toEqual([id(golden[0]!), percocet].sort());
  });

  it('finds each letter once: not a document that is no letter, nor another form of a letter already found', async () => {
    const linked = (await (await fetch(`${service.endpoints.http}/determinations/${id(copy)}`)).json()) as Row;
    expect(linked.sameLetterAs).toBe(id(named));
    expect(await found('gabapentin lumbar')).toEqual([id(named)]);
    expect(await found('sent again')).toEqual([]);
    expect(await found('invoice 4471')).toEqual([]);
  });

  it('answers the rows of GET /determinations, best first, page after page, as its OpenAPI document says', async () => {
    const listed = ((await (await fetch(`${service.endpoints.http}/determinations?limit=200`)).json()) as { data: Row[] }).data;
    const everyone = await search({ q: 'patient', limit: '200' });
    expect(everyone.body.data.length).toBeGreaterThanOrEqual(4);
    // Each row is the row the list answers for the same letter, byte for byte.
    for (const row of everyone.body.data) expect(row).toEqual(listed.find((one) => one.id === row.id));
    const paged: string[] = [];
    let cursor: string | null = null;
    do {
      const page: Awaited<ReturnType<typeof search>> = await search({ q: 'patient', limit: '2', ...(cursor ? { cursor } : {}) });
      expect(page.status).toBe(200);
      expect(page.body.data.length).toBeLessThanOrEqual(2);
      paged.push(...page.body.data.map((row) => row.id));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(paged).toEqual(everyone.body.data.map((row) => row.id));
    // A request naming the drug above a letter mentioning it in passing.
    expect((await found('gabapentin'))[0]).toBe(id(named));

    const document = openApiDocument() as {
      components: unknown;
      paths: Record<string, { get: { responses: Record<string, { content: Record<string, { schema: unknown }> }> } }>;
    };
    const ajv = formats.default(new Ajv2020({ strict: false, allErrors: true }));
    ajv.addSchema({ $id: 'https://imr-letters.example/openapi', components: document.components });
    const check = (status: string, body: unknown) =>
      ajv.validate(
        JSON.parse(
          JSON.stringify(document.paths['/search']!.get.responses[status]!.content['application/json']!.schema).replaceAll(
            '"#/components/',
            '"https://imr-letters.example/openapi#/components/',
          ),
        ),
        body,
      );
    expect(check('200', everyone.body)).toBe(true);
    expect(check('400', (await search({ q: 'the' })).body)).toBe(true);
  });

  it('refuses in words what it will not search: too long, too many words, nothing to search for, a cursor of another search', async () => {
    const refused = async (query: Record<string, string>) => {
      const answer = await search(query);
      expect(answer.status).toBe(400);
      return answer.body.error!;
    };
    expect(await refused({ q: 'secretword '.repeat(30) })).toEqual({ code: 'QUERY_TOO_LONG', message: expect.stringMatching(/at most 200 characters/) });
    expect(await refused({ q: 'one two three four five six seven eight nine' })).toEqual({
      code: 'TOO_MANY_WORDS',
      message: expect.stringMatching(/at most 8 words, and this one has 9/),
    });
    expect(await refused({ q: 'the of and' })).toMatchObject({ code: 'NOTHING_TO_SEARCH' });
    expect(await refused({})).toMatchObject({ code: 'BAD_REQUEST', message: expect.stringMatching(/^q: the words to search for are required/) });
    expect(await refused({ q: 'percocet', colour: 'red' })).toMatchObject({ code: 'BAD_REQUEST', message: 'unknown parameter: colour' });
    expect(await refused({ q: 'percocet', limit: '500' })).toMatchObject({ code: 'BAD_REQUEST' });
    const page = await search({ q: 'patient', limit: '1' });
    expect(await refused({ q: 'therapy', limit: '1', cursor: page.body.nextCursor! })).toMatchObject({
      code: 'BAD_REQUEST',
      message: expect.stringMatching(/^cursor:/),
    });
    // The refusals never repeat the words.
    expect(JSON.stringify(await refused({ q: 'secretword '.repeat(30) }))).not.toContain('secretword');
  });

  it('follows a person’s correction of a request within a moment', async () => {
    const letter = id(named);
    expect(await found('zolpidem')).toEqual([]);
    const response = await fetch(`${service.endpoints.http}/determinations/${letter}`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json', 'x-imr-session': service.apiToken, 'if-match': '1' },
      body: JSON.stringify({ items: [{ index: 1, request: 'Zolpidem 10mg #30' }] }),
    });
    expect(response.status).toBe(200);
    await waitFor(async () => ((await found('zolpidem')).includes(letter) ? true : undefined), 10_000);
    // Gabapentin is still in the letter's text: still found, now through the text alone (ranked lower).
    expect(await found('gabapentin')).toContain(letter);
  });

  it('never writes the words searched to the service’s log', async () => {
    await search({ q: 'Xylocainewordinlog Ibáñez' });
    await search({ q: 'secretterm '.repeat(30) });
    const log = lines.join('\n');
    expect(log).toMatch(/CLASSIFIED/);
    for (const word of ['xylocainewordinlog', 'secretterm', 'Xylocainewordinlog', 'Ibáñez', 'zolpidem', 'Zolpidem']) expect(log).not.toContain(word);
  });
});
