import { afterEach, describe, expect, it, vi } from 'vitest';
import { Logger } from '@aws-lambda-powertools/logger';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { classifyLetter } from '../../../functions/domain/index.ts';
import { route } from '../../../functions/query/routes.ts';
import { httpAnswer } from '../../../functions/query/http-errors.ts';
import { createQueryHandler } from '../../../functions/query/query-handler.ts';
import { answerRow, type DeterminationStore, type SearchIndex } from '../../../functions/service/ports.ts';
import { letterText, storedDetermination } from '../../fixtures/factories.ts';

const letter = storedDetermination(classifyLetter(letterText({ items: [{ request: 'Percocet 10/325mg #90' }] })), { id: 'a'.repeat(64) });
const notALetter = storedDetermination(classifyLetter('INVOICE 4471\nOffice supplies, net 30 days.'), { id: 'b'.repeat(64) });
/** A store answering rows of the letters it holds, in the order asked. */
const store = {
  rowsOf: async (ids: readonly string[]) => ids.map((id) => [letter, notALetter].find((one) => one.id === id)!).map(answerRow),
} as unknown as DeterminationStore;
const asked: unknown[] = [];
/** Letters the index has not caught up with yet. */
let behind: string[] = [];
const search: Pick<SearchIndex, 'search' | 'backlog'> = {
  search: async (query) => {
    asked.push(query);
    return { data: [notALetter.id, letter.id], nextCursor: 'next-page' };
  },
  backlog: async (limit) => behind.slice(0, limit).map((id) => ({ id, mark: `m-${id}` })),
};

afterEach(() => {
  vi.restoreAllMocks();
  asked.length = 0;
  behind = [];
});

describe('GET /search', () => {
  it('answers the rows of the letters found, in the order found, leaving out a document the index has not caught up with', async () => {
    const answer = await route(store, { method: 'GET', path: '/search', query: { q: 'Percocet', limit: '20' } }, { search });
    expect(asked).toEqual([{ terms: [{ word: 'percocet', prefix: true }], limit: 20, cursor: undefined }]);
    const body = JSON.parse(String(answer.body)) as { data: Array<{ id: string }>; nextCursor: string };
    // The unrecognized document (read again as no letter a moment ago) is not answered.
    expect(body.data.map((row) => row.id)).toEqual([letter.id]);
    expect(body.nextCursor).toBe('next-page');
  });

  it('says how many letters read are not searchable yet, counted up to 100, so an answer given while the index catches up is never a silent "not found"', async () => {
    const indexing = async () =>
      (JSON.parse(String((await route(store, { method: 'GET', path: '/search', query: { q: 'Percocet' } }, { search })).body)) as { indexing: number })
        .indexing;
    expect(await indexing()).toBe(0);
    behind = Array.from({ length: 7 }, (_, i) => `letter-${i}`);
    expect(await indexing()).toBe(7);
    behind = Array.from({ length: 250 }, (_, i) => `letter-${i}`);
    expect(await indexing()).toBe(100);
  });

  it('is not offered where there is no index, and refuses what it will not search before asking it', async () => {
    expect(httpAnswer(await route(store, { method: 'GET', path: '/search', query: { q: 'x' } }).catch((error: unknown) => error)).statusCode).toBe(404);
    const refused = httpAnswer(
      await route(store, { method: 'GET', path: '/search', query: { q: 'a b c d e f g h i j' } }, { search }).catch((error: unknown) => error),
    );
    expect(refused.statusCode).toBe(400);
    expect(JSON.parse(refused.body).error.code).toBe('NOTHING_TO_SEARCH');
    expect(asked).toEqual([]);
  });

  it('is never written to the log by the Lambda handler: neither the words searched nor a failure’s message', async () => {
    const written: string[] = [];
    for (const stream of [process.stdout, process.stderr])
      vi.spyOn(stream, 'write').mockImplementation((chunk: string | Uint8Array) => {
        written.push(String(chunk));
        return true;
      });
    const failing: Pick<SearchIndex, 'search' | 'backlog'> = {
      search: async () => {
        throw new Error('the index failed while looking up oxycodonewordinlog');
      },
      backlog: async () => [],
    };
    const event = (q: string) =>
      ({
        rawPath: '/search',
        queryStringParameters: { q },
        headers: {},
        requestContext: { http: { method: 'GET' } },
      }) as unknown as APIGatewayProxyEventV2;
    const context = { functionName: 'query', awsRequestId: 'r-1' } as Context;
    const logger = new Logger({ serviceName: 'imr-query-test' });
    const ok = await createQueryHandler(store, logger, { search })(event('Percocetwordinlog'), context);
    expect(ok).toMatchObject({ statusCode: 200, headers: { 'content-type': 'application/json' } });
    // The list is written as bytes; API Gateway gets it as JSON text, not base64.
    expect((ok as { isBase64Encoded?: boolean }).isBase64Encoded).toBeUndefined();
    expect(JSON.parse((ok as { body: string }).body)).toMatchObject({ data: [{ id: letter.id }], indexing: 0 });
    const failed = await createQueryHandler(store, logger, { search: failing })(event('oxycodonewordinlog'), context);
    expect(failed).toMatchObject({ statusCode: 500 });
    vi.restoreAllMocks();
    const log = written.join('');
    expect(log).toContain('request failed');
    expect(log.toLowerCase()).not.toContain('percocetwordinlog');
    expect(log.toLowerCase()).not.toContain('oxycodonewordinlog');
  });
});
