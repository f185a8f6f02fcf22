/**
 * A case system's webhook receiver, in TypeScript: verifies the Standard Webhooks signature
 * before trusting anything, answers quickly, and ignores repeats by `webhook-id`.
 *
 *   IMR_WEBHOOK_SECRET=whsec_... npx tsx docs/webhook-receiver.ts   # listens on :8080
 *
 * During a secret rotation the service signs with both secrets; a receiver holding either
 * one verifies. Answer 2xx once the event is stored; 410 stops deliveries for good; anything
 * else (or no answer within 10 s) is retried with backoff for 24 hours under the same id.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { pathToFileURL } from 'node:url';
import { Webhook, WebhookVerificationError } from 'standardwebhooks';

/** The event body the IMR service sends (spec section 4). */
export interface ImrEvent {
  type: 'determination.classified' | 'determination.needs_review' | 'determination.unrecognized' | 'document.failed' | 'determination.reviewed';
  timestamp: string;
  data: {
    id: string;
    caseNumber: string | null;
    outcome: 'UPHELD' | 'OVERTURNED' | 'PARTIALLY_OVERTURNED' | null;
    needsReview: boolean;
    items: Array<{ request: string; decision: 'UPHELD' | 'OVERTURNED'; category: string; subcategory: string | null }>;
    links: { self: string };
    /** On `determination.reviewed`: the revision a person made, and what they changed. */
    revision?: number;
    changes?: Array<{ path: string; from: unknown; to: unknown }>;
  };
}

/** Builds the request listener: `handle` is called once per verified, not-yet-seen event. */
export function receiver(secret: string, handle: (event: ImrEvent) => Promise<void>): (request: IncomingMessage, response: ServerResponse) => void {
  const webhook = new Webhook(secret);
  // Keep seen ids in your database in production; memory is enough for an example.
  const seen = new Set<string>();
  return (request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', async () => {
      const body = Buffer.concat(chunks).toString('utf8');
      let event: ImrEvent;
      try {
        event = webhook.verify(body, {
          'webhook-id': String(request.headers['webhook-id'] ?? ''),
          'webhook-timestamp': String(request.headers['webhook-timestamp'] ?? ''),
          'webhook-signature': String(request.headers['webhook-signature'] ?? ''),
        }) as ImrEvent;
      } catch (error) {
        response.writeHead(error instanceof WebhookVerificationError ? 401 : 400).end();
        return;
      }
      const id = String(request.headers['webhook-id']);
      if (!seen.has(id)) {
        try {
          await handle(event);
        } catch {
          response.writeHead(503).end();
          return;
        }
        seen.add(id);
      }
      response.writeHead(204).end();
    });
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const secret = process.env.IMR_WEBHOOK_SECRET;
  if (!secret) throw new Error('set IMR_WEBHOOK_SECRET to the signing secret');
  createServer(
    receiver(secret, async (event) => {
      console.log(
        `${event.type} ${event.data.id.slice(0, 12)} ${event.data.outcome ?? ''} ${event.data.items.map((item) => `${item.request}: ${item.decision}`).join('; ')}`,
      );
    }),
  ).listen(8080, () => console.log('receiving on http://127.0.0.1:8080'));
}
