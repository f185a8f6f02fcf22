/**
 * The keys the local S3 stand-in stores. s3rver keeps an object at `<bucket folder>/<key>`
 * without normalising it: a key with `..` segments would write outside its bucket (even to
 * `/`), and a segment longer than a file name may be crashes the process (ENAMETOOLONG). Such
 * keys are refused before s3rver sees them, with S3's own error codes; every other key up to
 * S3's 1,024 bytes is stored as it is.
 */

/** S3's limit on a key, in UTF-8 bytes. */
export const MAX_KEY_BYTES = 1024;
/** Longest key segment the stand-in can keep as a file name (255 bytes less s3rver's `._S3rver_metadata.json` suffix). */
export const MAX_SEGMENT_BYTES = 200;

/** Why a path-style request's key cannot be stored locally, as S3's error code and message; null when it can. */
export function refusedKey(path: string): { code: string; message: string } | null {
  const slash = path.indexOf('/', 1);
  if (slash < 0) return null;
  let key: string;
  try {
    key = decodeURIComponent(path.slice(slash + 1));
  } catch {
    return { code: 'InvalidURI', message: 'Couldn\'t parse the specified URI.' };
  }
  if (key.length === 0) return null;
  if (Buffer.byteLength(key) > MAX_KEY_BYTES) return { code: 'KeyTooLongError', message: 'Your key is too long' };
  const segments = key.split('/');
  if (segments.some((segment) => segment === '.' || segment === '..')) {
    return { code: 'InvalidArgument', message: 'Keys with "." or ".." path segments are not stored by the local S3 stand-in' };
  }
  if (segments.some((segment) => Buffer.byteLength(segment) > MAX_SEGMENT_BYTES) || key.includes('\0')) {
    return { code: 'InvalidArgument', message: `Key segments over ${MAX_SEGMENT_BYTES} bytes are not stored by the local S3 stand-in` };
  }
  return null;
}

/** S3's XML error body. */
export function s3ErrorXml(code: string, message: string): string {
  const escape = (text: string) => text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
  return `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${escape(code)}</Code><Message>${escape(message)}</Message></Error>`;
}
