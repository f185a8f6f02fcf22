import type { ServiceEvent } from '../ports.ts';
import { deliver, DeliveryError, endpointsFor, type WebhookEndpoint } from './deliver.ts';
import type { AttemptRecord, DeliveryMessage } from './ports.ts';

export type { AttemptRecord, DeliveryMessage } from './ports.ts';
import { nextRetryDelayMs, retryAfterMs, RETRY_WINDOW_MS } from './retry-plan.ts';

/** Where deliveries wait between attempts (SQS on AWS, the outbox folder locally) and where they end. */
export interface DeliveryPorts {
  schedule(message: DeliveryMessage, delayMs: number): Promise<void>;
  deadLetter(message: DeliveryMessage): Promise<void>;
  record(attempt: AttemptRecord): Promise<void>;
  readonly secrets: () => Promise<readonly string[]>;
  readonly now: () => number;
  readonly deliver?: typeof deliver;
  /** The jitter's source (tests pin it); `Math.random` when absent. */
  readonly random?: () => number;
}

/** The first delivery message of an event for every endpoint that wants it. */
export function fanOut(event: ServiceEvent, endpoints: readonly WebhookEndpoint[], eventId: string, now: number): DeliveryMessage[] {
  return endpointsFor(endpoints, event.type).map((endpoint) => ({
    kind: 'delivery',
    event,
    endpoint,
    webhookId: `msg_${eventId}`,
    attempt: 1,
    firstAttemptAt: now,
  }));
}

/**
 * Runs one attempt of a delivery: delivered, or gone (410: stop), or scheduled again after
 * the backoff (lengthened, never shortened, by the receiver's `Retry-After`), or dead-lettered
 * once the next attempt would fall past 24 hours after the first. Every attempt is recorded.
 */
export async function attemptDelivery(received: DeliveryMessage, ports: DeliveryPorts): Promise<AttemptRecord['outcome']> {
  const now = ports.now();
  // A replayed dead letter gets a fresh window, as a new delivery would.
  const message = received.deadLettered ? { ...received, deadLettered: undefined, attempt: 1, firstAttemptAt: now, notBefore: undefined } : received;
  if (message.notBefore !== undefined && message.notBefore > now) {
    await ports.schedule(message, message.notBefore - now);
    return 'retry';
  }
  const base = { documentId: message.event.data.id, eventType: message.event.type, attempt: message.attempt, at: new Date(now).toISOString() };
  try {
    const attempt = await (ports.deliver ?? deliver)(message.event, message.endpoint, await ports.secrets(), message.webhookId);
    await ports.record({ ...base, ...attempt, outcome: 'delivered' });
    return 'delivered';
  } catch (error) {
    if (!(error instanceof DeliveryError)) throw error;
    const attempt = error.attempt ?? { url: message.endpoint.url, webhookId: message.webhookId, statusCode: null, latencyMs: 0 };
    if (error.code === 'GONE') {
      await ports.record({ ...base, ...attempt, outcome: 'gone' });
      return 'gone';
    }
    const retryAfter = retryAfterMs(error.retryAfter, now);
    const delay = nextRetryDelayMs(message.attempt, message.firstAttemptAt, now, retryAfter, ports.random);
    if (delay === null) {
      // Said in the dead letter, so a person replaying it knows the receiver asked for the wait.
      const beyond =
        retryAfter !== null && now + retryAfter - message.firstAttemptAt > RETRY_WINDOW_MS
          ? ` (its Retry-After asked to wait past the ${RETRY_WINDOW_MS / 3_600_000}-hour window)`
          : '';
      await ports.record({ ...base, ...attempt, outcome: 'dead-lettered' });
      await ports.deadLetter({ ...message, lastError: `${error.message}${beyond}`, deadLettered: true });
      return 'dead-lettered';
    }
    await ports.record({ ...base, ...attempt, outcome: 'retry' });
    await ports.schedule({ ...message, attempt: message.attempt + 1, notBefore: now + delay, lastError: error.message }, delay);
    return 'retry';
  }
}
