import { open, type Database, type RootDatabase } from 'lmdb';
import { join } from 'node:path';

/**
 * The index of the local S3 endpoint, in LMDB (one file, `index.mdb`, under its folder). Keys
 * are index entries, never paths:
 * - `objects`: `<bucket> NUL <key bytes>` (binary, so LMDB orders keys by their UTF-8 bytes, as
 *   S3 lists them) -> {@link ObjectEntry};
 * - `refs`: SHA-256 -> how many entries name that blob (a blob goes when none does);
 * - `uploads`: upload id -> {@link UploadEntry}; `parts`: [upload id, part number] -> {@link PartEntry};
 * - `buckets`: bucket -> creation time.
 * Each change is one synchronous transaction: with the file operations around it in the same
 * tick, no other request's step runs between them.
 */

/** What S3 keeps of an object besides its bytes. */
export interface ObjectMetadata {
  readonly contentType: string;
  /** Content-Disposition, Content-Encoding, Content-Language, Cache-Control, Expires, by lower-case name. */
  readonly headers: Readonly<Record<string, string>>;
  /** `x-amz-meta-*` headers, names without the prefix. */
  readonly userMetadata: Readonly<Record<string, string>>;
}

/** One object: its blob's SHA-256 and what S3 answers about it. */
export interface ObjectEntry extends ObjectMetadata {
  readonly sha256: string;
  readonly size: number;
  /** Unquoted: MD5 hex, or `<md5 of part MD5s>-<parts>` after a multipart upload. */
  readonly etag: string;
  /** ms since the epoch. */
  readonly lastModified: number;
}

/** A multipart upload in progress. */
export interface UploadEntry {
  readonly bucket: string;
  readonly key: string;
  readonly initiated: number;
  readonly metadata: ObjectMetadata;
}

/** One uploaded part: the random name of its file under `parts/`. */
export interface PartEntry {
  readonly file: string;
  readonly size: number;
  /** MD5 hex of the part (its ETag, unquoted). */
  readonly md5: string;
  readonly lastModified: number;
}

/** The LMDB databases of the index. */
export class ObjectIndex {
  private constructor(
    private readonly root: RootDatabase,
    readonly objects: Database<ObjectEntry, Buffer>,
    readonly refs: Database<number, string>,
    readonly uploads: Database<UploadEntry, string>,
    readonly parts: Database<PartEntry, [string, number]>,
    readonly buckets: Database<number, string>,
  ) {}

  /** Opens (or creates) the index in `directory`. */
  static open(directory: string): ObjectIndex {
    const root = open({ path: join(directory, 'index.mdb'), compression: false, maxDbs: 8 });
    return new ObjectIndex(
      root,
      root.openDB<ObjectEntry, Buffer>({ name: 'objects', keyEncoding: 'binary' }),
      root.openDB<number, string>({ name: 'refs' }),
      root.openDB<UploadEntry, string>({ name: 'uploads' }),
      root.openDB<PartEntry, [string, number]>({ name: 'parts' }),
      root.openDB<number, string>({ name: 'buckets' }),
    );
  }

  /**
   * Runs `change` in the next batched write transaction, as a child transaction (a throw undoes
   * its writes and rejects), and resolves once the batch is on disk. `change` runs whole on this
   * thread inside the transaction, so what it decides from the index and the file moves it makes
   * have no other request's step between them; the commit and its flush run on LMDB's writer
   * thread, one for every change queued meanwhile, where each upload made its own synchronous,
   * flushed commit on the thread that serves every request (the endpoint's largest cost).
   */
  async transaction<T>(change: () => T): Promise<T> {
    const result = (await this.root.childTransaction(change)) as T;
    // Acknowledged only when durable: the commit resolves when it is visible, `flushed` when it is on disk.
    await this.root.flushed;
    return result;
  }

  /** Runs `change` as one synchronous, flushed transaction: only for the repairs of a start, before any request is served. */
  transactionSync<T>(change: () => T): T {
    return this.root.transactionSync(change);
  }

  close(): Promise<void> {
    return this.root.close();
  }

  /** The index key of an object. */
  static objectKey(bucket: string, key: string | Buffer): Buffer {
    return Buffer.concat([Buffer.from(bucket, 'utf8'), Buffer.from([0]), typeof key === 'string' ? Buffer.from(key, 'utf8') : key]);
  }

  /** The object's key (UTF-8 bytes) of an index key of `bucket`. */
  static keyBytes(bucket: string, indexKey: Buffer): Buffer {
    return indexKey.subarray(Buffer.byteLength(bucket) + 1);
  }

  /** Adds `delta` to the reference count of a blob (in a transaction); returns the new count. */
  reference(sha256: string, delta: number): number {
    const count = (this.refs.get(sha256) ?? 0) + delta;
    if (count > 0) this.refs.putSync(sha256, count);
    else this.refs.removeSync(sha256);
    return count;
  }

  /**
   * Entries of `bucket` whose key starts with `prefix`, in key order, after `after` (exclusive,
   * raw bytes) when given, at most `limit` of them.
   */
  *range(bucket: string, prefix: Buffer, after: Buffer | undefined, limit: number): Generator<{ key: Buffer; entry: ObjectEntry }> {
    const low = ObjectIndex.objectKey(bucket, prefix);
    // The least key after `after` is `after` + NUL; any key of the prefix is below prefix + 0xFF (no UTF-8 byte is 0xFF).
    const afterKey = after ? Buffer.concat([ObjectIndex.objectKey(bucket, after), Buffer.from([0])]) : undefined;
    const start = afterKey && Buffer.compare(afterKey, low) > 0 ? afterKey : low;
    const end = Buffer.concat([low, Buffer.from([0xff])]);
    for (const { key, value } of this.objects.getRange({ start, end, limit })) yield { key: ObjectIndex.keyBytes(bucket, key), entry: value };
  }
}
