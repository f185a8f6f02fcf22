import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { availableParallelism, tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HeadObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { Webhook } from 'standardwebhooks';
import sharp from 'sharp';
import { startOnFreePorts, LOCAL_INBOX, LOCAL_TEXT_BUCKET, S3_CREDENTIALS_FILE, type LocalService } from '../../functions/local/runtime.ts';
import { documentId } from '../../functions/service/ingest.ts';
import { TesseractCli } from '../../functions/adapters/tesseract/recognizer.ts';
import { AWS_CLI, requirePrerequisite } from '../../functions/local/prerequisites.ts';
import { loadGoldenLetters, LETTERS_DIR } from '../fixtures/golden.ts';
import { printedLines } from '../fixtures/variants.ts';
import { rasterise, renderScan, typesetPdf } from '../fixtures/scans.ts';
import { waitFor } from './harness.ts';

const run = promisify(execFile);
/** Linux's table of TCP sockets (and `tcp6` beside it). */
const PROC_NET_TCP = '/proc/net/tcp';
const letters = loadGoldenLetters();
const secret = `whsec_${Buffer.from('local-webhook-secret-for-tests!!').toString('base64')}`;
const root = mkdtempSync(join(tmpdir(), 'imr-local-'));
const inboxDir = join(root, 'inbox');
const lines: string[] = [];
let service: LocalService;
let receiver: Server;
const deliveries: Array<{ verified: unknown; id: string }> = [];
let failNextDeliveries = 0;
/** The fax of the lanes test, served back by the originals test. */
let lanesFax: Buffer;

async function start(): Promise<LocalService> {
  // As `npm start` starts it: its OCR lane started with it.
  return startOnFreePorts(root, (line) => lines.push(line), { webhookUrl: receiverUrl, webhookSecret: secret, webhookRetryScale: 0.001, warmOcr: true });
}

let receiverUrl = '';

/** The OCR lane's reading processes among those of `readers` (pid files): the ones given a folder for page images. */
function ocrProcesses(readers: string): number[] {
  return readdirSync(readers)
    .map((file) => Number(file.replace(/\.pid$/, '')))
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/environ`, 'latin1')
          .split('\0')
          .some((entry) => entry.startsWith('IMR_OCR_PAGE_DIRECTORY='));
      } catch {
        return false;
      }
    });
}

/** The reading processes (pid files in `readers`) that have tesseract engines running, one entry per engine (from `/proc`). */
function ocrEngines(readers: string): number[] {
  const pids = readdirSync(readers).map((file) => Number(file.replace(/\.pid$/, '')));
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .flatMap((pid) => {
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
        const [comm, parent] = [stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1])];
        return comm === 'tesseract' && pids.includes(parent) ? [parent] : [];
      } catch {
        return [];
      }
    });
}

// A JSON answer is read field by field in the assertions below.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function getJson(path: string): Promise<{ status: number; body: any }> {
  const response = await fetch(`${service.endpoints.http}${path}`);
  return { status: response.status, body: await response.json() };
}

beforeAll(async () => {
  // These tests upload with the AWS CLI, as a user would: without it, one line says how to install it.
  requirePrerequisite(AWS_CLI);
  receiver = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => (body += chunk));
    request.on('end', () => {
      if (failNextDeliveries > 0) {
        failNextDeliveries--;
        response.statusCode = 503;
        return response.end();
      }
      const headers = Object.fromEntries(['webhook-id', 'webhook-timestamp', 'webhook-signature'].map((name) => [name, String(request.headers[name])]));
      deliveries.push({ verified: new Webhook(secret).verify(body, headers), id: headers['webhook-id']! });
      response.end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const address = receiver.address();
  receiverUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/hook`;
  service = await start();
}, 60_000);

afterAll(async () => {
  await service?.stop();
  await new Promise<void>((resolve) => receiver.close(() => resolve()));
  rmSync(root, { recursive: true, force: true });
});

describe('npm start: the service on one machine', () => {
  it('has its OCR lane ready soon after it has started: a reading process per core, each with its OCR engines running', async () => {
    await service.ocrLaneReady;
    const pids = readdirSync(join(root, 'data', 'readers'));
    // The fast lane's first process, and the OCR lane's, one per core.
    expect(pids.length).toBeGreaterThanOrEqual(1 + availableParallelism());
    if (TesseractCli.available()) expect(new Set(ocrEngines(join(root, 'data', 'readers'))).size).toBe(availableParallelism());
  });

  it('warms its OCR lane only once the letters there at the start are read: no OCR process runs beside them', async () => {
    const at = mkdtempSync(join(tmpdir(), 'imr-warm-'));
    mkdirSync(join(at, 'inbox'));
    // An inbox folder that filled while the service was down.
    const count = 150;
    for (let i = 0; i < count; i++) writeFileSync(join(at, 'inbox', `${i}.txt`), `${letters[i % letters.length]!.text}\n\nCopy ${i} left in the inbox.\n`);
    const ocrWhileReading: number[] = [];
    let read = 0;
    const early = await startOnFreePorts(at, () => undefined, {
      warmOcr: true,
      progress: (done) => {
        read = done;
        if (done % 10 === 0) ocrWhileReading.push(ocrProcesses(join(at, 'data', 'readers')).length);
      },
    });
    try {
      await early.ocrLaneReady;
      // Every letter read (a document that holds two letters counts each) before the lane was warmed.
      expect(read).toBeGreaterThanOrEqual(count);
      expect(ocrWhileReading.length).toBeGreaterThanOrEqual(count / 10);
      expect(Math.max(...ocrWhileReading)).toBe(0);
      // And then the lane is warmed as on a start with nothing to read.
      expect(ocrProcesses(join(at, 'data', 'readers'))).toHaveLength(availableParallelism());
      if (TesseractCli.available()) expect(new Set(ocrEngines(join(at, 'data', 'readers'))).size).toBe(availableParallelism());
    } finally {
      await early.stop();
      rmSync(at, { recursive: true, force: true });
    }
  }, 60_000);

  it('classifies a letter uploaded with the AWS CLI and the generated credentials (and refuses any others), and serves it over HTTP', async () => {
    const cli = (accessKeyId: string, secretAccessKey: string, ...args: string[]) =>
      run('aws', ['--endpoint-url', service.endpoints.s3, ...args], {
        env: { ...process.env, AWS_ACCESS_KEY_ID: accessKeyId, AWS_SECRET_ACCESS_KEY: secretAccessKey, AWS_DEFAULT_REGION: 'us-east-1' },
      });
    const credentials = JSON.parse(readFileSync(join(root, 'data', S3_CREDENTIALS_FILE), 'utf8')) as { accessKeyId: string; secretAccessKey: string };
    expect(statSync(join(root, 'data', S3_CREDENTIALS_FILE)).mode & 0o077).toBe(0);
    await expect(
      cli('AKIAANYTHING0000000', 'anything-at-all-anything', 's3', 'cp', join(LETTERS_DIR, letters[3]!.golden.letter), `s3://${LOCAL_INBOX}/refused.txt`),
    ).rejects.toMatchObject({ stderr: expect.stringMatching(/InvalidAccessKeyId|403|Forbidden/) });
    await cli(
      credentials.accessKeyId,
      credentials.secretAccessKey,
      's3',
      'cp',
      join(LETTERS_DIR, letters[3]!.golden.letter),
      `s3://${LOCAL_INBOX}/cli upload/letter 3.txt`,
    );
    const id = documentId(Buffer.from(letters[3]!.text, 'latin1'));
    const determination = await waitFor(async () => {
      const answer = await getJson(`/determinations/${id}`);
      return answer.status === 200 ? answer.body : undefined;
    });
    expect(determination).toMatchObject({ id, status: 'CLASSIFIED', outcome: 'PARTIALLY_OVERTURNED', sourceKeys: [`${LOCAL_INBOX}/cli upload/letter 3.txt`] });
    expect((await getJson(`/documents/${id}/status`)).body).toMatchObject({
      id,
      status: 'CLASSIFIED',
      reason: 'CLASSIFIED: read as an IMR Final Determination',
    });
  });

  it('delivers signed webhooks that the standardwebhooks verifier accepts, retrying a failing receiver', async () => {
    failNextDeliveries = 1;
    await service.s3.send(new PutObjectCommand({ Bucket: LOCAL_INBOX, Key: 'sdk/letter0.txt', Body: letters[0]!.text }));
    const id = documentId(Buffer.from(letters[0]!.text, 'latin1'));
    const delivery = await waitFor(async () => deliveries.find((d) => (d.verified as { data: { id: string } }).data.id === id));
    expect(delivery.verified).toMatchObject({ type: 'determination.classified', data: { id, outcome: 'UPHELD' } });
    // Links a case system can follow as they come: absolute, to this service and to the letter's page in its console.
    const links = (delivery.verified as { data: { links: { self: string; console: string } } }).data.links;
    expect(links).toEqual({ self: `${service.endpoints.http}/determinations/${id}`, console: `${service.endpoints.http}/#/letters/${id}` });
    expect((await fetch(links.self)).status).toBe(200);
  });

  it('records the same bytes under two keys as one document', async () => {
    await service.s3.send(new PutObjectCommand({ Bucket: LOCAL_INBOX, Key: 'dup/a.txt', Body: letters[1]!.text }));
    await service.s3.send(new PutObjectCommand({ Bucket: LOCAL_INBOX, Key: 'dup/b.txt', Body: letters[1]!.text }));
    await service.idle();
    const id = documentId(Buffer.from(letters[1]!.text, 'latin1'));
    const answer = await waitFor(async () => {
      const { body } = await getJson(`/determinations/${id}`);
      return body.sourceKeys?.length === 2 ? body : undefined;
    });
    expect(answer.sourceKeys).toEqual([`${LOCAL_INBOX}/dup/a.txt`, `${LOCAL_INBOX}/dup/b.txt`]);
    // A list goes out as the pieces of its stored rows, its length said beforehand: exactly the bytes sent.
    const response = await fetch(`${service.endpoints.http}/determinations?limit=200`);
    const bytes = Buffer.from(await response.arrayBuffer());
    expect([response.headers.get('content-type'), Number(response.headers.get('content-length'))]).toEqual(['application/json', bytes.length]);
    const list = (JSON.parse(bytes.toString('utf8')) as { data: Array<{ id: string }> }).data.filter((d) => d.id === id);
    expect(list).toHaveLength(1);
  });

  it('ends an unreadable file FAILED and a foreign document UNRECOGNIZED', async () => {
    const corrupt = Buffer.from('%PDF-1.7\nnot really');
    await service.s3.send(new PutObjectCommand({ Bucket: LOCAL_INBOX, Key: 'bad/broken.pdf', Body: corrupt }));
    await service.s3.send(
      new PutObjectCommand({ Bucket: LOCAL_INBOX, Key: 'bad/invoice.txt', Body: 'INVOICE 7731\nPlease remit payment for services rendered in October.' }),
    );
    await service.idle();
    expect((await getJson(`/documents/${documentId(corrupt)}/status`)).body).toMatchObject({ status: 'FAILED', reason: expect.stringMatching(/^CORRUPT/) });
    expect(
      (await getJson(`/documents/${documentId(Buffer.from('INVOICE 7731\nPlease remit payment for services rendered in October.'))}/status`)).body,
    ).toMatchObject({ status: 'UNRECOGNIZED' });
  });

  it('uploads files dropped into the watched folder', async () => {
    writeFileSync(join(inboxDir, 'dropped.txt'), letters[2]!.text, 'latin1');
    const id = documentId(Buffer.from(letters[2]!.text, 'latin1'));
    await waitFor(async () => ((await getJson(`/documents/${id}/status`)).body.status === 'CLASSIFIED' ? true : undefined));
    // Once read, the file moves to done/; an unreadable one to failed/.
    await waitFor(async () => (existsSync(join(inboxDir, 'done', 'dropped.txt')) ? true : undefined), 10_000);
    expect(existsSync(join(inboxDir, 'dropped.txt'))).toBe(false);
    writeFileSync(join(inboxDir, 'broken.pdf'), '%PDF-1.7\nnot really a pdf');
    await waitFor(async () => (existsSync(join(inboxDir, 'failed', 'broken.pdf')) ? true : undefined), 10_000);
  });

  it('loses nothing when stopped in the middle of a batch and started again', async () => {
    const batch = Array.from({ length: 30 }, (_, i) => `${letters[i % 4]!.text}\n\nBatch copy ${i}.\n`);
    await Promise.all(batch.map((body, i) => service.s3.send(new PutObjectCommand({ Bucket: LOCAL_INBOX, Key: `batch/${i}.txt`, Body: body }))));
    await service.stop();
    service = await start();
    await service.idle();
    for (const body of batch) {
      expect((await getJson(`/documents/${documentId(Buffer.from(body, 'latin1'))}/status`)).body.status).toBe('CLASSIFIED');
    }
    expect(lines.some((line) => /DUPLICATE/.test(line))).toBe(true);
  }, 120_000);

  it.runIf(existsSync(PROC_NET_TCP))('listens on loopback only: every socket it opens is bound to 127.0.0.1', () => {
    const ports = [service.endpoints.http, service.endpoints.s3].map((url) => Number(new URL(url).port));
    // /proc/net/tcp{,6}: local address as hex ip:port, state 0A = LISTEN.
    const listening = [PROC_NET_TCP, `${PROC_NET_TCP}6`]
      .filter((file) => existsSync(file))
      .flatMap((file) => readFileSync(file, 'utf8').trim().split('\n').slice(1))
      .map((line) => line.trim().split(/\s+/))
      .filter((cells) => cells[3] === '0A')
      .map((cells) => ({ address: cells[1]!.split(':')[0]!, port: parseInt(cells[1]!.split(':')[1]!, 16) }))
      .filter((socket) => ports.includes(socket.port));
    expect(listening.map((socket) => socket.port).sort()).toEqual([...ports].sort());
    for (const socket of listening) expect(['0100007F', '00000000000000000000000001000000']).toContain(socket.address);
  });

  it('five simultaneous uploads of one letter give one determination, one event and one count', async () => {
    const body = `${letters[3]!.text}\n\nRace copy.\n`;
    const id = documentId(Buffer.from(body, 'latin1'));
    const totals = async () => ((await getJson('/stats?groupBy=decision')).body.data as Array<{ total: number }>).reduce((sum, row) => sum + row.total, 0);
    const before = await totals();
    await Promise.all(
      Array.from({ length: 5 }, (_, i) => service.s3.send(new PutObjectCommand({ Bucket: LOCAL_INBOX, Key: `race/copy-${i}.txt`, Body: body }))),
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    await service.idle();
    const determination = await getJson(`/determinations/${id}`);
    expect(determination.body.sourceKeys).toHaveLength(5);
    expect((await totals()) - before).toBe(letters[3]!.golden.items.length);
    await waitFor(async () => (deliveries.some((delivery) => (delivery.verified as { data: { id: string } }).data.id === id) ? true : undefined));
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(deliveries.filter((delivery) => (delivery.verified as { data: { id: string } }).data.id === id)).toHaveLength(1);
    expect(lines.filter((line) => line.includes(id.slice(0, 12)) && /CLASSIFIED|NEEDS_REVIEW/.test(line) && /race\/copy/.test(line))).toHaveLength(1);
  }, 60_000);

  it('serves the text the parser read of a letter', async () => {
    const body = `${letters[1]!.text}\n\nText route copy.\n`;
    await service.s3.send(new PutObjectCommand({ Bucket: LOCAL_INBOX, Key: 'text-route.txt', Body: body }));
    const id = documentId(Buffer.from(body, 'latin1'));
    await waitFor(async () => ((await getJson(`/documents/${id}/status`)).body.status === 'CLASSIFIED' ? true : undefined));
    const response = await fetch(`${service.endpoints.http}/documents/${id}/text`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(await response.text()).toContain('Text route copy.');
  });

  it('lets a person correct and confirm a reading: If-Match, history, stats and a webhook follow', async () => {
    const body = `${letters[0]!.text}\n\nReview copy.\n`;
    await service.s3.send(new PutObjectCommand({ Bucket: LOCAL_INBOX, Key: 'review/letter.txt', Body: body }));
    const id = documentId(Buffer.from(body, 'latin1'));
    await waitFor(async () => ((await getJson(`/documents/${id}/status`)).body.status === 'CLASSIFIED' ? true : undefined));
    const read = (await getJson(`/determinations/${id}`)).body;
    expect(read.revision).toBe(1);
    const patch = (headers: Record<string, string>, payload: unknown) =>
      fetch(`${service.endpoints.http}/determinations/${id}`, {
        method: 'PATCH',
        headers: { 'content-type': 'application/json', 'x-imr-session': service.apiToken, ...headers },
        body: JSON.stringify(payload),
      });
    expect((await patch({}, { reviewed: true })).status).toBe(428);
    expect((await patch({ 'if-match': '7' }, { reviewed: true })).status).toBe(412);
    const invalid = await patch({ 'if-match': '1' }, { items: [{ index: 9, decision: 'OVERTURNED' }] });
    expect([invalid.status, ((await invalid.json()) as { error: { message: string } }).error.message]).toEqual([
      400,
      'items[0].index: the letter has 2 items, numbered from 0',
    ]);
    expect((await patch({ 'if-match': '1' }, { colour: 'red' })).status).toBe(400);
    const future = await patch({ 'if-match': '1' }, { receivedOn: '2999-01-01' });
    expect([future.status, ((await future.json()) as { error: { message: string } }).error.message]).toEqual([400, 'receivedOn: must not be after today']);
    const early = await patch({ 'if-match': '1' }, { dates: { decision: '2015-01-21' }, receivedOn: '2015-01-20' });
    expect([early.status, ((await early.json()) as { error: { message: string } }).error.message]).toEqual([
      400,
      'receivedOn: must not be before the decision date (2015-01-21)',
    ]);
    const totals = async (key: string) =>
      ((await getJson('/stats?groupBy=decision')).body.data as Array<{ key: string; total: number }>).find((row) => row.key === key)?.total ?? 0;
    const overturnedBefore = await totals('OVERTURNED');
    const corrected = await patch({ 'if-match': '"1"' }, { items: [{ index: 0, decision: 'OVERTURNED' }], reviewed: true, note: 'read against the fax' });
    expect(corrected.status).toBe(200);
    expect(await corrected.json()).toMatchObject({
      revision: 2,
      needsReview: false,
      outcome: 'PARTIALLY_OVERTURNED',
      reviewedBy: userInfo().username,
      items: [{ decision: 'OVERTURNED' }, { decision: 'UPHELD' }],
    });
    expect((await totals('OVERTURNED')) - overturnedBefore).toBe(1);
    const history = (await getJson(`/determinations/${id}/history`)).body.data;
    expect(history).toEqual([
      expect.objectContaining({
        revision: 2,
        by: userInfo().username,
        note: 'read against the fax',
        // The confirmation is recorded as a change, never silent.
        changes: expect.arrayContaining([
          { path: 'items[0].decision', from: 'UPHELD', to: 'OVERTURNED' },
          { path: 'reviewedBy', from: null, to: userInfo().username },
        ]),
      }),
      // Revision 1: the service's own reading, from the file it came in (spec section 5).
      expect.objectContaining({ revision: 1, by: expect.stringMatching(/^imr engine /), changes: [], note: 'read from letter.txt' }),
    ]);
    await waitFor(async () =>
      deliveries.some(
        (delivery) =>
          (delivery.verified as { type: string; data: { id: string } }).type === 'determination.reviewed' &&
          (delivery.verified as { data: { id: string } }).data.id === id,
      )
        ? true
        : undefined,
    );
    // The same revision again is stale.
    expect((await patch({ 'if-match': '1' }, { reviewed: true })).status).toBe(412);
  });

  it('reads one letter arriving as text and then as a fax as one determination: linked, counted once, announced once', async () => {
    const text = `Decision Date: 01/21/2015\n\n${letters[3]!.text}\n`;
    const textId = documentId(Buffer.from(text, 'latin1'));
    const totals = async () => ((await getJson('/stats?groupBy=decision')).body.data as Array<{ total: number }>).reduce((sum, row) => sum + row.total, 0);
    const before = await totals();
    await service.s3.send(new PutObjectCommand({ Bucket: LOCAL_INBOX, Key: 'same/letter.txt', Body: text }));
    await waitFor(async () => ((await getJson(`/documents/${textId}/status`)).body.status === 'CLASSIFIED' ? true : undefined));
    const [fax] = (await renderScan(printedLines(text), 'fax-fine', 31)).files;
    const faxId = documentId(fax!);
    await service.s3.send(new PutObjectCommand({ Bucket: LOCAL_INBOX, Key: 'same/letter-fax.tif', Body: fax! }));
    await waitFor(async () => ((await getJson(`/documents/${faxId}/status`)).body.status === 'CLASSIFIED' ? true : undefined), 60_000);
    const copy = (await getJson(`/determinations/${faxId}`)).body;
    expect(copy.sameLetterAs).toBe(textId);
    // The status line is printed just after the reading is stored: waited for, not raced.
    await waitFor(
      async () => lines.some((line) => line.includes(faxId.slice(0, 12)) && line.includes(`the same letter as ${textId.slice(0, 12)}`)) || undefined,
    );
    expect((await totals()) - before).toBe(4);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const announced = deliveries.map((delivery) => (delivery.verified as { data: { id: string } }).data.id);
    expect(announced.filter((id) => id === textId)).toHaveLength(1);
    expect(announced).not.toContain(faxId);
  }, 90_000);

  it('reads a text letter at once while a fax waits for OCR (two lanes)', async () => {
    const [fax] = (await renderScan(printedLines(letters[3]!.text), 'fax-fine', 21)).files;
    lanesFax = fax!;
    const text = `${letters[0]!.text}\n\nLane test copy.\n`;
    await service.s3.send(new PutObjectCommand({ Bucket: LOCAL_INBOX, Key: 'lanes/fax.tif', Body: fax! }));
    await service.s3.send(new PutObjectCommand({ Bucket: LOCAL_INBOX, Key: 'lanes/letter.txt', Body: text }));
    await waitFor(
      async () => ((await getJson(`/documents/${documentId(Buffer.from(text, 'latin1'))}/status`)).body.status === 'CLASSIFIED' ? true : undefined),
      20_000,
    );
    // The text letter is done; the fax, uploaded first, is still being read.
    expect((await getJson(`/documents/${documentId(fax!)}/status`)).body.status).toBe('RECEIVED');
    await service.idle();
    expect((await getJson(`/documents/${documentId(fax!)}/status`)).body.status).toBe('CLASSIFIED');
  }, 60_000);

  it('serves a document as uploaded, and its pages as PNG images for a person to check', async () => {
    const id = documentId(lanesFax);
    const original = await fetch(`${service.endpoints.http}/documents/${id}/original`);
    expect([original.status, original.headers.get('content-type')]).toEqual([200, 'image/tiff']);
    expect(Buffer.from(await original.arrayBuffer()).equals(lanesFax)).toBe(true);
    const page = await fetch(`${service.endpoints.http}/documents/${id}/pages/2`);
    expect([page.status, page.headers.get('content-type')]).toEqual([200, 'image/png']);
    const image = await sharp(Buffer.from(await page.arrayBuffer())).metadata();
    expect(image.width).toBeGreaterThan(1000);
    expect((await fetch(`${service.endpoints.http}/documents/${id}/pages/99`)).status).toBe(404);
    expect((await fetch(`${service.endpoints.http}/documents/${id}/pages/0`)).status).toBe(400);
  });

  it("deletes a wrong upload for a script with the api token: its original, the watched folder's copy, its text, reading and page images, its records; the audit log keeps it", async () => {
    const [png] = await rasterise(await typesetPdf(['INVOICE 8812', '', 'Toner cartridges, 4 boxes, net 30 days.', 'Please remit payment on receipt.']), 150);
    const id = documentId(png!);
    mkdirSync(join(inboxDir, 'wrong'), { recursive: true });
    writeFileSync(join(inboxDir, 'wrong', 'toner invoice.png'), png!);
    await waitFor(async () => ((await getJson(`/documents/${id}/status`)).body.status === 'UNRECOGNIZED' ? true : undefined), 60_000);
    await waitFor(async () => (existsSync(join(inboxDir, 'failed', 'wrong', 'toner invoice.png')) ? true : undefined), 10_000);
    // A page looked at: rendered once and kept beside the text.
    expect((await fetch(`${service.endpoints.http}/documents/${id}/pages/1`)).status).toBe(200);
    // Its reading (text, context and line boxes: kept in the store) and the page image (in the text bucket).
    const derived = async () =>
      ((await service.store.readings.hasReading(id)) ? 1 : 0) +
      ((await service.s3.send(new ListObjectsV2Command({ Bucket: LOCAL_TEXT_BUCKET, Prefix: `pages/${id}/` }))).Contents ?? []).length;
    expect(await derived()).toBe(2);
    const remove = (headers: Record<string, string>) =>
      fetch(`${service.endpoints.http}/documents/${id}`, {
        method: 'DELETE',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ note: 'a supplier invoice' }),
      });
    // Guarded like every change.
    expect((await remove({})).status).toBe(403);
    const answer = await remove({ 'x-imr-session': service.apiToken });
    expect(answer.status).toBe(200);
    expect(await answer.json()).toMatchObject({
      id,
      deleted: true,
      // The original, its reading and its page image.
      audit: { action: 'deleted', fileNames: ['toner invoice.png'], note: 'a supplier invoice', objectsRemoved: 3 },
    });
    expect(await derived()).toBe(0);
    await expect(service.s3.send(new HeadObjectCommand({ Bucket: LOCAL_INBOX, Key: 'wrong/toner invoice.png' }))).rejects.toMatchObject({ name: 'NotFound' });
    expect(existsSync(join(inboxDir, 'failed', 'wrong', 'toner invoice.png'))).toBe(false);
    expect((await getJson(`/documents/${id}/status`)).status).toBe(404);
    expect((await getJson('/audit')).body.data[0]).toMatchObject({ action: 'deleted', documentId: id, by: userInfo().username });
    expect(lines.some((line) => line.startsWith(`deleted   ${id.slice(0, 12)} toner invoice.png`))).toBe(true);
    // Nothing brings it back: the next start finds nothing of it to read again.
    await service.stop();
    service = await start();
    await service.idle();
    expect((await getJson(`/documents/${id}/status`)).status).toBe(404);
  }, 120_000);

  it('survives a malformed request line and answers it 400', async () => {
    const { port } = new URL(service.endpoints.http);
    const answer = await rawRequest(Number(port), 'GET http://a:99999/x HTTP/1.1\r\nhost: a\r\n\r\n');
    expect(answer).toMatch(/^HTTP\/1\.1 400/);
    const garbage = await rawRequest(Number(port), 'NOT A REQUEST\r\n\r\n');
    expect(garbage).toMatch(/^HTTP\/1\.1 400/);
    expect((await getJson('/determinations?limit=1')).status).toBe(200);
  });

  it('keeps every key an index entry, never a path: `..`, over-long segments and control characters are stored and read, nothing is written outside, and the service lives on', async () => {
    const outside = `escape-${Date.now()}.txt`;
    const before = walkFiles(join(root, 'data'));
    const keys = [`a/../../../../../../tmp/${outside}`, `long/${'x'.repeat(300)}.txt`, `odd/line\r\n${'\u001b'}[2J${'\u202e'}txt.pdf`];
    for (const [i, key] of keys.entries())
      await service.s3.send(new PutObjectCommand({ Bucket: LOCAL_INBOX, Key: key, Body: `${letters[1]!.text}\n\nKey copy ${i}.\n` }));
    await expect(service.s3.send(new PutObjectCommand({ Bucket: LOCAL_INBOX, Key: 'k'.repeat(1025), Body: 'x' }))).rejects.toMatchObject({
      name: 'KeyTooLongError',
    });
    await waitFor(async () => {
      const states = await Promise.all(
        keys.map((_, i) => getJson(`/documents/${documentId(Buffer.from(`${letters[1]!.text}\n\nKey copy ${i}.\n`, 'latin1'))}/status`)),
      );
      return states.every((state) => state.body.status === 'CLASSIFIED') ? true : undefined;
    });
    expect(existsSync(join('/tmp', outside))).toBe(false);
    // Only blobs named by their hash and the index appeared: no file carries a key's name.
    const added = walkFiles(join(root, 'data')).filter((path) => !before.includes(path));
    expect(added.filter((path) => path.includes('escape') || path.includes('xxxx') || path.includes('odd'))).toEqual([]);
    // Printed with its control characters escaped: no raw CR, LF or ESC reaches the terminal. (The status line is
    // printed just after the reading is stored: waited for, not raced.)
    await waitFor(async () => (lines.some((line) => line.includes('odd/line') && / CLASSIFIED /.test(line)) ? true : undefined), 10_000);
    const printed = lines.filter((line) => line.includes('odd/line'));
    expect(printed.length).toBeGreaterThan(0);
    for (const line of printed) {
      expect(line).toContain('odd/line\\x0d\\x0a\\x1b[2J\\u{202e}txt.pdf');
      for (const raw of ['\r', '\n', '\u001b', '\u202e']) expect(line).not.toContain(raw);
    }
    expect((await getJson('/determinations?limit=1')).status).toBe(200);
  });

  it('never follows a symlink dropped into the watched folder, and says so', async () => {
    const secretFile = join(root, 'not-a-letter.txt');
    writeFileSync(secretFile, letters[0]!.text.replace('Flexeril', 'Secret'), 'latin1');
    symlinkSync(secretFile, join(inboxDir, 'link.txt'));
    await waitFor(async () => (lines.some((line) => /skipped\s+link\.txt: a symbolic link/.test(line)) ? true : undefined), 10_000);
    const id = documentId(readFileSync(secretFile));
    expect((await getJson(`/documents/${id}/status`)).status).toBe(404);
  });

  it('keeps its data readable by this user alone', async () => {
    const walk = (dir: string): string[] =>
      readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
        entry.isDirectory() ? [join(dir, entry.name), ...walk(join(dir, entry.name))] : [join(dir, entry.name)],
      );
    const dataDir = join(root, 'data');
    expect(statSync(dataDir).mode & 0o077).toBe(0);
    const stored = walk(join(dataDir, 's3')).filter((path) => statSync(path).isFile());
    expect(stored.length).toBeGreaterThan(0);
    for (const path of stored) expect(statSync(path).mode & 0o077, path).toBe(0);
  });
});

describe('settings checked before anything starts', () => {
  it('refuses a webhook secret that is not a Standard Webhooks secret, with one line naming it', async () => {
    const other = mkdtempSync(join(tmpdir(), 'imr-bad-secret-'));
    try {
      await expect(startOnFreePorts(other, () => undefined, { webhookUrl: receiverUrl, webhookSecret: 'my-team-password' })).rejects.toThrow(
        /^IMR_WEBHOOK_SECRET is not a Standard Webhooks secret/,
      );
      // Nothing was started: no data folder for a stand-in to have written.
      expect(existsSync(join(other, 'data'))).toBe(false);
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });
});

/** Every file under `dir`. */
function walkFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name));
}

/** Sends raw bytes to a local port and resolves with what came back. */
function rawRequest(port: number, bytes: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.end(bytes));
    let answer = '';
    socket.on('data', (chunk) => (answer += chunk.toString('latin1')));
    socket.on('end', () => resolve(answer));
    socket.on('close', () => resolve(answer));
    socket.on('error', reject);
  });
}
