import middy from '@middy/core';
import type { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2, Context } from 'aws-lambda';
import { httpAnswer, jsonErrors } from './http-errors.ts';
import type { DeterminationStore } from '../service/ports.ts';
import { JsonPieces, route, type ApiRequest, type ApiResponse, type RouteOptions } from './routes.ts';

/** Who is making a request: the JWT's email or subject, or the IAM principal; `fallback` (the local OS user) otherwise. */
function principal(event: APIGatewayProxyEventV2, fallback: string): string {
  const authorizer = (event.requestContext as { authorizer?: { jwt?: { claims?: Record<string, unknown> }; iam?: { userArn?: string } } }).authorizer;
  const claims = authorizer?.jwt?.claims;
  return String(claims?.email ?? claims?.sub ?? authorizer?.iam?.userArn ?? fallback);
}

/** An answer as it goes on the wire: status, headers (JSON by default, never cached) and the body. */
export interface WireAnswer {
  readonly statusCode: number;
  readonly headers: Record<string, string>;
  readonly body: string | Buffer | JsonPieces;
}

/** A route's response as it goes on the wire: the same for API Gateway and the local server. */
export function wireAnswer(response: ApiResponse): WireAnswer {
  // Answers hold medical records: no cache along the way may keep them.
  const headers = { 'cache-control': 'no-store', 'x-content-type-options': 'nosniff', ...response.headers };
  if (response.body instanceof JsonPieces)
    return { statusCode: response.statusCode, headers: { ...headers, 'content-type': 'application/json' }, body: response.body };
  if (Buffer.isBuffer(response.body))
    return {
      statusCode: response.statusCode,
      headers: { ...headers, 'content-type': response.contentType ?? 'application/octet-stream' },
      body: response.body,
    };
  if (response.contentType)
    return { statusCode: response.statusCode, headers: { ...headers, 'content-type': response.contentType }, body: response.body as string };
  return { statusCode: response.statusCode, headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify(response.body) };
}

/**
 * Answers one request through the route table, errors mapped by `httpAnswer` (the one mapping):
 * what the local server mounts directly. `onUnexpected` hears of every 5xx.
 */
export async function answerRequest(
  store: DeterminationStore,
  request: ApiRequest,
  options: RouteOptions,
  onUnexpected: (error: unknown) => void,
): Promise<WireAnswer> {
  try {
    return wireAnswer(await route(store, request, options));
  } catch (error) {
    const answer = httpAnswer(error);
    if (answer.statusCode >= 500) onUnexpected(error);
    return {
      statusCode: answer.statusCode,
      headers: { ...answer.headers, 'content-type': 'application/json', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' },
      body: answer.body,
    };
  }
}

/**
 * The query handler for a store on AWS: API Gateway HTTP API (payload 2.0) event in, its answer
 * out, errors mapped by the `jsonErrors` middleware. The local server answers the same routes
 * through {@link answerRequest}.
 */
export function createQueryHandler(
  store: DeterminationStore,
  logger: Logger,
  options: Omit<RouteOptions, 'review'> & { review?: { deps: NonNullable<RouteOptions['review']>['deps']; localReviewer: string } } = {},
): (event: APIGatewayProxyEventV2, context: Context) => Promise<APIGatewayProxyResultV2> {
  async function lambdaHandler(event: APIGatewayProxyEventV2): Promise<APIGatewayProxyResultV2> {
    const headers = Object.fromEntries(Object.entries(event.headers ?? {}).map(([name, value]) => [name.toLowerCase(), value]));
    const body = event.body && event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
    const review = options.review ? { deps: options.review.deps, by: principal(event, options.review.localReviewer) } : undefined;
    const answer = wireAnswer(
      await route(
        store,
        { method: event.requestContext.http.method, path: event.rawPath, query: event.queryStringParameters ?? {}, headers, body },
        { ...options, review },
      ),
    );
    // JSON written as bytes (a list) goes as text; other bytes (an original, a page image) travel
    // base64-encoded, as API Gateway expects binary bodies.
    if (answer.body instanceof JsonPieces) return { statusCode: answer.statusCode, headers: answer.headers, body: answer.body.toString() };
    if (Buffer.isBuffer(answer.body))
      return { statusCode: answer.statusCode, headers: answer.headers, body: answer.body.toString('base64'), isBase64Encoded: true };
    return { statusCode: answer.statusCode, headers: answer.headers, body: answer.body };
  }
  return middy(lambdaHandler)
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(jsonErrors((error) => logger.error('request failed', { errorName: (error as Error).name }))) as never;
}
