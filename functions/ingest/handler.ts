import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { SQSRecord } from 'aws-lambda';
import { sqsBatchHandler } from '../common/sqs-batch.ts';
import { z } from 'zod';
import { loadConfig, SERVICE_CONFIG } from '../common/config.ts';
import { objectsInNotification, type S3ObjectRef } from '../common/s3-notifications.ts';
import { IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { ingestObject } from '../service/ingest.ts';
import { ingestDependencies } from '../aws/ingest-dependencies.ts';

const config = loadConfig({
  ...SERVICE_CONFIG,
  TEXTRACT_SNS_TOPIC_ARN: z.string().min(1),
  TEXTRACT_ROLE_ARN: z.string().min(1),
  MAX_RECEIVE_COUNT: z.coerce.number().int().positive(),
});
const logger = new Logger({ serviceName: 'imr-ingest' });
const metrics = new Metrics({ namespace: 'ImrLetters', serviceName: 'ingest' });
/** The adapters, built once per container; ingest starts the Textract jobs, so it names their notification channel. */
export const dependencies = ingestDependencies(config, { snsTopicArn: config.TEXTRACT_SNS_TOPIC_ARN, roleArn: config.TEXTRACT_ROLE_ARN });

/**
 * A repeated S3 notification of the same object version (same bucket, key and ETag) within a
 * day returns the first result without reading the object again (Powertools idempotency,
 * records kept in the service table). Different keys with the same bytes are still one
 * document: the store recognises them by hash.
 */
const idempotency = new IdempotencyConfig({ eventKeyJmesPath: '[bucket, key, eTag]', expiresAfterSeconds: 24 * 3600 });
const ingestOnce = makeIdempotent((object: S3ObjectRef, finalAttempt: boolean) => ingestObject(dependencies, object.bucket, object.key, { finalAttempt }), {
  persistenceStore: new DynamoDBPersistenceLayer({
    tableName: config.TABLE_NAME,
    keyAttr: 'pk',
    sortKeyAttr: 'sk',
    staticPkValue: 'IDEMPOTENCY#ingest',
    expiryAttr: 'expiresAt',
  }),
  config: idempotency,
  dataIndexArgument: 0,
});

async function processRecord(record: SQSRecord, { finalAttempt }: { finalAttempt: boolean }): Promise<void> {
  for (const object of objectsInNotification(record.body)) {
    const { id, outcome } = await ingestOnce(object, finalAttempt);
    // The document id only: keys and text may name a patient.
    logger.info('document processed', { documentId: id, outcome });
    metrics.addMetric(`documents_${outcome.toLowerCase()}`, MetricUnit.Count, 1);
  }
}

/** SQS batch of S3 notifications: `handler` is deployed, `lambdaHandler` is the same without middlewares. */
export const { lambdaHandler, handler } = sqsBatchHandler({
  logger,
  metrics,
  processRecord,
  maxReceiveCount: config.MAX_RECEIVE_COUNT,
  beforeBatch: (context) => idempotency.registerLambdaContext(context),
});
