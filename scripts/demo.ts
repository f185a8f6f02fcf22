/**
 * `npm run demo`: starts the service on free ports with a fresh data folder, puts every
 * letter of `samples/` and a fax scan of each through it, prints a table of cases,
 * items and decisions read back over the HTTP API, and stops.
 */
import './one-line-errors.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { LOCAL_INBOX, startOnFreePorts } from '../functions/local/runtime.ts';
import { loadGoldenLetters } from '../test/fixtures/golden.ts';
import { printedLines } from '../test/fixtures/variants.ts';
import { renderScan } from '../test/fixtures/scans.ts';

const root = mkdtempSync(join(tmpdir(), 'imr-demo-'));
const started = performance.now();
const service = await startOnFreePorts(root, (line) => console.log(`  ${line}`));
try {
  console.log(`service up in ${((performance.now() - started) / 1000).toFixed(1)} s; uploading...`);
  for (const [index, letter] of loadGoldenLetters().entries()) {
    const name = letter.golden.letter.replace(/\.txt$/, '');
    await service.s3.send(new PutObjectCommand({ Bucket: LOCAL_INBOX, Key: `text/${name}.txt`, Body: letter.text }));
    const [fax] = (await renderScan(printedLines(letter.text), 'fax-fine', index + 1)).files;
    await service.s3.send(new PutObjectCommand({ Bucket: LOCAL_INBOX, Key: `fax/${name}.tif`, Body: fax! }));
  }
  await new Promise((resolve) => setTimeout(resolve, 500));
  await service.idle();
  const response = await fetch(`${service.endpoints.http}/determinations?limit=200`);
  const { data } = (await response.json()) as {
    data: Array<{
      id: string;
      sourceKeys: string[];
      outcome?: string;
      items?: Array<{ request: string; decision: string; category: string; subcategory: string | null; confidence: number }>;
    }>;
  };
  console.log(`\n${'document'.padEnd(42)} ${'outcome'.padEnd(21)} item`);
  for (const determination of data.sort((a, b) => a.sourceKeys[0]!.localeCompare(b.sourceKeys[0]!))) {
    (determination.items ?? []).forEach((item, i) => {
      const left =
        i === 0 ? `${determination.sourceKeys[0]!.replace(`${LOCAL_INBOX}/`, '').padEnd(42)} ${(determination.outcome ?? '').padEnd(21)}` : ' '.repeat(64);
      console.log(`${left} ${item.decision.padEnd(10)} ${`${item.category}/${item.subcategory ?? '-'}`.padEnd(38)} ${item.request}`);
    });
  }
  console.log(`\n${data.length} determinations in ${((performance.now() - started) / 1000).toFixed(1)} s`);
} finally {
  await service.stop();
  rmSync(root, { recursive: true, force: true });
}
