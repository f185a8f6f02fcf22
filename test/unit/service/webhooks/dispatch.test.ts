import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Webhook } from 'standardwebhooks';
import { attemptDelivery, fanOut, type AttemptRecord, type DeliveryMessage, type DeliveryPorts } from '../../../../functions/service/webhooks/dispatch.ts';
import { nextRetryDelayMs, retryAfterMs, RETRY_WINDOW_MS } from '../../../../functions/service/webhooks/retry-plan.ts';
import { failureEvent } from '../../../../functions/service/events.ts';

const secretA = `whsec_${Buffer.from('first-secret-of-thirty-two-bytes').toString('base64')}`;
const secretB = `whsec_${Buffer.from('second-secret-of-thirty-two-byte').toString('base64')}`;
const event = failureEvent('e'.repeat(64), null, '2026-11-22T10:00:00.000Z');

let server: Server;
let url = '';
let answers: Array<{ status: number; headers?: Record<string, string> }> = [];
const seen: Array<{ id: string; signature: string; body: string; timestamp: string }> = [];

beforeAll(async () => {
  server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => (body += chunk));
    request.on('end', () => {
      seen.push({
        id: String(request.headers['webhook-id']),
        signature: String(request.headers['webhook-signature']),
        body,
        timestamp: String(request.headers['webhook-timestamp']),
      });
      const answer = answers.shift() ?? { status: 200 };
      response.writeHead(answer.status, answer.headers);
      response.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
beforeEach(() => {
  seen.length = 0;
  answers = [];
});

/** Ports that run scheduled retries at once (recording the delay asked for) and keep everything. */
function ports(now = () => Date.now()) {
  const records: AttemptRecord[] = [];
  const deadLetters: DeliveryMessage[] = [];
  const delays: number[] = [];
  const p: DeliveryPorts = {
    secrets: async () => [secretA, secretB],
    now,
    record: async (record) => void records.push(record),
    deadLetter: async (message) => void deadLetters.push(message),
    schedule: async (message, delayMs) => {
      delays.push(delayMs);
      await attemptDelivery({ ...message, notBefore: undefined }, p);
    },
  };
  return { p, records, deadLetters, delays };
}

const first = (): DeliveryMessage => fanOut(event, [{ url, events: ['document.failed'] }], 'evt-9', Date.now())[0]!;

describe('webhook dispatch', () => {
  it('retries a receiver that fails then recovers, with one stable webhook-id and every attempt recorded', async () => {
    answers = [{ status: 500 }, { status: 502 }, { status: 200 }];
    const { p, records, delays } = ports();
    await attemptDelivery(first(), p);
    expect(seen.map((request) => request.id)).toEqual(['msg_evt-9', 'msg_evt-9', 'msg_evt-9']);
    expect(records.map((record) => [record.attempt, record.statusCode, record.outcome])).toEqual([
      [1, 500, 'retry'],
      [2, 502, 'retry'],
      [3, 200, 'delivered'],
    ]);
    expect(records.every((record) => record.latencyMs >= 0)).toBe(true);
    expect(delays[0]).toBeGreaterThanOrEqual(15_000);
    expect(delays[1]).toBeGreaterThanOrEqual(30_000);
  });

  it('signs with both secrets during a rotation: a receiver holding either verifies', async () => {
    const { p } = ports();
    await attemptDelivery(first(), p);
    const [request] = seen;
    const headers = { 'webhook-id': request!.id, 'webhook-timestamp': request!.timestamp, 'webhook-signature': request!.signature };
    expect(request!.signature.split(' ')).toHaveLength(2);
    expect(new Webhook(secretA).verify(request!.body, headers)).toMatchObject({ type: 'document.failed' });
    expect(new Webhook(secretB).verify(request!.body, headers)).toMatchObject({ type: 'document.failed' });
  });

  it("honours the receiver's Retry-After", async () => {
    answers = [{ status: 429, headers: { 'retry-after': '120' } }];
    const { p, delays } = ports();
    await attemptDelivery(first(), p);
    expect(delays[0]).toBe(120_000);
  });

  it('stops at once on 410 Gone', async () => {
    answers = [{ status: 410 }];
    const { p, records, deadLetters } = ports();
    expect(await attemptDelivery(first(), p)).toBe('gone');
    expect(records.map((record) => record.outcome)).toEqual(['gone']);
    expect(deadLetters).toEqual([]);
  });

  it('dead-letters a delivery still failing 24 hours after its first attempt', async () => {
    answers = [{ status: 503 }];
    const { p, deadLetters, records } = ports();
    const message = { ...first(), firstAttemptAt: Date.now() - RETRY_WINDOW_MS + 1000, attempt: 14 };
    expect(await attemptDelivery(message, p)).toBe('dead-lettered');
    expect(deadLetters).toHaveLength(1);
    expect(deadLetters[0]).toMatchObject({ webhookId: 'msg_evt-9', lastError: expect.stringMatching(/answered 503/) });
    expect(records.at(-1)!.outcome).toBe('dead-lettered');
  });

  it('gives a replayed dead letter a fresh 24-hour window', async () => {
    answers = [{ status: 503 }, { status: 200 }];
    const { p, deadLetters, records } = ports();
    await attemptDelivery({ ...first(), firstAttemptAt: Date.now() - RETRY_WINDOW_MS, attempt: 20 }, p);
    expect(deadLetters).toHaveLength(1);
    expect(await attemptDelivery(deadLetters[0]!, p)).toBe('delivered');
    expect(records.at(-1)).toMatchObject({ attempt: 1, outcome: 'delivered', webhookId: 'msg_evt-9' });
  });

  it('fans an event out only to the endpoints that asked for its type', () => {
    const endpoints = [
      { url: 'https://a.example/', events: ['document.failed' as const] },
      { url: 'https://b.example/', events: ['determination.classified' as const] },
    ];
    expect(fanOut(event, endpoints, 'x', 0).map((message) => message.endpoint.url)).toEqual(['https://a.example/']);
  });
});

describe('retry plan', () => {
  it('backs off exponentially with jitter, capped at an hour', () => {
    const at = (attempt: number, random: number) => nextRetryDelayMs(attempt, 0, 0, null, () => random);
    expect([at(1, 0), at(1, 1)]).toEqual([15_000, 30_000]);
    expect(at(3, 1)).toBe(120_000);
    expect(at(20, 1)).toBe(3_600_000);
  });

  it('reads Retry-After as seconds or an HTTP date', () => {
    const now = Date.parse('2026-11-22T10:00:00Z');
    expect(retryAfterMs('30', now)).toBe(30_000);
    expect(retryAfterMs('Sun, 22 Nov 2026 10:05:00 GMT', now)).toBe(300_000);
    expect(retryAfterMs('soon', now)).toBeNull();
  });
});

describe('local webhook publisher', () => {
  it('dead-letters to a file and replays from it with a fresh window', async () => {
    const { mkdtempSync, readFileSync, rmSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const { LocalWebhookPublisher } = await import('../../../../functions/local/webhook-publisher.ts');
    const dir = mkdtempSync(join(tmpdir(), 'imr-hooks-'));
    const files = { deadLetters: join(dir, 'dead.jsonl'), attempts: join(dir, 'attempts.jsonl'), pending: join(dir, 'pending') };
    answers = [{ status: 500 }, { status: 500 }, { status: 500 }];
    // Retries scaled to microseconds, and a window so short the third failure dead-letters.
    const publisher = new LocalWebhookPublisher([{ url, events: ['document.failed'] }], [secretA], files, () => undefined, { retryScale: 0.00001 });
    const realNow = Date.now;
    let shift = 0;
    Date.now = () => realNow() + shift;
    try {
      await publisher.publish(event);
      await publisher.drain();
      shift = RETRY_WINDOW_MS;
      for (let i = 0; i < 20 && !readFileSync(files.deadLetters, { flag: 'a+' }).toString(); i++) await new Promise((resolve) => setTimeout(resolve, 20));
    } finally {
      Date.now = realNow;
    }
    await publisher.drain();
    expect(readFileSync(files.deadLetters, 'utf8').trim().split('\n')).toHaveLength(1);
    answers = [{ status: 200 }];
    expect(publisher.replayDeadLetters()).toBe(1);
    await publisher.drain();
    publisher.stop();
    expect(readFileSync(files.deadLetters, 'utf8')).toBe('');
    const attempts = readFileSync(files.attempts, 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as AttemptRecord);
    expect(attempts.at(-1)).toMatchObject({ outcome: 'delivered', attempt: 1 });
    expect(new Set(attempts.map((attempt) => attempt.webhookId)).size).toBe(1);
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps a retry pending when the service stops, and delivers it after the next start', async () => {
    const { mkdtempSync, readdirSync, readFileSync, rmSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const { LocalWebhookPublisher } = await import('../../../../functions/local/webhook-publisher.ts');
    const dir = mkdtempSync(join(tmpdir(), 'imr-hooks-'));
    const files = { deadLetters: join(dir, 'dead.jsonl'), attempts: join(dir, 'attempts.jsonl'), pending: join(dir, 'pending') };
    answers = [{ status: 503 }];
    // The first retry waits about a second (scaled): the service stops before it runs.
    const first = new LocalWebhookPublisher([{ url, events: ['document.failed'] }], [secretA], files, () => undefined, { retryScale: 0.02 });
    await first.publish(event);
    await first.drain();
    first.stop();
    expect(readdirSync(files.pending)).toHaveLength(1);
    answers = [{ status: 200 }];
    const second = new LocalWebhookPublisher([{ url, events: ['document.failed'] }], [secretA], files, () => undefined, { retryScale: 0.02 });
    for (let i = 0; i < 100 && readdirSync(files.pending).length > 0; i++) await new Promise((resolve) => setTimeout(resolve, 50));
    await second.drain();
    second.stop();
    const attempts = readFileSync(files.attempts, 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as AttemptRecord);
    expect(attempts.map((attempt) => [attempt.attempt, attempt.outcome])).toEqual([
      [1, 'retry'],
      [2, 'delivered'],
    ]);
    expect(new Set(attempts.map((attempt) => attempt.webhookId)).size).toBe(1);
    rmSync(dir, { recursive: true, force: true });
  });
});
