import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../../functions/local/stand-ins.ts';

const root = mkdtempSync(join(tmpdir(), 'imr-processes-'));
/** Linux's process table: where a test sees which processes are left. */
const PROC = '/proc';
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Processes whose command line names `marker` (from /proc). */
function processesNaming(marker: string): number[] {
  return readdirSync(PROC)
    .filter((entry) => /^\d+$/.test(entry))
    .filter((pid) => {
      try {
        return readFileSync(join(PROC, pid, 'cmdline'), 'utf8').includes(marker);
      } catch {
        return false;
      }
    })
    .map(Number);
}

/** `npm start` with its own data folder, resolved once it says it is running. */
async function npmStart(name: string): Promise<{ npm: ChildProcess; data: string }> {
  const data = join(root, name);
  const npm = spawn(
    'npm',
    ['start', '--', '--data', data, '--inbox', join(root, `${name}-inbox`), '--http-port', String(await freePort()), '--s3-port', String(await freePort())],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  await new Promise<void>((resolve, reject) => {
    let out = '';
    npm.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('IMR letter service running')) resolve();
    });
    npm.once('exit', (code) => reject(new Error(`npm start exited with ${code}`)));
  });
  return { npm, data };
}

async function gone(marker: string, timeoutMs = 10_000): Promise<number[]> {
  const deadline = Date.now() + timeoutMs;
  while (processesNaming(marker).length > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 200));
  return processesNaming(marker);
}

describe.runIf(existsSync(PROC))('npm start stops with whatever started it', () => {
  it('SIGTERM to npm stops the service: no process of it is left', async () => {
    const { npm, data } = await npmStart('sigterm');
    expect(processesNaming(data).length).toBeGreaterThan(0);
    npm.kill('SIGTERM');
    expect(await gone(data)).toEqual([]);
  }, 60_000);

  it('npm killed outright (SIGKILL passes nothing on): the service notices and stops', async () => {
    const { npm, data } = await npmStart('sigkill');
    npm.kill('SIGKILL');
    expect(await gone(data)).toEqual([]);
  }, 60_000);
});
