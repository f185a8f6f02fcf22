import { beforeEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { ListMessageMoveTasksCommand, SQSClient, StartMessageMoveTaskCommand } from '@aws-sdk/client-sqs';
import { redriveDeadLetters } from '../../../functions/ops/replay.ts';

const sqs = mockClient(SQSClient);
const dlq = 'arn:aws:sqs:us-west-2:123456789012:Imr-dev-IngestQueueDeadLetters';

beforeEach(() => sqs.reset());

describe('redriveDeadLetters', () => {
  it('starts an SQS redrive of the dead-letter queue back to its source', async () => {
    sqs.on(ListMessageMoveTasksCommand).resolves({ Results: [] });
    sqs.on(StartMessageMoveTaskCommand).resolves({ TaskHandle: 'task-1' });
    await expect(redriveDeadLetters(new SQSClient({ region: 'us-west-2' }), dlq, 10)).resolves.toBe('task-1');
    expect(sqs).toReceiveCommandWith(StartMessageMoveTaskCommand, { SourceArn: dlq, MaxNumberOfMessagesPerSecond: 10 });
  });

  it('refuses to start a second redrive while one runs', async () => {
    sqs.on(ListMessageMoveTasksCommand).resolves({ Results: [{ Status: 'RUNNING', SourceArn: dlq }] });
    await expect(redriveDeadLetters(new SQSClient({ region: 'us-west-2' }), dlq)).rejects.toThrow(/already running/);
    expect(sqs).toReceiveCommandTimes(StartMessageMoveTaskCommand, 0);
  });
});
