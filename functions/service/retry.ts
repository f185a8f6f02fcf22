import type { DeterminationStore } from './ports.ts';

/**
 * Failure codes that say nothing final about the document: the service failed it (a reading
 * thread that crashed or ran out of time or memory, retries that ran out, a full disk, an OCR
 * job whose notice was lost or that never finished). A
 * re-upload of such a document is read again; every other failure (corrupt, encrypted, empty)
 * would fail the same way, and a re-upload answers DUPLICATE. A person may retry any failure.
 */
export const RETRYABLE_FAILURES = [
  'PROCESSING_FAILED',
  'READER_CRASHED',
  'MEMORY_LIMIT',
  'TIME_LIMIT',
  'DISK_FULL',
  'READING_PROCESS_FAILED',
  'OCR_LOST',
  'OCR_TIMEOUT',
  'JOB_UNKNOWN',
] as const;

/** Whether a FAILED document's reason (`CODE: words`) names a failure of the service rather than of the document. */
export function isRetryableFailure(reason: string | null): boolean {
  const code = reason?.split(':', 1)[0] ?? '';
  return (RETRYABLE_FAILURES as readonly string[]).includes(code);
}

/** Why a retry was refused. */
export class RetryRefusedError extends Error {
  override readonly name = 'RetryRefusedError';
  constructor(
    readonly code: 'NOT_FOUND' | 'NOT_FAILED' | 'NO_SOURCE',
    message: string,
  ) {
    super(message);
  }
}

/**
 * Opens a FAILED document for another reading (`POST /documents/{id}/retry`, the console's
 * Retry): its status goes back to RECEIVED and the caller queues the returned source key, from
 * which the document is read as if it had just arrived.
 */
export async function reopenForRetry(
  store: DeterminationStore,
  id: string,
  at: string,
  stored: (sourceKey: string) => Promise<boolean> = async () => true,
): Promise<{ sourceKey: string }> {
  const document = await store.getDocument(id);
  if (!document) throw new RetryRefusedError('NOT_FOUND', 'no document with this id');
  // The first key whose object is still stored: a retry from a deleted original would leave the document waiting for ever.
  let sourceKey: string | undefined;
  for (const key of document.sourceKeys) {
    if (await stored(key)) {
      sourceKey = key;
      break;
    }
  }
  if (!sourceKey) throw new RetryRefusedError('NO_SOURCE', 'this document has no stored original to read again; upload it again');
  if (document.status !== 'FAILED' || !(await store.reopenFailed(id, at)))
    throw new RetryRefusedError('NOT_FAILED', `only a FAILED document can be retried; this one is ${document.status}`);
  return { sourceKey };
}
