import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import {
  EntityTooLargeError,
  InternalError,
  InvalidArgumentError,
  InvalidPartError,
  InvalidPartOrderError,
  MalformedXMLError,
  NoSuchUploadError,
  NotImplementedError,
} from '../errors.ts';
import type { PartEntry, UploadEntry } from '../object-index.ts';
import { bodyOf, readSmallBody, type Context, type Reply } from '../request.ts';
import { childrenNamed, childText, document, element, parseXml } from '../xml.ts';
import { metadataOf } from './metadata.ts';
import { notifyCreated } from './objects.ts';
import { owner } from './buckets.ts';

/**
 * Multipart uploads. Parts are files under `parts/` named by random ids kept in the index;
 * completing one concatenates its parts into a new blob (hashed as it is written) and
 * commits it with the upload's removal in one transaction.
 */

const MAX_PARTS = 10_000;
/** 10,000 `<Part>` elements of about 120 bytes each. */
const MAX_COMPLETE_XML_BYTES = 4 * 1024 * 1024;

/** CreateMultipartUpload: an upload id, with the object's metadata kept for its completion. */
export async function createMultipartUpload({ request, storage }: Context): Promise<Reply> {
  const metadata = metadataOf(request.headers);
  const uploadId = randomBytes(24).toString('base64url');
  const upload: UploadEntry = { bucket: request.bucket, key: request.key, initiated: Date.now(), metadata };
  await storage.index.transaction(() => storage.index.uploads.putSync(uploadId, upload));
  return {
    status: 200,
    xml: document('InitiateMultipartUploadResult', element('Bucket', request.bucket) + element('Key', request.key) + element('UploadId', uploadId)),
  };
}

/** UploadPart: the part's body streamed to its own file, then recorded (replacing an earlier part of that number). */
export async function uploadPart(context: Context): Promise<Reply> {
  const { request, storage, config } = context;
  if (request.headers['x-amz-copy-source'] !== undefined) throw new NotImplementedError('UploadPartCopy is not implemented by the local S3 endpoint.');
  const partNumber = partNumberOf(request.query.get('partNumber'));
  const uploadId = uploadOf(context).id;
  const body = { size: 0, sha256: '', md5: Buffer.alloc(0) };
  const file = await storage.files.write(bodyOf(request, config.maxObjectBytes, body, true), 'parts');
  const part: PartEntry = { file: file.id, size: body.size, md5: body.md5.toString('hex'), lastModified: Date.now() };
  let replaced: PartEntry | undefined;
  try {
    replaced = await storage.index.transaction(() => {
      // Aborted (or completed) while the part was streaming.
      if (!storage.index.uploads.get(uploadId)) throw new NoSuchUploadError();
      const previous = storage.index.parts.get([uploadId, partNumber]);
      storage.index.parts.putSync([uploadId, partNumber], part);
      return previous;
    });
  } catch (error) {
    storage.files.remove(file.path);
    throw error;
  }
  if (replaced) storage.files.remove(storage.files.partPath(replaced.file));
  return { status: 200, headers: { etag: `"${part.md5}"` } };
}

/** CompleteMultipartUpload: the listed parts (ascending, ETags matching) become the object. */
export async function completeMultipartUpload(context: Context): Promise<Reply> {
  const { request, storage, config } = context;
  const { id: uploadId, upload } = uploadOf(context);
  const root = parseXml((await readSmallBody(request, MAX_COMPLETE_XML_BYTES)).toString('utf8'));
  const listed = childrenNamed(root, 'Part');
  if (root.name !== 'CompleteMultipartUpload' || listed.length === 0 || listed.length > MAX_PARTS) throw new MalformedXMLError();
  const parts: PartEntry[] = [];
  let previousNumber = 0;
  for (const element of listed) {
    const number = partNumberOf(childText(element, 'PartNumber')?.trim());
    if (number <= previousNumber) throw new InvalidPartOrderError();
    previousNumber = number;
    const part = storage.index.parts.get([uploadId, number]);
    const etag = (childText(element, 'ETag') ?? '').trim().replace(/^"|"$/g, '');
    if (!part || part.md5 !== etag) throw new InvalidPartError();
    parts.push(part);
  }
  const total = parts.reduce((sum, part) => sum + part.size, 0);
  if (total > config.maxObjectBytes) throw new EntityTooLargeError();

  const sha256 = createHash('sha256');
  const file = await storage.files.write(concatenate(context, parts, sha256), 'tmp');
  const etag = `${createHash('md5')
    .update(Buffer.concat(parts.map((part) => Buffer.from(part.md5, 'hex'))))
    .digest('hex')}-${parts.length}`;
  let files: string[] = [];
  const entry = await storage.commit(request.bucket, request.key, file.path, { size: total, sha256: sha256.digest('hex'), etag }, upload.metadata, {
    within: () => (files = removeUpload(context, uploadId)),
  });
  for (const name of files) storage.files.remove(storage.files.partPath(name));
  notifyCreated(context, entry, 'ObjectCreated:CompleteMultipartUpload');
  const location = `${config.endpoint}/${encodeURIComponent(request.bucket)}/${request.key.split('/').map(encodeURIComponent).join('/')}`;
  return {
    status: 200,
    xml: document(
      'CompleteMultipartUploadResult',
      element('Location', location) + element('Bucket', request.bucket) + element('Key', request.key) + element('ETag', `"${etag}"`),
    ),
  };
}

/** AbortMultipartUpload: the upload and its part files go. */
export async function abortMultipartUpload(context: Context): Promise<Reply> {
  const { id } = uploadOf(context);
  const files = await context.storage.index.transaction(() => removeUpload(context, id));
  for (const name of files) context.storage.files.remove(context.storage.files.partPath(name));
  return { status: 204 };
}

/** ListParts: the upload's parts in order, from `part-number-marker`, at most `max-parts` (1,000). */
export function listParts(context: Context): Reply {
  const { request, storage, config } = context;
  const { id } = uploadOf(context);
  const marker = Number(request.query.get('part-number-marker') ?? 0) || 0;
  const max = Math.min(Number(request.query.get('max-parts') ?? 1000) || 1000, 1000);
  const found = [...storage.index.parts.getRange({ start: [id, marker + 1], end: [id, MAX_PARTS + 1], limit: max + 1 })];
  const page = found.slice(0, max);
  const parts = page.map(
    ({ key, value }) =>
      `<Part>${element('PartNumber', key[1])}${element('LastModified', new Date(value.lastModified).toISOString())}${element('ETag', `"${value.md5}"`)}${element('Size', value.size)}</Part>`,
  );
  const inner = [
    element('Bucket', request.bucket),
    element('Key', request.key),
    element('UploadId', id),
    owner(config.owner, 'Initiator'),
    owner(config.owner),
    element('StorageClass', 'STANDARD'),
    element('PartNumberMarker', marker),
    element('NextPartNumberMarker', page.at(-1)?.key[1] ?? marker),
    element('MaxParts', max),
    element('IsTruncated', found.length > max),
    ...parts,
  ];
  return { status: 200, xml: document('ListPartsResult', inner.join('')) };
}

/** ListMultipartUploads: the bucket's uploads in progress (under `prefix`), by key, at most 1,000. */
export function listMultipartUploads({ request, storage, config }: Context): Reply {
  const prefix = request.query.get('prefix') ?? '';
  const uploads: Array<{ id: string; upload: UploadEntry }> = [];
  for (const { key, value } of storage.index.uploads.getRange({})) {
    if (value.bucket === request.bucket && value.key.startsWith(prefix)) uploads.push({ id: key, upload: value });
  }
  uploads.sort((a, b) => Buffer.compare(Buffer.from(a.upload.key), Buffer.from(b.upload.key)) || a.upload.initiated - b.upload.initiated);
  const page = uploads.slice(0, 1000);
  const listed = page.map(
    ({ id, upload }) =>
      `<Upload>${element('Key', upload.key)}${element('UploadId', id)}${owner(config.owner, 'Initiator')}${owner(config.owner)}${element('StorageClass', 'STANDARD')}${element('Initiated', new Date(upload.initiated).toISOString())}</Upload>`,
  );
  const inner = [
    element('Bucket', request.bucket),
    element('KeyMarker', ''),
    element('UploadIdMarker', ''),
    element('Prefix', prefix),
    element('MaxUploads', 1000),
    element('IsTruncated', uploads.length > page.length),
    ...listed,
  ];
  return { status: 200, xml: document('ListMultipartUploadsResult', inner.join('')) };
}

/** The upload the request names (`uploadId`), which must be for its bucket and key. */
function uploadOf({ request, storage }: Context): { id: string; upload: UploadEntry } {
  const id = request.query.get('uploadId') ?? '';
  const upload = id === '' ? undefined : storage.index.uploads.get(id);
  if (!upload || upload.bucket !== request.bucket || upload.key !== request.key) throw new NoSuchUploadError();
  return { id, upload };
}

/** A part number from 1 to 10,000. */
function partNumberOf(raw: string | undefined): number {
  if (raw === undefined || !/^\d{1,5}$/.test(raw) || Number(raw) < 1 || Number(raw) > MAX_PARTS)
    throw new InvalidArgumentError('Part number must be an integer between 1 and 10000, inclusive');
  return Number(raw);
}

/** Removes an upload and its part records (in the caller's transaction); returns the part files to remove after it. */
function removeUpload({ storage }: Context, id: string): string[] {
  if (!storage.index.uploads.get(id)) throw new NoSuchUploadError();
  // Read whole before removing: a range is not changed under its own iteration.
  const parts = [...storage.index.parts.getRange({ start: [id, 0], end: [id, MAX_PARTS + 1] })];
  for (const { key } of parts) storage.index.parts.removeSync(key);
  storage.index.uploads.removeSync(id);
  return parts.map(({ value }) => value.file);
}

/** The parts' bytes in order, hashed into `sha256` as they pass; each part file must still be its recorded size. */
async function* concatenate({ storage }: Context, parts: readonly PartEntry[], sha256: ReturnType<typeof createHash>): AsyncGenerator<Buffer> {
  for (const part of parts) {
    let size = 0;
    for await (const chunk of createReadStream(storage.files.partPath(part.file)) as AsyncIterable<Buffer>) {
      size += chunk.length;
      sha256.update(chunk);
      yield chunk;
    }
    if (size !== part.size) throw new InternalError('A part file is not the size it was uploaded with; upload that part again.');
  }
}
