import { CodedError } from '../common/coded-error.ts';

/** An API error with its HTTP status; the message names the parameter, never letter text. */
export class ApiError extends CodedError<'BAD_REQUEST' | 'NOT_FOUND' | 'METHOD_NOT_ALLOWED' | 'AMBIGUOUS_ID' | 'NOT_FAILED' | 'NO_SOURCE' | 'EMPTY'> {
  override readonly name = 'ApiError';
  constructor(
    readonly statusCode: 400 | 404 | 405 | 409,
    code: 'BAD_REQUEST' | 'NOT_FOUND' | 'METHOD_NOT_ALLOWED' | 'AMBIGUOUS_ID' | 'NOT_FAILED' | 'NO_SOURCE' | 'EMPTY',
    message: string,
  ) {
    super(code, message);
  }
}
