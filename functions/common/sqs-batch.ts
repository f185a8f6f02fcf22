import middy from '@middy/core';
import type { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';

/**
 * The one shape of the three queue functions (ingest, Textract completion, webhooks): each SQS
 * record processed alone, failures reported back as a partial batch response (only they are
 * retried), the Lambda context in every log line, metrics flushed after the batch.
 */
export function sqsBatchHandler(options: {
  readonly logger: Logger;
  readonly metrics?: Metrics;
  readonly processRecord: (record: SQSRecord) => Promise<void>;
  /** Runs before each batch with its context (Powertools idempotency registers it). */
  readonly beforeBatch?: (context: Context) => void;
}) {
  const processor = new BatchProcessor(EventType.SQS);
  const lambdaHandler = async (event: SQSEvent, context: Context) => {
    options.beforeBatch?.(context);
    return processPartialResponse(event, options.processRecord, processor, { context });
  };
  const withLogger = middy(lambdaHandler).use(injectLambdaContext(options.logger, { resetKeys: true }));
  return { lambdaHandler, handler: options.metrics ? withLogger.use(logMetrics(options.metrics)) : withLogger };
}
