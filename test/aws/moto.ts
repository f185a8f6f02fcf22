/**
 * moto's server (the pinned version), on loopback only, on a free port; `stop()` ends it.
 * It runs on the Python of `.venv-aws/` (made by `.ci/run`) when present, else `python3`.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, openSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

/** The moto version the emulation is written against (its behaviour is part of what the test trusts). */
export const MOTO_VERSION = '5.2.1';

/** cfn-lint's command line on that Python: its version, or null when it is not installed. */
export function cfnLint(root: string, args: readonly string[]): { status: number | null; stdout: string; stderr: string } {
  const run = spawnSync(pythonFor(root), ['-c', "import sys; from cfnlint.runner import main; sys.argv[0] = 'cfn-lint'; sys.exit(main())", ...args], {
    encoding: 'utf8',
  });
  return { status: run.status, stdout: run.stdout ?? '', stderr: run.stderr ?? '' };
}

/** A free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolvePort(port));
    });
  });
}

/** A running moto server. */
export interface Moto {
  readonly endpoint: string;
  readonly version: string;
  stop(): Promise<void>;
}

/** The Python that runs moto (and cfn-lint): `.venv-aws/` made by `.ci/run` when present, else `python3` on the PATH. */
export function pythonFor(root: string): string {
  const venv = join(root, '.venv-aws', 'bin', 'python');
  return existsSync(venv) ? venv : 'python3';
}

/** Starts moto's server; throws naming what is missing when moto is not installed or not the pinned version. */
export async function startMoto(root: string, logFile: string): Promise<Moto> {
  const python = pythonFor(root);
  const probe = spawnSync(python, ['-c', 'import moto, flask; print(moto.__version__)'], { encoding: 'utf8' });
  const version = probe.stdout?.trim() ?? '';
  if (probe.status !== 0)
    throw new Error(`moto is not installed for ${python} (run .ci/run, or pip install 'moto[server]==${MOTO_VERSION}'): ${probe.stderr?.trim()}`);
  if (version !== MOTO_VERSION) throw new Error(`moto ${version} is installed; the emulation is pinned to ${MOTO_VERSION}`);
  const port = await freePort();
  const log = openSync(logFile, 'a');
  // moto's server through its launcher beside this file: a DynamoDB transaction backs up only the
  // items it names, not the whole table (moto's own copy made each transaction slower as the table grew).
  const child: ChildProcess = spawn(python, [join(root, 'test', 'aws', 'moto_server.py'), '-H', '127.0.0.1', '-p', String(port)], {
    stdio: ['ignore', log, log],
  });
  const endpoint = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`moto_server exited with ${child.exitCode}; see ${logFile}`);
    const up = await fetch(`${endpoint}/moto-api/`).then(
      (response) => response.ok,
      () => false,
    );
    if (up) break;
    if (Date.now() > deadline) {
      child.kill();
      throw new Error(`moto_server did not answer within 30 s; see ${logFile}`);
    }
    await new Promise((resolveWait) => setTimeout(resolveWait, 200));
  }
  return {
    endpoint,
    version,
    stop: () =>
      new Promise<void>((resolveStop) => {
        if (child.exitCode !== null) return resolveStop();
        child.once('exit', () => resolveStop());
        child.kill('SIGTERM');
      }),
  };
}
