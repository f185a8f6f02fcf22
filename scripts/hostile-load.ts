/**
 * Hostile files uploaded to the running local service while real letters are read: every
 * hostile file must end FAILED with its reason, every letter read right, the service up, and
 * the API answering meanwhile. `runHostileLoad` is used by `test/integration/hostile-load.test.ts`
 * (which checks the outcomes) and by `npm run bench` (which prints the API's latency figures).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { startOnFreePorts, LOCAL_INBOX } from '../functions/local/runtime.ts';
import { documentId } from '../functions/service/ingest.ts';
import { TEXTRACT_JSON_BUDGET } from '../functions/reader/read-document.ts';
import { loadGoldenLetters } from '../test/fixtures/golden.ts';
import { hostileFiles, pdfTextPages, rawPdf, zerosDeflated } from '../test/fixtures/hostile.ts';
import { textractResponseFor } from '../test/fixtures/textract-factory.ts';
import { typesetPdf } from '../test/fixtures/scans.ts';
import { printedLines } from '../test/fixtures/variants.ts';

/** What one hostile file and one letter ended as. */
export interface HostileOutcome {
  readonly name: string;
  readonly status: string | undefined;
  readonly reason: string | null;
  readonly expect: string;
}

/** What a hostile load run found. */
export interface HostileLoadReport {
  readonly hostile: HostileOutcome[];
  readonly letters: Array<{ readonly name: string; readonly status: string | undefined; readonly decisions: string[]; readonly expected: string[] }>;
  /** Latencies of API requests made every 25 ms while the files were read. */
  readonly api: ApiLatency;
  readonly serviceUp: boolean;
  readonly seconds: number;
}

/** A PDF whose one content stream is hex around a deflated GiB: it reaches the PDF engine, which runs out of memory. */
function engineBomb(): Buffer {
  const stream = Buffer.from(`${zerosDeflated(1024 * 1024 * 1024).toString('hex')}>`);
  return rawPdf([
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>',
    { dictionary: '/Filter [/ASCIIHexDecode /FlateDecode]', stream },
  ]);
}

/** API latency figures. */
export interface ApiLatency {
  readonly requests: number;
  readonly failures: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
}

/**
 * The probe's loop, run in a thread of its own: the service under test runs in this process,
 * and a probe on the same event loop would not even send its request while the service held
 * the loop, so a block of seconds went unmeasured (a calendar feed once held the API 5.7 s
 * while such a probe saw a p99 of 42 ms).
 */
const PROBE_LOOP = `
const { parentPort, workerData } = require('node:worker_threads');
const paths = ['/determinations?limit=50', '/stats?groupBy=category', '/documents?status=FAILED&limit=50'];
const latencies = [];
let failures = 0;
let probing = true;
parentPort.once('message', () => { probing = false; });
(async () => {
  // Not counted: a new thread's first request pays for starting its HTTP client (tens of ms).
  await fetch(workerData.http + paths[1]).then((r) => r.arrayBuffer(), () => null);
  for (let n = 0; probing; n++) {
    const t = performance.now();
    const ok = await fetch(workerData.http + paths[n % paths.length]).then(async (r) => (await r.arrayBuffer(), r.ok), () => false);
    latencies.push(performance.now() - t);
    if (!ok) failures++;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  parentPort.postMessage({ latencies, failures });
  parentPort.close();
})();
`;

/** Asks the API every 25 ms, as a reviewer's console would, until `stop()`, which answers the latencies seen. */
export function probeApi(http: string): { stop(): Promise<ApiLatency> } {
  const worker = new Worker(PROBE_LOOP, { eval: true, workerData: { http } });
  const result = new Promise<{ latencies: number[]; failures: number }>((resolveResult, rejectResult) => {
    worker.once('message', resolveResult);
    worker.once('error', rejectResult);
  });
  return {
    stop: async () => {
      worker.postMessage('stop');
      const { latencies, failures } = await result;
      await worker.terminate();
      const sorted = [...latencies].sort((a, b) => a - b);
      const round = (ms: number) => Math.round(ms * 10) / 10;
      return {
        requests: sorted.length,
        failures,
        p50Ms: round(percentile(sorted, 50)),
        p99Ms: round(percentile(sorted, 99)),
        maxMs: round(sorted.at(-1) ?? 0),
      };
    },
  };
}

function percentile(sorted: number[], p: number): number {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]! : 0;
}

/** Uploads `hostileCount` hostile files and `letterCount` real letters at once to a fresh local service. */
export async function runHostileLoad(options: { hostileCount?: number; letterCount?: number } = {}): Promise<HostileLoadReport> {
  const started = performance.now();
  const root = mkdtempSync(join(tmpdir(), 'imr-hostile-'));
  const service = await startOnFreePorts(root, () => undefined);
  try {
    const hostile = [{ name: 'pdf-engine-bomb.pdf', bytes: engineBomb(), expect: 'RESOURCE_LIMIT|MEMORY_LIMIT' }, ...(await hostileFiles())].slice(
      0,
      options.hostileCount ?? 20,
    );
    const golden = loadGoldenLetters();
    const letters: Array<{ name: string; bytes: Buffer; expected: string[] }> = [];
    for (let i = 0; i < (options.letterCount ?? 20); i++) {
      const letter = golden[i % golden.length]!;
      const text = `${letter.text}\n\nLoad copy ${i + 1}.\n`;
      // One letter in four as a text-layer PDF, the rest as text.
      const bytes = i % 4 === 3 ? Buffer.from(await typesetPdf(printedLines(text))) : Buffer.from(text, 'latin1');
      letters.push({ name: `letter-${i + 1}.${i % 4 === 3 ? 'pdf' : 'txt'}`, bytes, expected: letter.golden.items.map((item) => item.decision) });
    }
    const probe = probeApi(service.endpoints.http);
    // Interleaved: a hostile file, a letter, a hostile file...
    const uploads: Array<{ key: string; bytes: Buffer }> = [];
    for (let i = 0; i < Math.max(hostile.length, letters.length); i++) {
      if (hostile[i]) uploads.push({ key: `hostile/${hostile[i]!.name}`, bytes: hostile[i]!.bytes });
      if (letters[i]) uploads.push({ key: `letters/${letters[i]!.name}`, bytes: letters[i]!.bytes });
    }
    await Promise.all(uploads.map((upload) => service.s3.send(new PutObjectCommand({ Bucket: LOCAL_INBOX, Key: upload.key, Body: upload.bytes }))));
    await service.idle();
    const api = await probe.stop();
    const status = async (bytes: Buffer) => {
      const response = await fetch(`${service.endpoints.http}/documents/${documentId(bytes)}/status`);
      return response.ok ? ((await response.json()) as { status: string; reason: string | null }) : null;
    };
    const hostileOutcomes = await Promise.all(
      hostile.map(async (file) => {
        const answer = await status(file.bytes);
        return { name: file.name, status: answer?.status, reason: answer?.reason ?? null, expect: file.expect };
      }),
    );
    const letterOutcomes = await Promise.all(
      letters.map(async (file) => {
        const answer = await fetch(`${service.endpoints.http}/determinations/${documentId(file.bytes)}`).then((r) =>
          r.ok ? (r.json() as Promise<{ status: string; items?: Array<{ decision: string }> }>) : null,
        );
        return { name: file.name, status: answer?.status, decisions: (answer?.items ?? []).map((item) => item.decision), expected: file.expected };
      }),
    );
    const serviceUp =
      (await fetch(`${service.endpoints.http}/determinations?limit=1`).then(
        (r) => r.status,
        () => 0,
      )) === 200;
    return {
      hostile: hostileOutcomes,
      letters: letterOutcomes,
      api,
      serviceUp,
      seconds: Math.round((performance.now() - started) / 100) / 10,
    };
  } finally {
    await service.stop();
    rmSync(root, { recursive: true, force: true });
  }
}

/**
 * The largest documents the budgets allow, read by the running service one after another
 * (3,000 text-layer pages, each of which reads as a letter, so the file is read whole and then
 * refused as too many letters in one file; the largest Textract response within its byte and block
 * budgets; 10 MB of text) while the API is asked every 25 ms: how long each took, how it ended
 * (with the reason's code), and the API's latency meanwhile.
 */
export async function runLargestDocuments(): Promise<{
  documents: Array<{ name: string; seconds: number; status: string | undefined; reason: string | null }>;
  api: ApiLatency;
}> {
  const root = mkdtempSync(join(tmpdir(), 'imr-largest-'));
  const service = await startOnFreePorts(root, () => undefined);
  try {
    // Pages of a real letter's lines in Textract's real shape, until the response is just within its budgets.
    // The letter first, then page after page of medical records (what a firm's scan of a whole file looks like).
    const letterLines = printedLines(loadGoldenLetters()[0]!.text).filter((line) => line.trim());
    const recordPage = Array.from(
      { length: 60 },
      (_, i) => `Progress note line ${i + 1}: patient seen, vitals stable, plan unchanged, follow up as scheduled.`,
    );
    const pages: string[][] = [];
    for (let at = 0; at < letterLines.length; at += 60) pages.push(letterLines.slice(at, at + 60));
    // Grown a fifth at a time until the next step would pass a budget of a saved response (bytes or blocks): the largest
    // one read. (Grown from 512 pages, the first step was already over both, and this document was an empty file.)
    let textract = Buffer.alloc(0);
    for (let grow = 16; ; grow = Math.ceil(grow * 1.2)) {
      while (pages.length < grow) pages.push(recordPage);
      const response = textractResponseFor(pages);
      const next = Buffer.from(JSON.stringify(response));
      if (next.length > TEXTRACT_JSON_BUDGET.bytes || response.Blocks!.length > TEXTRACT_JSON_BUDGET.blocks || pages.length >= 2900) break;
      textract = next;
    }
    if (textract.length === 0) throw new Error('no Textract response within the budgets was built');
    const text = loadGoldenLetters()[0]!.text;
    const documents = [
      { name: 'text-pdf-3000-pages.pdf', bytes: pdfTextPages(3000) },
      { name: 'textract-largest-read.json', bytes: textract },
      {
        name: 'text-10mb.txt',
        bytes: Buffer.from(
          `${text}\n${recordPage.join('\n').repeat(Math.floor((10 * 1024 * 1024 - text.length - 1024) / (recordPage.join('\n').length + 1)))}`,
          'latin1',
        ),
      },
    ];
    const probe = probeApi(service.endpoints.http);
    const results: Array<{ name: string; seconds: number; status: string | undefined; reason: string | null }> = [];
    for (const document of documents) {
      const t = performance.now();
      await service.s3.send(new PutObjectCommand({ Bucket: LOCAL_INBOX, Key: `largest/${document.name}`, Body: document.bytes }));
      await service.idle();
      const answer = await fetch(`${service.endpoints.http}/documents/${documentId(document.bytes)}/status`).then(
        (r) => r.json() as Promise<{ status: string; reason: string | null }>,
      );
      // The reason's code only (what is after it may quote the file).
      const reason = answer.reason?.split(':')[0] ?? null;
      results.push({ name: document.name, seconds: Math.round((performance.now() - t) / 100) / 10, status: answer.status, reason });
    }
    return { documents: results, api: await probe.stop() };
  } finally {
    await service.stop();
    rmSync(root, { recursive: true, force: true });
  }
}
