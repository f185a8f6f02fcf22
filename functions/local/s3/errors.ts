/**
 * The errors of the local S3 endpoint. Each one that reaches a client is an {@link S3Error}:
 * S3's own error code and HTTP status, so the AWS SDK and CLI read it as they read S3's. Messages
 * never quote a key or a body: a key may hold control characters, markup or a person's name.
 */

/** An error answered to the client as S3's XML `<Error>` with `code` and `status`. */
export abstract class S3Error extends Error {
  /** S3's error code (`<Code>`), e.g. `NoSuchKey`. */
  abstract readonly code: string;
  /** The HTTP status S3 answers with this code. */
  abstract readonly status: number;
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** Defines an {@link S3Error} class for one S3 code, status and default message. */
function s3Error(code: string, status: number, defaultMessage: string) {
  return class extends S3Error {
    readonly code = code;
    readonly status = status;
    constructor(message: string = defaultMessage) {
      super(message);
    }
  };
}

// Authentication and refusals (403, or 400 where S3 says so).
/** The request is refused: anonymous, from a browser, a form post, or to another host. */
export class AccessDeniedError extends s3Error('AccessDenied', 403, 'Access Denied') {}
/** The signature the client sent is not the one its secret makes for this request. */
export class SignatureDoesNotMatchError extends s3Error(
  'SignatureDoesNotMatch',
  403,
  'The request signature we calculated does not match the signature you provided. Check your key and signing method.',
) {}
/** The access key is not the endpoint's. */
export class InvalidAccessKeyIdError extends s3Error('InvalidAccessKeyId', 403, 'The AWS Access Key Id you provided does not exist in our records.') {}
/** `x-amz-date` is more than 15 minutes from the endpoint's clock. */
export class RequestTimeTooSkewedError extends s3Error(
  'RequestTimeTooSkewed',
  403,
  'The difference between the request time and the current time is too large.',
) {}
/** The Authorization header cannot be read, or names another region or service. */
export class AuthorizationHeaderMalformedError extends s3Error('AuthorizationHeaderMalformed', 400, 'The authorization header is malformed.') {}
/** A presigned URL's query parameters cannot be read or are out of bounds. */
export class AuthorizationQueryParametersError extends s3Error('AuthorizationQueryParametersError', 400, 'Error parsing the X-Amz-Credential parameter.') {}
/** The body's SHA-256 is not the `x-amz-content-sha256` the client signed. */
export class XAmzContentSHA256MismatchError extends s3Error(
  'XAmzContentSHA256Mismatch',
  400,
  "The provided 'x-amz-content-sha256' header does not match what was computed.",
) {}
/** Content-MD5, or a checksum header or trailer, does not match the body. */
export class BadDigestError extends s3Error('BadDigest', 400, 'The Content-MD5 or checksum value that you specified did not match what the server received.') {}
/** Content-MD5 or a checksum value is not well formed. */
export class InvalidDigestError extends s3Error('InvalidDigest', 400, 'The Content-MD5 or checksum value that you specified is not valid.') {}

// Requests.
/** The request is not one S3 would accept (header, parameter or body shape). */
export class InvalidRequestError extends s3Error('InvalidRequest', 400, 'Invalid Request') {}
/** A parameter's value is out of its bounds. */
export class InvalidArgumentError extends s3Error('InvalidArgument', 400, 'Invalid Argument') {}
/** The request's path or query cannot be decoded. */
export class InvalidURIError extends s3Error('InvalidURI', 400, "Couldn't parse the specified URI.") {}
/** A key longer than S3's 1,024 UTF-8 bytes. */
export class KeyTooLongError extends s3Error('KeyTooLongError', 400, 'Your key is too long') {}
/** An XML body that cannot be read, or is not the shape asked. */
export class MalformedXMLError extends s3Error(
  'MalformedXML',
  400,
  'The XML you provided was not well-formed or did not validate against our published schema',
) {}
/** The body ended before its declared length, or its aws-chunked framing is broken. */
export class IncompleteBodyError extends s3Error(
  'IncompleteBody',
  400,
  'You did not provide the number of bytes specified by the Content-Length HTTP header',
) {}
/** An upload without a length. */
export class MissingContentLengthError extends s3Error('MissingContentLength', 411, 'You must provide the Content-Length HTTP header.') {}
/** An object, part or XML body over the endpoint's limit. */
export class EntityTooLargeError extends s3Error('EntityTooLarge', 400, 'Your proposed upload exceeds the maximum allowed object size.') {}
/** User metadata over S3's 2 KB. */
export class MetadataTooLargeError extends s3Error('MetadataTooLarge', 400, 'Your metadata headers exceed the maximum allowed metadata size.') {}
/** The Range asked starts after the object's end. */
export class InvalidRangeError extends s3Error('InvalidRange', 416, 'The requested range is not satisfiable') {}
/** A precondition (If-Match, If-None-Match on a write) does not hold. */
export class PreconditionFailedError extends s3Error('PreconditionFailed', 412, 'At least one of the pre-conditions you specified did not hold') {}
/** An operation the local endpoint does not serve. */
export class NotImplementedError extends s3Error(
  'NotImplemented',
  501,
  'A header or query you provided implies functionality that is not implemented by the local S3 endpoint.',
) {}
/** A method the resource does not take. */
export class MethodNotAllowedError extends s3Error('MethodNotAllowed', 405, 'The specified method is not allowed against this resource.') {}

// Buckets, objects and uploads.
/** A bucket the endpoint is not configured with. */
export class NoSuchBucketError extends s3Error('NoSuchBucket', 404, 'The specified bucket does not exist') {}
/** A key with no object. */
export class NoSuchKeyError extends s3Error('NoSuchKey', 404, 'The specified key does not exist.') {}
/** A multipart upload id that is unknown, completed or aborted. */
export class NoSuchUploadError extends s3Error(
  'NoSuchUpload',
  404,
  'The specified multipart upload does not exist. The upload ID might be invalid, or the multipart upload might have been aborted or completed.',
) {}
/** CreateBucket of a bucket the endpoint already serves. */
export class BucketAlreadyOwnedByYouError extends s3Error('BucketAlreadyOwnedByYou', 409, 'The bucket you tried to create already exists, and you own it.') {}
/** A part of CompleteMultipartUpload that was not uploaded, or whose ETag differs. */
export class InvalidPartError extends s3Error(
  'InvalidPart',
  400,
  "One or more of the specified parts could not be found. The part might not have been uploaded, or the specified entity tag might not have matched the part's entity tag.",
) {}
/** CompleteMultipartUpload's parts are not in ascending order. */
export class InvalidPartOrderError extends s3Error(
  'InvalidPartOrder',
  400,
  'The list of parts was not in ascending order. Parts must be ordered by part number.',
) {}

// The endpoint itself.
/** Anything the endpoint did not foresee: the request failed, the endpoint goes on. */
export class InternalError extends s3Error('InternalError', 500, 'We encountered an internal error. Please try again.') {}
/** The disk refused a write (full, or not writable): the upload is discarded, the client may retry later. */
export class SlowDownError extends s3Error('SlowDown', 503, 'Please reduce your request rate.') {}

/** The credentials file exists but is not one the endpoint wrote. Names the file, never its content. */
export class CredentialsFileError extends Error {
  override readonly name = 'CredentialsFileError';
  /** The code a caller can switch on. */
  readonly code = 'InvalidCredentialsFile';
  constructor(
    readonly file: string,
    why: string,
  ) {
    super(`${file} is not a local S3 credentials file (${why}); move it away to generate new credentials`);
  }
}

/** The endpoint's folder is served by another running process (its id in the message). */
export class DirectoryInUseError extends Error {
  override readonly name = 'DirectoryInUseError';
  /** The code a caller can switch on. */
  readonly code = 'DirectoryInUse';
  constructor(directory: string, pid: number) {
    super(`${directory} is already served by a local S3 endpoint in process ${pid}`);
  }
}

/** The error an unknown failure is answered with: a write error is the disk's (503), anything else is ours (500). */
export function asS3Error(error: unknown): S3Error {
  if (error instanceof S3Error) return error;
  const code = (error as { code?: unknown } | null)?.code;
  if (code === 'ENOSPC' || code === 'EDQUOT')
    return new SlowDownError("The local S3 endpoint's disk is full (ENOSPC): the upload was discarded; free some space and retry.");
  if (code === 'EROFS' || code === 'EACCES' || code === 'EPERM' || code === 'EIO')
    return new SlowDownError(`The local S3 endpoint cannot write to its folder (${code}): the upload was discarded.`);
  return new InternalError();
}
