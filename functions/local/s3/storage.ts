import { BlobFiles, type WriteHook } from './blobs.ts';
import { PreconditionFailedError } from './errors.ts';
import { ObjectIndex, type ObjectEntry, type ObjectMetadata } from './object-index.ts';

/** What an upload's bytes were found to be as they streamed. */
export interface BodyDigest {
  readonly size: number;
  readonly sha256: string;
  /** Unquoted ETag. */
  readonly etag: string;
}

/**
 * Objects: the index and the blob files kept consistent. A blob is renamed into place before
 * the entry naming it is written, and removed only after the last entry naming it is gone;
 * a crash between the two steps leaves an unreferenced blob, which the next start removes.
 */
export class Storage {
  private constructor(
    readonly files: BlobFiles,
    readonly index: ObjectIndex,
  ) {}

  /** Opens the folders and index under `directory`. */
  static open(directory: string, beforeWrite?: WriteHook): Storage {
    return new Storage(new BlobFiles(directory, beforeWrite), ObjectIndex.open(directory));
  }

  /** The entry of a key, or undefined. */
  head(bucket: string, key: string): ObjectEntry | undefined {
    return this.index.objects.get(ObjectIndex.objectKey(bucket, key));
  }

  /** The entry of a key and its blob opened for reading (same tick: see `BlobFiles.openBlob`), or undefined. */
  open(bucket: string, key: string): { entry: ObjectEntry; fd: number } | undefined {
    const entry = this.head(bucket, key);
    return entry ? { entry, fd: this.files.openBlob(entry.sha256) } : undefined;
  }

  /**
   * Makes a received temporary file the object of `key`: its blob is linked, the entry
   * written, and the blob of the object it replaces removed if nothing else names it, once the
   * change is on disk. `ifNoneMatch` (`If-None-Match: *`) refuses to replace an object (412);
   * `within` runs in the same transaction (a multipart upload's records go with its
   * completion), and may throw to abandon it. Resolves when the entry is durable.
   */
  async commit(
    bucket: string,
    key: string,
    temporary: string,
    digest: BodyDigest,
    metadata: ObjectMetadata,
    options: { ifNoneMatch?: boolean; within?: () => void } = {},
  ): Promise<ObjectEntry> {
    const entry: ObjectEntry = { ...metadata, sha256: digest.sha256, size: digest.size, etag: digest.etag, lastModified: Date.now() };
    const indexKey = ObjectIndex.objectKey(bucket, key);
    let linked = false;
    try {
      const replaced = await this.index.transaction(() => {
        // One step inside the write transaction: no other request's step runs between the check, the link and the entry.
        if (options.ifNoneMatch && this.index.objects.get(indexKey)) throw new PreconditionFailedError();
        options.within?.();
        this.files.link(temporary, digest.sha256);
        linked = true;
        const previous = this.index.objects.get(indexKey);
        this.index.objects.putSync(indexKey, entry);
        this.index.reference(entry.sha256, 1);
        return previous && this.index.reference(previous.sha256, -1) === 0 ? previous.sha256 : null;
      });
      // Removed only once the entry that replaced it is on disk: a crash before leaves the old object whole.
      if (replaced && replaced !== entry.sha256) await this.removeUnreferenced(replaced);
      return entry;
    } catch (error) {
      if (!linked) this.files.remove(temporary);
      // Linked but not indexed (the transaction failed): nothing names the blob, unless another entry shares its bytes.
      // Failing here too (a full disk) leaves an unreferenced blob, which the next start removes.
      else await this.removeUnreferenced(digest.sha256).catch(() => undefined);
      throw error;
    }
  }

  /** Deletes the object of `key` (nothing when there is none, as S3); its blob goes once that is on disk, if nothing else names it. */
  async delete(bucket: string, key: string): Promise<void> {
    const indexKey = ObjectIndex.objectKey(bucket, key);
    const orphan = await this.index.transaction(() => {
      const previous = this.index.objects.get(indexKey);
      if (!previous) return null;
      this.index.objects.removeSync(indexKey);
      return this.index.reference(previous.sha256, -1) === 0 ? previous.sha256 : null;
    });
    if (orphan) await this.removeUnreferenced(orphan);
  }

  /**
   * Removes the blob of `sha256` if no entry names it, decided inside a write transaction: an
   * upload of the same bytes queued meanwhile has either linked and counted it already (and it
   * stays) or will link it afresh after.
   */
  private removeUnreferenced(sha256: string): Promise<void> {
    return this.index.transaction(() => {
      if (!this.index.refs.get(sha256)) this.files.removeBlob(sha256);
    });
  }

  /** The creation time of `bucket`, recorded at its first start (before any request: the only write here is then). */
  bucketCreated(bucket: string, now: number): number {
    const known = this.index.buckets.get(bucket);
    if (known !== undefined) return known;
    this.index.transactionSync(() => this.index.buckets.putSync(bucket, now));
    return now;
  }

  close(): Promise<void> {
    return this.index.close();
  }
}
