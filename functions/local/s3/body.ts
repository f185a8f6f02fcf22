import { createHash } from 'node:crypto';
import { checksumAlgorithmOf, createChecksum, type Checksum, type ChecksumAlgorithm } from './checksums.ts';
import { decodeAwsChunked, type ChunkedResult } from './chunked.ts';
import {
  BadDigestError,
  EntityTooLargeError,
  IncompleteBodyError,
  InvalidDigestError,
  InvalidRequestError,
  MissingContentLengthError,
  XAmzContentSHA256MismatchError,
} from './errors.ts';
import type { VerifiedSignature } from './sigv4.ts';

/**
 * A request body as the signature and digests say it must be: decoded from aws-chunked when it
 * is sent so, and checked as it streams against `x-amz-content-sha256`, Content-MD5 and an
 * `x-amz-checksum-*` header or trailer. Nothing is kept in memory but the chunk in hand; the
 * checks that need the whole body throw at its end, before the consumer commits anything.
 */

/** What the body was found to be, filled in when it has been read whole and checked. */
export interface BodyResult {
  size: number;
  sha256: string;
  md5: Buffer;
}

/** The request, as the body reader needs it. */
export interface BodyRequest extends AsyncIterable<Buffer> {
  /** Header values by lower-case name (see `headerValues`). */
  readonly headers: ReadonlyMap<string, string>;
  readonly signature: VerifiedSignature;
}

/** The length a body declares: `x-amz-decoded-content-length` for aws-chunked, else Content-Length (0 without a body). */
export function declaredLength(headers: ReadonlyMap<string, string>, signature: VerifiedSignature, required: boolean): number {
  const chunked = isAwsChunked(signature);
  const raw = headers.get(chunked ? 'x-amz-decoded-content-length' : 'content-length');
  if (raw === undefined) {
    if (chunked || required || headers.has('transfer-encoding')) throw new MissingContentLengthError();
    return 0;
  }
  if (!/^\d{1,16}$/.test(raw)) throw new InvalidRequestError('The content length is not a whole number.');
  return Number(raw);
}

function isAwsChunked(signature: VerifiedSignature): boolean {
  return signature.payload.kind === 'signed-chunks' || signature.payload.kind === 'unsigned-trailer';
}

/**
 * The body's decoded bytes, checked. `maxBytes` bounds it (EntityTooLarge before a byte is
 * read when the declared length is over). `result` is filled in when the body is whole.
 */
export async function* verifiedBody(request: BodyRequest, maxBytes: number, result: BodyResult, options: { lengthRequired: boolean }): AsyncGenerator<Buffer> {
  const { headers, signature } = request;
  const declared = declaredLength(headers, signature, options.lengthRequired);
  if (declared > maxBytes) throw new EntityTooLargeError();
  const contentMd5 = expectedMd5(headers.get('content-md5'));
  const checks = expectedChecksums(headers, signature);
  const trailers: ChunkedResult = { trailers: new Map() };
  const source: AsyncIterable<Buffer> =
    signature.payload.kind === 'signed-chunks'
      ? decodeAwsChunked(
          request,
          {
            trailer: signature.payload.trailer,
            maxChunkBytes: maxBytes,
            signing: { signingKey: signature.signingKey, amzDate: signature.amzDate, scope: signature.scope, seedSignature: signature.signature },
          },
          trailers,
        )
      : signature.payload.kind === 'unsigned-trailer'
        ? decodeAwsChunked(request, { trailer: true, maxChunkBytes: maxBytes }, trailers)
        : request;
  const sha256 = createHash('sha256');
  const md5 = createHash('md5');
  let size = 0;
  for await (const chunk of source) {
    size += chunk.length;
    if (size > declared) throw new IncompleteBodyError('The body is longer than its declared length.');
    sha256.update(chunk);
    md5.update(chunk);
    for (const check of checks) check.running.update(chunk);
    yield chunk;
  }
  if (size !== declared) throw new IncompleteBodyError();
  const sha256Hex = sha256.digest('hex');
  if (signature.payload.kind === 'sha256' && signature.payload.hex !== sha256Hex) throw new XAmzContentSHA256MismatchError();
  const md5Digest = md5.digest();
  if (contentMd5 && !contentMd5.equals(md5Digest)) throw new BadDigestError('The Content-MD5 you specified did not match what we received.');
  for (const check of checks) {
    const expected = check.expected ?? trailers.trailers.get(`x-amz-checksum-${check.algorithm}`);
    if (expected === undefined) throw new InvalidRequestError(`The x-amz-checksum-${check.algorithm} trailer the request announced was not sent.`);
    if (expected !== check.running.digest())
      throw new BadDigestError(`The ${check.algorithm.toUpperCase()} you specified did not match the calculated checksum.`);
  }
  Object.assign(result, { size, sha256: sha256Hex, md5: md5Digest });
}

/** Content-MD5 as bytes; InvalidDigest when it is not base64 of 16 bytes. */
function expectedMd5(header: string | undefined): Buffer | null {
  if (header === undefined) return null;
  const bytes = Buffer.from(header, 'base64');
  if (bytes.length !== 16 || bytes.toString('base64') !== header) throw new InvalidDigestError('The Content-MD5 you specified was invalid.');
  return bytes;
}

/** One checksum to check: its value from a header now, or from the trailer at the end. */
interface ChecksumCheck {
  readonly algorithm: ChecksumAlgorithm;
  readonly expected: string | undefined;
  readonly running: Checksum;
}

/** The checksums the request asks to be checked: `x-amz-checksum-*` headers, and the one `x-amz-trailer` names. */
function expectedChecksums(headers: ReadonlyMap<string, string>, signature: VerifiedSignature): ChecksumCheck[] {
  const checks: ChecksumCheck[] = [];
  for (const [name, value] of headers) {
    const algorithm = checksumAlgorithmOf(name);
    if (algorithm) checks.push({ algorithm, expected: value, running: createChecksum(algorithm) });
  }
  const trailer = headers.get('x-amz-trailer');
  if (trailer !== undefined) {
    if (!isAwsChunked(signature)) throw new InvalidRequestError('x-amz-trailer is only taken with an aws-chunked body.');
    for (const name of trailer.split(',')) {
      const trimmed = name.trim().toLowerCase();
      if (!trimmed.startsWith('x-amz-checksum-')) throw new InvalidRequestError('The x-amz-trailer header names a trailer that is not an x-amz-checksum-*.');
      const algorithm = checksumAlgorithmOf(trimmed);
      // A checksum of an algorithm not known here (a newer SDK's) is taken unchecked: the
      // chunks still had to decode, and the payload mode says the client chose not to sign it.
      if (algorithm) checks.push({ algorithm, expected: undefined, running: createChecksum(algorithm) });
    }
  }
  if (checks.length > 1) throw new InvalidRequestError('Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.');
  return checks;
}
