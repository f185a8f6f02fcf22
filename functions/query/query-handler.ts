import middy from '@middy/core';
import type { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2, Context } from 'aws-lambda';
import { jsonErrors } from '../common/http-errors.ts';
import type { DeterminationStore, ObjectStore } from '../service/ports.ts';
import { route } from './routes.ts';

/**
 * The query handler for a store: API Gateway HTTP API (payload 2.0) event in, JSON out,
 * errors mapped by the `jsonErrors` middleware. The same handler serves AWS and the local
 * API (which adapts its HTTP requests into these events).
 */
export function createQueryHandler(store: DeterminationStore, logger: Logger, objects?: Pick<ObjectStore, 'getText'>): (event: APIGatewayProxyEventV2, context: Context) => Promise<APIGatewayProxyResultV2> {
  async function lambdaHandler(event: APIGatewayProxyEventV2): Promise<APIGatewayProxyResultV2> {
    const response = await route(store, { method: event.requestContext.http.method, path: event.rawPath, query: event.queryStringParameters ?? {} }, objects);
    if (response.contentType) return { statusCode: response.statusCode, headers: { 'content-type': response.contentType }, body: response.body as string };
    return { statusCode: response.statusCode, headers: { 'content-type': 'application/json' }, body: JSON.stringify(response.body) };
  }
  return middy(lambdaHandler)
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(jsonErrors((error) => logger.error('request failed', { errorName: (error as Error).name }))) as never;
}
