import { Logger } from '@aws-lambda-powertools/logger';
import { getSecret } from '@aws-lambda-powertools/parameters/secrets';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { z } from 'zod';
import { ConfigurationError, loadConfig, SERVICE_CONFIG } from '../common/config.ts';
import { DynamoDeterminationStore } from '../adapters/dynamodb/determination-store.ts';
import { CursorCodec } from '../common/cursor.ts';
import { S3ObjectStore } from '../adapters/s3/object-store.ts';
import { createQueryHandler } from './query-handler.ts';

const config = loadConfig({ ...SERVICE_CONFIG, CURSOR_SECRET_ARN: z.string().min(1) });
const logger = new Logger({ serviceName: 'imr-query' });

/** How long the cursor secret is trusted: a rotation reaches every container within five minutes. */
const SECRET_MAX_AGE_SECONDS = 300;
/** Fewest characters of a cursor-signing key: an empty or short one would make cursors forgeable. */
const MIN_CURSOR_SECRET_LENGTH = 32;

/** The cursor secret through Powertools Parameters (cached for five minutes, retried on the next call if a read fails). */
async function cursorSecret(): Promise<string> {
  const secret = (await getSecret<string>(config.CURSOR_SECRET_ARN, { maxAge: SECRET_MAX_AGE_SECONDS })) ?? '';
  if (secret.length < MIN_CURSOR_SECRET_LENGTH)
    throw new ConfigurationError(`CURSOR_SECRET_ARN: the secret is empty or shorter than ${MIN_CURSOR_SECRET_LENGTH} characters`);
  return secret;
}

/** The text each letter was read as (`GET /documents/{id}/text`) and presigned links to originals (`/original`). */
const texts = new S3ObjectStore(config.TEXT_BUCKET);

let current: { secret: string; handler: ReturnType<typeof createQueryHandler> } | null = null;

/** The query handler for the current secret: rebuilt only when the secret changed (a rotation). */
async function handlerFor(): Promise<ReturnType<typeof createQueryHandler>> {
  const secret = await cursorSecret();
  if (current?.secret !== secret) {
    const store = new DynamoDeterminationStore(config.TABLE_NAME, new CursorCodec(secret));
    // GET /search reads the letters' index in the same table.
    current = { secret, handler: createQueryHandler(store, logger, { objects: texts, links: texts, search: store.searchIndex() }) };
  }
  return current.handler;
}

// Checked at start: a function whose cursor secret is empty fails to start, naming the variable.
await handlerFor();

/** The deployed handler. */
export const handler = async (event: APIGatewayProxyEventV2, context: Context) => (await handlerFor())(event, context);
