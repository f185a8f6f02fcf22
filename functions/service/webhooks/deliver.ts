import { Webhook } from 'standardwebhooks';
import { z } from 'zod';
import { SERVICE_EVENT_TYPES, type ServiceEvent, type ServiceEventType } from '../ports.ts';
import { CodedError } from '../../common/coded-error.ts';
import type { DeliveryAttempt, WebhookEndpoint } from './ports.ts';

/** One case system's endpoint and the event types it wants. */
export const WebhookEndpointSchema: z.ZodType<WebhookEndpoint> = z.object({
  url: z.url(),
  events: z.array(z.enum(SERVICE_EVENT_TYPES)).min(1),
});
export type { DeliveryAttempt, WebhookEndpoint } from './ports.ts';

/** A delivery that should be tried again later (a 5xx, 429, timeout or refused connection), or never (410). */
export class DeliveryError extends CodedError<'RETRYABLE' | 'GONE'> {
  override readonly name = 'DeliveryError';
  /** The attempt as it went (status null when no answer came). */
  attempt: DeliveryAttempt | null = null;
  /** The receiver's `Retry-After`, when it sent one. */
  retryAfter: string | null = null;
}

/**
 * Delivers an event to one endpoint, signed per Standard Webhooks (`webhook-id`,
 * `webhook-timestamp`, `webhook-signature: v1,<base64 HMAC-SHA256 of id.timestamp.body>`).
 * During a secret rotation both active secrets sign: the header carries both signatures,
 * space-separated, and a receiver holding either verifies it. `webhookId` must be the same
 * on every retry so receivers can deduplicate. 2xx is delivered; 410 means the endpoint is
 * gone (stop); anything else throws for a retry.
 */
export async function deliver(
  event: ServiceEvent,
  endpoint: WebhookEndpoint,
  secrets: string | readonly string[],
  webhookId: string,
  options: { fetch?: typeof fetch; timeoutMs?: number; now?: () => Date } = {},
): Promise<DeliveryAttempt> {
  const body = JSON.stringify(event);
  const timestamp = (options.now ?? (() => new Date()))();
  const signature = [secrets]
    .flat()
    .map((secret) => new Webhook(secret).sign(webhookId, timestamp, body))
    .join(' ');
  const started = performance.now();
  let statusCode: number | null;
  let retryAfter: string | null;
  try {
    const response = await (options.fetch ?? fetch)(endpoint.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'webhook-id': webhookId,
        'webhook-timestamp': String(Math.floor(timestamp.getTime() / 1000)),
        'webhook-signature': signature,
      },
      body,
      signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
    });
    statusCode = response.status;
    retryAfter = response.headers.get('retry-after');
  } catch (error) {
    throw failure(
      'RETRYABLE',
      `delivery to ${new URL(endpoint.url).host} failed: ${(error as Error).name}`,
      { url: endpoint.url, webhookId, statusCode: null, latencyMs: Math.round(performance.now() - started) },
      null,
      error,
    );
  }
  const attempt = { url: endpoint.url, webhookId, statusCode, latencyMs: Math.round(performance.now() - started) };
  if (statusCode === 410) throw failure('GONE', `endpoint ${new URL(endpoint.url).host} answered 410 Gone`, attempt, null);
  if (statusCode < 200 || statusCode >= 300) throw failure('RETRYABLE', `endpoint ${new URL(endpoint.url).host} answered ${statusCode}`, attempt, retryAfter);
  return attempt;
}

function failure(code: 'RETRYABLE' | 'GONE', message: string, attempt: DeliveryAttempt, retryAfter: string | null, cause?: unknown): DeliveryError {
  const error = new DeliveryError(code, message, { cause });
  error.attempt = attempt;
  error.retryAfter = retryAfter;
  return error;
}

/** The endpoints that want an event type. */
export function endpointsFor(endpoints: readonly WebhookEndpoint[], type: ServiceEventType): WebhookEndpoint[] {
  return endpoints.filter((endpoint) => endpoint.events.includes(type));
}
