import { S3Schema } from '@aws-lambda-powertools/parser/schemas/s3';

/** A bucket and key an S3 notification announced, the key decoded. */
export interface S3ObjectRef {
  readonly bucket: string;
  readonly key: string;
  /** The object's ETag: with bucket and key, what makes a notification a repeat. */
  readonly eTag?: string;
}

/**
 * The objects an SQS message body from S3 announces, parsed with Powertools Parser's S3 event
 * schema (a body that is not one throws, so the message is retried and dead-lettered, never
 * dropped). Keys arrive URL-encoded with spaces as `+`; `s3:TestEvent` messages announce nothing.
 */
export function objectsInNotification(body: string): S3ObjectRef[] {
  const json = JSON.parse(body) as { Event?: unknown };
  if (json.Event === 's3:TestEvent') return [];
  return S3Schema.parse(json)
    .Records.filter((record) => record.eventName.startsWith('ObjectCreated'))
    .map((record) => ({
      bucket: record.s3.bucket.name,
      key: decodeURIComponent(record.s3.object.key.replace(/\+/g, ' ')),
      eTag: record.s3.object.eTag,
    }));
}
