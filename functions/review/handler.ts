import { Logger } from '@aws-lambda-powertools/logger';
import { loadConfig, SERVICE_CONFIG } from '../common/config.ts';
import { DynamoDeterminationStore } from '../adapters/dynamodb/determination-store.ts';
import { EventBridgePublisher } from '../adapters/eventbridge/event-publisher.ts';
import { createQueryHandler } from '../query/query-handler.ts';
import { S3ObjectStore } from '../adapters/s3/object-store.ts';

const config = loadConfig(SERVICE_CONFIG);
const logger = new Logger({ serviceName: 'imr-review' });
const store = new DynamoDeterminationStore(config.TABLE_NAME, null);

/**
 * Corrections (`PATCH /determinations/{id}`): the one function that may write a person's
 * corrections, apart from the read-only query function. The person is the caller the API's
 * authoriser vouched for (JWT email or subject, or the IAM principal).
 */
export const handler = createQueryHandler(store, logger, {
  review: {
    deps: {
      store,
      events: new EventBridgePublisher(config.EVENT_BUS_NAME),
      now: () => new Date(),
      // A corrected request is found by its new words at once: the letter's entry is built after the correction, from its text.
      search: { objects: new S3ObjectStore(config.TEXT_BUCKET), search: store.searchIndex() },
    },
    localReviewer: 'unidentified caller',
  },
});
