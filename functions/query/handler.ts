import { Logger } from '@aws-lambda-powertools/logger';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { z } from 'zod';
import { loadConfig, SERVICE_CONFIG } from '../shared/config.ts';
import { DynamoDeterminationStore } from '../adapters/dynamodb/determination-store.ts';
import { CursorCodec } from '../service/cursor.ts';
import type { DeterminationStore } from '../service/ports.ts';
import { createQueryHandler } from './query-handler.ts';

const config = loadConfig({ ...SERVICE_CONFIG, CURSOR_SECRET_ARN: z.string().min(1) });
const logger = new Logger({ serviceName: 'imr-query' });
const cursorSecret = await new SecretsManagerClient({}).send(new GetSecretValueCommand({ SecretId: config.CURSOR_SECRET_ARN }));

/** The store, built once per container. */
export const store: DeterminationStore = new DynamoDeterminationStore(config.TABLE_NAME, new CursorCodec(cursorSecret.SecretString ?? ''));

/** The deployed handler. */
export const handler = createQueryHandler(store, logger);
