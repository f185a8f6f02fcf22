import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import { verifiedBody, type BodyResult } from './body.ts';
import { EntityTooLargeError, InvalidRequestError, InvalidURIError, KeyTooLongError } from './errors.ts';
import type { ObjectCreatedEvent } from './events.ts';
import type { Storage } from './storage.ts';
import { headerValues, queryParameters, type VerifiedSignature, type WireRequest } from './sigv4.ts';

/** S3's limit on a key, in UTF-8 bytes. */
export const MAX_KEY_BYTES = 1024;

/** The endpoint's settings, as the operations see them. */
export interface EndpointConfig {
  readonly region: string;
  readonly maxObjectBytes: number;
  readonly buckets: ReadonlySet<string>;
  /** The owner S3 names in listings (derived from the access key). */
  readonly owner: { readonly id: string; readonly displayName: string };
  /** `http://127.0.0.1:<port>`. */
  readonly endpoint: string;
  readonly onObjectCreated?: (event: ObjectCreatedEvent) => void;
  readonly log: (line: string) => void;
}

/** A signed request, its target decoded. */
export interface S3Request {
  readonly method: string;
  /** '' for the service (ListBuckets). */
  readonly bucket: string;
  /** '' for a bucket-level request. Any characters: a key is an index entry, never a path. */
  readonly key: string;
  /** Query parameters, decoded; the first of a repeated name. */
  readonly query: ReadonlyMap<string, string>;
  /** Node's headers (metadata is kept as sent). */
  readonly headers: IncomingHttpHeaders;
  /** Header values as SigV4 canonicalises them. */
  readonly canonical: ReadonlyMap<string, string>;
  readonly signature: VerifiedSignature;
  readonly wire: IncomingMessage;
}

/** What an operation answers. */
export interface Reply {
  readonly status: number;
  readonly headers?: Readonly<Record<string, string | number>>;
  /** An XML document (see `xml.ts`). */
  readonly xml?: string;
  /** A body to stream (GetObject). */
  readonly stream?: Readable;
  /** A small body, read whole (GetObject of a few KB: a text letter). */
  readonly body?: Buffer;
}

/** What an operation works with. */
export interface Context {
  readonly config: EndpointConfig;
  readonly storage: Storage;
  readonly request: S3Request;
}

/** The wire form of a request: raw path and query, as signed. */
export function wireRequest(message: IncomingMessage): WireRequest {
  const target = message.url ?? '';
  // Only origin-form targets (`/bucket/key?query`): an absolute URL would be a proxy request.
  if (!target.startsWith('/')) throw new InvalidURIError();
  const question = target.indexOf('?');
  return {
    method: message.method ?? '',
    rawPath: question < 0 ? target : target.slice(0, question),
    rawQuery: question < 0 ? '' : target.slice(question + 1),
    rawHeaders: message.rawHeaders,
  };
}

/** The S3 request of a verified wire request: bucket and key decoded from the path (path-style only). */
export function s3Request(message: IncomingMessage, wire: WireRequest, signature: VerifiedSignature): S3Request {
  const path = wire.rawPath.slice(1);
  const slash = path.indexOf('/');
  const bucket = decode(slash < 0 ? path : path.slice(0, slash));
  const key = slash < 0 ? '' : decode(path.slice(slash + 1));
  if (Buffer.byteLength(key) > MAX_KEY_BYTES) throw new KeyTooLongError();
  const query = new Map<string, string>();
  for (const [name, value] of queryParameters(wire.rawQuery)) if (!query.has(name)) query.set(name, value);
  return { method: wire.method, bucket, key, query, headers: message.headers, canonical: headerValues(wire.rawHeaders), signature, wire: message };
}

/** A percent-decoded path part; InvalidURI for a broken escape or bytes that are not UTF-8. */
function decode(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    throw new InvalidURIError();
  }
}

/** The request's body, decoded and checked as it streams (see `body.ts`); `result` is filled at its end. */
export function bodyOf(request: S3Request, maxBytes: number, result: BodyResult, lengthRequired: boolean): AsyncGenerator<Buffer> {
  const wire = request.wire;
  // Not destroyed when the reading stops early (a bad chunk, a full disk): the connection must
  // stay up for the error to be answered.
  const chunks = () => wire.iterator({ destroyOnReturn: false }) as AsyncIterator<Buffer>;
  return verifiedBody({ headers: request.canonical, signature: request.signature, [Symbol.asyncIterator]: chunks }, maxBytes, result, { lengthRequired });
}

/** The whole (small, bounded) body, checked. */
export async function readSmallBody(request: S3Request, maxBytes: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of bodyOf(request, maxBytes, { size: 0, sha256: '', md5: Buffer.alloc(0) }, false)) chunks.push(chunk);
  return Buffer.concat(chunks);
}

/** A body the operation does not take must be empty (its declared hash is still checked). */
export async function expectNoBody(request: S3Request): Promise<void> {
  try {
    await readSmallBody(request, 0);
  } catch (error) {
    if (error instanceof EntityTooLargeError) throw new InvalidRequestError('This request takes no body.');
    throw error;
  }
}
