import { readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { PartEntry } from './object-index.ts';
import type { Storage } from './storage.ts';

/**
 * Start-up recovery: what a crash (`kill -9` at any moment, a full disk) can leave is put right
 * before the first request. Committed objects are never touched: an entry goes only when its
 * blob is missing or not its size. Returns one line per repair, keys escaped.
 */

/** Multipart uploads older than this are aborted at start. */
export const STALE_UPLOAD_MS = 24 * 60 * 60_000;
const SHA256_NAME = /^[0-9a-f]{64}$/;

/** Repairs `storage` and says what was repaired. */
export function recover(storage: Storage, now: number): string[] {
  const repaired: string[] = [];
  const { files } = storage;

  // 1. An upload that was streaming when the process stopped.
  for (const name of readdirSync(files.tmp)) {
    rmSync(join(files.tmp, name), { recursive: true, force: true });
    repaired.push(`removed tmp/${printable(name)}, an upload unfinished when the endpoint stopped`);
  }

  // 2. Entries whose blob is gone or damaged; what remains gives each blob's reference count.
  const counts = new Map<string, number>();
  const dropped: Buffer[] = [];
  for (const { key, value } of storage.index.objects.getRange({})) {
    const size = fileSize(files.blobPath(value.sha256));
    if (size === value.size) {
      counts.set(value.sha256, (counts.get(value.sha256) ?? 0) + 1);
      continue;
    }
    dropped.push(key);
    const zero = key.indexOf(0);
    const where = `${key.subarray(0, zero).toString('utf8')}/${printable(key.subarray(zero + 1).toString('utf8'))}`;
    repaired.push(
      size === undefined ? `dropped ${where}: its blob ${value.sha256} is missing` : `dropped ${where}: its blob is ${size} bytes, not ${value.size}`,
    );
  }
  storage.index.transactionSync(() => {
    for (const key of dropped) storage.index.objects.removeSync(key);
    // The counts are rebuilt from the entries: a crash cannot leave them wrong for long.
    for (const { key } of [...storage.index.refs.getRange({})]) if (!counts.has(key)) storage.index.refs.removeSync(key);
    for (const [sha256, count] of counts) if (storage.index.refs.get(sha256) !== count) storage.index.refs.putSync(sha256, count);
  });

  // 3. Blobs no entry names (renamed into place just before a crash, or left by one during a removal).
  for (const folder of readdirSync(files.blobs)) {
    for (const name of readdirSync(join(files.blobs, folder))) {
      if (SHA256_NAME.test(name) && name.startsWith(folder) && counts.has(name)) continue;
      rmSync(join(files.blobs, folder, name), { recursive: true, force: true });
      repaired.push(`removed blob ${printable(name)}, which no key names`);
    }
  }

  // 4. Stale uploads, parts whose file is gone, and part files no upload names.
  const kept = new Set<string>();
  const staleParts: Array<[string, number]> = [];
  const staleUploads: string[] = [];
  for (const { key: id, value: upload } of storage.index.uploads.getRange({})) {
    if (now - upload.initiated > STALE_UPLOAD_MS) {
      staleUploads.push(id);
      repaired.push(
        `aborted the multipart upload of ${upload.bucket}/${printable(upload.key)} begun ${new Date(upload.initiated).toISOString()} (over 24 h old)`,
      );
    }
  }
  for (const { key, value } of storage.index.parts.getRange({})) {
    const [id, number] = key;
    const upload = staleUploads.includes(id) ? undefined : storage.index.uploads.get(id);
    if (upload && partIntact(storage, value)) {
      kept.add(value.file);
      continue;
    }
    staleParts.push(key);
    if (upload) repaired.push(`dropped part ${number} of the multipart upload of ${upload.bucket}/${printable(upload.key)}: its file is missing or damaged`);
  }
  storage.index.transactionSync(() => {
    for (const key of staleParts) storage.index.parts.removeSync(key);
    for (const id of staleUploads) storage.index.uploads.removeSync(id);
  });
  for (const name of readdirSync(files.parts)) {
    if (kept.has(name)) continue;
    rmSync(join(files.parts, name), { recursive: true, force: true });
    repaired.push(`removed parts/${printable(name)}, which no multipart upload names`);
  }
  return repaired;
}

function partIntact(storage: Storage, part: PartEntry): boolean {
  return fileSize(storage.files.partPath(part.file)) === part.size;
}

/** A file's size, or undefined when it is not a file. */
function fileSize(path: string): number | undefined {
  try {
    const stat = statSync(path);
    return stat.isFile() ? stat.size : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A key (or name) as a line can show it: control and invisible-formatting characters (a CR
 * that rewrites the line, bidi overrides that reorder it) escaped as \u{…}, and long ones cut.
 */
export function printable(text: string): string {
  const escaped = text.replace(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}"\\]/gu, (c) => (c === '"' || c === '\\' ? `\\${c}` : `\\u{${c.codePointAt(0)!.toString(16)}}`));
  const characters = [...escaped];
  return `"${characters.length > 200 ? `${characters.slice(0, 200).join('')}…` : escaped}"`;
}
