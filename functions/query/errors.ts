import { CodedError } from '../common/coded-error.ts';

/** The codes an API error answers with. */
export type ApiErrorCode = 'BAD_REQUEST' | 'NOT_FOUND' | 'METHOD_NOT_ALLOWED' | 'AMBIGUOUS_ID' | 'NOT_FAILED' | 'NO_SOURCE' | 'EMPTY' | 'NOT_ALLOWED';

/** An API error with its HTTP status; the message names the parameter, never letter text. */
export class ApiError extends CodedError<ApiErrorCode> {
  override readonly name = 'ApiError';
  constructor(
    readonly statusCode: 400 | 404 | 405 | 409,
    code: ApiErrorCode,
    message: string,
    /** Headers the answer carries (a 405's `Allow`). */
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(code, message);
  }
}
