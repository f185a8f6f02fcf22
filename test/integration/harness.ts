import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { freePort, localDynamoClient, localS3Client, startDynamoDbLocal, startS3Stand, type S3Stand, type StandIn } from '../../functions/local/stand-ins.ts';
import { createTable } from '../../functions/adapters/dynamodb/table.ts';
import { DynamoDeterminationStore } from '../../functions/adapters/dynamodb/determination-store.ts';
import { S3ObjectStore } from '../../functions/adapters/s3/object-store.ts';
import { CursorCodec } from '../../functions/common/cursor.ts';
import type { EventPublisher, ServiceEvent } from '../../functions/service/ports.ts';

/** Buckets the tests use. */
export const INBOX = 'imr-inbox';
export const TEXT_BUCKET = 'imr-text';

/**
 * How long a stand-in may take to answer at start: `IMR_READY_TIMEOUT_MS` (whole milliseconds),
 * else 120 s. Readiness is polled, so a fast machine waits only as long as it takes; the bound
 * is for a machine whose cores are busy (a Java start under load has taken over 30 s here).
 */
export function readyTimeoutMs(): number {
  const value = process.env.IMR_READY_TIMEOUT_MS;
  if (value === undefined || value === '') return 120_000;
  if (!/^\d{1,7}$/.test(value) || Number(value) < 1000) throw new Error('IMR_READY_TIMEOUT_MS must be a whole number of milliseconds, at least 1000');
  return Number(value);
}

/** DynamoDB Local and the local S3 endpoint on free ports, with the table and buckets created; `stop()` ends both. */
export interface LocalStack {
  readonly dynamo: StandIn;
  readonly s3: S3Stand;
  readonly dynamoClient: DynamoDBClient;
  readonly s3Client: S3Client;
  readonly store: DynamoDeterminationStore;
  readonly objects: S3ObjectStore;
  readonly tableName: string;
  upload(key: string, body: Uint8Array | string): Promise<void>;
  stop(): Promise<void>;
}

/** Starts the real local stand-ins the integration tests speak to over their real APIs. */
export async function startLocalStack(): Promise<LocalStack> {
  const directory = mkdtempSync(join(tmpdir(), 'imr-it-'));
  const [dynamo, s3] = await Promise.all([
    startDynamoDbLocal({ port: await freePort(), readyTimeoutMs: readyTimeoutMs() }),
    startS3Stand({ port: await freePort(), directory, buckets: [INBOX, TEXT_BUCKET] }),
  ]);
  const dynamoClient = localDynamoClient(dynamo.endpoint);
  const s3Client = localS3Client(s3.endpoint, s3.credentials);
  const tableName = `imr-${Date.now()}`;
  await createTable(dynamoClient, tableName);
  await s3Client.send(new CreateBucketCommand({ Bucket: INBOX })).catch(() => undefined);
  const store = new DynamoDeterminationStore(
    tableName,
    new CursorCodec('test-secret'),
    DynamoDBDocumentClient.from(dynamoClient, { marshallOptions: { removeUndefinedValues: true } }),
  );
  return {
    dynamo,
    s3,
    dynamoClient,
    s3Client,
    store,
    objects: new S3ObjectStore(TEXT_BUCKET, s3Client),
    tableName,
    upload: async (key, body) => {
      await s3Client.send(new PutObjectCommand({ Bucket: INBOX, Key: key, Body: body }));
    },
    stop: async () => {
      dynamoClient.destroy();
      s3Client.destroy();
      await Promise.all([dynamo.stop(), s3.stop()]);
      rmSync(directory, { recursive: true, force: true });
    },
  };
}

/** An event publisher that keeps what it is given. */
export class RecordingPublisher implements EventPublisher {
  readonly events: ServiceEvent[] = [];
  async publish(event: ServiceEvent): Promise<void> {
    this.events.push(event);
  }
}

/** Polls `probe` every 100 ms until it answers something, failing after `timeoutMs`. */
export async function waitFor<T>(probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
