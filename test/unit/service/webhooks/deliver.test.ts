import { createServer, type IncomingMessage, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Webhook } from 'standardwebhooks';
import { deliver, endpointsFor, type WebhookEndpoint } from '../../../../functions/service/webhooks/deliver.ts';
import { determinationEvent } from '../../../../functions/service/events.ts';
import { classifyLetter } from '../../../../functions/domain/index.ts';
import { loadGoldenLetters } from '../../../fixtures/golden.ts';
import { storedDetermination } from '../../../fixtures/factories.ts';

const secret = `whsec_${Buffer.from('a-test-secret-of-enough-length!!').toString('base64')}`;
const event = determinationEvent(storedDetermination(classifyLetter(loadGoldenLetters()[1]!.text), { id: 'f'.repeat(64) }), '2026-11-22T10:00:00.000Z');

/** A local receiver answering each request with the next status of `statuses`. */
let server: Server;
let url: string;
const received: Array<{ headers: IncomingMessage['headers']; body: string }> = [];
let statuses: number[] = [];

beforeAll(async () => {
  server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => (body += chunk));
    request.on('end', () => {
      received.push({ headers: request.headers, body });
      response.statusCode = statuses.shift() ?? 200;
      response.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/hook`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const endpoint = (): WebhookEndpoint => ({ url, events: ['determination.classified'] });

describe('webhook delivery', () => {
  it('signs per Standard Webhooks: the standardwebhooks verifier accepts it', async () => {
    received.length = 0;
    const attempt = await deliver(event, endpoint(), secret, 'evt-1');
    expect(attempt).toMatchObject({ statusCode: 200, webhookId: 'evt-1' });
    const [request] = received;
    const headers = {
      'webhook-id': String(request!.headers['webhook-id']),
      'webhook-timestamp': String(request!.headers['webhook-timestamp']),
      'webhook-signature': String(request!.headers['webhook-signature']),
    };
    expect(new Webhook(secret).verify(request!.body, headers)).toEqual(JSON.parse(JSON.stringify(event)));
    expect(headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/=]+$/);
    expect(() => new Webhook(secret).verify(request!.body.replace('UPHELD', 'OVERTURNED'), headers)).toThrow();
  });

  it('sends the body of spec section 4', async () => {
    received.length = 0;
    await deliver(event, endpoint(), secret, 'evt-2');
    expect(JSON.parse(received[0]!.body)).toEqual({
      type: 'determination.classified',
      timestamp: '2026-11-22T10:00:00.000Z',
      data: {
        id: 'f'.repeat(64),
        caseNumber: null,
        outcome: 'PARTIALLY_OVERTURNED',
        needsReview: false,
        items: [
          {
            number: 1,
            index: 0,
            request: '1 PRESCRIPTION OF CYCLOBENZAPRINE 5MG #60',
            decision: 'UPHELD',
            category: 'PHARMACEUTICAL',
            subcategory: 'MUSCLE_RELAXANT',
            flags: [],
          },
          {
            number: 2,
            index: 1,
            request: '1 CONSULTATION WITH NEUROSURGICAL SPINE SPECIALIST',
            decision: 'OVERTURNED',
            category: 'EVALUATION_AND_MANAGEMENT',
            subcategory: 'CONSULTATION',
            flags: [],
          },
        ],
        sourceKeys: [`imr-inbox/${'f'.repeat(12)}.txt`],
        fileNames: [`${'f'.repeat(12)}.txt`],
        decisionDate: null,
        flags: [],
        warnings: [],
        reason: null,
        // Received Sunday 2026-11-22: Thanksgiving and the day after are skipped.
        receivedOn: '2026-11-22',
        deadlines: [
          {
            kind: 'AUTHORIZE',
            due: '2026-12-01',
            from: '2026-11-22',
            items: [1],
            rule: '8 CCR 9792.10.7(a)(2)',
            basis: expect.stringContaining('5 working days'),
            services: ['1 CONSULTATION WITH NEUROSURGICAL SPINE SPECIALIST'],
          },
          {
            kind: 'REIMBURSE',
            due: '2026-12-12',
            from: '2026-11-22',
            items: [1],
            rule: '8 CCR 9792.10.7(a)(1)',
            basis: expect.stringContaining('20 days'),
            services: ['1 CONSULTATION WITH NEUROSURGICAL SPINE SPECIALIST'],
          },
        ],
        links: { self: `/determinations/${'f'.repeat(64)}` },
      },
    });
  });

  it('throws a retryable error on 5xx and keeps the webhook-id stable across the retry', async () => {
    received.length = 0;
    statuses = [503];
    await expect(deliver(event, endpoint(), secret, 'evt-3')).rejects.toMatchObject({ code: 'RETRYABLE' });
    await expect(deliver(event, endpoint(), secret, 'evt-3')).resolves.toMatchObject({ statusCode: 200 });
    expect(received.map((request) => request.headers['webhook-id'])).toEqual(['evt-3', 'evt-3']);
  });

  it('stops on 410 Gone', async () => {
    statuses = [410];
    await expect(deliver(event, endpoint(), secret, 'evt-4')).rejects.toMatchObject({ code: 'GONE' });
  });

  it('times out a receiver that never answers', async () => {
    const silent = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const address = silent.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    await expect(
      deliver(event, { url: `http://127.0.0.1:${port}/`, events: ['determination.classified'] }, secret, 'evt-5', { timeoutMs: 200 }),
    ).rejects.toMatchObject({ code: 'RETRYABLE' });
    silent.closeAllConnections();
    await new Promise<void>((resolve) => silent.close(() => resolve()));
  });

  it('sends each endpoint only the event types it asked for', () => {
    const endpoints: WebhookEndpoint[] = [
      { url: 'https://a.example/', events: ['determination.classified'] },
      { url: 'https://b.example/', events: ['document.failed', 'determination.needs_review'] },
    ];
    expect(endpointsFor(endpoints, 'document.failed').map((e) => e.url)).toEqual(['https://b.example/']);
    expect(endpointsFor(endpoints, 'determination.unrecognized')).toEqual([]);
  });
});
