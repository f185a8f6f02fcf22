import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { QueryCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Context, SQSRecord } from 'aws-lambda';
import { failureEvent } from '../../functions/service/events.ts';
import { startLocalStack, type LocalStack } from './harness.ts';

const secret = `whsec_${Buffer.from('aws-handler-secret-of-32-bytes!!').toString('base64')}`;
const previous = `whsec_${Buffer.from('previous-secret-of-thirty-two-by').toString('base64')}`;
const sqs = mockClient(SQSClient);
const secrets = mockClient(SecretsManagerClient);
let server: Server;
let url = '';
let status = 200;
const signatures: string[] = [];
let stack: LocalStack;
let webhook: typeof import('../../functions/webhook/handler.ts');
const context = { functionName: 'webhook', awsRequestId: 'r', getRemainingTimeInMillis: () => 60_000 } as unknown as Context;

const record = (id: string, body: unknown): SQSRecord => ({
  messageId: id,
  receiptHandle: id,
  body: JSON.stringify(body),
  attributes: { ApproximateReceiveCount: '1', SentTimestamp: '0', SenderId: 'x', ApproximateFirstReceiveTimestamp: '0' },
  messageAttributes: {},
  md5OfBody: '',
  eventSource: 'aws:sqs',
  eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:deliveries',
  awsRegion: 'us-east-1',
});

beforeAll(async () => {
  server = createServer((request, response) => {
    signatures.push(String(request.headers['webhook-signature']));
    request.resume();
    request.on('end', () => response.writeHead(status).end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/hook`;
  stack = await startLocalStack();
  Object.assign(process.env, {
    WEBHOOK_ENDPOINTS: JSON.stringify([
      { url, events: ['document.failed'] },
      { url: `${url}?other`, events: ['determination.classified'] },
    ]),
    WEBHOOK_SECRET_ARN: 'arn:aws:secretsmanager:us-east-1:000000000000:secret:webhook',
    DELIVERY_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/000000000000/deliveries',
    DELIVERY_DLQ_URL: 'https://sqs.us-east-1.amazonaws.com/000000000000/deliveries-dlq',
    TABLE_NAME: stack.tableName,
    AWS_REGION: 'us-east-1',
  });
  // The handler reads (and checks) its secret at start.
  secrets.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify({ current: secret, previous }) });
  webhook = await import('../../functions/webhook/handler.ts');
  Object.assign(webhook.ports, { record: (attempt: Parameters<typeof stack.store.recordDeliveryAttempt>[0]) => stack.store.recordDeliveryAttempt(attempt) });
}, 60_000);
afterAll(async () => {
  await stack?.stop();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});
beforeEach(() => {
  sqs.reset();
  sqs.on(SendMessageCommand).resolves({ MessageId: 'm' });
  secrets.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify({ current: secret, previous }) });
  signatures.length = 0;
  status = 200;
});

describe('webhook Lambda handler (queue-based delivery)', () => {
  const event = failureEvent('b'.repeat(64), null, '2026-11-22T10:00:00.000Z');

  it('fans an EventBridge event out to the endpoints that want it', async () => {
    await webhook.handler({ Records: [record('e1', { id: 'eb-1', 'detail-type': event.type, source: 'imr.letters', detail: event })] }, context);
    expect(sqs).toReceiveCommandTimes(SendMessageCommand, 1);
    const sent = JSON.parse(sqs.commandCalls(SendMessageCommand)[0]!.args[0].input.MessageBody!);
    expect(sent).toMatchObject({ kind: 'delivery', webhookId: 'msg_eb-1', attempt: 1, endpoint: { url } });
  });

  it('delivers signed with both rotation secrets and records the attempt in the table', async () => {
    const message = { kind: 'delivery', event, endpoint: { url, events: ['document.failed'] }, webhookId: 'msg_eb-2', attempt: 1, firstAttemptAt: Date.now() };
    expect(await webhook.handler({ Records: [record('d1', message)] }, context)).toEqual({ batchItemFailures: [] });
    expect(signatures[0]!.split(' ')).toHaveLength(2);
    const attempts = await DynamoDBDocumentClient.from(stack.dynamoClient).send(
      new QueryCommand({
        TableName: stack.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :d)',
        ExpressionAttributeValues: { ':pk': `DOC#${'b'.repeat(64)}`, ':d': 'DELIVERY#' },
      }),
    );
    expect(attempts.Items).toEqual([expect.objectContaining({ webhookId: 'msg_eb-2', attempt: 1, statusCode: 200, outcome: 'delivered' })]);
  });

  it('re-queues a failed attempt with a delay, and dead-letters one past 24 hours', async () => {
    status = 503;
    const message = { kind: 'delivery', event, endpoint: { url, events: ['document.failed'] }, webhookId: 'msg_eb-3', attempt: 1, firstAttemptAt: Date.now() };
    await webhook.handler({ Records: [record('d2', message)] }, context);
    const retry = sqs.commandCalls(SendMessageCommand)[0]!.args[0].input;
    expect(retry.QueueUrl).toBe(process.env.DELIVERY_QUEUE_URL);
    expect(retry.DelaySeconds).toBeGreaterThanOrEqual(15);
    expect(JSON.parse(retry.MessageBody!)).toMatchObject({ webhookId: 'msg_eb-3', attempt: 2 });
    sqs.resetHistory();
    await webhook.handler({ Records: [record('d3', { ...message, firstAttemptAt: Date.now() - 25 * 3600_000, attempt: 30 })] }, context);
    expect(sqs.commandCalls(SendMessageCommand)[0]!.args[0].input.QueueUrl).toBe(process.env.DELIVERY_DLQ_URL);
  });

  it('stops on 410 without re-queuing', async () => {
    status = 410;
    await webhook.handler(
      {
        Records: [
          record('d4', {
            kind: 'delivery',
            event,
            endpoint: { url, events: ['document.failed'] },
            webhookId: 'msg_eb-4',
            attempt: 1,
            firstAttemptAt: Date.now(),
          }),
        ],
      },
      context,
    );
    expect(sqs).toReceiveCommandTimes(SendMessageCommand, 0);
  });
});
