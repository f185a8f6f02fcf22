import { Logger } from '@aws-lambda-powertools/logger';
import { loadConfig, SERVICE_CONFIG } from '../common/config.ts';
import { DynamoDeterminationStore } from '../adapters/dynamodb/determination-store.ts';
import { publisherOf } from '../aws/ingest-dependencies.ts';
import { createQueryHandler } from '../query/query-handler.ts';

const config = loadConfig(SERVICE_CONFIG);
const logger = new Logger({ serviceName: 'imr-review' });
const store = new DynamoDeterminationStore(config.TABLE_NAME, null);

/**
 * Corrections (`PATCH /determinations/{id}`): the one function that may write a person's
 * corrections, apart from the read-only query function. The person is the caller the API's
 * authoriser vouched for (JWT email or subject, or the IAM principal).
 */
export const handler = createQueryHandler(store, logger, {
  review: { deps: { store, events: publisherOf(config), now: () => new Date() }, localReviewer: 'unidentified caller' },
});
