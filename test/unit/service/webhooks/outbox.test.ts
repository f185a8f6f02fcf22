import { spawn } from 'node:child_process';
import { createServer, type ServerResponse, type Server } from 'node:http';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { failureEvent } from '../../../../functions/service/events.ts';
import { fanOut, type AttemptRecord } from '../../../../functions/service/webhooks/dispatch.ts';
import {
  LocalWebhookPublisher,
  WebhookOutbox,
  type OutboxEntry,
  type WebhookFiles,
  type WebhookOutboxError,
} from '../../../../functions/local/webhook-publisher.ts';

const secret = `whsec_${Buffer.from('outbox-test-secret-of-32-bytes!!').toString('base64')}`;
const event = failureEvent('f'.repeat(64), null, '2026-11-22T10:00:00.000Z');
const T0 = Date.parse('2026-11-22T10:00:00Z');

let server: Server;
let base = '';
/** What each path answers; `hold` keeps the request open (the receiver is still answering). */
let answers: Record<string, number | 'hold'> = {};
const received: Array<{ path: string; id: string }> = [];
const held: ServerResponse[] = [];
let dir = '';
let files: WebhookFiles;

const jsonFiles = (folder = files.pending) => (existsSync(folder) ? readdirSync(folder).filter((name) => name.endsWith('.json')) : []);
const entries = () => jsonFiles().map((name) => JSON.parse(readFileSync(join(files.pending, name), 'utf8')) as OutboxEntry);
const attempts = () =>
  existsSync(files.attempts)
    ? readFileSync(files.attempts, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as AttemptRecord)
    : [];
async function until(done: () => boolean, ms = 20_000): Promise<void> {
  for (const started = Date.now(); !done() && Date.now() - started < ms;) await new Promise((resolve) => setTimeout(resolve, 20));
}

beforeAll(async () => {
  server = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      const path = new URL(request.url!, 'http://x').pathname;
      received.push({ path, id: String(request.headers['webhook-id']) });
      const answer = answers[path] ?? 200;
      if (answer === 'hold') held.push(response);
      else response.writeHead(answer).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'imr-outbox-'));
  files = { deadLetters: join(dir, 'dead-letters', 'webhooks.jsonl'), attempts: join(dir, 'webhook-attempts.jsonl'), pending: join(dir, 'webhooks-pending') };
  answers = {};
  received.length = 0;
});
afterEach(() => {
  for (const response of held.splice(0)) response.destroy();
  rmSync(dir, { recursive: true, force: true });
});

describe('the local webhook outbox', () => {
  it('keeps an event killed (kill -9) while the receiver is answering, and delivers it after the restart under the same webhook-id', async () => {
    answers = { '/hook': 'hold' };
    // The service as its own process, so that it can really be killed mid-delivery.
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        '--input-type=module',
        '-e',
        `
      const { LocalWebhookPublisher } = await import(${JSON.stringify(pathToFileURL(resolve('functions/local/webhook-publisher.ts')).href)});
      const { url, secret, files, event } = JSON.parse(process.env.OUTBOX_TEST);
      const publisher = new LocalWebhookPublisher([{ url, events: ['document.failed'] }], [secret], files);
      await publisher.publish(event);
      setInterval(() => undefined, 1000);
    `,
      ],
      { env: { ...process.env, OUTBOX_TEST: JSON.stringify({ url: `${base}/hook`, secret, files, event }) }, stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const exited = new Promise((resolve) => child.on('exit', resolve));
    await until(() => held.length === 1 || child.exitCode !== null, 30_000);
    expect(held, stderr).toHaveLength(1);
    // While the receiver is still answering the first attempt, the event is on disk.
    const [entry] = entries();
    expect(entry).toMatchObject({ message: { attempt: 1, webhookId: received[0]!.id, endpoint: { url: `${base}/hook` }, event: { type: 'document.failed' } } });
    child.kill('SIGKILL');
    await exited;

    answers = { '/hook': 200 };
    const restarted = new LocalWebhookPublisher([{ url: `${base}/hook`, events: ['document.failed'] }], [secret], files);
    await until(() => jsonFiles().length === 0);
    await restarted.drain();
    restarted.stop();
    expect(received.map((request) => request.id)).toEqual([received[0]!.id, received[0]!.id]);
    expect(jsonFiles()).toEqual([]);
    expect(attempts().map((record) => [record.webhookId, record.attempt, record.outcome])).toEqual([[received[0]!.id, 1, 'delivered']]);
  });

  it('holds one file per delivery: removed once delivered or gone (410), kept with its due time and attempt while it retries', async () => {
    answers = { '/ok': 200, '/gone': 410, '/busy': 503 };
    const endpoints = ['/ok', '/gone', '/busy'].map((path) => ({ url: `${base}${path}`, events: ['document.failed' as const] }));
    const publisher = new LocalWebhookPublisher(endpoints, [secret], files, () => undefined, { now: () => T0, random: () => 0 });
    await publisher.publish(event);
    await publisher.drain();
    publisher.stop();
    expect(received.map((request) => request.path).sort()).toEqual(['/busy', '/gone', '/ok']);
    expect(entries()).toEqual([
      {
        dueAt: T0 + 15_000,
        message: expect.objectContaining({ attempt: 2, firstAttemptAt: T0, endpoint: endpoints[2], lastError: expect.stringMatching(/answered 503/) }),
      },
    ]);
    expect(
      attempts()
        .map((record) => [new URL(record.url).pathname, record.outcome])
        .sort(),
    ).toEqual([
      ['/busy', 'retry'],
      ['/gone', 'gone'],
      ['/ok', 'delivered'],
    ]);
    // Nothing half-written is left behind.
    expect(readdirSync(files.pending).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });

  it('moves unreadable files aside to corrupt/, reports them, and still delivers the readable ones', async () => {
    const outbox = new WebhookOutbox(files.pending);
    const good = fanOut(event, [{ url: `${base}/hook`, events: ['document.failed'] }], 'evt-good', T0)[0]!;
    await outbox.put({ dueAt: T0, message: good });
    const cut = '{"dueAt":1790000000000,"message":{"kind":"delivery","event":{"type":"document.fa';
    writeFileSync(join(files.pending, 'msg_cut.0123456789abcdef.json'), cut);
    writeFileSync(join(files.pending, 'msg_odd.0123456789abcdef.json'), '{"hello":"world"}');
    const reported: WebhookOutboxError[] = [];
    const publisher = new LocalWebhookPublisher([{ url: `${base}/hook`, events: ['document.failed'] }], [secret], files, () => undefined, {
      onCorrupt: (error) => reported.push(error),
    });
    await until(() => jsonFiles().length === 0);
    await publisher.drain();
    publisher.stop();
    expect(received.map((request) => request.id)).toEqual(['msg_evt-good']);
    expect(reported.map((error) => [error.code, error.file])).toEqual([
      ['OUTBOX_FILE_UNREADABLE', join(files.pending, 'msg_cut.0123456789abcdef.json')],
      ['OUTBOX_FILE_UNREADABLE', join(files.pending, 'msg_odd.0123456789abcdef.json')],
    ]);
    // Kept byte for byte, for a person to recover by hand.
    expect(readFileSync(join(files.pending, 'corrupt', 'msg_cut.0123456789abcdef.json'), 'utf8')).toBe(cut);
    expect(jsonFiles(join(files.pending, 'corrupt')).sort()).toEqual(['msg_cut.0123456789abcdef.json', 'msg_odd.0123456789abcdef.json']);
  });

  it('takes up a whole temporary file (the process died between its fsync and its rename) and a retry file of an earlier version', async () => {
    mkdirSync(files.pending, { recursive: true });
    const [fromTemp, fromOld] = ['evt-temp', 'evt-old'].map((id) => fanOut(event, [{ url: `${base}/hook`, events: ['document.failed'] }], id, T0)[0]!);
    writeFileSync(join(files.pending, `.msg_evt-temp.0123456789abcdef.json.123.x.tmp`), JSON.stringify({ dueAt: T0, message: fromTemp }));
    // Earlier versions wrote only retries, as `<webhook-id>.<attempt>.json`.
    writeFileSync(join(files.pending, 'msg_evt-old.3.json'), JSON.stringify({ dueAt: T0, message: { ...fromOld, attempt: 3 } }));
    const publisher = new LocalWebhookPublisher([{ url: `${base}/hook`, events: ['document.failed'] }], [secret], files);
    await until(() => attempts().length === 2);
    await publisher.drain();
    publisher.stop();
    expect(received.map((request) => request.id).sort()).toEqual(['msg_evt-old', 'msg_evt-temp']);
    expect(
      attempts()
        .map((record) => [record.webhookId, record.attempt, record.outcome])
        .sort(),
    ).toEqual([
      ['msg_evt-old', 3, 'delivered'],
      ['msg_evt-temp', 1, 'delivered'],
    ]);
    expect(readdirSync(files.pending)).toEqual([]);
  });

  it('puts replayed dead letters in the outbox before emptying the dead-letter file', async () => {
    answers = { '/hook': 'hold' };
    mkdirSync(join(dir, 'dead-letters'), { recursive: true });
    const message = { ...fanOut(event, [{ url: `${base}/hook`, events: ['document.failed'] }], 'evt-dead', T0)[0]!, deadLettered: true };
    writeFileSync(files.deadLetters, `${JSON.stringify(message)}\n`);
    const replay = new LocalWebhookPublisher([{ url: `${base}/hook`, events: ['document.failed'] }], [secret], files, () => undefined, { retry: false });
    expect(replay.replayDeadLetters()).toBe(1);
    // The dead-letter file is empty while the attempt runs: the outbox is what holds the event now.
    expect(readFileSync(files.deadLetters, 'utf8')).toBe('');
    expect(entries()).toEqual([expect.objectContaining({ message: expect.objectContaining({ webhookId: 'msg_evt-dead' }) })]);
    await until(() => held.length === 1);
    held.shift()!.writeHead(200).end();
    await replay.drain();
    expect(jsonFiles()).toEqual([]);
  });
});
