import { closeSync, createReadStream, readSync } from 'node:fs';
import type { ObjectCreatedEvent } from '../events.ts';
import {
  InvalidRangeError,
  InvalidRequestError,
  MalformedXMLError,
  NoSuchKeyError,
  NotImplementedError,
  PreconditionFailedError,
  type S3Error,
} from '../errors.ts';
import type { ObjectEntry } from '../object-index.ts';
import { bodyOf, MAX_KEY_BYTES, readSmallBody, type Context, type Reply } from '../request.ts';
import { childrenNamed, childText, document, element, parseXml } from '../xml.ts';
import { etagsOf, metadataOf, objectHeaders } from './metadata.ts';

/** Object operations: PutObject, GetObject, HeadObject, DeleteObject, DeleteObjects. */

/**
 * Bodies up to this size are read at once and sent whole, not streamed: a text letter's GET then
 * costs one read of a file the disk cache holds, where a stream's setup and teardown (a read
 * stream, a pipeline, its abort signal) were most of the endpoint's work for it.
 */
const READ_WHOLE_BYTES = 64 * 1024;

/** `length` bytes of the open blob from `start`, read now. */
function readWhole(fd: number, start: number, length: number): Buffer {
  const body = Buffer.allocUnsafe(length);
  let read = 0;
  while (read < length) {
    const got = readSync(fd, body, read, length - read, start + read);
    // A blob shorter than its index entry says (cut short on disk): the answer must not claim bytes it does not have.
    if (got === 0) throw new Error('the blob is shorter than its index entry');
    read += got;
  }
  return body;
}

/** DeleteObjects takes at most 1,000 keys of at most 1,024 bytes: its XML is bounded well under this. */
const MAX_DELETE_XML_BYTES = 2 * 1024 * 1024;

/** PutObject: the body streamed to a temporary file, checked, then committed. */
export async function putObject(context: Context): Promise<Reply> {
  const { request, storage, config } = context;
  if (request.headers['x-amz-copy-source'] !== undefined) throw new NotImplementedError('CopyObject is not implemented by the local S3 endpoint.');
  if (request.headers['if-match'] !== undefined)
    throw new NotImplementedError('Conditional writes with If-Match are not implemented by the local S3 endpoint.');
  const ifNoneMatch = request.headers['if-none-match'];
  if (ifNoneMatch !== undefined && ifNoneMatch.trim() !== '*') throw new NotImplementedError('If-None-Match on a write takes only *.');
  const metadata = metadataOf(request.headers);
  const body = { size: 0, sha256: '', md5: Buffer.alloc(0) };
  const file = await storage.files.write(bodyOf(request, config.maxObjectBytes, body, true), 'tmp');
  const entry = await storage.commit(
    request.bucket,
    request.key,
    file.path,
    { size: body.size, sha256: body.sha256, etag: body.md5.toString('hex') },
    metadata,
    {
      ifNoneMatch: ifNoneMatch !== undefined,
    },
  );
  notifyCreated(context, entry, 'ObjectCreated:Put');
  return { status: 200, headers: { etag: `"${entry.etag}"` } };
}

/** GetObject, with one `Range: bytes=a-b` and If-Match / If-None-Match. */
export function getObject(context: Context): Reply {
  const { request, storage } = context;
  const opened = storage.open(request.bucket, request.key);
  if (!opened) throw new NoSuchKeyError();
  const { entry, fd } = opened;
  try {
    const unchanged = checkPreconditions(entry, context);
    if (unchanged) {
      closeSync(fd);
      return unchanged;
    }
    const headers = objectHeaders(entry, request.query);
    const range = byteRange(request.headers.range, entry.size);
    if (!range && request.canonical.get('x-amz-checksum-mode')?.toUpperCase() === 'ENABLED') {
      // The whole object's SHA-256 is known: the SDK checks the bytes it receives against it.
      Object.assign(headers, { 'x-amz-checksum-sha256': Buffer.from(entry.sha256, 'hex').toString('base64'), 'x-amz-checksum-type': 'FULL_OBJECT' });
    }
    const [start, end] = range ?? [0, entry.size - 1];
    headers['content-length'] = end - start + 1;
    if (range) headers['content-range'] = `bytes ${start}-${end}/${entry.size}`;
    if (end < start) {
      closeSync(fd);
      return { status: 200, headers };
    }
    const status = range ? 206 : 200;
    if (end - start + 1 <= READ_WHOLE_BYTES) {
      const body = readWhole(fd, start, end - start + 1);
      closeSync(fd);
      return { status, headers, body };
    }
    return { status, headers, stream: createReadStream('', { fd, start, end, autoClose: true }) };
  } catch (error) {
    closeSync(fd);
    throw error;
  }
}

/** HeadObject: GetObject's headers, no body. */
export function headObject(context: Context): Reply {
  const { request, storage } = context;
  const entry = storage.head(request.bucket, request.key);
  if (!entry) throw new NoSuchKeyError();
  const unchanged = checkPreconditions(entry, context);
  if (unchanged) return unchanged;
  return { status: 200, headers: { ...objectHeaders(entry, request.query), 'content-length': entry.size } };
}

/** DeleteObject: 204 whether or not there was an object, as S3. */
export async function deleteObject({ request, storage }: Context): Promise<Reply> {
  await storage.delete(request.bucket, request.key);
  return { status: 204 };
}

/** DeleteObjects: up to 1,000 keys from an XML body that must carry Content-MD5 or a checksum. */
export async function deleteObjects({ request, storage }: Context): Promise<Reply> {
  if (
    request.canonical.get('content-md5') === undefined &&
    ![...request.canonical.keys()].some((name) => /^x-amz-checksum-(?:crc32c?|crc64nvme|sha1|sha256)$/.test(name))
  ) {
    throw new InvalidRequestError('Missing required header for this request: Content-MD5');
  }
  const root = parseXml((await readSmallBody(request, MAX_DELETE_XML_BYTES)).toString('utf8'));
  const objects = childrenNamed(root, 'Object');
  if (root.name !== 'Delete' || objects.length === 0 || objects.length > 1000) throw new MalformedXMLError();
  const quiet = childText(root, 'Quiet')?.trim() === 'true';
  let results = '';
  for (const object of objects) {
    const key = childText(object, 'Key');
    if (key === undefined) throw new MalformedXMLError();
    const refused = keyProblem(key);
    if (refused) {
      results += `<Error>${element('Key', key)}${element('Code', refused.code)}${element('Message', refused.message)}</Error>`;
      continue;
    }
    await storage.delete(request.bucket, key);
    if (!quiet) results += `<Deleted>${element('Key', key)}</Deleted>`;
  }
  return { status: 200, xml: document('DeleteResult', results) };
}

/** Why a key from an XML body cannot name an object, or null. */
function keyProblem(key: string): Pick<S3Error, 'code' | 'message'> | null {
  if (key === '') return { code: 'InvalidArgument', message: 'A key must not be empty.' };
  if (Buffer.byteLength(key) > MAX_KEY_BYTES) return { code: 'KeyTooLongError', message: 'Your key is too long' };
  // A lone surrogate (from a character reference) has no UTF-8 form: it would name another key.
  if (Buffer.from(key, 'utf8').toString('utf8') !== key) return { code: 'InvalidArgument', message: 'A key must be valid Unicode.' };
  return null;
}

/** Tells the configured listener of a committed object; its failure is logged, never the request's. */
export function notifyCreated({ config, request }: Context, entry: ObjectEntry, eventName: ObjectCreatedEvent['eventName']): void {
  try {
    config.onObjectCreated?.({ bucket: request.bucket, key: request.key, size: entry.size, etag: entry.etag, sha256: entry.sha256, eventName });
  } catch (error) {
    config.log(`local S3: the object-created listener failed (${(error as Error).name})`);
  }
}

/** 304 for a matching If-None-Match; PreconditionFailed for a failing If-Match; null to go on. */
function checkPreconditions(entry: ObjectEntry, { request }: Context): Reply | null {
  const ifMatch = etagsOf(request.headers['if-match']);
  if (ifMatch.length > 0 && !ifMatch.includes('*') && !ifMatch.includes(entry.etag)) throw new PreconditionFailedError();
  const ifNoneMatch = etagsOf(request.headers['if-none-match']);
  if (ifNoneMatch.includes('*') || ifNoneMatch.includes(entry.etag))
    return { status: 304, headers: { etag: `"${entry.etag}"`, 'last-modified': new Date(entry.lastModified).toUTCString() } };
  return null;
}

/** The inclusive byte range of a single `bytes=a-b`, `bytes=a-` or `bytes=-n`; null to send the whole object. */
function byteRange(header: string | undefined, size: number): [number, number] | null {
  // Several ranges, or another unit, are answered with the whole object (S3 does the same).
  const match = header === undefined ? null : /^bytes=(\d{0,16})-(\d{0,16})$/.exec(header.trim());
  if (!match || (match[1] === '' && match[2] === '')) return null;
  const [first, last] = [match[1] === '' ? undefined : Number(match[1]), match[2] === '' ? undefined : Number(match[2])];
  if (first === undefined) {
    if (last === 0 || size === 0) throw new InvalidRangeError();
    return [Math.max(0, size - last!), size - 1];
  }
  if (last !== undefined && last < first) return null;
  if (first >= size) throw new InvalidRangeError();
  return [first, Math.min(last ?? size - 1, size - 1)];
}
