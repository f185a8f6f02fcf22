import { readFile, stat } from 'node:fs/promises';
import { InputError } from './errors.ts';

import type { DocumentKind } from '../domain/index.ts';

/** Kinds of document sniffed from their first bytes. */
export type { DocumentKind } from '../domain/index.ts';

/** Sniffs a document's kind from its bytes; the file name is never trusted. */
export function sniffKind(bytes: Uint8Array): DocumentKind {
  const head = Buffer.from(bytes.subarray(0, 8));
  if (head.subarray(0, 5).toString('latin1') === '%PDF-') return 'pdf';
  if (
    (head[0] === 0x49 && head[1] === 0x49 && head[2] === 0x2a && head[3] === 0x00) ||
    (head[0] === 0x4d && head[1] === 0x4d && head[2] === 0x00 && head[3] === 0x2a)
  )
    return 'tiff';
  if (head[0] === 0x89 && head.subarray(1, 4).toString('latin1') === 'PNG') return 'png';
  if (head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) return 'jpeg';
  const sample = Buffer.from(bytes.subarray(0, 4096));
  let control = 0;
  for (const byte of sample) {
    if (byte === 0) return 'binary';
    if (byte < 0x20 && byte !== 0x09 && byte !== 0x0a && byte !== 0x0d && byte !== 0x0c) control++;
  }
  if (sample.length > 0 && control / sample.length > 0.05) return 'binary';
  const start = sample
    .toString('utf8')
    .replace(/^\uFEFF/, '')
    .trimStart();
  if ((start.startsWith('{') || start.startsWith('[')) && /"(?:Blocks|DocumentMetadata|JobStatus)"/.test(sample.toString('utf8'))) return 'textract-json';
  return 'text';
}

/** Decodes text bytes: UTF-8 when they are valid UTF-8, otherwise Latin-1 (Windows-1252). */
export function decodeText(bytes: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return new TextDecoder('windows-1252').decode(bytes);
  }
}

/** Reads a file's bytes with the checks every input gets: exists, is a file, not empty, not too large. */
export async function readDocumentBytes(path: string, maxBytes: number): Promise<Uint8Array> {
  let info;
  try {
    info = await stat(path);
  } catch (error) {
    throw new InputError('NOT_FOUND', `${path}: no such file`, { cause: error });
  }
  if (!info.isFile()) throw new InputError('NOT_A_FILE', `${path}: not a regular file`);
  if (info.size === 0) throw new InputError('EMPTY', `${path}: the file is empty`);
  if (info.size > maxBytes) {
    throw new InputError('TOO_LARGE', `${path}: ${(info.size / 1048576).toFixed(1)} MB is over the ${maxBytes / 1048576} MB limit`);
  }
  return readFile(path);
}
