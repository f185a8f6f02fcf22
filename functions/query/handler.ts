import middy from '@middy/core';
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2 } from 'aws-lambda';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { z } from 'zod';
import { loadConfig, SERVICE_CONFIG } from '../shared/config.ts';
import { jsonErrors } from '../shared/http-errors.ts';
import { DynamoDeterminationStore } from '../adapters/dynamodb/determination-store.ts';
import { CursorCodec } from '../service/cursor.ts';
import type { DeterminationStore } from '../service/ports.ts';
import { route } from './routes.ts';

const config = loadConfig({ ...SERVICE_CONFIG, CURSOR_SECRET_ARN: z.string().min(1) });
const logger = new Logger({ serviceName: 'imr-query' });
const cursorSecret = await new SecretsManagerClient({}).send(new GetSecretValueCommand({ SecretId: config.CURSOR_SECRET_ARN }));

/** The store, built once per container. */
export const store: DeterminationStore = new DynamoDeterminationStore(config.TABLE_NAME, new CursorCodec(cursorSecret.SecretString ?? ''));

/** API Gateway HTTP API (payload 2.0) request in, JSON response out. */
export async function lambdaHandler(event: APIGatewayProxyEventV2): Promise<APIGatewayProxyResultV2> {
  const response = await route(store, { method: event.requestContext.http.method, path: event.rawPath, query: event.queryStringParameters ?? {} });
  return { statusCode: response.statusCode, headers: { 'content-type': 'application/json' }, body: JSON.stringify(response.body) };
}

/** The deployed handler. */
export const handler = middy(lambdaHandler)
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(jsonErrors((error) => logger.error('request failed', { errorName: (error as Error).name })));
