/**
 * The service with many letters stored (`npm run bench -- --stored N`, default 10,000): how the
 * API and the fast lane hold up when the store is full, during exports, and after a restart.
 *
 * 1. N distinct text letters (the golden letters, each copy with its own case number) are
 *    uploaded to `npm start`'s stack and read.
 * 2. The list API alone under load: 10 connections for 5 s on `/determinations?limit=50`,
 *    `/items?limit=50` and `/stats` (autocannon), three rounds (min / median / max); then full-text search (`/search?limit=50`) for
 *    a rare word (one letter), a common word (every letter), a prefix and two words (a quarter
 *    and a half of the letters): one client for 3 s (a search alone), then 10 clients for 5 s.
 * 3. A CSV export of every letter and the calendar feed, each with the API probed meanwhile (a
 *    console's requests every 25 ms, from a thread of its own) and a text letter uploaded while it runs.
 * 4. An export abandoned by its client: the API's latency just after, against the API alone.
 * 5. A restart with the N letters stored: seconds until the API answers, and until a letter
 *    uploaded at once is classified.
 *
 * Alone: `npx tsx scripts/bench-stored.ts [N]`.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import pLimit from 'p-limit';
import { loadGoldenLetters } from '../test/fixtures/golden.ts';
import { LOCAL_INBOX, startOnFreePorts, type LocalService } from '../functions/local/runtime.ts';
import { documentId } from '../functions/service/ingest.ts';
import { probeApi, type ApiLatency } from './hostile-load.ts';
import { loadFromAnotherProcess, spread } from './load.ts';

/** Rounds of the API-alone load, each route once a round. */
const API_ROUNDS = 3;

/** The figures this benchmark prints (and returns for the JSON line). */
export type StoredFigures = Record<string, number>;

/** A golden letter's text with its case number replaced by the `n`-th one of this run, so that no two copies are the same letter. */
function letterText(n: number): string {
  const letters = loadGoldenLetters();
  const text = letters[n % letters.length]!.text;
  const caseNumber = `CM${String(10 + (n % 80)).padStart(2, '0')}-${String(1_000_000 + n).padStart(7, '0')}`;
  return `${text.replace(/CM\d{2}-\d{7}/g, caseNumber)}\n\nBenchmark copy ${n}.\n`;
}

/** Uploads a text letter and answers the seconds until it is classified (or failed). */
async function timeOneLetter(service: LocalService, n: number): Promise<number> {
  const text = letterText(n);
  const id = documentId(Buffer.from(text, 'latin1'));
  const started = performance.now();
  await service.s3.send(new PutObjectCommand({ Bucket: LOCAL_INBOX, Key: `bench/timed-${n}.txt`, Body: text }));
  for (;;) {
    const status = (await service.store.getDocument(id))?.status;
    if (status === 'CLASSIFIED' || status === 'FAILED' || status === 'UNRECOGNIZED') break;
    await new Promise((resolveWait) => setTimeout(resolveWait, 10));
  }
  return (performance.now() - started) / 1000;
}

/** Runs the benchmark on `count` stored letters and prints its figures. */
export async function runStoredBench(count: number): Promise<StoredFigures> {
  const root = mkdtempSync(join(tmpdir(), 'imr-stored-'));
  const figures: StoredFigures = {};
  const lines: string[] = [];
  const log = (line: string) => lines.push(line);
  let service = await startOnFreePorts(root, log);
  try {
    // 1. Fill the store through the service itself.
    let started = performance.now();
    const limit = pLimit(16);
    await Promise.all(
      Array.from({ length: count }, (_, n) =>
        limit(() => service.s3.send(new PutObjectCommand({ Bucket: LOCAL_INBOX, Key: `bench/${Math.floor(n / 1000)}/${n}.txt`, Body: letterText(n) }))),
      ),
    );
    await new Promise((resolveWait) => setTimeout(resolveWait, 300));
    await service.idle();
    const fillSeconds = (performance.now() - started) / 1000;
    const classified = lines.filter((line) => / CLASSIFIED /.test(line)).length;
    console.log(
      `stored letters: ${count} text letters uploaded and read in ${fillSeconds.toFixed(1)} s (${(count / fillSeconds).toFixed(0)} letters/s), ${classified} classified`,
    );
    figures.storedFillSeconds = Number(fillSeconds.toFixed(1));
    // The store (letters, lists, counters and the search index) on disk, as allocated.
    const storeBytes = statSync(join(root, 'data', 'store', 'data.mdb')).blocks * 512;
    console.log(`  the store on disk with ${count} letters and their search index: ${(storeBytes / 1e6).toFixed(0)} MB`);
    figures.storedStoreMegabytes = Math.round(storeBytes / 1e6);

    // 2. The API alone, 10 clients at once: three rounds, the three routes taken in turn in each
    // (one 5 s run of a route varied by 2x from run to run on this host).
    const http = service.endpoints.http;
    const routes = [
      ['determinations', '/determinations?limit=50'],
      ['items', '/items?limit=50'],
      ['stats', '/stats?groupBy=category'],
    ] as const;
    const runs = new Map<string, Array<{ p99: number; requestsPerSecond: number }>>(routes.map(([name]) => [name, []]));
    for (let round = 0; round < API_ROUNDS; round++)
      for (const [name, path] of routes) {
        const result = await loadFromAnotherProcess(`${http}${path}`);
        runs.get(name)!.push({ p99: result.p99, requestsPerSecond: Math.round(result.requestsPerSecond) });
      }
    for (const [name, path] of routes) {
      const p99 = spread(
        runs.get(name)!.map((run) => run.p99),
        0,
      );
      const rate = spread(
        runs.get(name)!.map((run) => run.requestsPerSecond),
        0,
      );
      console.log(
        `  API alone, ${count} stored, 10 clients (another process), ${API_ROUNDS} runs of 5 s, GET ${path}: p99 ${p99.text} ms at ${rate.text} requests/s (min / median / max)`,
      );
      figures[`stored_${name}P99Ms`] = p99.median;
      figures[`stored_${name}P99MaxMs`] = p99.max;
      figures[`stored_${name}RequestsPerSecond`] = rate.median;
    }

    // 2b. Full-text search: a word in one letter (the copy number), in every letter, a prefix, and two words.
    const rare = String(Math.floor(count * 0.37));
    for (const [name, q, holds] of [
      ['rare', rare, `1 letter`],
      ['common', 'patient', `all ${count} letters`],
      ['prefix', 'perco', `a quarter of the letters (Percocet)`],
      ['twoWords', 'lumbar flexeril', `half of the letters, each word in half or more`],
    ] as const) {
      const path = `/search?q=${encodeURIComponent(q)}&limit=50`;
      const found = (await (await fetch(`${http}${path}`)).json()) as { data: unknown[]; nextCursor: string | null };
      const alone = await loadFromAnotherProcess(`${http}${path}`, 1, 3);
      const loaded = await loadFromAnotherProcess(`${http}${path}`);
      console.log(
        `  search, ${count} stored, "${q}" (${holds}; first page ${found.data.length}${found.nextCursor ? '+' : ''}): one client p50 ${alone.p50} ms, p99 ${alone.p99} ms; 10 clients ${Math.round(loaded.requestsPerSecond)} requests/s, p50 ${loaded.p50} ms, p99 ${loaded.p99} ms, ${alone.non2xx + loaded.non2xx} non-2xx`,
      );
      figures[`search_${name}P50Ms`] = alone.p50;
      figures[`search_${name}P99Ms`] = alone.p99;
      figures[`search_${name}LoadedP99Ms`] = loaded.p99;
      figures[`search_${name}RequestsPerSecond`] = Math.round(loaded.requestsPerSecond);
    }

    // 3. Exports, with the API probed and a letter uploaded meanwhile.
    let timed = count;
    for (const [name, path] of [
      ['csv', '/determinations?format=csv'],
      ['calendar', '/deadlines.ics'],
    ] as const) {
      const probe = probeApi(http);
      started = performance.now();
      const exported = fetch(`${http}${path}`).then(async (response) => ({
        status: response.status,
        bytes: (await response.arrayBuffer()).byteLength,
        rows: response.headers.get('x-total-rows'),
      }));
      await new Promise((resolveWait) => setTimeout(resolveWait, 50));
      const letterSeconds = await timeOneLetter(service, timed++);
      const answer = await exported;
      const exportSeconds = (performance.now() - started) / 1000;
      const api = await probe.stop();
      console.log(
        `  ${name} export of ${count} letters: ${answer.status}, ${(answer.bytes / 1e6).toFixed(1)} MB${answer.rows ? `, ${answer.rows} rows` : ''} in ${exportSeconds.toFixed(2)} s; API meanwhile ${describe(api)}; a text letter uploaded during it classified in ${letterSeconds.toFixed(2)} s`,
      );
      figures[`${name}ExportSeconds`] = Number(exportSeconds.toFixed(2));
      figures[`${name}ExportApiP99Ms`] = api.p99Ms;
      figures[`${name}ExportLetterSeconds`] = Number(letterSeconds.toFixed(2));
    }

    // 4. An export its client abandons after 100 ms: the API just after, against the API alone.
    const alone = probeApi(http);
    await new Promise((resolveWait) => setTimeout(resolveWait, 1000));
    const aloneApi = await alone.stop();
    const abandon = new AbortController();
    const abandoned = fetch(`${http}/determinations?format=csv`, { signal: abandon.signal }).catch(() => null);
    await new Promise((resolveWait) => setTimeout(resolveWait, 100));
    abandon.abort();
    await abandoned;
    const after = probeApi(http);
    await new Promise((resolveWait) => setTimeout(resolveWait, 1000));
    const afterApi = await after.stop();
    console.log(`  an export abandoned after 100 ms: API in the second after ${describe(afterApi)}; API alone ${describe(aloneApi)}`);
    figures.abandonedExportApiP99Ms = afterApi.p99Ms;
    figures.aloneApiP99Ms = aloneApi.p99Ms;

    // 5. A restart with everything stored.
    await service.stop();
    started = performance.now();
    // As `npm start` starts it: its OCR lane started with it (not awaited by the start, as the API is up before it).
    service = await startOnFreePorts(root, log, { warmOcr: true });
    const startSeconds = (performance.now() - started) / 1000;
    const letterSeconds = await timeOneLetter(service, timed++);
    const sinceStart = (performance.now() - started) / 1000;
    await service.idle();
    const recoveredSeconds = (performance.now() - started) / 1000;
    console.log(
      `  restart with ${count} stored: API up in ${startSeconds.toFixed(2)} s; a letter uploaded at once classified in ${letterSeconds.toFixed(2)} s (${sinceStart.toFixed(2)} s after the start); the start's look for unfinished work ended after ${recoveredSeconds.toFixed(1)} s`,
    );
    figures.restartApiSeconds = Number(startSeconds.toFixed(2));
    figures.restartLetterSeconds = Number(letterSeconds.toFixed(2));
    return figures;
  } finally {
    await service.stop();
    rmSync(root, { recursive: true, force: true });
  }
}

function describe(api: ApiLatency): string {
  return `${api.requests} requests, p50 ${api.p50Ms} ms, p99 ${api.p99Ms} ms, max ${api.maxMs} ms, ${api.failures} failed`;
}

// Alone: `npx tsx scripts/bench-stored.ts [N]`.
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const count = Number(process.argv[2] ?? 10_000);
  if (!Number.isSafeInteger(count) || count < 1) throw new Error('the number of letters must be a whole number, 1 or more');
  console.log(JSON.stringify(await runStoredBench(count)));
}
