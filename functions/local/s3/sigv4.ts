import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { LocalS3Credentials } from './credentials.ts';
import {
  AccessDeniedError,
  AuthorizationHeaderMalformedError,
  AuthorizationQueryParametersError,
  InvalidAccessKeyIdError,
  InvalidArgumentError,
  InvalidRequestError,
  InvalidURIError,
  NotImplementedError,
  RequestTimeTooSkewedError,
  SignatureDoesNotMatchError,
} from './errors.ts';

/**
 * AWS Signature Version 4 as S3 checks it, recomputed from the request as received:
 * https://docs.aws.amazon.com/AmazonS3/latest/API/sig-v4-authenticating-requests.html
 */

/** The request as it came off the wire: nothing decoded, headers as Node's `rawHeaders`. */
export interface WireRequest {
  readonly method: string;
  /** The path of the request target, percent-encoded as sent. */
  readonly rawPath: string;
  /** What follows `?` in the request target, as sent ('' without one). */
  readonly rawQuery: string;
  /** Alternating names and values, as Node's `IncomingMessage.rawHeaders`. */
  readonly rawHeaders: readonly string[];
}

/** How the body is covered by the signature (`x-amz-content-sha256`). */
export type PayloadMode =
  | { readonly kind: 'sha256'; readonly hex: string }
  | { readonly kind: 'unsigned' }
  /** aws-chunked, each chunk signed (`STREAMING-AWS4-HMAC-SHA256-PAYLOAD[-TRAILER]`). */
  | { readonly kind: 'signed-chunks'; readonly trailer: boolean }
  /** aws-chunked, unsigned, with a checksum trailer (`STREAMING-UNSIGNED-PAYLOAD-TRAILER`). */
  | { readonly kind: 'unsigned-trailer' };

/** A verified request's signing facts: what the body checks (aws-chunked chunk signatures) need. */
export interface VerifiedSignature {
  readonly accessKeyId: string;
  readonly presigned: boolean;
  readonly payload: PayloadMode;
  /** `x-amz-date`, e.g. 20130524T000000Z. */
  readonly amzDate: string;
  /** `<date>/<region>/s3/aws4_request`. */
  readonly scope: string;
  /** The request's signature (hex): the seed of a signed aws-chunked body's chain. */
  readonly signature: string;
  readonly signingKey: Buffer;
}

/** What a request is checked against. */
export interface VerifyOptions {
  readonly credentials: LocalS3Credentials;
  readonly region: string;
  /** The endpoint's clock, ms since the epoch. */
  readonly now: number;
}

const ALGORITHM = 'AWS4-HMAC-SHA256';
/** S3 answers RequestTimeTooSkewed beyond 15 minutes. */
export const MAX_SKEW_MS = 15 * 60_000;
/** A presigned URL lives at most 7 days. */
const MAX_PRESIGN_SECONDS = 604_800;
/** SHA-256 of nothing: the hash of a chunk's (absent) headers in aws-chunked signing. */
export const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

/** Lower-case hex SHA-256. */
export function sha256Hex(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/** HMAC-SHA256 of `data` with `key`. */
export function hmac(key: Buffer | string, data: string): Buffer {
  return createHmac('sha256', key).update(data, 'utf8').digest();
}

/** The SigV4 signing key of a secret for a day, region and service. */
export function signingKey(secret: string, day: string, region: string, service: string): Buffer {
  // Four HMACs that change once a day: every request of a day is signed with the same key, so the last one is kept.
  const last = lastSigningKey;
  if (last && last.secret === secret && last.day === day && last.region === region && last.service === service) return last.key;
  const key = hmac(hmac(hmac(hmac(`AWS4${secret}`, day), region), service), 'aws4_request');
  lastSigningKey = { secret, day, region, service, key };
  return key;
}

/** The signing key derived last, with what it was derived from. */
let lastSigningKey: { readonly secret: string; readonly day: string; readonly region: string; readonly service: string; readonly key: Buffer } | null = null;

/** Equality of two hex signatures in time independent of where they differ. */
export function signaturesEqual(expected: string, provided: string): boolean {
  if (!/^[0-9a-f]{64}$/.test(provided)) return false;
  return timingSafeEqual(Buffer.from(expected, 'hex'), Buffer.from(provided, 'hex'));
}

/** RFC 3986 encoding as SigV4 wants it: everything but `A-Za-z0-9-_.~` escaped. */
export function uriEncode(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/**
 * Checks the request's signature (Authorization header or presigned query) and returns its
 * signing facts; throws the S3 error S3 would answer. The body is not read here: its hash is
 * checked as it streams (see `body.ts`).
 */
export function verifySignature(request: WireRequest, options: VerifyOptions): VerifiedSignature {
  const headers = headerValues(request.rawHeaders);
  const query = queryParameters(request.rawQuery);
  const authorization = headers.get('authorization');
  const presign = query.find(([name]) => name === 'X-Amz-Algorithm' || name === 'X-Amz-Signature' || name === 'X-Amz-Credential');
  if (authorization !== undefined && presign)
    throw new InvalidArgumentError('Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter or the Authorization header should be specified');
  if (authorization === undefined && !presign)
    throw new AccessDeniedError('Anonymous requests are refused by the local S3 endpoint: sign with its credentials (AWS Signature Version 4).');
  const claim = authorization !== undefined ? headerClaim(authorization, headers) : queryClaim(query, headers);

  if (claim.accessKeyId !== options.credentials.accessKeyId) throw new InvalidAccessKeyIdError();
  const [day, region, service, terminator] = claim.scope;
  if (day !== claim.amzDate.slice(0, 8)) throw new AuthorizationHeaderMalformedError("The credential scope's date is not the request's date.");
  if (region !== options.region)
    throw new AuthorizationHeaderMalformedError(`The authorization header is malformed; the region is wrong; expecting '${options.region}'`);
  if (service !== 's3' || terminator !== 'aws4_request')
    throw new AuthorizationHeaderMalformedError('The credential scope must be <date>/<region>/s3/aws4_request.');
  const signedAt = amzDateMs(claim.amzDate);
  if (claim.presigned) {
    if (signedAt - options.now > MAX_SKEW_MS) throw new AccessDeniedError('Request is not valid yet');
    if (options.now > signedAt + claim.expiresSeconds * 1000) throw new AccessDeniedError('Request has expired');
  } else if (Math.abs(options.now - signedAt) > MAX_SKEW_MS) {
    throw new RequestTimeTooSkewedError();
  }
  checkSignedHeaders(claim.signedHeaders, headers);

  const key = signingKey(options.credentials.secretAccessKey, day, region, service);
  const scope = claim.scope.join('/');
  const canonicalQuery = canonicalQueryString(query, claim.presigned);
  const canonicalHeaders = claim.signedHeaders.map((name) => `${name}:${headers.get(name) ?? ''}\n`).join('');
  // The path as sent, and the same path with each segment decoded and re-encoded: clients sign
  // what they send, but may leave a character unescaped that SigV4 escapes (or the reverse).
  // Both name the same key, so accepting either gives nothing away.
  for (const uri of canonicalUris(request.rawPath)) {
    const canonical = [request.method, uri, canonicalQuery, canonicalHeaders, claim.signedHeaders.join(';'), claim.payloadHash].join('\n');
    const expected = hmac(key, [ALGORITHM, claim.amzDate, scope, sha256Hex(canonical)].join('\n')).toString('hex');
    if (signaturesEqual(expected, claim.signature)) {
      return {
        accessKeyId: claim.accessKeyId,
        presigned: claim.presigned,
        payload: payloadMode(claim.payloadHash, claim.presigned),
        amzDate: claim.amzDate,
        scope,
        signature: claim.signature,
        signingKey: key,
      };
    }
  }
  throw new SignatureDoesNotMatchError();
}

/** What a request says about its own signature. */
interface Claim {
  readonly presigned: boolean;
  readonly accessKeyId: string;
  readonly scope: readonly string[];
  readonly amzDate: string;
  readonly signedHeaders: readonly string[];
  readonly signature: string;
  readonly payloadHash: string;
  readonly expiresSeconds: number;
}

/** The claim of an `Authorization: AWS4-HMAC-SHA256 Credential=…, SignedHeaders=…, Signature=…` header. */
function headerClaim(authorization: string, headers: ReadonlyMap<string, string>): Claim {
  if (authorization.startsWith('AWS ')) throw new InvalidRequestError('Signature Version 2 is not accepted: sign with AWS Signature Version 4.');
  if (!authorization.startsWith(`${ALGORITHM} `))
    throw new AuthorizationHeaderMalformedError('The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256.');
  const fields = new Map<string, string>();
  for (const part of authorization.slice(ALGORITHM.length + 1).split(',')) {
    const equals = part.indexOf('=');
    if (equals > 0) fields.set(part.slice(0, equals).trim(), part.slice(equals + 1).trim());
  }
  const credential = fields.get('Credential');
  const signedHeaders = fields.get('SignedHeaders');
  const signature = fields.get('Signature');
  if (!credential || !signedHeaders || !signature)
    throw new AuthorizationHeaderMalformedError('The authorization header must hold Credential, SignedHeaders and Signature.');
  const amzDate = headers.get('x-amz-date');
  if (amzDate === undefined) throw new AccessDeniedError('AWS authentication requires a valid x-amz-date header');
  const payloadHash = headers.get('x-amz-content-sha256');
  if (payloadHash === undefined) throw new InvalidRequestError('Missing required header for this request: x-amz-content-sha256');
  const [accessKeyId = '', ...scope] = credential.split('/');
  if (scope.length !== 4) throw new AuthorizationHeaderMalformedError('The Credential must be <access key>/<date>/<region>/s3/aws4_request.');
  return { presigned: false, accessKeyId, scope, amzDate, signedHeaders: headerNames(signedHeaders), signature, payloadHash, expiresSeconds: 0 };
}

/** The claim of a presigned URL's `X-Amz-*` query parameters. */
function queryClaim(query: ReadonlyArray<readonly [string, string]>, headers: ReadonlyMap<string, string>): Claim {
  const value = (name: string) => {
    const found = query.filter(([key]) => key === name);
    if (found.length !== 1) throw new AuthorizationQueryParametersError(`Query-string authentication version 4 requires exactly one ${name} parameter.`);
    return found[0]![1];
  };
  if (value('X-Amz-Algorithm') !== ALGORITHM) throw new AuthorizationQueryParametersError('X-Amz-Algorithm only supports "AWS4-HMAC-SHA256"');
  const expires = value('X-Amz-Expires');
  if (!/^\d{1,7}$/.test(expires) || Number(expires) < 1 || Number(expires) > MAX_PRESIGN_SECONDS) {
    throw new AuthorizationQueryParametersError('X-Amz-Expires must be a whole number of seconds from 1 to 604800.');
  }
  const [accessKeyId = '', ...scope] = value('X-Amz-Credential').split('/');
  if (scope.length !== 4)
    throw new AuthorizationQueryParametersError('Error parsing the X-Amz-Credential parameter; it must be <access key>/<date>/<region>/s3/aws4_request.');
  const hashed = query.find(([name]) => name === 'X-Amz-Content-Sha256')?.[1];
  return {
    presigned: true,
    accessKeyId,
    scope,
    amzDate: value('X-Amz-Date'),
    signedHeaders: headerNames(value('X-Amz-SignedHeaders')),
    signature: value('X-Amz-Signature'),
    // A presigned request's payload is unsigned unless the URL or a (signed) header says otherwise.
    payloadHash: hashed ?? headers.get('x-amz-content-sha256') ?? 'UNSIGNED-PAYLOAD',
    expiresSeconds: Number(expires),
  };
}

/** The names of `SignedHeaders`, checked to be header names. */
function headerNames(list: string): string[] {
  const names = list.split(';');
  if (names.some((name) => !/^[a-z0-9!#$%&'*+.^_`|~-]+$/.test(name)))
    throw new AuthorizationHeaderMalformedError('SignedHeaders must be lower-case header names separated by ";".');
  return names;
}

/** `host` must be signed (else a page could aim a signed request at another name), and so must every `x-amz-*` header sent, as S3 requires. */
function checkSignedHeaders(signed: readonly string[], headers: ReadonlyMap<string, string>): void {
  if (!signed.includes('host')) throw new AccessDeniedError('The host header must be signed.');
  for (const name of headers.keys()) {
    if (name.startsWith('x-amz-') && !signed.includes(name)) {
      throw new AccessDeniedError('There were headers present in the request which were not signed');
    }
  }
}

/** The millisecond time of an ISO 8601 basic `x-amz-date` (20130524T000000Z). */
function amzDateMs(amzDate: string): number {
  const match = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(amzDate);
  const time = match ? Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]), Number(match[4]), Number(match[5]), Number(match[6])) : Number.NaN;
  if (Number.isNaN(time)) throw new AccessDeniedError('AWS authentication requires a valid x-amz-date (YYYYMMDDTHHMMSSZ)');
  return time;
}

/** The body's coverage as `x-amz-content-sha256` (or a presigned URL) declares it. */
function payloadMode(hash: string, presigned: boolean): PayloadMode {
  if (/^[\da-f]{64}$/i.test(hash)) return { kind: 'sha256', hex: hash.toLowerCase() };
  if (hash === 'UNSIGNED-PAYLOAD') return { kind: 'unsigned' };
  if (presigned) throw new InvalidArgumentError("A presigned URL's payload must be UNSIGNED-PAYLOAD or a SHA-256 value.");
  if (hash === 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD') return { kind: 'signed-chunks', trailer: false };
  if (hash === 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER') return { kind: 'signed-chunks', trailer: true };
  if (hash === 'STREAMING-UNSIGNED-PAYLOAD-TRAILER') return { kind: 'unsigned-trailer' };
  if (hash.startsWith('STREAMING-')) throw new NotImplementedError('This x-amz-content-sha256 streaming mode is not implemented by the local S3 endpoint.');
  throw new InvalidArgumentError('x-amz-content-sha256 must be UNSIGNED-PAYLOAD, a STREAMING-* mode, or a SHA-256 value.');
}

/**
 * Header values by lower-case name as SigV4 canonicalises them: several of one name joined by
 * `,`, each trimmed with inner runs of spaces made one.
 */
export function headerValues(rawHeaders: readonly string[]): Map<string, string> {
  const values = new Map<string, string>();
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = rawHeaders[i]!.toLowerCase();
    const value = rawHeaders[i + 1]!.trim().replace(/\s+/g, ' ');
    const before = values.get(name);
    values.set(name, before === undefined ? value : `${before},${value}`);
  }
  return values;
}

/** The query's parameters, decoded, in order. Throws InvalidURI on a broken escape. */
export function queryParameters(rawQuery: string): Array<[string, string]> {
  const parameters: Array<[string, string]> = [];
  for (const part of rawQuery.split('&')) {
    if (part === '') continue;
    const equals = part.indexOf('=');
    const name = equals < 0 ? part : part.slice(0, equals);
    const value = equals < 0 ? '' : part.slice(equals + 1);
    try {
      // `+` is taken as itself: SDKs escape a plus as %2B and a space as %20, and sign the same reading.
      parameters.push([decodeURIComponent(name), decodeURIComponent(value)]);
    } catch {
      throw new InvalidURIError();
    }
  }
  return parameters;
}

/** The canonical query string: each name and value encoded, sorted; a presigned URL's signature left out. */
function canonicalQueryString(query: ReadonlyArray<readonly [string, string]>, presigned: boolean): string {
  return query
    .filter(([name]) => !(presigned && name === 'X-Amz-Signature'))
    .map(([name, value]) => [uriEncode(name), uriEncode(value)] as const)
    .sort(([a, x], [b, y]) => (a < b ? -1 : a > b ? 1 : x < y ? -1 : x > y ? 1 : 0))
    .map(([name, value]) => `${name}=${value}`)
    .join('&');
}

/** The path as sent, then (when different) its segments decoded and re-encoded as SigV4 encodes them. */
function canonicalUris(rawPath: string): string[] {
  const asSent = rawPath === '' ? '/' : rawPath;
  try {
    const reencoded = asSent
      .split('/')
      .map((segment) => uriEncode(decodeURIComponent(segment)))
      .join('/');
    return reencoded === asSent ? [asSent] : [asSent, reencoded];
  } catch {
    return [asSent];
  }
}
