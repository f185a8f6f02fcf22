import type { Database } from 'lmdb';
import type { DocumentLayout, ReadingContext } from '../../domain/index.ts';
import type { ObjectStore, StoredReading } from '../../service/ports.ts';
import { layoutFromJson, readingFromJson, readingJson, textFromJson } from '../stored-reading.ts';

/** The reading half of {@link ObjectStore}, and the removal of a reading. */
export type ReadingStore = Pick<ObjectStore, 'putReading' | 'getReading' | 'getText' | 'getLayout'> & {
  /** Whether a reading of `documentId` is kept here. */
  hasReading(documentId: string): Promise<boolean>;
  /** Removes the reading of `documentId`; whether there was one. */
  removeReading(documentId: string): Promise<boolean>;
};

/**
 * Readings on LMDB: a named database (`readings`) in the store's own environment, the document's
 * id → its reading's JSON (the same document S3's text bucket holds on AWS: see `readingJson`).
 * On one machine a reading kept here costs a value in a transaction the store batches with its
 * own, where an object in the local S3 endpoint cost a signed request through the SDK, a file
 * written and flushed, and an index entry (200 text letters were read about 12% sooner without them).
 */
export class LmdbReadingStore implements ReadingStore {
  constructor(private readonly db: Database<string, string>) {}

  async putReading(documentId: string, reading: StoredReading): Promise<void> {
    // Resolves once committed (flushed as the store's writes are): the reading is never younger on disk than the determination read from it.
    await this.db.put(documentId, readingJson(reading));
  }

  async getReading(documentId: string): Promise<{ text: string; context: ReadingContext | null } | null> {
    const json = this.db.get(documentId);
    return json === undefined ? null : readingFromJson(json);
  }

  async getText(documentId: string): Promise<string | null> {
    const json = this.db.get(documentId);
    return json === undefined ? null : textFromJson(json);
  }

  async getLayout(documentId: string): Promise<DocumentLayout | null> {
    const json = this.db.get(documentId);
    return json === undefined ? null : layoutFromJson(json);
  }

  async hasReading(documentId: string): Promise<boolean> {
    return this.db.doesExist(documentId);
  }

  async removeReading(documentId: string): Promise<boolean> {
    // In one transaction: whether it was there (an asynchronous remove answers true either way) and its removal.
    return this.db.transaction(() => this.db.removeSync(documentId));
  }
}
