/** Told after an object is committed (its index entry written): the local stand-in for S3's event notification. */
export interface ObjectCreatedEvent {
  readonly bucket: string;
  /** The key as stored (any characters; not URL-encoded as in S3's notification JSON). */
  readonly key: string;
  readonly size: number;
  /** Unquoted ETag. */
  readonly etag: string;
  /** SHA-256 (hex) of the object's bytes. */
  readonly sha256: string;
  readonly eventName: 'ObjectCreated:Put' | 'ObjectCreated:CompleteMultipartUpload';
}
