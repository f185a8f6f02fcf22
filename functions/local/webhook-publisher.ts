import { randomUUID } from 'node:crypto';
import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { EventPublisher, ServiceEvent } from '../service/ports.ts';
import { deliver, DeliveryError } from '../webhook/deliver.ts';

/**
 * Local event delivery: every event to one webhook URL, signed per Standard Webhooks, retried
 * with backoff (a stable `webhook-id` across tries), then kept as a JSON line in a dead-letter
 * file. Delivery runs in the background; publishing never waits for the receiver.
 */
export class LocalWebhookPublisher implements EventPublisher {
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    private readonly url: string,
    private readonly secret: string,
    private readonly deadLetterFile: string,
    private readonly options: { attempts?: number; retryDelayMs?: number; onResult?: (event: ServiceEvent, outcome: string) => void } = {},
  ) {
    mkdirSync(dirname(deadLetterFile), { recursive: true });
  }

  async publish(event: ServiceEvent): Promise<void> {
    const task = this.deliverWithRetries(event, `msg_${randomUUID()}`).finally(() => this.inFlight.delete(task));
    this.inFlight.add(task);
  }

  /** Waits for every delivery in flight. */
  async drain(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  private async deliverWithRetries(event: ServiceEvent, webhookId: string): Promise<void> {
    const attempts = this.options.attempts ?? 6;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      try {
        await deliver(event, { url: this.url, events: [event.type] }, this.secret, webhookId);
        this.options.onResult?.(event, 'delivered');
        return;
      } catch (error) {
        if (error instanceof DeliveryError && error.code === 'GONE') {
          this.options.onResult?.(event, 'endpoint gone (410)');
          return;
        }
        if (attempt === attempts) {
          appendFileSync(this.deadLetterFile, `${JSON.stringify({ webhookId, event, error: (error as Error).message, at: new Date().toISOString() })}\n`);
          this.options.onResult?.(event, 'dead-lettered');
          return;
        }
        const base = (this.options.retryDelayMs ?? 1000) * 2 ** (attempt - 1);
        await new Promise((resolve) => setTimeout(resolve, base / 2 + Math.random() * base));
      }
    }
  }
}
