import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { WriteHook } from './blobs.ts';
import type { LocalS3Credentials } from './credentials.ts';
import { NoSuchBucketError } from './errors.ts';
import type { ObjectCreatedEvent } from './events.ts';
import { allowedHosts } from './guards.ts';
import { lockDirectory } from './lock.ts';
import { recover } from './recovery.ts';
import type { EndpointConfig } from './request.ts';
import { answerClientError, serveRequest } from './serve.ts';
import { Storage } from './storage.ts';

export type { ObjectCreatedEvent } from './events.ts';
export type { LocalS3Credentials } from './credentials.ts';

/** How to start the local S3 endpoint. */
export interface LocalS3Options {
  /** Port on 127.0.0.1 (0: any free port; `endpoint` says which). */
  readonly port: number;
  /** Where blobs, the index and temporary files live (created 0700). */
  readonly directory: string;
  /** The buckets served; no other is created. */
  readonly buckets: readonly string[];
  /** The one key pair whose signatures are accepted (see `loadOrCreateCredentials`). */
  readonly credentials: LocalS3Credentials;
  /** The region signatures must be scoped to (default us-east-1). */
  readonly region?: string;
  /** Largest object or part, and largest completed multipart object (default 1 GiB). */
  readonly maxObjectBytes?: number;
  /** Told after each object is committed (a failure of the listener is logged, nothing more). */
  readonly onObjectCreated?: (event: ObjectCreatedEvent) => void;
  /** Where refusals and failures are told (one line each; never a key or a body). */
  readonly log?: (line: string) => void;
  /** For tests: called before each write to disk; throwing plays a failing disk (e.g. ENOSPC). */
  readonly faults?: { readonly beforeWrite?: WriteHook };
}

/** What the index knows of an object. */
export interface LocalS3Object {
  readonly key: string;
  /** SHA-256 (hex) of the object's bytes: known without reading them. */
  readonly sha256: string;
  readonly size: number;
  readonly lastModified: Date;
}

/** A running local S3 endpoint. */
export interface LocalS3 {
  /** `http://127.0.0.1:<port>`. */
  readonly endpoint: string;
  /** Stops accepting, lets requests in flight end (5 s at most), closes the index. */
  stop(): Promise<void>;
  /** The index, read directly (no HTTP, no signature). */
  readonly objects: {
    /** The objects of `bucket` under `prefix`, in key order (UTF-8 bytes, as S3 lists). */
    list(bucket: string, prefix?: string): AsyncIterable<LocalS3Object>;
    /** One object, or undefined. */
    head(bucket: string, key: string): Promise<(LocalS3Object & { readonly etag: string; readonly contentType: string }) | undefined>;
  };
  /** What start-up recovery repaired, one line each (keys escaped). */
  readonly repaired: readonly string[];
}

const GIB = 1024 ** 3;
/** S3's bucket naming rules, enough to keep a name a plain path segment and an LMDB key prefix. */
const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/**
 * Starts an S3-compatible endpoint on 127.0.0.1: every request must be signed (AWS Signature
 * Version 4) with `credentials`; anonymous requests, browser requests, form posts and
 * virtual-host requests are refused; a key is an index entry, never a file path. Recovery
 * runs first (see `repaired`).
 */
export async function startLocalS3(options: LocalS3Options): Promise<LocalS3> {
  for (const bucket of options.buckets)
    if (!BUCKET_NAME.test(bucket) || bucket.includes('..')) throw new Error(`not an S3 bucket name: ${JSON.stringify(bucket)}`);
  mkdirSync(options.directory, { recursive: true, mode: 0o700 });
  const unlock = lockDirectory(options.directory);
  let storage: Storage;
  let repaired: string[];
  try {
    storage = Storage.open(options.directory, options.faults?.beforeWrite);
  } catch (error) {
    unlock();
    throw error;
  }
  const abandon = async (error: unknown): Promise<never> => {
    await storage.close();
    unlock();
    throw error;
  };
  try {
    repaired = recover(storage, Date.now());
    for (const bucket of options.buckets) storage.bucketCreated(bucket, Date.now());
  } catch (error) {
    return abandon(error);
  }
  const server = createServer({ maxHeaderSize: 16 * 1024, requestTimeout: 30 * 60_000, headersTimeout: 60_000, keepAliveTimeout: 5_000 });
  // Bounded headers: Node's default allows 2,000 of them.
  server.maxHeadersCount = 100;
  const port = await listen(server, options.port).catch(abandon);
  const endpoint = `http://127.0.0.1:${port}`;
  const config: EndpointConfig = {
    region: options.region ?? 'us-east-1',
    maxObjectBytes: options.maxObjectBytes ?? GIB,
    buckets: new Set(options.buckets),
    owner: { id: createHash('sha256').update(`local-s3:${options.credentials.accessKeyId}`).digest('hex'), displayName: 'local' },
    endpoint,
    onObjectCreated: options.onObjectCreated,
    log: boundedLog(options.log ?? (() => undefined)),
  };
  const context = { config, storage, credentials: { ...options.credentials }, hosts: allowedHosts(port), inFlight: new Set<Promise<void>>() };
  const serve = (expectsContinue: boolean) => (request: Parameters<typeof serveRequest>[1], response: Parameters<typeof serveRequest>[2]) => {
    const done = serveRequest(context, request, response, expectsContinue).finally(() => context.inFlight.delete(done));
    context.inFlight.add(done);
  };
  server.on('request', serve(false));
  // Expect: 100-continue (the CLI's uploads): the signature is checked before the body is asked for.
  server.on('checkContinue', serve(true));
  server.on('clientError', answerClientError);

  return {
    endpoint,
    repaired,
    stop: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const force = setTimeout(() => server.closeAllConnections(), 5_000);
      await closed;
      clearTimeout(force);
      await Promise.allSettled([...context.inFlight]);
      await storage.close();
      unlock();
    },
    objects: {
      list: (bucket, prefix = '') => listObjects(storage, config, bucket, prefix),
      head: async (bucket, key) => {
        const entry = storage.head(bucket, key);
        return (
          entry && { key, sha256: entry.sha256, size: entry.size, lastModified: new Date(entry.lastModified), etag: entry.etag, contentType: entry.contentType }
        );
      },
    },
  };
}

/** The index's objects in key order, read in batches (no read transaction is held across an await). */
async function* listObjects(storage: Storage, config: EndpointConfig, bucket: string, prefix: string): AsyncGenerator<LocalS3Object> {
  if (!config.buckets.has(bucket)) throw new NoSuchBucketError();
  let after: Buffer | undefined;
  for (;;) {
    const batch = [...storage.index.range(bucket, Buffer.from(prefix), after, 500)];
    for (const { key, entry } of batch) yield { key: key.toString('utf8'), sha256: entry.sha256, size: entry.size, lastModified: new Date(entry.lastModified) };
    if (batch.length < 500) return;
    after = batch.at(-1)!.key;
  }
}

/** Listens on loopback only; resolves with the port. */
function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

/** Most lines told in one minute: refusals are how a web page knocking looks, and a page can knock without end. */
const LINES_PER_MINUTE = 20;

/**
 * A log that tells at most {@link LINES_PER_MINUTE} lines a minute, then, once the minute is
 * over, how many it held back: a flood of refused requests cannot fill the terminal or the disk.
 */
export function boundedLog(log: (line: string) => void, now: () => number = Date.now): (line: string) => void {
  let windowStart = now();
  let told = 0;
  let heldBack = 0;
  return (line) => {
    if (now() - windowStart >= 60_000) {
      if (heldBack > 0) log(`local S3: ${heldBack} more lines like these in the last minute were not printed`);
      windowStart = now();
      told = 0;
      heldBack = 0;
    }
    if (told < LINES_PER_MINUTE) {
      told++;
      log(line);
    } else heldBack++;
  };
}
