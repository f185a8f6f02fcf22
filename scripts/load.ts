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

/** A client in another process holding files to upload: `go()` starts every upload at once and resolves when all are stored. */
export interface Uploader {
  go(): Promise<{ uploadedMs: number }>;
}

/**
 * Starts `upload-client.mjs` with `files` for `bucket` on the local S3 `endpoint`, and resolves
 * once it is ready (SDK loaded, files in memory), so that only the uploads themselves are timed.
 */
export function uploaderInAnotherProcess(
  endpoint: string,
  credentials: { accessKeyId: string; secretAccessKey: string },
  bucket: string,
  files: ReadonlyArray<{ key: string; body: Buffer }>,
): Promise<Uploader> {
  return new Promise((resolve, reject) => {
    const child = fork(fileURLToPath(new URL('./upload-client.mjs', import.meta.url)), [], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code !== 0) reject(new Error(`the upload client exited with ${code}`));
    });
    child.once('message', () => {
      child.once('message', () =>
        resolve({
          go: () =>
            new Promise((done) => {
              child.once('message', (result) => done(result as { uploadedMs: number }));
              child.send('go');
            }),
        }),
      );
      child.send({ endpoint, credentials, bucket, files: files.map((file) => ({ key: file.key, body: file.body.toString('base64') })) });
    });
  });
}

/** min / median / max of some figures, as printed. */
export function spread(values: readonly number[], digits = 1): { min: number; median: number; max: number; text: string } {
  const sorted = [...values].sort((a, b) => a - b);
  const [min, median, max] = [sorted[0]!, sorted[Math.floor(sorted.length / 2)]!, sorted.at(-1)!];
  return { min, median, max, text: `${min.toFixed(digits)} / ${median.toFixed(digits)} / ${max.toFixed(digits)}` };
}
