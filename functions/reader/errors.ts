import { CodedError } from '../common/coded-error.ts';

/**
 * Codes a user can act on when a document cannot be read. Each is recorded as a FAILED
 * document's reason and has words in the console (`functions/console/app/words.ts`; a test
 * fails for a code without them).
 */
export const INPUT_ERROR_CODES = [
  'NOT_FOUND',
  'NOT_A_FILE',
  'EMPTY',
  'TOO_LARGE',
  'BINARY',
  'CORRUPT',
  'ENCRYPTED',
  'TOO_MANY_PAGES',
  'IMAGE_TOO_SMALL',
  'PAGE_TOO_LARGE',
  'OCR_BUDGET',
  /** Reading would take more memory or work than a letter may use: an inflation bomb, a structure nested or repeated past a budget, the PDF engine exhausted. */
  'RESOURCE_LIMIT',
  'OCR_FAILED',
  'TEXTRACT_FAILED',
  'TEXTRACT_IN_PROGRESS',
] as const;
/** One of {@link INPUT_ERROR_CODES}. */
export type InputErrorCode = (typeof INPUT_ERROR_CODES)[number];

/**
 * A document that cannot be read (exit code 2, status FAILED). The message names the file,
 * what is wrong and, where there is one, what to do; it never quotes the document's content.
 */
export class InputError extends CodedError<InputErrorCode> {
  override readonly name = 'InputError';
  /** The document itself is at fault: reading it again gives the same answer (the service's `isPermanent`). */
  readonly permanent = true;
}
