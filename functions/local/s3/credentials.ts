import { randomBytes, randomInt } from 'node:crypto';
import { chmodSync, closeSync, fsyncSync, linkSync, mkdirSync, openSync, readFileSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { CredentialsFileError } from './errors.ts';

/** The one key pair the local S3 endpoint accepts. */
export interface LocalS3Credentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

const ACCESS_KEY_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
// Bounds of what the file may hold: generated pairs are 20 and 40 characters; a person may
// paste other ones, within what the SDK and CLI accept.
const ACCESS_KEY_SHAPE = /^[A-Z0-9]{16,128}$/;
const SECRET_SHAPE = /^[\w+/=-]{16,128}$/;

/** A new key pair: `AKIA` + 16 upper-case letters and digits, and a 40-character base64url secret. */
export function generateCredentials(): LocalS3Credentials {
  let suffix = '';
  // randomInt draws without modulo bias.
  for (let i = 0; i < 16; i++) suffix += ACCESS_KEY_ALPHABET[randomInt(ACCESS_KEY_ALPHABET.length)];
  // 30 random bytes are exactly 40 base64url characters (240 bits).
  return { accessKeyId: `AKIA${suffix}`, secretAccessKey: randomBytes(30).toString('base64url') };
}

/**
 * Reads the endpoint's credentials from `file`, or generates them there at the first start
 * (`created`: the caller prints them once). The file is JSON `{accessKeyId, secretAccessKey}`
 * kept 0600 in a 0700 folder: a wider mode found on it is narrowed. A file that is not such
 * JSON is a {@link CredentialsFileError} naming the file; its content is never quoted (it may
 * hold a secret).
 */
export function loadOrCreateCredentials(file: string): { credentials: LocalS3Credentials; created: boolean } {
  const existing = readCredentials(file);
  if (existing) return { credentials: existing, created: false };
  const credentials = generateCredentials();
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  // Written whole to a private temporary name, then linked into place: a crash never leaves a
  // half-written file, and of two starts at once the second finds the first one's file.
  const temporary = `${file}.${randomBytes(6).toString('hex')}.tmp`;
  const fd = openSync(temporary, 'wx', 0o600);
  try {
    writeSync(fd, `${JSON.stringify(credentials, null, 2)}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    chmodSync(temporary, 0o600); // the umask cannot widen it, but a narrower one may have been applied
    linkSync(temporary, file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    const raced = readCredentials(file);
    if (raced) return { credentials: raced, created: false };
    throw error;
  } finally {
    unlinkSync(temporary);
  }
  return { credentials, created: true };
}

/** The credentials in `file`, null when there is no file; throws when it is not a credentials file. */
function readCredentials(file: string): LocalS3Credentials | null {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new CredentialsFileError(file, 'not JSON');
  }
  const { accessKeyId, secretAccessKey } = (parsed ?? {}) as Record<string, unknown>;
  if (typeof accessKeyId !== 'string' || !ACCESS_KEY_SHAPE.test(accessKeyId)) throw new CredentialsFileError(file, 'no valid accessKeyId');
  if (typeof secretAccessKey !== 'string' || !SECRET_SHAPE.test(secretAccessKey)) throw new CredentialsFileError(file, 'no valid secretAccessKey');
  // Kept 0600: a copy restored from a backup, or made by hand, may have come back readable by others.
  if ((statSync(file).mode & 0o077) !== 0) chmodSync(file, 0o600);
  return { accessKeyId, secretAccessKey };
}
