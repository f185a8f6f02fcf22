import { ListMessageMoveTasksCommand, SQSClient, StartMessageMoveTaskCommand } from '@aws-sdk/client-sqs';

/**
 * Moves every message of a dead-letter queue back to the queue it came from (SQS's own
 * redrive), so the documents they announce are processed again. Returns the task handle.
 */
export async function redriveDeadLetters(client: SQSClient, deadLetterQueueArn: string, maxPerSecond?: number): Promise<string> {
  const running = await client.send(new ListMessageMoveTasksCommand({ SourceArn: deadLetterQueueArn, MaxResults: 1 }));
  if (running.Results?.[0]?.Status === 'RUNNING') throw new Error(`a redrive of ${deadLetterQueueArn} is already running`);
  const task = await client.send(new StartMessageMoveTaskCommand({ SourceArn: deadLetterQueueArn, MaxNumberOfMessagesPerSecond: maxPerSecond }));
  if (!task.TaskHandle) throw new Error('SQS started no redrive task');
  return task.TaskHandle;
}
