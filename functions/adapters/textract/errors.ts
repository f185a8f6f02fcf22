import { CodedError } from '../../common/coded-error.ts';

/** Codes for what can go wrong reading a document through Textract (the permanent ones end a document FAILED with the code). */
export const TEXTRACT_ERROR_CODES = [
  'JOB_FAILED',
  'JOB_IN_PROGRESS',
  'JOB_TIMEOUT',
  'JOB_UNKNOWN',
  'THROTTLED',
  'UNREADABLE_RESPONSE',
  'UNSUPPORTED_DOCUMENT',
] as const;
/** One of {@link TEXTRACT_ERROR_CODES}. */
export type TextractErrorCode = (typeof TEXTRACT_ERROR_CODES)[number];

/** A Textract job or response that cannot give a letter's text. */
export class TextractError extends CodedError<TextractErrorCode> {
  override readonly name = 'TextractError';

  /**
   * A failed job, a job Textract no longer knows (its results are kept 7 days) or an
   * unsupported document: asking again cannot help (see the ScanOcr port).
   */
  get permanent(): boolean {
    return this.code === 'JOB_FAILED' || this.code === 'JOB_UNKNOWN' || this.code === 'UNSUPPORTED_DOCUMENT';
  }
}
