import { CodedError } from '../common/coded-error.ts';

/** Codes for what can go wrong with what the service keeps (in S3, or in the embedded store on one machine). */
export type StoredObjectErrorCode = 'READING_CORRUPT';

/**
 * A stored reading that is not what the service writes (edited by hand, cut short on a disk that
 * filled): read again from the original (`npm run reclassify` re-reads; a retry re-OCRs), never
 * taken for an empty letter.
 */
export class StoredReadingCorruptError extends CodedError<StoredObjectErrorCode> {
  override readonly name = 'StoredReadingCorruptError';

  constructor(options?: { cause?: unknown }) {
    super('READING_CORRUPT', 'The stored reading of this document is not one this service wrote; read the document again from its original.', options);
  }
}
