import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { loadGoldenLetters } from '../fixtures/golden.ts';
import { s3Notification as s3Event, snsInSqs, textractCompletion } from '../fixtures/aws-events.ts';
import { INBOX, RecordingPublisher, startLocalStack, type LocalStack } from './harness.ts';
import { documentId } from '../../functions/service/ingest.ts';
import { mockClient } from 'aws-sdk-client-mock';
import { GetDocumentTextDetectionCommand, InternalServerError, StartDocumentTextDetectionCommand, TextractClient } from '@aws-sdk/client-textract';
import { printedLines } from '../fixtures/variants.ts';
import { renderScan } from '../fixtures/scans.ts';
import { textractResponseFor } from '../fixtures/textract-factory.ts';

/** The handlers build their adapters at cold start from the environment; these tests give them one, then swap in adapters bound to the local stand-ins. */
process.env.TABLE_NAME = 'unused';
process.env.TEXT_BUCKET = 'unused';
process.env.EVENT_BUS_NAME = 'unused';
process.env.TEXTRACT_SNS_TOPIC_ARN = 'arn:aws:sns:us-east-1:000000000000:textract';
process.env.TEXTRACT_ROLE_ARN = 'arn:aws:iam::000000000000:role/textract';
process.env.MAX_RECEIVE_COUNT = '3';
process.env.AWS_REGION = 'us-east-1';
process.env.POWERTOOLS_METRICS_NAMESPACE = 'test';
process.env.POWERTOOLS_DEV = 'true';

const letters = loadGoldenLetters();
let stack: LocalStack;
let ingest: typeof import('../../functions/ingest/handler.ts');
let complete: typeof import('../../functions/textract-complete/handler.ts');
const textract = mockClient(TextractClient);
const events = new RecordingPublisher();

const context = { functionName: 'ingest', awsRequestId: 'req-1', getRemainingTimeInMillis: () => 60_000 } as unknown as Context;

function sqsRecord(messageId: string, body: unknown, receiveCount = 1): SQSRecord {
  return {
    messageId,
    receiptHandle: messageId,
    body: JSON.stringify(body),
    attributes: { ApproximateReceiveCount: String(receiveCount), SentTimestamp: '0', SenderId: 'x', ApproximateFirstReceiveTimestamp: '0' },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:ingest',
    awsRegion: 'us-east-1',
  };
}

/** An S3 notification as real S3 sends it: the key URL-encoded, spaces as `+`. */
function s3Notification(key: string, eTag = `etag-${key}`) {
  return s3Event(INBOX, [{ key, eTag }]);
}

beforeAll(async () => {
  stack = await startLocalStack();
  // Powertools idempotency builds its own DynamoDB client at cold start: point it at DynamoDB Local.
  Object.assign(process.env, {
    TABLE_NAME: stack.tableName,
    AWS_ENDPOINT_URL_DYNAMODB: stack.dynamo.endpoint,
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
  });
  ingest = await import('../../functions/ingest/handler.ts');
  Object.assign(ingest.dependencies, { store: stack.store, objects: stack.objects, events });
  complete = await import('../../functions/textract-complete/handler.ts');
  Object.assign(complete.dependencies, { store: stack.store, objects: stack.objects, events });
}, 60_000);

/** Textract's completion notice as SNS wraps it into an SQS message. */
function completionNotice(jobId: string, status: string, tag: string) {
  return snsInSqs('arn:aws:sns:us-east-1:000000000000:textract', textractCompletion(jobId, status, tag, INBOX, 'fax.tif'));
}
afterAll(() => stack?.stop());

describe('ingest Lambda handler', () => {
  it('processes a batch, decoding S3 keys, and reports only the failed record for retry', async () => {
    await stack.upload('batch/first letter.txt', letters[0]!.text);
    await stack.upload('batch/second.txt', letters[1]!.text);
    const event: SQSEvent = {
      Records: [
        sqsRecord('m1', s3Notification('batch/first letter.txt')),
        sqsRecord('m2', s3Notification('batch/missing.txt')),
        sqsRecord('m3', s3Notification('batch/second.txt')),
        sqsRecord('m4', { Event: 's3:TestEvent', Service: 'Amazon S3' }),
      ],
    };
    const response = await ingest.handler(event, context);
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: 'm2' }] });
    const id = documentId(Buffer.from(letters[0]!.text, 'latin1'));
    expect(await stack.store.getDocument(id)).toMatchObject({ status: 'CLASSIFIED', sourceKeys: [`${INBOX}/batch/first letter.txt`] });
  });

  it('a duplicate delivery of the same notification does no second piece of work (idempotency record, not even an S3 read)', async () => {
    const before = events.events.length;
    let reads = 0;
    const get = ingest.dependencies.objects.getWithin.bind(ingest.dependencies.objects);
    Object.assign(ingest.dependencies.objects, { getWithin: async (bucket: string, key: string, max: number) => (reads++, get(bucket, key, max)) });
    try {
      const response = await ingest.handler({ Records: [sqsRecord('m5', s3Notification('batch/first letter.txt'))] }, context);
      expect(response).toEqual({ batchItemFailures: [] });
      expect(reads).toBe(0);
      expect(events.events.length).toBe(before);
      // A new version of the object under the same key (new ETag) is read again, and found to be the same document.
      await ingest.handler({ Records: [sqsRecord('m5b', s3Notification('batch/first letter.txt', 'etag-v2'))] }, context);
      expect(reads).toBe(1);
      expect(events.events.length).toBe(before);
    } finally {
      Object.assign(ingest.dependencies.objects, { getWithin: get });
    }
  });

  it('logs the document id and outcome, never the key or letter text', async () => {
    const spies = [vi.spyOn(process.stdout, 'write'), ...(['info', 'log', 'warn', 'error', 'debug'] as const).map((level) => vi.spyOn(console, level))];
    await stack.upload('secret/Jane Doe claim.txt', letters[2]!.text);
    await ingest.handler({ Records: [sqsRecord('m6', s3Notification('secret/Jane Doe claim.txt'))] }, context);
    const logged = spies.flatMap((spy) => spy.mock.calls.map((call) => call.map(String).join(' '))).join('\n');
    for (const spy of spies) spy.mockRestore();
    expect(logged).toContain(documentId(Buffer.from(letters[2]!.text, 'latin1')));
    expect(logged).not.toMatch(/Jane Doe|Norco|HOW THE IMR/);
  });
});

describe('Textract completion Lambda handler', () => {
  it('takes a multi-page fax from OCR_PENDING to CLASSIFIED when the completion notice arrives', async () => {
    const lines = printedLines(letters[3]!.text);
    const [tiff] = (await renderScan(lines, 'fax-fine', 9)).files;
    await stack.upload('scans/fax.tif', tiff!);
    textract.on(StartDocumentTextDetectionCommand).resolves({ JobId: 'job-42' });
    expect(await ingest.handler({ Records: [sqsRecord('t1', s3Notification('scans/fax.tif'))] }, context)).toEqual({ batchItemFailures: [] });
    const id = documentId(tiff!);
    expect((await stack.store.getDocument(id))!.status).toBe('OCR_PENDING');
    textract.on(GetDocumentTextDetectionCommand, { JobId: 'job-42' }).resolves(textractResponseFor([lines.slice(0, 45), lines.slice(45)]) as never);
    expect(await complete.handler({ Records: [sqsRecord('t2', completionNotice('job-42', 'SUCCEEDED', id))] }, context)).toEqual({ batchItemFailures: [] });
    expect(await stack.store.getDetermination(id)).toMatchObject({
      status: 'CLASSIFIED',
      outcome: 'PARTIALLY_OVERTURNED',
      sourceKeys: [`${INBOX}/scans/fax.tif`],
    });
  });

  it('reports a malformed notice as a failed record (it will reach the dead-letter queue), not a crash', async () => {
    // A batch whose every record failed is thrown whole (Powertools), so SQS redelivers it.
    await expect(complete.handler({ Records: [sqsRecord('t3', { Message: 'not json' })] }, context)).rejects.toThrow(/All records failed processing/);
  });

  it('records FAILED when reading the job still fails on the last delivery', async () => {
    const [tiff] = (await renderScan(printedLines(letters[0]!.text), 'fax-standard', 5)).files;
    await stack.upload('scans/poison.tif', tiff!);
    textract.on(StartDocumentTextDetectionCommand).resolves({ JobId: 'job-43' });
    await ingest.handler({ Records: [sqsRecord('t4', s3Notification('scans/poison.tif'))] }, context);
    const id = documentId(tiff!);
    textract.on(GetDocumentTextDetectionCommand, { JobId: 'job-43' }).rejects(new InternalServerError({ message: 'boom', $metadata: {} }));
    await expect(complete.handler({ Records: [sqsRecord('t5', completionNotice('job-43', 'SUCCEEDED', id), 1)] }, context)).rejects.toThrow(
      /All records failed processing/,
    );
    expect((await stack.store.getDocument(id))!.status).toBe('OCR_PENDING');
    await expect(complete.handler({ Records: [sqsRecord('t6', completionNotice('job-43', 'SUCCEEDED', id), 3)] }, context)).rejects.toThrow(
      /All records failed processing/,
    );
    expect(await stack.store.getDocument(id)).toMatchObject({ status: 'FAILED', reason: expect.stringMatching(/^PROCESSING_FAILED: InternalServerError/) });
  });
});
