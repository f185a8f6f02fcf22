import type { S3Event } from 'aws-lambda';

/** A bucket and key an S3 notification announced, the key decoded. */
export interface S3ObjectRef {
  readonly bucket: string;
  readonly key: string;
  /** The object's ETag: with bucket and key, what makes a notification a repeat. */
  readonly eTag?: string;
}

/**
 * The objects an SQS message body from S3 announces. Keys arrive URL-encoded with spaces as
 * `+`; `s3:TestEvent` messages announce nothing.
 */
export function objectsInNotification(body: string): S3ObjectRef[] {
  const event = JSON.parse(body) as Partial<S3Event> & { Event?: string };
  if (event.Event === 's3:TestEvent' || !Array.isArray(event.Records)) return [];
  return event.Records.filter((record) => record.eventName?.startsWith('ObjectCreated')).map((record) => ({
    bucket: record.s3.bucket.name,
    key: decodeURIComponent(record.s3.object.key.replace(/\+/g, ' ')),
    eTag: record.s3.object.eTag,
  }));
}
