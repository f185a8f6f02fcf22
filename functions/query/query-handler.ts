import middy from '@middy/core';
import type { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2, Context } from 'aws-lambda';
import { jsonErrors } from './http-errors.ts';
import type { DeterminationStore } from '../service/ports.ts';
import { route, type RouteOptions } from './routes.ts';

/**
 * The query handler for a store: API Gateway HTTP API (payload 2.0) event in, JSON out,
 * errors mapped by the `jsonErrors` middleware. The same handler serves AWS and the local
 * API (which adapts its HTTP requests into these events).
 */
/** Who is making a request: the JWT's email or subject, or the IAM principal; `fallback` (the local OS user) otherwise. */
function principal(event: APIGatewayProxyEventV2, fallback: string): string {
  const authorizer = (event.requestContext as { authorizer?: { jwt?: { claims?: Record<string, unknown> }; iam?: { userArn?: string } } }).authorizer;
  const claims = authorizer?.jwt?.claims;
  return String(claims?.email ?? claims?.sub ?? authorizer?.iam?.userArn ?? fallback);
}

export function createQueryHandler(
  store: DeterminationStore,
  logger: Logger,
  options: Omit<RouteOptions, 'review'> & { review?: { deps: NonNullable<RouteOptions['review']>['deps']; localReviewer: string } } = {},
): (event: APIGatewayProxyEventV2, context: Context) => Promise<APIGatewayProxyResultV2> {
  async function lambdaHandler(event: APIGatewayProxyEventV2): Promise<APIGatewayProxyResultV2> {
    const headers = Object.fromEntries(Object.entries(event.headers ?? {}).map(([name, value]) => [name.toLowerCase(), value]));
    const body = event.body && event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
    const review = options.review ? { deps: options.review.deps, by: principal(event, options.review.localReviewer) } : undefined;
    const response = await route(
      store,
      { method: event.requestContext.http.method, path: event.rawPath, query: event.queryStringParameters ?? {}, headers, body },
      { ...options, review },
    );
    // Answers hold medical records: no cache along the way may keep them.
    const answerHeaders = { 'cache-control': 'no-store', 'x-content-type-options': 'nosniff', ...response.headers };
    // Bytes (an original, a page image) travel base64-encoded, as API Gateway expects binary bodies.
    if (Buffer.isBuffer(response.body))
      return {
        statusCode: response.statusCode,
        headers: { ...answerHeaders, 'content-type': response.contentType ?? 'application/octet-stream' },
        body: response.body.toString('base64'),
        isBase64Encoded: true,
      };
    if (response.contentType)
      return { statusCode: response.statusCode, headers: { ...answerHeaders, 'content-type': response.contentType }, body: response.body as string };
    return { statusCode: response.statusCode, headers: { ...answerHeaders, 'content-type': 'application/json' }, body: JSON.stringify(response.body) };
  }
  return middy(lambdaHandler)
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(jsonErrors((error) => logger.error('request failed', { errorName: (error as Error).name }))) as never;
}
