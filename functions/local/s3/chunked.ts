import { createHash, type Hash } from 'node:crypto';
import { IncompleteBodyError, InvalidRequestError, SignatureDoesNotMatchError } from './errors.ts';
import { EMPTY_SHA256, hmac, sha256Hex, signaturesEqual } from './sigv4.ts';

/**
 * aws-chunked bodies (`Content-Encoding: aws-chunked`), decoded as they stream:
 * https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-streaming.html
 *
 *     <hex size>[;chunk-signature=<sig>]\r\n<data>\r\n   … repeated, then a zero-size chunk;
 *     then either \r\n, or trailer lines `name:value\r\n` and an empty line.
 *
 * With signed chunks each chunk's signature chains from the previous one (the request's
 * signature seeds the chain) over the chunk's SHA-256; a signed trailer ends the chain.
 */

/** The request's signing facts a signed chain needs. */
export interface ChunkSigning {
  readonly signingKey: Buffer;
  readonly amzDate: string;
  readonly scope: string;
  /** The request's own signature, which the first chunk's signature chains from. */
  readonly seedSignature: string;
}

/** How to decode one body. */
export interface ChunkedOptions {
  /** Present for `STREAMING-AWS4-HMAC-SHA256-PAYLOAD[-TRAILER]`: every chunk's signature is checked. */
  readonly signing?: ChunkSigning;
  /** Trailer lines follow the zero-size chunk (`…-TRAILER` modes). */
  readonly trailer: boolean;
  /** Largest chunk accepted: a size line cannot announce more than the upload may hold. */
  readonly maxChunkBytes: number;
}

/** Filled in as the body ends. */
export interface ChunkedResult {
  /** Trailer headers by lower-case name (signature line left out). */
  readonly trailers: Map<string, string>;
}

/** Longest size or trailer line: `ffffffff;chunk-signature=` + 64 hex is under 100 bytes. */
const MAX_LINE_BYTES = 4096;
const MAX_TRAILER_LINES = 16;
const CRLF = Buffer.from('\r\n');

type State = 'size' | 'data' | 'data-end' | 'final-crlf' | 'trailer' | 'done';

/**
 * The decoded data of an aws-chunked body, chunk by chunk as it arrives (never the whole body
 * at once). Throws SignatureDoesNotMatch for a chunk or trailer whose signature is wrong,
 * IncompleteBody when the body ends inside its framing, InvalidRequest for broken framing.
 * `result.trailers` holds the trailer when the generator finishes.
 */
export async function* decodeAwsChunked(source: AsyncIterable<Buffer>, options: ChunkedOptions, result: ChunkedResult): AsyncGenerator<Buffer> {
  let state: State = 'size';
  let pending: Buffer = Buffer.alloc(0);
  let remaining = 0;
  let claimed = '';
  let previous = options.signing?.seedSignature ?? '';
  let chunkHash: Hash | null = null;
  const trailerLines: string[] = [];

  /** Checks the signature of the chunk just read, and moves the chain on. */
  const verifyChunk = (dataHash: string) => {
    const signing = options.signing;
    if (!signing) return;
    const expected = hmac(
      signing.signingKey,
      ['AWS4-HMAC-SHA256-PAYLOAD', signing.amzDate, signing.scope, previous, EMPTY_SHA256, dataHash].join('\n'),
    ).toString('hex');
    if (!signaturesEqual(expected, claimed)) throw new SignatureDoesNotMatchError('The signature of an aws-chunked chunk does not match.');
    previous = claimed;
  };

  for await (const input of source) {
    const buffer = pending.length > 0 ? Buffer.concat([pending, input]) : input;
    let offset = 0;
    while (offset < buffer.length && state !== 'done') {
      if (state === 'data') {
        const take = Math.min(remaining, buffer.length - offset);
        const data = buffer.subarray(offset, offset + take);
        chunkHash?.update(data);
        offset += take;
        remaining -= take;
        if (remaining === 0) state = 'data-end';
        yield data;
        continue;
      }
      const end = buffer.indexOf(CRLF, offset);
      if (end < 0) {
        if (buffer.length - offset > MAX_LINE_BYTES) throw new InvalidRequestError('An aws-chunked size or trailer line is too long.');
        break;
      }
      const line = buffer.subarray(offset, end).toString('latin1');
      offset = end + 2;
      if (state === 'size') {
        const parsed = sizeLine(line, options);
        claimed = parsed.claimed;
        chunkHash = options.signing ? createHash('sha256') : null;
        if (parsed.size > 0) {
          remaining = parsed.size;
          state = 'data';
        } else {
          verifyChunk(EMPTY_SHA256);
          state = options.trailer ? 'trailer' : 'final-crlf';
        }
      } else if (state === 'data-end' || state === 'final-crlf') {
        if (line !== '') throw new InvalidRequestError('An aws-chunked chunk is longer than its size line says.');
        if (state === 'final-crlf') state = 'done';
        else {
          verifyChunk(chunkHash ? chunkHash.digest('hex') : '');
          state = 'size';
        }
      } else if (line === '') {
        finishTrailer(trailerLines, options, previous, result);
        state = 'done';
      } else {
        if (trailerLines.length >= MAX_TRAILER_LINES) throw new InvalidRequestError('An aws-chunked body has too many trailer lines.');
        trailerLines.push(line);
      }
    }
    if (state === 'done' && offset < buffer.length) throw new InvalidRequestError('An aws-chunked body has data after its last chunk.');
    // Only an unfinished line is kept (bounded above); chunk data is handed on as it comes.
    pending = Buffer.from(buffer.subarray(offset));
  }
  if (state !== 'done') throw new IncompleteBodyError('The aws-chunked body ended before its last chunk.');
}

/** The size (and claimed signature) of a chunk's size line. */
function sizeLine(line: string, options: ChunkedOptions): { size: number; claimed: string } {
  const [hex = '', ...extensions] = line.split(';');
  if (!/^[\da-f]{1,12}$/i.test(hex)) throw new InvalidRequestError('An aws-chunked size line is not a hexadecimal size.');
  const size = Number.parseInt(hex, 16);
  if (size > options.maxChunkBytes) throw new InvalidRequestError('An aws-chunked chunk is larger than the upload may be.');
  const signature = extensions.find((extension) => extension.startsWith('chunk-signature='));
  if (options.signing && !signature) throw new SignatureDoesNotMatchError('An aws-chunked chunk of a signed stream has no chunk-signature.');
  return { size, claimed: signature?.slice('chunk-signature='.length) ?? '' };
}

/** Records the trailer headers; in a signed stream, checks the trailer's signature first. */
function finishTrailer(lines: readonly string[], options: ChunkedOptions, previous: string, result: ChunkedResult): void {
  let signature: string | undefined;
  let canonical = '';
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon <= 0) throw new InvalidRequestError('An aws-chunked trailer line is not `name:value`.');
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (name === 'x-amz-trailer-signature') signature = value;
    else {
      result.trailers.set(name, value);
      canonical += `${name}:${value}\n`;
    }
  }
  const signing = options.signing;
  if (!signing) return;
  if (signature === undefined) throw new SignatureDoesNotMatchError('A signed aws-chunked trailer has no x-amz-trailer-signature.');
  const expected = hmac(signing.signingKey, ['AWS4-HMAC-SHA256-TRAILER', signing.amzDate, signing.scope, previous, sha256Hex(canonical)].join('\n')).toString(
    'hex',
  );
  if (!signaturesEqual(expected, signature)) throw new SignatureDoesNotMatchError('The signature of the aws-chunked trailer does not match.');
}
