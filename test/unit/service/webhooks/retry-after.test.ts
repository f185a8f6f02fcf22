import { createServer, type Server } from 'node:http';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { SqsDeliveryQueue } from '../../../../functions/adapters/sqs/delivery-queue.ts';
import { deliver } from '../../../../functions/service/webhooks/deliver.ts';
import { attemptDelivery, fanOut, type AttemptRecord, type DeliveryMessage, type DeliveryPorts } from '../../../../functions/service/webhooks/dispatch.ts';
import { FIRST_RETRY_MS, MAX_RETRY_MS, nextRetryDelayMs, RETRY_WINDOW_MS } from '../../../../functions/service/webhooks/retry-plan.ts';
import { failureEvent } from '../../../../functions/service/events.ts';
import { LocalWebhookPublisher, type OutboxEntry } from '../../../../functions/local/webhook-publisher.ts';

const secret = `whsec_${Buffer.from('retry-after-secret-of-32-bytes!!').toString('base64')}`;
const event = failureEvent('a'.repeat(64), null, '2026-11-22T10:00:00.000Z');
const T0 = Date.parse('2026-11-22T10:00:00Z');
const QUEUE = 'https://sqs.us-east-1.amazonaws.com/000000000000/deliveries';
const DLQ = 'https://sqs.us-east-1.amazonaws.com/000000000000/deliveries-dlq';

describe('the retry plan: Retry-After lengthens the wait, never shortens it', () => {
  const lowest = () => 0;
  it('keeps the schedule when Retry-After asks for less (0 s, or a date already past)', () => {
    expect(nextRetryDelayMs(1, T0, T0, 0, lowest)).toBe(15_000);
    expect(nextRetryDelayMs(3, T0, T0, 0, lowest)).toBe(60_000);
    expect(nextRetryDelayMs(3, T0, T0, 10_000, () => 1)).toBe(120_000);
  });

  it('waits longer when Retry-After asks for more, even past the schedule’s one-hour step', () => {
    expect(nextRetryDelayMs(1, T0, T0, 120_000, lowest)).toBe(120_000);
    expect(nextRetryDelayMs(20, T0, T0, 2 * MAX_RETRY_MS, lowest)).toBe(2 * MAX_RETRY_MS);
  });

  it('gives up (dead letter) when the wait would end past 24 hours after the first attempt', () => {
    expect(nextRetryDelayMs(1, T0, T0, RETRY_WINDOW_MS + 1000, lowest)).toBeNull();
    expect(nextRetryDelayMs(12, T0, T0 + RETRY_WINDOW_MS - 10_000, 0, lowest)).toBeNull();
    expect(nextRetryDelayMs(1, T0, T0, RETRY_WINDOW_MS, lowest)).toBe(RETRY_WINDOW_MS);
  });
});

describe('on AWS (SQS between attempts), with a fake clock', () => {
  const sqs = mockClient(SQSClient);
  let clock = T0;
  let answer: { status: number; retryAfter?: string } = { status: 503, retryAfter: '0' };
  let attempts: number[] = [];
  const records: AttemptRecord[] = [];

  /** The handler's ports (functions/webhook/handler.ts) over a mocked SQS, a fake clock and a receiver that answers `answer`. */
  const ports = (): DeliveryPorts => {
    const queue = new SqsDeliveryQueue(QUEUE, DLQ, new SQSClient({ region: 'us-east-1' }));
    return {
      schedule: (message, delayMs) => queue.schedule(message, delayMs),
      deadLetter: (message) => queue.deadLetter(message),
      record: async (record) => void records.push(record),
      secrets: async () => [secret],
      now: () => clock,
      random: () => 0,
      deliver: (e, endpoint, secrets, webhookId) =>
        deliver(e, endpoint, secrets, webhookId, {
          now: () => new Date(clock),
          fetch: async () => {
            attempts.push(clock);
            return new Response(null, { status: answer.status, headers: answer.retryAfter === undefined ? {} : { 'retry-after': answer.retryAfter } });
          },
        }),
    };
  };
  const sent = () =>
    sqs.commandCalls(SendMessageCommand).map((call) => ({
      queue: call.args[0].input.QueueUrl,
      delaySeconds: call.args[0].input.DelaySeconds,
      message: JSON.parse(call.args[0].input.MessageBody!) as DeliveryMessage,
    }));
  const first = () => fanOut(event, [{ url: 'https://cases.example/hook', events: ['document.failed'] }], 'eb-1', clock)[0]!;

  beforeEach(() => {
    sqs.reset();
    sqs.on(SendMessageCommand).resolves({ MessageId: 'm' });
    clock = T0;
    attempts = [];
    records.length = 0;
    answer = { status: 503, retryAfter: '0' };
  });
  afterAll(() => sqs.restore());

  it('re-queues after the schedule’s step, not at once, when the receiver answers Retry-After: 0', async () => {
    expect(await attemptDelivery(first(), ports())).toBe('retry');
    expect(sent()).toEqual([
      { queue: QUEUE, delaySeconds: 15, message: expect.objectContaining({ attempt: 2, notBefore: T0 + 15_000, webhookId: 'msg_eb-1' }) },
    ]);
  });

  it('waits as long as a longer Retry-After asks, chaining SQS’s 15-minute delays until it is due', async () => {
    answer = { status: 429, retryAfter: '7200' };
    await attemptDelivery(first(), ports());
    const [retry] = sent();
    expect(retry).toMatchObject({ queue: QUEUE, delaySeconds: 900, message: { attempt: 2, notBefore: T0 + 7_200_000 } });
    // The message comes back after 15 minutes: still early, so it is queued again without an attempt.
    sqs.resetHistory();
    clock = T0 + 900_000;
    expect(await attemptDelivery(retry!.message, ports())).toBe('retry');
    expect(attempts).toEqual([T0]);
    expect(sent()[0]).toMatchObject({ delaySeconds: 900, message: { attempt: 2, notBefore: T0 + 7_200_000 } });
    clock = T0 + 7_200_000;
    answer = { status: 200 };
    expect(await attemptDelivery(sent()[0]!.message, ports())).toBe('delivered');
    expect(attempts).toEqual([T0, T0 + 7_200_000]);
  });

  it('dead-letters at once when Retry-After asks to wait past the 24-hour window, saying so', async () => {
    answer = { status: 503, retryAfter: String(25 * 3600) };
    expect(await attemptDelivery(first(), ports())).toBe('dead-lettered');
    expect(sent()).toEqual([
      {
        queue: DLQ,
        delaySeconds: undefined,
        message: expect.objectContaining({ webhookId: 'msg_eb-1', lastError: expect.stringMatching(/answered 503.*Retry-After.*24-hour window/) }),
      },
    ]);
  });

  it('a receiver answering Retry-After: 0 for a whole day gets a few dozen attempts, each at least 15 s apart', async () => {
    let message: DeliveryMessage | undefined = first();
    // Each queued message is taken as SQS would hand it back: after its delay, on the fake clock.
    for (let guard = 0; message && guard < 10_000; guard++) {
      sqs.resetHistory();
      await attemptDelivery(message, ports());
      const next = sent()[0];
      message = next?.queue === QUEUE ? next.message : undefined;
      if (next) clock += (next.delaySeconds ?? 0) * 1000;
    }
    const gaps = attempts.slice(1).map((at, i) => at - attempts[i]!);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(FIRST_RETRY_MS / 2);
    expect(attempts.length).toBeLessThan(60);
    expect(attempts.at(-1)! - T0).toBeLessThanOrEqual(RETRY_WINDOW_MS);
    expect(records.at(-1)!.outcome).toBe('dead-lettered');
  });
});

describe('on one machine (the outbox between attempts)', () => {
  let server: Server;
  let url = '';
  let answer: { status: number; retryAfter?: string } = { status: 503, retryAfter: '0' };
  const received: Array<{ id: string; at: number }> = [];
  let dir = '';
  const files = () => ({ deadLetters: join(dir, 'dead.jsonl'), attempts: join(dir, 'attempts.jsonl'), pending: join(dir, 'pending') });
  const attemptLines = () =>
    readFileSync(files().attempts, { encoding: 'utf8', flag: 'a+' })
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as AttemptRecord);
  const entries = () =>
    readdirSync(files().pending)
      .filter((name) => name.endsWith('.json'))
      .map((name) => JSON.parse(readFileSync(join(files().pending, name), 'utf8')) as OutboxEntry);
  const until = async (done: () => boolean) => {
    for (let i = 0; i < 200 && !done(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
  };

  beforeAll(async () => {
    server = createServer((request, response) => {
      received.push({ id: String(request.headers['webhook-id']), at: performance.now() });
      request.resume();
      request.on('end', () => response.writeHead(answer.status, answer.retryAfter === undefined ? {} : { 'retry-after': answer.retryAfter }).end());
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/hook`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'imr-retry-after-'));
    received.length = 0;
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps the schedule’s wait for Retry-After: 0, a longer Retry-After’s wait, and dead-letters one past the window (fake clock, across restarts)', async () => {
    let clock = T0;
    const start = () =>
      new LocalWebhookPublisher([{ url, events: ['document.failed'] }], [secret], files(), () => undefined, { now: () => clock, random: () => 0 });
    answer = { status: 503, retryAfter: '0' };
    const first = start();
    await first.publish(event);
    await first.drain();
    first.stop();
    expect(entries()).toEqual([expect.objectContaining({ dueAt: T0 + 15_000, message: expect.objectContaining({ attempt: 2 }) })]);

    // The next start finds it due and sends it; the receiver now asks for two hours.
    clock = T0 + 15_000;
    answer = { status: 503, retryAfter: '7200' };
    const second = start();
    await until(() => attemptLines().length === 2);
    await second.drain();
    second.stop();
    expect(entries()).toEqual([expect.objectContaining({ dueAt: clock + 7_200_000, message: expect.objectContaining({ attempt: 3 }) })]);

    clock += 7_200_000;
    answer = { status: 503, retryAfter: String(24 * 3600) };
    const third = start();
    await until(() => attemptLines().length === 3);
    await third.drain();
    third.stop();
    expect(entries()).toEqual([]);
    expect(attemptLines().map((record) => [record.attempt, record.outcome])).toEqual([
      [1, 'retry'],
      [2, 'retry'],
      [3, 'dead-lettered'],
    ]);
    const deadLetters = readFileSync(files().deadLetters, 'utf8').trim().split('\n');
    expect(deadLetters).toHaveLength(1);
    expect(JSON.parse(deadLetters[0]!)).toMatchObject({ lastError: expect.stringMatching(/Retry-After/) });
    expect(new Set(received.map((request) => request.id)).size).toBe(1);
  });

  it('a real receiver answering Retry-After: 0 gets only the schedule’s attempts over a scaled second, not a tight loop', async () => {
    answer = { status: 503, retryAfter: '0' };
    // Waits scaled 1:1000, so the schedule's 15-30 s, 30-60 s... become 15-30 ms, 30-60 ms...
    const scale = 0.001;
    const windowMs = 1000;
    const publisher = new LocalWebhookPublisher([{ url, events: ['document.failed'] }], [secret], files(), () => undefined, { retryScale: scale });
    const started = performance.now();
    await publisher.publish(event);
    await new Promise((resolve) => setTimeout(resolve, windowMs));
    publisher.stop();
    await publisher.drain();
    const inWindow = received.filter((request) => request.at - started <= windowMs);
    // The most the schedule allows: one attempt, then one per shortest step (half of each doubling) that fits.
    let most = 1;
    for (let spent = 0, step = FIRST_RETRY_MS / 2; spent + step * scale <= windowMs; spent += step * scale, step = Math.min(step * 2, MAX_RETRY_MS / 2)) most++;
    expect(most).toBe(7);
    expect(inWindow.length).toBeGreaterThanOrEqual(2);
    expect(inWindow.length).toBeLessThanOrEqual(most);
    const gaps = inWindow.slice(1).map((request, i) => request.at - inWindow[i]!.at);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual((FIRST_RETRY_MS / 2) * scale - 2);
  });
});
