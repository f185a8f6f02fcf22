import { Logger } from '@aws-lambda-powertools/logger';
import { getSecret } from '@aws-lambda-powertools/parameters/secrets';
import type { EventBridgeEvent, SQSRecord } from 'aws-lambda';
import { sqsBatchHandler } from '../common/sqs-batch.ts';
import { z } from 'zod';
import { loadConfig } from '../common/config.ts';
import type { ServiceEvent } from '../service/ports.ts';
import { WebhookEndpointSchema } from '../service/webhooks/deliver.ts';
import { signingSecrets } from '../service/webhooks/secret.ts';
import { attemptDelivery, fanOut, type DeliveryMessage, type DeliveryPorts } from '../service/webhooks/dispatch.ts';
import { SqsDeliveryQueue } from '../adapters/sqs/delivery-queue.ts';
import { DynamoDeterminationStore } from '../adapters/dynamodb/determination-store.ts';

const config = loadConfig({
  WEBHOOK_ENDPOINTS: z.string().transform((value) => z.array(WebhookEndpointSchema).parse(JSON.parse(value))),
  WEBHOOK_SECRET_ARN: z.string().min(1),
  DELIVERY_QUEUE_URL: z.string().min(1),
  DELIVERY_DLQ_URL: z.string().min(1),
  TABLE_NAME: z.string().min(1),
});
const logger = new Logger({ serviceName: 'imr-webhook' });
const queue = new SqsDeliveryQueue(config.DELIVERY_QUEUE_URL, config.DELIVERY_DLQ_URL);
const store = new DynamoDeterminationStore(config.TABLE_NAME, null);
/** How long a read secret is trusted: a rotation reaches every container within five minutes. */
const SECRET_MAX_AGE_SECONDS = 300;

/**
 * The signing secrets, through Powertools Parameters: cached for {@link SECRET_MAX_AGE_SECONDS},
 * so a rotation is picked up and a throttled read is simply tried again on the next call.
 */
async function activeSecrets(): Promise<string[]> {
  return signingSecrets(await getSecret<string>(config.WEBHOOK_SECRET_ARN, { maxAge: SECRET_MAX_AGE_SECONDS }));
}

// Checked at start: a function whose secret is empty or malformed fails to start, naming why.
await activeSecrets();

/** The adapters of delivery, built once per container. */
export const ports: DeliveryPorts = {
  schedule: (message, delayMs) => queue.schedule(message, delayMs),
  deadLetter: (message) => queue.deadLetter(message),
  record: (attempt) => store.recordDeliveryAttempt(attempt),
  secrets: activeSecrets,
  now: () => Date.now(),
};

async function processRecord(record: SQSRecord): Promise<void> {
  const body = JSON.parse(record.body) as DeliveryMessage | EventBridgeEvent<string, ServiceEvent>;
  if ('kind' in body && body.kind === 'delivery') {
    const outcome = await attemptDelivery(body, ports);
    logger.info('webhook attempt', { documentId: body.event.data.id, webhookId: body.webhookId, attempt: body.attempt, outcome });
    return;
  }
  if ('detail-type' in body && body.detail) {
    for (const message of fanOut(body.detail, config.WEBHOOK_ENDPOINTS, body.id, Date.now())) await ports.schedule(message, 0);
    return;
  }
  throw new Error('not an EventBridge event nor a delivery message');
}

/**
 * Webhook delivery, queue-based: EventBridge puts each event on the delivery queue; this
 * function fans it out to one message per endpoint, then makes one attempt per message,
 * re-queuing failures with backoff (or `Retry-After`) for 24 hours and dead-lettering the rest.
 */
export const { lambdaHandler, handler } = sqsBatchHandler({ logger, processRecord });
