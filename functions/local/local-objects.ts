import type { S3Client } from '@aws-sdk/client-s3';
import { S3ObjectStore } from '../adapters/s3/object-store.ts';
import type { ReadingStore } from '../adapters/lmdb/reading-store.ts';
import type { DocumentLayout, ReadingContext } from '../domain/index.ts';
import type { StoredReading } from '../service/ports.ts';

/**
 * The one-machine service's objects: uploads, originals and page images in the local S3
 * endpoint's buckets, as on AWS; readings in the embedded store beside the determinations read
 * from them. On AWS a reading is an object in the text bucket (DynamoDB's items are too small for
 * a long scan's); here the store has no such limit, and keeping it there saves a signed S3 request,
 * a file flushed to disk and an index entry for every letter. A reading written by an earlier
 * version (in the text bucket) is still read, and removed with its document.
 */
export class LocalObjectStore extends S3ObjectStore {
  constructor(
    textBucket: string,
    client: S3Client,
    private readonly readings: ReadingStore,
  ) {
    super(textBucket, client);
  }

  override putReading(documentId: string, reading: StoredReading): Promise<void> {
    return this.readings.putReading(documentId, reading);
  }

  // The store's reading first: one there was written later than any in the bucket (a document read again after an upgrade).
  override async getReading(documentId: string): Promise<{ text: string; context: ReadingContext | null } | null> {
    return (await this.readings.getReading(documentId)) ?? super.getReading(documentId);
  }

  override async getText(documentId: string): Promise<string | null> {
    return (await this.readings.getText(documentId)) ?? super.getText(documentId);
  }

  override async getLayout(documentId: string): Promise<DocumentLayout | null> {
    // A reading in the store without boxes has none: the bucket is asked only for a reading the store does not hold.
    return (await this.readings.hasReading(documentId)) ? this.readings.getLayout(documentId) : super.getLayout(documentId);
  }

  override async removeDerived(documentId: string): Promise<number> {
    // The bucket first: should it fail, the store's reading (the newest) is still the one read, never an earlier version's left in the bucket.
    const removed = await super.removeDerived(documentId);
    return removed + ((await this.readings.removeReading(documentId)) ? 1 : 0);
  }
}
