import { readFile, stat } from 'node:fs/promises';
import { InputError } from './errors.ts';
import { LIMITS } from '../common/limits.ts';
import { isTiff } from '../common/tiff.ts';

import type { DocumentKind } from '../domain/index.ts';

/** Kinds of document sniffed from their first bytes. */
export type { DocumentKind } from '../domain/index.ts';

/**
 * Whether the bytes are a scan (a TIFF, PNG or JPEG) within the size limits: read without OCR,
 * such a document is nothing (null, for OCR or Textract) and never an error, so it needs no
 * reading process to say so (the fast lane's process was started, and a fax copied to it, to
 * hear that of every fax of a backlog).
 */
export function isScanWithinLimits(bytes: Uint8Array): boolean {
  if (bytes.length === 0 || bytes.length > LIMITS.documentBytes) return false;
  // Told by the signature alone: this runs on the service's thread for every upload, and a text letter's sample need not be looked at here.
  const kind = signedKind(bytes);
  return kind === 'tiff' || ((kind === 'png' || kind === 'jpeg') && bytes.length <= LIMITS.singleImageBytes);
}

/** The kind a file's signature (its first bytes) says, for the kinds that have one; null for the others. */
function signedKind(bytes: Uint8Array): Extract<DocumentKind, 'pdf' | 'tiff' | 'png' | 'jpeg'> | null {
  const head = Buffer.from(bytes.subarray(0, 8));
  if (head.subarray(0, 5).toString('latin1') === '%PDF-') return 'pdf';
  if (isTiff(head)) return 'tiff';
  if (head[0] === 0x89 && head.subarray(1, 4).toString('latin1') === 'PNG') return 'png';
  if (head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) return 'jpeg';
  return null;
}

/** Sniffs a document's kind from its bytes; the file name is never trusted. */
export function sniffKind(bytes: Uint8Array): DocumentKind {
  const signed = signedKind(bytes);
  if (signed) return signed;
  const sample = Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.length, 4096));
  let control = 0;
  for (let index = 0; index < sample.length; index++) {
    const byte = sample[index]!;
    if (byte === 0) return 'binary';
    if (byte < 0x20 && byte !== 0x09 && byte !== 0x0a && byte !== 0x0d && byte !== 0x0c) control++;
  }
  if (sample.length > 0 && control / sample.length > 0.05) return 'binary';
  const text = sample.toString('utf8');
  const start = text.replace(/^\uFEFF/, '').trimStart();
  if ((start.startsWith('{') || start.startsWith('[')) && /"(?:Blocks|DocumentMetadata|JobStatus)"/.test(text)) return 'textract-json';
  return 'text';
}

/**
 * What binary bytes that are no letter are, in the words of the person who saved them, with
 * what to do: a Word document is told to be saved as PDF. Told from the bytes, never the name.
 */
export function describeBinary(bytes: Uint8Array): string {
  const head = Buffer.from(bytes.subarray(0, 16));
  const ascii = (from: number, to: number) => head.subarray(from, to).toString('latin1');
  const convert = 'open it, save or print it as PDF, and upload the PDF';
  if (ascii(0, 4) === 'PK\x03\x04') {
    // An Office file is a ZIP whose parts are named in the clear in its first kilobytes.
    const names = Buffer.from(bytes.subarray(0, 64 * 1024)).toString('latin1');
    if (names.includes('word/')) return `a Word document (.docx), not a PDF or a scan: ${convert}`;
    if (names.includes('xl/')) return `an Excel workbook (.xlsx), not a letter: if a letter is in it, ${convert}`;
    if (names.includes('ppt/')) return `a PowerPoint file (.pptx), not a letter: if a letter is in it, ${convert}`;
    if (names.includes('content.xml') && names.includes('opendocument')) return `an OpenDocument file (.odt), not a PDF or a scan: ${convert}`;
    return 'a ZIP archive, not a letter: unzip it and upload the letters in it (PDF, TIFF, PNG, JPEG or text)';
  }
  if (head.subarray(0, 8).equals(Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1])))
    return `an older Office document (.doc or .xls), not a PDF or a scan: ${convert}`;
  if (
    ascii(0, 4) === 'GIF8' ||
    ascii(0, 2) === 'BM' ||
    (ascii(0, 4) === 'RIFF' && ascii(8, 12) === 'WEBP') ||
    /^ftyp(?:heic|heix|mif1|avif)/.test(ascii(4, 12))
  )
    return 'an image in a format that is not read (GIF, BMP, WebP or HEIC): save it as PDF, PNG or JPEG (a phone can share a photo as JPEG) and upload that';
  return 'binary data that is not a PDF, TIFF, PNG or JPEG; expected a letter (a PDF, a scan or text)';
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
