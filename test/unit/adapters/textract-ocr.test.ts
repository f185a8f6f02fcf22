import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import {
  DetectDocumentTextCommand,
  GetDocumentTextDetectionCommand,
  ProvisionedThroughputExceededException,
  StartDocumentTextDetectionCommand,
  TextractClient,
  ThrottlingException,
  InvalidParameterException,
  type GetDocumentTextDetectionCommandOutput,
} from '@aws-sdk/client-textract';
import { TextractOcr } from '../../../functions/adapters/textract/textract-ocr.ts';
import { TextractError } from '../../../functions/adapters/textract/errors.ts';
import { TEXTRACT_DIR } from '../../fixtures/golden.ts';

const fixture = (name: string) => JSON.parse(readFileSync(join(TEXTRACT_DIR, name), 'utf8'));
const textract = mockClient(TextractClient);
const client = new TextractClient({ region: 'us-west-2' });
const fast = { client, minRetryDelayMs: 1, maxRetryDelayMs: 2, pollIntervalMs: 1 };
const documentId = 'a'.repeat(64);

/** Splits a multi-page response into the pages `NextToken` paging would return. */
function paged(response: { Blocks: Array<{ Page?: number }>; DocumentMetadata: unknown }): GetDocumentTextDetectionCommandOutput[] {
  const first = response.Blocks.filter((block) => (block.Page ?? 1) === 1);
  const rest = response.Blocks.filter((block) => (block.Page ?? 1) !== 1);
  return [
    {
      $metadata: {},
      JobStatus: 'SUCCEEDED',
      DocumentMetadata: response.DocumentMetadata,
      Blocks: first,
      NextToken: 'page-2',
    } as GetDocumentTextDetectionCommandOutput,
    { $metadata: {}, JobStatus: 'SUCCEEDED', DocumentMetadata: response.DocumentMetadata, Blocks: rest } as GetDocumentTextDetectionCommandOutput,
  ];
}

beforeEach(() => textract.reset());

describe('TextractOcr', () => {
  it('reads a single page synchronously with DetectDocumentText', async () => {
    textract.on(DetectDocumentTextCommand).resolves(fixture('little_women_page_1.json'));
    const bytes = new Uint8Array([1, 2, 3]);
    const pages = await new TextractOcr(fast).detect(bytes);
    expect(textract).toReceiveCommandWith(DetectDocumentTextCommand, { Document: { Bytes: bytes } });
    expect(pages[0]!.text).toMatch(/^The Project Gutenberg EBook/);
  });

  it('starts an asynchronous job with the document hash as ClientRequestToken and the SNS channel', async () => {
    textract.on(StartDocumentTextDetectionCommand).resolves({ JobId: 'job-1' });
    const ocr = new TextractOcr({ ...fast, notificationChannel: { snsTopicArn: 'arn:aws:sns:us-west-2:1:done', roleArn: 'arn:aws:iam::1:role/textract' } });
    await expect(ocr.start({ bucket: 'inbox', key: 'fax 1.tif' }, documentId)).resolves.toBe('job-1');
    expect(textract).toReceiveCommandWith(StartDocumentTextDetectionCommand, {
      DocumentLocation: { S3Object: { Bucket: 'inbox', Name: 'fax 1.tif' } },
      ClientRequestToken: documentId,
      NotificationChannel: { SNSTopicArn: 'arn:aws:sns:us-west-2:1:done', RoleArn: 'arn:aws:iam::1:role/textract' },
    });
  });

  it('follows NextToken through every page of the results', async () => {
    const [first, second] = paged(fixture('multi-page-forms-samples-2-page.json'));
    textract.on(GetDocumentTextDetectionCommand).resolves(first!);
    textract.on(GetDocumentTextDetectionCommand, { JobId: 'job-1', NextToken: 'page-2' }).resolves(second!);
    const pages = await new TextractOcr(fast).results('job-1');
    expect(textract).toReceiveCommandTimes(GetDocumentTextDetectionCommand, 2);
    expect(textract).toReceiveNthCommandWith(GetDocumentTextDetectionCommand, 2, { JobId: 'job-1', NextToken: 'page-2' });
    expect(pages.map((page) => page.page)).toEqual([1, 2]);
    expect(pages[1]!.text).toContain('Employment Application');
  });

  it('waits while the job is in progress, then reads it', async () => {
    textract
      .on(GetDocumentTextDetectionCommand)
      .resolvesOnce(fixture('test-inprogress-response.json'))
      .resolvesOnce({ ...fixture('little_women_page_1.json'), JobStatus: 'SUCCEEDED' });
    const pages = await new TextractOcr(fast).waitForResults('job-1', async () => undefined);
    expect(pages[0]!.text).toContain('Little Women');
    expect(textract).toReceiveCommandTimes(GetDocumentTextDetectionCommand, 2);
  });

  it('reports a FAILED job with its status message', async () => {
    textract.on(GetDocumentTextDetectionCommand).resolves(fixture('test-failed-response.json'));
    await expect(new TextractOcr(fast).results('job-1')).rejects.toMatchObject({ code: 'JOB_FAILED', message: 'Textract job failed: Dummy Status Message' });
  });

  it('gives up waiting after maxWaitMs', async () => {
    textract.on(GetDocumentTextDetectionCommand).resolves(fixture('test-inprogress-response.json'));
    await expect(new TextractOcr({ ...fast, pollIntervalMs: 10, maxWaitMs: 25 }).waitForResults('job-1', async () => undefined)).rejects.toMatchObject({
      code: 'JOB_TIMEOUT',
    });
  });

  it.each([
    ['ProvisionedThroughputExceededException', () => new ProvisionedThroughputExceededException({ message: 'slow down', $metadata: {} })],
    ['ThrottlingException', () => new ThrottlingException({ message: 'slow down', $metadata: {} })],
    ['LimitExceededException', () => Object.assign(new Error('too many jobs'), { name: 'LimitExceededException' })],
  ])('retries %s with backoff until it succeeds', async (_, throttle) => {
    textract.on(StartDocumentTextDetectionCommand).rejectsOnce(throttle()).rejectsOnce(throttle()).resolves({ JobId: 'job-2' });
    await expect(new TextractOcr(fast).start({ bucket: 'inbox', key: 'a.pdf' }, documentId)).resolves.toBe('job-2');
    expect(textract).toReceiveCommandTimes(StartDocumentTextDetectionCommand, 3);
  });

  it('reports THROTTLED when throttling outlasts the retries', async () => {
    textract.on(DetectDocumentTextCommand).rejects(new ThrottlingException({ message: 'slow down', $metadata: {} }));
    const error = await new TextractOcr({ ...fast, retries: 2 }).detect(new Uint8Array([1])).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TextractError);
    expect(error).toMatchObject({ code: 'THROTTLED' });
    expect(textract).toReceiveCommandTimes(DetectDocumentTextCommand, 3);
  });

  it('does not retry other errors', async () => {
    textract.on(DetectDocumentTextCommand).rejects(new InvalidParameterException({ message: 'bad document', $metadata: {} }));
    await expect(new TextractOcr(fast).detect(new Uint8Array([1]))).rejects.toMatchObject({ name: 'InvalidParameterException' });
    expect(textract).toReceiveCommandTimes(DetectDocumentTextCommand, 1);
  });
});

describe('TextractOcr on documents it cannot read', () => {
  it('reports UNSUPPORTED_DOCUMENT at once, without retrying', async () => {
    textract.reset();
    textract.on(StartDocumentTextDetectionCommand).rejects(Object.assign(new Error('bad'), { name: 'UnsupportedDocumentException' }));
    await expect(new TextractOcr(fast).start({ bucket: 'inbox', key: 'x.tif' }, documentId)).rejects.toMatchObject({ code: 'UNSUPPORTED_DOCUMENT' });
    expect(textract).toReceiveCommandTimes(StartDocumentTextDetectionCommand, 1);
  });
});
