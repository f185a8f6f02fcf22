/**
 * `npm run replay -- --dlq-arn ARN [--per-second N]`: moves the messages of a dead-letter
 * queue (the `IngestDeadLettersArn` or `TextractDeadLettersArn` stack output) back to their
 * source queue, so the documents are processed again. Uses the AWS credentials of the shell.
 */
import { parseArgs } from 'node:util';
import { SQSClient } from '@aws-sdk/client-sqs';
import { redriveDeadLetters } from '../functions/ops/replay.ts';

const { values } = parseArgs({ options: { 'dlq-arn': { type: 'string' }, 'per-second': { type: 'string' } } });
if (!values['dlq-arn']) {
  console.error('usage: npm run replay -- --dlq-arn <dead-letter queue ARN> [--per-second N]');
  process.exit(1);
}
try {
  const handle = await redriveDeadLetters(new SQSClient({}), values['dlq-arn'], values['per-second'] ? Number(values['per-second']) : undefined);
  console.log(`redrive started: ${handle}`);
} catch (error) {
  console.error(`replay failed: ${(error as Error).message}`);
  process.exit(2);
}
