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
  /** Processes one record; `finalAttempt` when this is its last delivery before the dead-letter queue. */
  readonly processRecord: (record: SQSRecord, delivery: { readonly finalAttempt: boolean }) => Promise<void>;
  /**
   * The queue's redrive `maxReceiveCount`: a record received this often is on its last attempt
   * (the one place that rule is computed). Without it no attempt is known to be the last.
   */
  readonly maxReceiveCount?: number;
  /** Runs before each batch with its context (Powertools idempotency registers it). */
  readonly beforeBatch?: (context: Context) => void;
}) {
  const processor = new BatchProcessor(EventType.SQS);
  const lambdaHandler = async (event: SQSEvent, context: Context) => {
    options.beforeBatch?.(context);
    const { maxReceiveCount } = options;
    const processRecord = (record: SQSRecord) =>
      options.processRecord(record, { finalAttempt: maxReceiveCount !== undefined && Number(record.attributes.ApproximateReceiveCount) >= maxReceiveCount });
    return processPartialResponse(event, processRecord, processor, { context });
  };
  const withLogger = middy(lambdaHandler).use(injectLambdaContext(options.logger, { resetKeys: true }));
  return { lambdaHandler, handler: options.metrics ? withLogger.use(logMetrics(options.metrics)) : withLogger };
}
