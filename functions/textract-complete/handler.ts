import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { SQSRecord } from 'aws-lambda';
import { sqsBatchHandler } from '../common/sqs-batch.ts';
import { z } from 'zod';
import { SnsSqsNotificationSchema } from '@aws-lambda-powertools/parser/schemas/sns';
import { JSONStringified } from '@aws-lambda-powertools/parser/helpers';
import { loadConfig, SERVICE_CONFIG } from '../common/config.ts';
import { completeTextractJob } from '../service/ingest.ts';
import { ingestDependencies } from '../aws/ingest-dependencies.ts';

const config = loadConfig({ ...SERVICE_CONFIG, MAX_RECEIVE_COUNT: z.coerce.number().int().positive() });
const logger = new Logger({ serviceName: 'imr-textract-complete' });
const metrics = new Metrics({ namespace: 'ImrLetters', serviceName: 'textract-complete' });

/** The adapters, built once per container. */
export const dependencies = ingestDependencies(config);

/** Textract's completion notice, as SNS delivers it to SQS (raw message delivery off): Powertools Parser's SNS schema around Textract's message. */
const CompletionNotice = SnsSqsNotificationSchema.extend({
  Message: JSONStringified(z.object({ JobId: z.string(), Status: z.string(), JobTag: z.string().regex(/^[0-9a-f]{64}$/) })),
});

async function processRecord(record: SQSRecord, { finalAttempt }: { finalAttempt: boolean }): Promise<void> {
  const notice = CompletionNotice.parse(JSON.parse(record.body)).Message;
  const documentId = notice.JobTag;
  const outcome = await completeTextractJob(dependencies, { jobId: notice.JobId, status: notice.Status, documentId }, { finalAttempt });
  logger.info('textract job read', { documentId, outcome });
  metrics.addMetric(`documents_${outcome.toLowerCase()}`, MetricUnit.Count, 1);
}

/** SQS batch of Textract completion notices: `handler` is deployed, `lambdaHandler` is the same without middlewares. */
export const { lambdaHandler, handler } = sqsBatchHandler({ logger, metrics, processRecord, maxReceiveCount: config.MAX_RECEIVE_COUNT });
