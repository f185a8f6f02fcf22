import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** What one load run measured. */
export interface LoadResult {
  readonly requestsPerSecond: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
  readonly non2xx: number;
  readonly errors: number;
}

/**
 * `connections` clients asking for `url` as fast as it answers, for `seconds`, from another
 * process (autocannon in `load-client.mjs`): the service's event loop carries only the service.
 */
export function loadFromAnotherProcess(url: string, connections = 10, seconds = 5): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const child = fork(fileURLToPath(new URL('./load-client.mjs', import.meta.url)), [JSON.stringify({ url, connections, duration: seconds })], {
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    });
    child.once('message', (result) => resolve(result as LoadResult));
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code !== 0) reject(new Error(`the load client exited with ${code}`));
    });
  });
}
