import { completeTextractJob, fail, type IngestDependencies } from './ingest.ts';

/**
 * How long a document may wait for its OCR notice before the sweep asks the OCR service itself.
 * Textract finishes a letter's job in minutes; the notice comes through SNS and SQS within
 * seconds of it.
 */
export const OCR_NOTICE_GRACE_MS = 30 * 60_000;

/**
 * How long a job may run before it is given up and its document FAILED. Textract keeps a job's
 * results for 7 days; a letter's job that has not finished in a day will not.
 */
export const OCR_GIVE_UP_MS = 24 * 60 * 60_000;

/** What one sweep found among the documents waiting for OCR. */
export interface SweepReport {
  /** Documents OCR_PENDING. */
  readonly examined: number;
  /** Read from their finished job, their notice having been lost. */
  readonly recovered: number;
  /** Ended FAILED, each with its reason (the job failed, is gone, or never finished). */
  readonly failed: number;
  /** Jobs still running, within the bound. */
  readonly waiting: number;
  /** Documents the sweep could not settle this time (the OCR service throttled, the store failed): the next sweep tries again. */
  readonly errors: number;
}

/**
 * Finds documents waiting for an OCR notice past {@link OCR_NOTICE_GRACE_MS} and settles each:
 * asks the OCR service for its job's results (read and classified as if the notice had come),
 * or ends it FAILED with the reason when the job failed, is no longer known, or has run past
 * {@link OCR_GIVE_UP_MS}. A lost notice otherwise leaves a letter OCR_PENDING for ever, with no
 * error and no alarm, and a re-upload answering DUPLICATE. Runs on a schedule.
 */
export async function sweepPendingOcr(deps: IngestDependencies, bounds: { graceMs?: number; giveUpMs?: number } = {}): Promise<SweepReport> {
  const graceMs = bounds.graceMs ?? OCR_NOTICE_GRACE_MS;
  const giveUpMs = bounds.giveUpMs ?? OCR_GIVE_UP_MS;
  const now = deps.now().getTime();
  let examined = 0;
  let recovered = 0;
  let failed = 0;
  let waiting = 0;
  let errors = 0;
  let cursor: string | undefined;
  do {
    const page = await deps.store.listDocuments({ status: 'OCR_PENDING', limit: 100, cursor });
    for (const document of page.data) {
      if (document.status !== 'OCR_PENDING') continue;
      examined++;
      const age = now - Date.parse(document.updatedAt);
      if (age < graceMs) {
        waiting++;
        continue;
      }
      try {
        if (!document.ocrJobId) {
          await fail(deps, document.id, 'OCR_LOST: the document waited for OCR with no job recorded; upload it again');
          failed++;
          continue;
        }
        const outcome = await completeTextractJob(deps, { jobId: document.ocrJobId, status: 'SUCCEEDED', documentId: document.id });
        if (outcome === 'FAILED') failed++;
        else recovered++;
      } catch (error) {
        if ((error as { code?: unknown }).code === 'JOB_IN_PROGRESS') {
          if (age < giveUpMs) {
            waiting++;
            continue;
          }
          await fail(
            deps,
            document.id,
            `OCR_TIMEOUT: the OCR job had not finished ${Math.round(giveUpMs / 3_600_000)} hours after it started; upload the document again`,
          );
          failed++;
          continue;
        }
        errors++;
      }
    }
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return { examined, recovered, failed, waiting, errors };
}
