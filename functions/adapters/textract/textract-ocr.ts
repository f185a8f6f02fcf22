import type { ScanOcr } from '../../service/ports.ts';
import {
  DetectDocumentTextCommand,
  GetDocumentTextDetectionCommand,
  StartDocumentTextDetectionCommand,
  TextractClient,
  type GetDocumentTextDetectionCommandOutput,
} from '@aws-sdk/client-textract';
import pRetry from 'p-retry';
import { TextractError } from './errors.ts';
import { textractPages, type TextractPage, type TextractResponse } from './blocks.ts';

/** Errors Textract answers when the account's rate is exceeded: retried, never lost. */
const THROTTLING = new Set(['ProvisionedThroughputExceededException', 'ThrottlingException', 'LimitExceededException']);
/** Errors that say the document itself cannot be read: retrying would not help. */
const UNREADABLE_DOCUMENT = new Set(['UnsupportedDocumentException', 'BadDocumentException', 'DocumentTooLargeException', 'InvalidS3ObjectException']);

/** Where an asynchronous job reads its document. */
export interface S3Location {
  readonly bucket: string;
  readonly key: string;
  readonly version?: string;
}

/** Settings of the Textract adapter; every one has a default. */
export interface TextractOcrOptions {
  /** Injected client (tests); otherwise the module's own. */
  readonly client?: TextractClient;
  /** Throttling retries per call (default 8), backing off exponentially with jitter. */
  readonly retries?: number;
  /** First retry delay in ms (default 500); doubles each retry, randomised. */
  readonly minRetryDelayMs?: number;
  /** Longest retry delay in ms (default 20 000). */
  readonly maxRetryDelayMs?: number;
  /** Completion notice for asynchronous jobs (the AWS flow); omit to poll. */
  readonly notificationChannel?: { readonly snsTopicArn: string; readonly roleArn: string };
  /** Polling interval when waiting for a job (default 5 s) and how long to wait (default 15 min). */
  readonly pollIntervalMs?: number;
  readonly maxWaitMs?: number;
}

const moduleClient = new TextractClient({});

/**
 * Amazon Textract text detection: synchronous `DetectDocumentText` for a single page,
 * asynchronous `StartDocumentTextDetection` + `GetDocumentTextDetection` (every `NextToken`
 * page) for multi-page PDF and TIFF in S3. Thin: SDK calls, throttling retries, and the
 * pure block-to-text conversion of `blocks.ts`.
 */
export class TextractOcr implements ScanOcr {
  private readonly client: TextractClient;
  private readonly options: Required<Omit<TextractOcrOptions, 'client' | 'notificationChannel'>> & Pick<TextractOcrOptions, 'notificationChannel'>;

  constructor(options: TextractOcrOptions = {}) {
    this.client = options.client ?? moduleClient;
    this.options = {
      retries: options.retries ?? 8,
      minRetryDelayMs: options.minRetryDelayMs ?? 500,
      maxRetryDelayMs: options.maxRetryDelayMs ?? 20_000,
      pollIntervalMs: options.pollIntervalMs ?? 5_000,
      maxWaitMs: options.maxWaitMs ?? 15 * 60_000,
      notificationChannel: options.notificationChannel,
    };
  }

  /** Reads one page (image or single-page PDF/TIFF, at most 10 MB) synchronously. */
  async detect(bytes: Uint8Array): Promise<TextractPage[]> {
    const response = await this.send(() => this.client.send(new DetectDocumentTextCommand({ Document: { Bytes: bytes } })));
    return textractPages([response as TextractResponse]);
  }

  /**
   * Starts an asynchronous job. `documentId` (the SHA-256 of the bytes) becomes the
   * `ClientRequestToken`, so a repeated start of the same document returns the same job.
   */
  async start(location: S3Location, documentId: string): Promise<string> {
    const response = await this.send(() =>
      this.client.send(
        new StartDocumentTextDetectionCommand({
          DocumentLocation: { S3Object: { Bucket: location.bucket, Name: location.key, Version: location.version } },
          ClientRequestToken: documentId.replace(/[^\w-]/g, '').slice(0, 64),
          // The completion notice carries the tag back: the document id maps the job to its document.
          JobTag: documentId.replace(/[^\w.:-]/g, '').slice(0, 64),
          NotificationChannel: this.options.notificationChannel
            ? { SNSTopicArn: this.options.notificationChannel.snsTopicArn, RoleArn: this.options.notificationChannel.roleArn }
            : undefined,
        }),
      ),
    );
    if (!response.JobId) throw new TextractError('UNREADABLE_RESPONSE', 'Textract started a job but returned no JobId');
    return response.JobId;
  }

  /** Every result page of a finished job; throws JOB_IN_PROGRESS or JOB_FAILED otherwise. */
  async results(jobId: string): Promise<TextractPage[]> {
    const responses: GetDocumentTextDetectionCommandOutput[] = [];
    let nextToken: string | undefined;
    do {
      const token = nextToken;
      const response = await this.send(() => this.client.send(new GetDocumentTextDetectionCommand({ JobId: jobId, NextToken: token, MaxResults: 1000 })));
      responses.push(response);
      if (response.JobStatus !== 'SUCCEEDED' && response.JobStatus !== 'PARTIAL_SUCCESS') break;
      nextToken = response.NextToken;
    } while (nextToken);
    return textractPages(responses as TextractResponse[]);
  }

  /** Polls a job until it finishes (for callers without the SNS completion notice). */
  async waitForResults(jobId: string, sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))): Promise<TextractPage[]> {
    const deadline = Date.now() + this.options.maxWaitMs;
    for (;;) {
      try {
        return await this.results(jobId);
      } catch (error) {
        if (!(error instanceof TextractError) || error.code !== 'JOB_IN_PROGRESS') throw error;
        if (Date.now() + this.options.pollIntervalMs > deadline) {
          throw new TextractError('JOB_TIMEOUT', `Textract job ${jobId} did not finish in ${Math.round(this.options.maxWaitMs / 1000)} s`, { cause: error });
        }
        await sleep(this.options.pollIntervalMs);
      }
    }
  }

  private send<T>(call: () => Promise<T>): Promise<T> {
    return pRetry(call, {
      retries: this.options.retries,
      minTimeout: this.options.minRetryDelayMs,
      maxTimeout: this.options.maxRetryDelayMs,
      factor: 2,
      randomize: true,
      shouldRetry: ({ error }) => THROTTLING.has(error.name),
    }).catch((error: unknown) => {
      if (error instanceof Error && THROTTLING.has(error.name)) {
        throw new TextractError('THROTTLED', `Textract is still throttling after ${this.options.retries} retries`, { cause: error });
      }
      if (error instanceof Error && error.name === 'InvalidJobIdException') {
        throw new TextractError('JOB_UNKNOWN', 'Textract no longer knows the job (its results are kept 7 days); upload the document again', { cause: error });
      }
      if (error instanceof Error && UNREADABLE_DOCUMENT.has(error.name)) {
        throw new TextractError('UNSUPPORTED_DOCUMENT', `Textract cannot read the document (${error.name})`, { cause: error });
      }
      throw error;
    });
  }
}
