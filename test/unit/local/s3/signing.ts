/**
 * Test helpers: requests as the real AWS SDK v3 signs and sends them, captured off the wire by
 * a throwaway HTTP server (so the path, query and headers are exactly what a server receives),
 * and the SDK's own SigV4 signer for requests the S3 client would never make.
 */
import { createHash, createHmac } from 'node:crypto';
import { createServer, request as httpRequest, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { S3Client } from '@aws-sdk/client-s3';
import { SignatureV4 } from '@smithy/signature-v4';
import type { WireRequest } from '../../../../functions/local/s3/sigv4.ts';

export const CREDENTIALS = { accessKeyId: 'AKIAABCDEFGHIJKLMNOP', secretAccessKey: 'sEcReT-0123456789abcdefghijABCDEFGHIJ_xyz' };

/** A request as received: the wire form the verifier takes, and its body. */
export interface Captured {
  readonly wire: WireRequest;
  readonly headers: IncomingMessage['headers'];
  readonly body: Buffer;
}

/** node:crypto behind the hash interface the SDK's signer takes. */
export class NodeSha256 {
  private readonly hash;
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    this.hash = secret === undefined ? createHash('sha256') : createHmac('sha256', bytes(secret));
  }
  update(data: string | ArrayBuffer | ArrayBufferView): void {
    this.hash.update(bytes(data));
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }
  reset(): void {}
}

function bytes(data: string | ArrayBuffer | ArrayBufferView): string | Uint8Array {
  if (typeof data === 'string') return data;
  return data instanceof ArrayBuffer ? new Uint8Array(data) : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

/** The SDK's SigV4 signer for S3 (no path escaping, as the S3 client does). */
export function sdkSigner(credentials = CREDENTIALS, region = 'us-east-1'): SignatureV4 {
  return new SignatureV4({ credentials, region, service: 's3', sha256: NodeSha256, uriEscapePath: false, applyChecksum: false });
}

/**
 * Sends one S3 command with the real SDK to a capturing server and returns the first request as
 * received. The server answers 200 with no body; what the SDK makes of that does not matter.
 */
export async function captureSdkRequest(
  send: (client: S3Client) => Promise<unknown>,
  options: { checksums?: 'WHEN_SUPPORTED' | 'WHEN_REQUIRED'; credentials?: typeof CREDENTIALS } = {},
): Promise<Captured> {
  let captured: Captured | undefined;
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const url = request.url ?? '/';
      const question = url.indexOf('?');
      captured ??= {
        wire: {
          method: request.method ?? '',
          rawPath: question < 0 ? url : url.slice(0, question),
          rawQuery: question < 0 ? '' : url.slice(question + 1),
          rawHeaders: request.rawHeaders,
        },
        headers: request.headers,
        body: Buffer.concat(chunks),
      };
      response.writeHead(200, { 'content-type': 'application/xml' }).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const client = new S3Client({
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: options.credentials ?? CREDENTIALS,
    requestChecksumCalculation: options.checksums ?? 'WHEN_SUPPORTED',
    maxAttempts: 1,
  });
  try {
    await send(client).catch(() => undefined);
  } finally {
    client.destroy();
    await new Promise((resolve) => server.close(resolve));
  }
  if (!captured) throw new Error('the SDK sent nothing');
  return captured;
}

/** The `x-amz-date` of a captured request, as ms since the epoch. */
export function signedAt(captured: Captured): number {
  const date = String(captured.headers['x-amz-date']);
  return Date.UTC(+date.slice(0, 4), +date.slice(4, 6) - 1, +date.slice(6, 8), +date.slice(9, 11), +date.slice(11, 13), +date.slice(13, 15));
}

/** A wire request with one header's value replaced (or added). */
export function withHeader(wire: WireRequest, name: string, value: string): WireRequest {
  const raw = [...wire.rawHeaders];
  const at = raw.findIndex((entry, i) => i % 2 === 0 && entry.toLowerCase() === name);
  if (at >= 0) raw[at + 1] = value;
  else raw.push(name, value);
  return { ...wire, rawHeaders: raw };
}

/** Node-style raw headers of a header record. */
export function rawHeadersOf(headers: Record<string, string>): string[] {
  return Object.entries(headers).flat();
}

/** An answer as received: status, headers and body text. */
export interface RawAnswer {
  readonly status: number;
  readonly headers: IncomingMessage['headers'];
  readonly text: string;
}

/** Sends one request with `node:http` as given (no normalisation of the path or headers). */
export function sendRaw(port: number, method: string, path: string, headers: Record<string, string>, body?: Buffer): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const request = httpRequest({ host: '127.0.0.1', port, method, path, headers, setHost: false }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, text: Buffer.concat(chunks).toString('utf8') }));
    });
    request.on('error', reject);
    request.end(body);
  });
}

/**
 * Signs a request with the SDK's signer, for `host` (default `127.0.0.1:<port>`) and sends it.
 * `payloadHash` goes in x-amz-content-sha256 (default: the body's SHA-256).
 */
export async function sendSigned(
  port: number,
  request: {
    method: string;
    path: string;
    headers?: Record<string, string>;
    body?: Buffer;
    host?: string;
    payloadHash?: string;
    credentials?: typeof CREDENTIALS;
    signingDate?: Date;
  },
): Promise<RawAnswer> {
  const body = request.body ?? Buffer.alloc(0);
  const host = request.host ?? `127.0.0.1:${port}`;
  const headers = {
    host,
    'content-length': String(body.length),
    'x-amz-content-sha256': request.payloadHash ?? createHash('sha256').update(body).digest('hex'),
    ...request.headers,
  };
  const signed = await sdkSigner(request.credentials).sign(
    { method: request.method, protocol: 'http:', hostname: host, path: request.path, query: {}, headers },
    { signingDate: request.signingDate ?? new Date() },
  );
  return sendRaw(port, request.method, request.path, signed.headers, body);
}
