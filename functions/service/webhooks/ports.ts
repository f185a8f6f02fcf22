/**
 * The webhook delivery's port types: what travels through the delivery queue and what is
 * recorded of each attempt. Adapters (SQS, the table, the local outbox) know these and nothing
 * of how delivery works.
 */
import type { ServiceEvent, ServiceEventType } from '../ports.ts';

/** One case system's endpoint and the event types it wants. */
export interface WebhookEndpoint {
  readonly url: string;
  readonly events: ServiceEventType[];
}

/** The outcome of one attempt, for the delivery record. */
export interface DeliveryAttempt {
  readonly url: string;
  readonly webhookId: string;
  readonly statusCode: number | null;
  readonly latencyMs: number;
}

/** One event on its way to one endpoint; travels through the delivery queue between attempts. */
export interface DeliveryMessage {
  readonly kind: 'delivery';
  readonly event: ServiceEvent;
  readonly endpoint: WebhookEndpoint;
  /** Stable across every attempt, so receivers can deduplicate. */
  readonly webhookId: string;
  readonly attempt: number;
  /** Epoch ms of the first attempt: retries stop 24 hours after it. */
  readonly firstAttemptAt: number;
  /** Epoch ms before which the next attempt must not run (delays longer than the queue allows). */
  readonly notBefore?: number;
  /** Why the last attempt failed, for the dead-letter store. */
  readonly lastError?: string;
  /** Set on messages in the dead-letter store: a replayed one starts a fresh 24-hour window. */
  readonly deadLettered?: boolean;
}

/** A recorded attempt: which delivery, which try, what came back, how long it took. */
export interface AttemptRecord extends DeliveryAttempt {
  readonly documentId: string;
  readonly eventType: string;
  readonly attempt: number;
  readonly at: string;
  readonly outcome: 'delivered' | 'retry' | 'gone' | 'dead-lettered';
}
