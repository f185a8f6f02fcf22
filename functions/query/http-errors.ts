import type middy from '@middy/core';
import type { APIGatewayProxyResultV2 } from 'aws-lambda';
import { ApiError } from './errors.ts';
import { CursorError } from '../common/cursor.ts';
import { SearchQueryError } from '../domain/index.ts';
import { ReviewError, type ReviewErrorCode } from '../service/review.ts';
import { ProblemActionError } from '../service/problems.ts';

/** HTTP statuses of a refused dismissal or deletion. */
const PROBLEM_ACTION_STATUS: Record<ProblemActionError['code'], number> = { NOT_FOUND: 404, BAD_REQUEST: 400, NOT_ALLOWED: 409, MOVED: 409 };

/** HTTP statuses of refused corrections (spec section 5). */
const REVIEW_STATUS: Record<ReviewErrorCode, number> = {
  NOT_FOUND: 404,
  PRECONDITION_REQUIRED: 428,
  PRECONDITION_FAILED: 412,
  NOT_CORRECTABLE: 409,
  INVALID_CORRECTION: 400,
};

/** The error body of every API error (spec section 4). */
export function errorBody(code: string, message: string): string {
  return JSON.stringify({ error: { code, message } });
}

/** Maps an error to its HTTP answer: typed errors to 4xx with their message (and headers: a 405's `Allow`), anything else to a generic 500. */
export function httpAnswer(error: unknown): { statusCode: number; body: string; headers?: Readonly<Record<string, string>> } {
  if (error instanceof ApiError)
    return {
      statusCode: error.statusCode,
      body: errorBody(error.code, error.message),
      ...(Object.keys(error.headers).length ? { headers: error.headers } : {}),
    };
  if (error instanceof CursorError) return { statusCode: 400, body: errorBody('BAD_REQUEST', `cursor: ${error.message}`) };
  // A query refused before it is searched: too long, too many words, nothing to search for.
  if (error instanceof SearchQueryError) return { statusCode: 400, body: errorBody(error.code, error.message) };
  if (error instanceof ReviewError) return { statusCode: REVIEW_STATUS[error.code], body: errorBody(error.code, error.message) };
  if (error instanceof ProblemActionError) return { statusCode: PROBLEM_ACTION_STATUS[error.code], body: errorBody(error.code, error.message) };
  // The client went away before its answer was ready (nginx's 499): nothing failed, and no one reads this.
  if (error instanceof Error && error.name === 'AbortError')
    return { statusCode: 499, body: errorBody('CLIENT_CLOSED', 'the client closed the request before its answer was ready') };
  return { statusCode: 500, body: errorBody('INTERNAL', 'internal error') };
}

/** middy middleware: the one place errors become HTTP responses. */
export function jsonErrors(onUnexpected: (error: unknown) => void): middy.MiddlewareObj<unknown, APIGatewayProxyResultV2> {
  return {
    onError: async (request) => {
      const answer = httpAnswer(request.error);
      if (answer.statusCode >= 500) onUnexpected(request.error);
      request.response = { statusCode: answer.statusCode, body: answer.body, headers: { ...answer.headers, 'content-type': 'application/json' } };
    },
  };
}
