import { Logger } from '@aws-lambda-powertools/logger';
import { z } from 'zod';
import { loadConfig, SERVICE_CONFIG } from '../common/config.ts';
import { DynamoDeterminationStore } from '../adapters/dynamodb/determination-store.ts';
import { S3ObjectStore } from '../adapters/s3/object-store.ts';
import { publisherOf } from '../aws/ingest-dependencies.ts';
import { createQueryHandler } from '../query/query-handler.ts';

const config = loadConfig({ ...SERVICE_CONFIG, INBOX_BUCKET: z.string().min(1) });
const logger = new Logger({ serviceName: 'imr-review' });
const store = new DynamoDeterminationStore(config.TABLE_NAME, null);

/**
 * A person's changes: corrections (`PATCH /determinations/{id}`), the one function that may
 * write them apart from the read-only query function, and the signed form a reviewer's browser
 * posts a file into the inbox with (`POST /uploads`). The person is the caller the API's
 * authoriser vouched for (JWT email or subject, or the IAM principal).
 */
export const handler = createQueryHandler(store, logger, {
  review: {
    deps: {
      store,
      events: publisherOf(config),
      now: () => new Date(),
      // A corrected request is found by its new words at once: the letter's entry is built after the correction, from its text.
      search: { objects: new S3ObjectStore(config.TEXT_BUCKET), search: store.searchIndex() },
    },
    localReviewer: 'unidentified caller',
  },
  uploadForms: { forms: new S3ObjectStore(config.TEXT_BUCKET), inbox: config.INBOX_BUCKET },
});
