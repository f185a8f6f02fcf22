import { randomBytes } from 'node:crypto';
import { mkdirSync, openSync, readdirSync, renameSync, rmSync, unlinkSync } from 'node:fs';
import { mkdir, open } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * The files of the local S3 endpoint. Names come from SHA-256 values and random ids only,
 * never from a key, so no request can name a path:
 * - `blobs/<aa>/<sha256>`: an object's bytes, content-addressed (two keys with the same bytes
 *   share one file);
 * - `tmp/<random>`: an upload being received (removed when it fails, renamed into `blobs/`
 *   when it is complete and checked);
 * - `parts/<random>`: a multipart upload's part, named in the index until its upload ends.
 */

/** Called before each write to disk; a test throws from it to play a full disk (ENOSPC). */
export type WriteHook = (file: string, bytes: number) => void;

/** A file written whole and flushed to disk. */
export interface WrittenFile {
  readonly path: string;
  /** The random name (part files are found again by it). */
  readonly id: string;
}

/** The folders and names of the endpoint's files. */
export class BlobFiles {
  readonly blobs: string;
  readonly tmp: string;
  readonly parts: string;
  /** The `blobs/<aa>` folders known to exist: one `mkdir` each per process, not one per upload (it cost 0.3 ms on the thread that serves every request). */
  private readonly shards = new Set<string>();
  constructor(
    readonly directory: string,
    private readonly beforeWrite?: WriteHook,
  ) {
    this.blobs = join(directory, 'blobs');
    this.tmp = join(directory, 'tmp');
    this.parts = join(directory, 'parts');
    for (const folder of [directory, this.blobs, this.tmp, this.parts]) mkdirSync(folder, { recursive: true, mode: 0o700 });
    // The 256 `blobs/<aa>` folders, made once in the background: a new folder made during an upload
    // cost about 1 ms on the thread that serves every request (a fresh endpoint's first uploads each made one).
    for (const name of readdirSync(this.blobs)) this.shards.add(join(this.blobs, name));
    for (let byte = 0; byte < 256; byte++) {
      const shard = join(this.blobs, byte.toString(16).padStart(2, '0'));
      if (!this.shards.has(shard))
        void mkdir(shard, { recursive: true, mode: 0o700 }).then(
          () => this.shards.add(shard),
          () => undefined,
        );
    }
  }

  /** Where the blob of `sha256` is. */
  blobPath(sha256: string): string {
    return join(this.blobs, sha256.slice(0, 2), sha256);
  }

  /** Where the part file `id` is. */
  partPath(id: string): string {
    return join(this.parts, id);
  }

  /**
   * Writes `chunks` to a new file in `tmp/` (or `parts/`) and flushes it to disk. On any error
   * (the source's: a bad signature or digest, a client gone; or the disk's) the file is removed
   * and the error thrown.
   */
  async write(chunks: AsyncIterable<Buffer>, folder: 'tmp' | 'parts'): Promise<WrittenFile> {
    const id = randomBytes(16).toString('hex');
    const path = join(folder === 'tmp' ? this.tmp : this.parts, id);
    const handle = await open(path, 'wx', 0o600);
    try {
      for await (const chunk of chunks) {
        this.beforeWrite?.(path, chunk.length);
        let written = 0;
        while (written < chunk.length) written += (await handle.write(chunk, written)).bytesWritten;
      }
      // Flushed before it is renamed or indexed: an entry never points at bytes still in a cache.
      await handle.sync();
      await handle.close();
      return { path, id };
    } catch (error) {
      await handle.close().catch(() => undefined);
      rmSync(path, { force: true });
      throw error;
    }
  }

  /** Moves a checked temporary file to the blob of its SHA-256 (atomic; same bytes if one is there). */
  link(temporary: string, sha256: string): void {
    const shard = join(this.blobs, sha256.slice(0, 2));
    if (!this.shards.has(shard)) {
      mkdirSync(shard, { recursive: true, mode: 0o700 });
      this.shards.add(shard);
    }
    try {
      renameSync(temporary, this.blobPath(sha256));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      // The folder removed under the running endpoint (a person tidying up) is made again; a missing temporary file still throws.
      mkdirSync(shard, { recursive: true, mode: 0o700 });
      renameSync(temporary, this.blobPath(sha256));
    }
  }

  /**
   * Removes the blob of `sha256`. Callers decide from the index in the same tick (index
   * changes and file moves are synchronous), so no upload can link the same bytes meanwhile.
   */
  removeBlob(sha256: string): void {
    rmSync(this.blobPath(sha256), { force: true });
  }

  /** Removes a file, if it is there. */
  remove(path: string): void {
    try {
      unlinkSync(path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }

  /**
   * Opens the blob of `sha256` for reading. Called in the same tick as the index read that
   * found it: a concurrent overwrite may remove the name, but not the open file.
   */
  openBlob(sha256: string): number {
    return openSync(this.blobPath(sha256), 'r');
  }
}
