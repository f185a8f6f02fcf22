import type { IncomingHttpHeaders } from 'node:http';
import { InvalidArgumentError, MetadataTooLargeError } from '../errors.ts';
import type { ObjectEntry, ObjectMetadata } from '../object-index.ts';

/** The headers S3 keeps with an object and answers with it. */
const KEPT_HEADERS = ['cache-control', 'content-disposition', 'content-encoding', 'content-language', 'expires'] as const;
/** S3's limit on user metadata (names and values), in bytes. */
const MAX_USER_METADATA_BYTES = 2048;
/** GetObject's query overrides of response headers. */
const OVERRIDES: Readonly<Record<string, string>> = {
  'response-cache-control': 'cache-control',
  'response-content-disposition': 'content-disposition',
  'response-content-encoding': 'content-encoding',
  'response-content-language': 'content-language',
  'response-content-type': 'content-type',
  'response-expires': 'expires',
};

/** What a PutObject or CreateMultipartUpload keeps of its headers. */
export function metadataOf(headers: IncomingHttpHeaders): ObjectMetadata {
  const kept: Record<string, string> = {};
  for (const name of KEPT_HEADERS) {
    const value = headers[name];
    if (typeof value === 'string' && value !== '') kept[name] = value;
  }
  // aws-chunked is how the body travelled, not how the object is encoded.
  const encoding = kept['content-encoding']
    ?.split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '' && part.toLowerCase() !== 'aws-chunked')
    .join(', ');
  if (encoding) kept['content-encoding'] = encoding;
  else delete kept['content-encoding'];
  const userMetadata: Record<string, string> = {};
  let bytes = 0;
  for (const [name, value] of Object.entries(headers)) {
    if (!name.startsWith('x-amz-meta-') || typeof value !== 'string') continue;
    const short = name.slice('x-amz-meta-'.length);
    bytes += Buffer.byteLength(short) + Buffer.byteLength(value);
    userMetadata[short] = value;
  }
  if (bytes > MAX_USER_METADATA_BYTES) throw new MetadataTooLargeError();
  return { contentType: headers['content-type'] ?? 'binary/octet-stream', headers: kept, userMetadata };
}

/** The headers of a GetObject or HeadObject answer (before length and range). */
export function objectHeaders(entry: ObjectEntry, query: ReadonlyMap<string, string>): Record<string, string | number> {
  const headers: Record<string, string | number> = {
    'content-type': entry.contentType,
    etag: `"${entry.etag}"`,
    'last-modified': new Date(entry.lastModified).toUTCString(),
    'accept-ranges': 'bytes',
    ...entry.headers,
  };
  for (const [name, value] of Object.entries(entry.userMetadata)) headers[`x-amz-meta-${name}`] = value;
  for (const [parameter, header] of Object.entries(OVERRIDES)) {
    const value = query.get(parameter);
    if (value === undefined) continue;
    // A query value may hold what a header may not (a line break, a character over U+00FF).
    if (!headerSafe(value)) throw new InvalidArgumentError(`${parameter} holds characters a header cannot.`);
    headers[header] = value;
  }
  return headers;
}

/** Whether Node writes `value` as a header value (tab, printable ASCII, Latin-1). */
function headerSafe(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code > 0xff || code === 0x7f || (code < 0x20 && code !== 0x09)) return false;
  }
  return true;
}

/** The ETag of an If-Match / If-None-Match value (quotes and weak prefix dropped), or '*'. */
export function etagsOf(header: string | undefined): string[] {
  if (header === undefined) return [];
  return header.split(',').map((part) => part.trim().replace(/^W\//, '').replace(/^"|"$/g, ''));
}
