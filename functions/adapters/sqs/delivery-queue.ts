import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { DeliveryMessage } from '../../service/webhooks/ports.ts';

const moduleClient = new SQSClient({});

/** SQS delays a message at most 15 minutes; longer waits are chained through `notBefore`. */
const MAX_DELAY_SECONDS = 900;

/** The webhook delivery queue on SQS: deliveries wait in it between attempts; exhausted ones go to its dead-letter queue. */
export class SqsDeliveryQueue {
  private readonly client: SQSClient;

  constructor(
    private readonly queueUrl: string,
    private readonly deadLetterUrl: string,
    client?: SQSClient,
  ) {
    this.client = client ?? moduleClient;
  }

  async schedule(message: DeliveryMessage, delayMs: number): Promise<void> {
    await this.client.send(
      new SendMessageCommand({
        QueueUrl: this.queueUrl,
        MessageBody: JSON.stringify(message),
        DelaySeconds: Math.min(MAX_DELAY_SECONDS, Math.max(0, Math.ceil(delayMs / 1000))),
      }),
    );
  }

  async deadLetter(message: DeliveryMessage): Promise<void> {
    await this.client.send(new SendMessageCommand({ QueueUrl: this.deadLetterUrl, MessageBody: JSON.stringify(message) }));
  }
}
