/**
 * One round of `scripts/bench-paired.ts`, in a process of its own: the local service of the
 * project at `argv[2]` (this tree, or a worktree of another revision) started on free ports with
 * fresh data, 200 text letters uploaded at once from another process, and the seconds until the
 * 200th is read, stored and announced printed as JSON. The letters are this tree's golden ones,
 * made distinct by `argv[3]`, so both sides read the same bytes.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { loadGoldenLetters } from '../test/fixtures/golden.ts';
import { uploaderInAnotherProcess } from './load.ts';

const [project, nonce] = [process.argv[2]!, process.argv[3] ?? '0'];
const { startOnFreePorts, LOCAL_INBOX } = (await import(
  pathToFileURL(join(project, 'functions/local/runtime.ts')).href
)) as typeof import('../functions/local/runtime.ts');
const letters = loadGoldenLetters();
const bodies = Array.from({ length: 200 }, (_, i) => Buffer.from(`${letters[i % letters.length]!.text}\n\nCopy ${i} of paired round ${nonce}.\n`, 'latin1'));
const root = mkdtempSync(join(tmpdir(), 'imr-paired-'));
try {
  let allRead!: (at: number) => void;
  const read = new Promise<number>((resolveRead) => (allRead = resolveRead));
  const service = await startOnFreePorts(join(root, 'service'), () => undefined, {
    progress: (done) => done >= bodies.length && allRead(performance.now()),
    warmOcr: true,
  });
  try {
    const uploader = await uploaderInAnotherProcess(
      service.endpoints.s3,
      service.s3Credentials,
      LOCAL_INBOX,
      bodies.map((body, i) => ({ key: `paired/${i}.txt`, body })),
    );
    // As in `npm run bench`: uploaded once the OCR lane's warm-up is done.
    await service.ocrLaneReady;
    const started = performance.now();
    await uploader.go();
    const seconds = ((await read) - started) / 1000;
    await service.idle();
    console.log(JSON.stringify({ seconds }));
  } finally {
    await service.stop();
  }
} finally {
  rmSync(root, { recursive: true, force: true });
}
