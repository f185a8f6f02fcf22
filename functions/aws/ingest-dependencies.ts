import { randomBytes } from 'node:crypto';
import type { IngestDependencies } from '../service/ingest.ts';
import type { DynamoSearchIndex } from '../adapters/dynamodb/search-index.ts';
import { CursorCodec } from '../common/cursor.ts';
import { DynamoDeterminationStore } from '../adapters/dynamodb/determination-store.ts';
import { S3ObjectStore } from '../adapters/s3/object-store.ts';
import { EventBridgePublisher } from '../adapters/eventbridge/event-publisher.ts';
import { TextractOcr } from '../adapters/textract/textract-ocr.ts';
import { DocumentReader } from '../reader/read-document.ts';
import { PublicLinksPublisher } from '../service/events.ts';
import type { EventPublisher } from '../service/ports.ts';

/** Where the reading functions keep what they read (validated configuration of each Lambda). */
export interface IngestStorage {
  readonly TABLE_NAME: string;
  readonly TEXT_BUCKET: string;
  readonly EVENT_BUS_NAME: string;
  /** The API's public address: events link to it when set. */
  readonly PUBLIC_BASE_URL?: string | undefined;
}

const noLocalOcr = () => {
  throw new Error('local OCR is not used on Lambda: scans go to Textract');
};

/**
 * The adapters of the three functions that read letters on AWS (ingest, Textract completion,
 * the sweep of lost notices), in one place: DynamoDB, the text bucket, EventBridge and
 * Textract; no local OCR (scans go to Textract). Built once per container, at module scope.
 * `notificationChannel` is for the function that starts Textract jobs (ingest).
 */
export function ingestDependencies(
  storage: IngestStorage,
  notificationChannel?: { readonly snsTopicArn: string; readonly roleArn: string },
): IngestDependencies & { readonly search: DynamoSearchIndex } {
  // The sweep pages through pending documents; its cursors never leave the function, so a
  // secret of the container's own signs them (the store refuses to list without a codec).
  const store = new DynamoDeterminationStore(storage.TABLE_NAME, new CursorCodec(randomBytes(32).toString('base64url')));
  return {
    store,
    // Each letter's words are indexed as soon as it is saved, from the text just read.
    search: store.searchIndex(),
    objects: new S3ObjectStore(storage.TEXT_BUCKET),
    events: publisherOf(storage),
    reader: new DocumentReader(noLocalOcr),
    textract: new TextractOcr(notificationChannel ? { notificationChannel } : {}),
    now: () => new Date(),
  };
}

/** EventBridge, its events linking under the API's public address when one is configured. */
export function publisherOf(config: { readonly EVENT_BUS_NAME: string; readonly PUBLIC_BASE_URL?: string | undefined }): EventPublisher {
  const bus = new EventBridgePublisher(config.EVENT_BUS_NAME);
  return config.PUBLIC_BASE_URL ? new PublicLinksPublisher(bus, config.PUBLIC_BASE_URL) : bus;
}
