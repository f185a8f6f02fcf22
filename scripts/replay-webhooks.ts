/**
 * `npm run replay-webhooks -- [--data DIR]`: on one machine, sends every dead-lettered
 * webhook delivery (`.imr-data/dead-letters/webhooks.jsonl`) once more, with a fresh 24-hour
 * retry window, to the endpoints in `IMR_WEBHOOK_URL` signed with `IMR_WEBHOOK_SECRET`.
 * On AWS use `npm run replay -- --dlq-arn <WebhookDeadLettersArn>` (an SQS redrive).
 */
import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { LocalWebhookPublisher } from '../functions/local/webhook-publisher.ts';
import { webhookFiles } from '../functions/local/runtime.ts';
import { SERVICE_EVENT_TYPES } from '../functions/service/ports.ts';

const { values } = parseArgs({ options: { data: { type: 'string' } } });
const url = process.env.IMR_WEBHOOK_URL;
const secret = process.env.IMR_WEBHOOK_SECRET;
if (!url || !secret) {
  console.error('replay-webhooks: set IMR_WEBHOOK_URL and IMR_WEBHOOK_SECRET as for npm start');
  process.exit(1);
}
const publisher = new LocalWebhookPublisher(
  url.split(',').map((endpoint) => ({ url: endpoint.trim(), events: [...SERVICE_EVENT_TYPES] })),
  secret.split(/[\s,]+/).filter(Boolean),
  webhookFiles(resolve(values.data ?? process.env.IMR_DATA_DIR ?? '.imr-data')),
  (record) => console.log(`${record.documentId.slice(0, 12)} ${record.eventType}: ${record.outcome} (${record.statusCode ?? 'no answer'})`),
  { retry: false },
);
console.log(`replaying ${publisher.replayDeadLetters()} dead-lettered deliveries`);
await publisher.drain();
// One pass: a delivery that fails again is back in the dead-letter file for the next replay.
