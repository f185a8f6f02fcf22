/**
 * `npm run chaos -- [--letters 100] [--kills 5] [--seed N]`: the local service (`npm start`,
 * a real process) killed with SIGKILL at random points of a burst of uploads, with a webhook
 * receiver that sometimes hangs or fails, then started again, `--kills` times. Checks that
 * every start is clean, every letter is read once (one determination per letter, nothing
 * FAILED), and every letter's event is delivered at least once. Prints a JSON summary; exits 1
 * on any failure. `test/integration/chaos.test.ts` runs a smaller round of the same.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { Webhook } from 'standardwebhooks';
import { freePort } from '../functions/local/stand-ins.ts';
import { LOCAL_INBOX, S3_CREDENTIALS_FILE } from '../functions/local/runtime.ts';
import { documentId } from '../functions/service/ingest.ts';
import { loadGoldenLetters } from '../test/fixtures/golden.ts';

/** What a chaos run found. */
export interface ChaosReport {
  readonly letters: number;
  readonly kills: number;
  readonly starts: number;
  readonly classified: number;
  readonly failed: number;
  readonly eventsDelivered: number;
  readonly lettersAnnounced: number;
  readonly duplicateDeliveries: number;
  readonly problems: string[];
  readonly seconds: number;
}

const MAIN = fileURLToPath(new URL('../functions/local/main.ts', import.meta.url));

/** A small seeded generator, so a failing run can be repeated. */
function generator(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 4294967296;
  };
}

/** Runs the service through `kills` SIGKILLs during a burst of `letters` uploads. */
export async function runChaos(options: { letters: number; kills: number; seed?: number; log?: (line: string) => void }): Promise<ChaosReport> {
  const started = performance.now();
  const random = generator(options.seed ?? Date.now());
  const log = options.log ?? (() => undefined);
  const root = mkdtempSync(join(tmpdir(), 'imr-chaos-'));
  const secret = `whsec_${Buffer.from('chaos-webhook-secret-for-tests!!').toString('base64')}`;
  const problems: string[] = [];
  const golden = loadGoldenLetters();
  const letters = Array.from({ length: options.letters }, (_, i) => `${golden[i % golden.length]!.text}\n\nChaos copy ${i + 1}.\n`);
  const ids = new Set(letters.map((text) => documentId(Buffer.from(text, 'latin1'))));

  // The receiver: verifies each signature; hangs on one delivery in ten and fails one in ten while chaos lasts.
  const deliveries: Array<{ webhookId: string; id: string; type: string }> = [];
  let misbehave = true;
  const receiver: Server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => (body += chunk));
    request.on('end', () => {
      const roll = random();
      if (misbehave && roll < 0.1) return; // hangs: the service's 10 s timeout ends it
      if (misbehave && roll < 0.2) {
        response.statusCode = 503;
        return response.end();
      }
      try {
        const headers = Object.fromEntries(['webhook-id', 'webhook-timestamp', 'webhook-signature'].map((name) => [name, String(request.headers[name])]));
        const event = new Webhook(secret).verify(body, headers) as { type: string; data: { id: string } };
        deliveries.push({ webhookId: headers['webhook-id']!, id: event.data.id, type: event.type });
        response.end();
      } catch {
        problems.push('a delivery did not verify');
        response.statusCode = 400;
        response.end();
      }
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const hookUrl = `http://127.0.0.1:${(receiver.address() as { port: number }).port}/hook`;
  const [s3Port, httpPort] = [await freePort(), await freePort()];
  const http = `http://127.0.0.1:${httpPort}`;
  let child: ChildProcess | null = null;
  let starts = 0;
  const output: string[] = [];

  const start = async () => {
    starts++;
    child = spawn(
      process.execPath,
      ['--import', 'tsx', MAIN, '--s3-port', String(s3Port), '--http-port', String(httpPort), '--data', join(root, 'data'), '--inbox', join(root, 'inbox')],
      {
        env: { ...process.env, IMR_WEBHOOK_URL: hookUrl, IMR_WEBHOOK_SECRET: secret, IMR_WEBHOOK_RETRY_SCALE: '0.01' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const lines: string[] = [];
    child.stdout!.on('data', (chunk: Buffer) => lines.push(...chunk.toString('utf8').split('\n')));
    child.stderr!.on('data', (chunk: Buffer) => lines.push(...chunk.toString('utf8').split('\n')));
    const exited = new Promise<number | null>((resolve) => child!.once('exit', (code) => resolve(code)));
    const deadline = Date.now() + 60_000;
    for (;;) {
      const ready = await fetch(`${http}/openapi.json`).then(
        (r) => r.ok,
        () => false,
      );
      if (ready) break;
      if ((await Promise.race([exited, new Promise((resolve) => setTimeout(() => resolve('running'), 200))])) !== 'running') {
        problems.push(`start ${starts} failed: ${lines.filter((line) => line.includes('imr:')).join(' | ')}`);
        throw new Error(`the service did not start (start ${starts})`);
      }
      if (Date.now() > deadline) throw new Error(`the service did not answer within 60 s (start ${starts})`);
    }
    output.push(...lines);
    child.stdout!.on('data', (chunk: Buffer) => output.push(...chunk.toString('utf8').split('\n')));
    log(`start ${starts}: up`);
  };
  const kill = async () => {
    const running = child!;
    if (running.exitCode !== null || running.signalCode !== null) return;
    const gone = new Promise<void>((resolve) => running.once('exit', () => resolve()));
    running.kill('SIGKILL');
    await gone;
    log(`killed after start ${starts}`);
  };
  const s3 = () => {
    const { accessKeyId, secretAccessKey } = JSON.parse(readFileSync(join(root, 'data', S3_CREDENTIALS_FILE), 'utf8')) as {
      accessKeyId: string;
      secretAccessKey: string;
    };
    return new S3Client({
      endpoint: `http://127.0.0.1:${s3Port}`,
      region: 'us-east-1',
      credentials: { accessKeyId, secretAccessKey },
      forcePathStyle: true,
      maxAttempts: 1,
    });
  };
  const status = async (id: string) =>
    (
      (await fetch(`${http}/documents/${id}/status`).then(
        (r) => (r.ok ? r.json() : null),
        () => null,
      )) as { status: string } | null
    )?.status;

  try {
    await start();
    // Uploads run in a burst; a kill lands at a random moment of it, and uploads refused by the dead service are sent again after the restart.
    const pending = [...letters.keys()];
    for (let round = 0; round <= options.kills; round++) {
      const client = s3();
      const sending = pending.splice(0);
      const killAt = round < options.kills ? 200 + random() * 2500 : Infinity;
      const timer = Number.isFinite(killAt) ? setTimeout(() => void kill(), killAt) : null;
      const results = await Promise.allSettled(
        sending.map(async (index, order) => {
          await new Promise((resolve) => setTimeout(resolve, order * 15));
          await client.send(new PutObjectCommand({ Bucket: LOCAL_INBOX, Key: `chaos/letter-${index + 1}.txt`, Body: letters[index]! }));
        }),
      );
      results.forEach((result, i) => {
        if (result.status === 'rejected') pending.push(sending[i]!);
      });
      client.destroy();
      if (timer) {
        // Past the burst, the kill still lands (on reading or delivering) if it has not yet.
        await new Promise((resolve) => setTimeout(resolve, Math.max(0, killAt - 50)));
        clearTimeout(timer);
        if (child!.exitCode === null && child!.signalCode === null) await kill();
        await start();
      }
    }
    misbehave = false;
    const deadline = Date.now() + 240_000;
    for (;;) {
      const states = await Promise.all([...ids].map(status));
      const announced = new Set(deliveries.map((delivery) => delivery.id));
      if (states.every((state) => state === 'CLASSIFIED' || state === 'FAILED' || state === 'UNRECOGNIZED') && [...ids].every((id) => announced.has(id))) break;
      if (Date.now() > deadline) {
        problems.push(
          `after 240 s: ${states.filter((state) => state !== 'CLASSIFIED').length} letters not classified, ${[...ids].filter((id) => !announced.has(id)).length} not announced`,
        );
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    const states = await Promise.all([...ids].map(status));
    const listed = (await (await fetch(`${http}/determinations?limit=200`)).json()) as { data: Array<{ id: string }> };
    const listedIds = listed.data.map((entry) => entry.id).filter((id) => ids.has(id));
    if (new Set(listedIds).size !== listedIds.length) problems.push('a letter is listed twice');
    if (listedIds.length !== ids.size) problems.push(`${listedIds.length} of ${ids.size} letters listed`);
    // Read once: one reading per letter (a second reading would be revision 2) and no letter listed twice.
    const revisions = await Promise.all(
      [...ids].map(
        async (id) =>
          (
            (await fetch(`${http}/determinations/${id}`).then(
              (r) => (r.ok ? r.json() : null),
              () => null,
            )) as { revision: number } | null
          )?.revision,
      ),
    );
    const readTwice = revisions.filter((revision) => revision !== 1).length;
    if (readTwice > 0) problems.push(`${readTwice} letters read more than once (revision above 1)`);
    const failed = states.filter((state) => state === 'FAILED').length;
    if (failed > 0) problems.push(`${failed} letters FAILED`);
    const startProblems = output.filter((line) => /could not start|internal {2}an unhandled/.test(line));
    problems.push(...startProblems);
    const webhookIds = deliveries.map((delivery) => delivery.webhookId);
    return {
      letters: ids.size,
      kills: options.kills,
      starts,
      classified: states.filter((state) => state === 'CLASSIFIED').length,
      failed,
      eventsDelivered: deliveries.length,
      lettersAnnounced: new Set(deliveries.map((delivery) => delivery.id).filter((id) => ids.has(id))).size,
      duplicateDeliveries: webhookIds.length - new Set(webhookIds).size,
      problems,
      seconds: Math.round((performance.now() - started) / 100) / 10,
    };
  } finally {
    if (child && (child as ChildProcess).exitCode === null) (child as ChildProcess).kill('SIGKILL');
    receiver.closeAllConnections();
    await new Promise<void>((resolve) => receiver.close(() => resolve()));
    rmSync(root, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { parseArgs } = await import('node:util');
  const { values } = parseArgs({ options: { letters: { type: 'string', default: '100' }, kills: { type: 'string', default: '5' }, seed: { type: 'string' } } });
  const report = await runChaos({
    letters: Number(values.letters),
    kills: Number(values.kills),
    seed: values.seed ? Number(values.seed) : undefined,
    log: (line) => console.error(line),
  });
  console.log(JSON.stringify(report, null, 2));
  process.exit(report.problems.length > 0 ? 1 : 0);
}
