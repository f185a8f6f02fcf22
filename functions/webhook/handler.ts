import middy from '@middy/core';
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { EventBridgeEvent } from 'aws-lambda';
import { z } from 'zod';
import { loadConfig } from '../shared/config.ts';
import type { ServiceEvent } from '../service/ports.ts';
import { deliver, DeliveryError, endpointsFor, WebhookEndpointSchema } from './deliver.ts';

const config = loadConfig({
  WEBHOOK_ENDPOINTS: z.string().transform((value) => z.array(WebhookEndpointSchema).parse(JSON.parse(value))),
  WEBHOOK_SECRET_ARN: z.string().min(1),
});
const logger = new Logger({ serviceName: 'imr-webhook' });
const secrets = new SecretsManagerClient({});
let secret: Promise<string> | null = null;

/**
 * Delivers one EventBridge event to every endpoint that wants it. The EventBridge event id
 * is the stable `webhook-id`. A failed delivery throws, so Lambda's asynchronous retries and
 * then the on-failure destination (a dead-letter queue) keep it; a 410 stops retrying.
 */
export async function lambdaHandler(event: EventBridgeEvent<string, ServiceEvent>): Promise<void> {
  secret ??= secrets.send(new GetSecretValueCommand({ SecretId: config.WEBHOOK_SECRET_ARN })).then((result) => result.SecretString ?? '');
  const key = await secret;
  const failures: string[] = [];
  for (const endpoint of endpointsFor(config.WEBHOOK_ENDPOINTS, event.detail.type)) {
    try {
      const attempt = await deliver(event.detail, endpoint, key, event.id);
      logger.info('webhook delivered', { documentId: event.detail.data.id, webhookId: attempt.webhookId, statusCode: attempt.statusCode, latencyMs: attempt.latencyMs });
    } catch (error) {
      if (error instanceof DeliveryError && error.code === 'GONE') {
        logger.warn('webhook endpoint gone', { documentId: event.detail.data.id, webhookId: event.id });
        continue;
      }
      failures.push((error as Error).message);
    }
  }
  if (failures.length > 0) throw new Error(`webhook delivery failed: ${failures.join('; ')}`);
}

/** The deployed handler. */
export const handler = middy(lambdaHandler).use(injectLambdaContext(logger, { resetKeys: true }));
