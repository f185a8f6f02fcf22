/**
 * Issue 17: with more than 1,000 letters in the inbox the old S3 stand-in could not list them
 * (its page tokens used a cipher OpenSSL 3 refuses), so `npm start` could not start. Here
 * 10,000 letters wait in the inbox; the service starts, answers at once, lists all of them
 * through the AWS CLI, and reads a new letter while it works through the backlog.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import pLimit from 'p-limit';
import { LOCAL_INBOX, LOCAL_TEXT_BUCKET, S3_CREDENTIALS_FILE, startOnFreePorts, type LocalService } from '../../functions/local/runtime.ts';
import { freePort, localS3Client } from '../../functions/local/stand-ins.ts';
import { startLocalS3 } from '../../functions/local/s3/server.ts';
import { loadOrCreateCredentials } from '../../functions/local/s3/credentials.ts';
import { documentId } from '../../functions/service/ingest.ts';
import { loadGoldenLetters } from '../fixtures/golden.ts';
import { waitFor } from './harness.ts';

const run = promisify(execFile);
const LETTERS = 10_000;
const root = mkdtempSync(join(tmpdir(), 'imr-many-'));
let service: LocalService | undefined;
afterAll(async () => {
  await service?.stop();
  rmSync(root, { recursive: true, force: true });
});

describe('npm start with 10,000 letters in the inbox', () => {
  it('starts, lists every one through the AWS CLI, and reads a new letter meanwhile', async () => {
    // The inbox filled while the service was down: the same S3 endpoint, on the data folder, without the service.
    const { credentials } = loadOrCreateCredentials(join(root, 'data', S3_CREDENTIALS_FILE));
    const s3 = await startLocalS3({ port: await freePort(), directory: join(root, 'data', 's3'), buckets: [LOCAL_INBOX, LOCAL_TEXT_BUCKET], credentials });
    const client = localS3Client(s3.endpoint, credentials);
    const limit = pLimit(16);
    await Promise.all(
      Array.from({ length: LETTERS }, (_, i) =>
        limit(() =>
          client.send(new PutObjectCommand({ Bucket: LOCAL_INBOX, Key: `backlog/${String(i).padStart(5, '0')}.txt`, Body: `Note ${i}: not a letter.\n` })),
        ),
      ),
    );
    client.destroy();
    await s3.stop();

    const started = performance.now();
    service = await startOnFreePorts(root, () => undefined);
    console.log(`started with ${LETTERS} letters waiting in ${Math.round(performance.now() - started)} ms`);
    const env = {
      ...process.env,
      AWS_ACCESS_KEY_ID: credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
      AWS_DEFAULT_REGION: 'us-east-1',
    };
    const { stdout } = await run('aws', ['--endpoint-url', service.endpoints.s3, 's3', 'ls', `s3://${LOCAL_INBOX}/backlog/`], {
      env,
      maxBuffer: 64 * 1024 * 1024,
    });
    const listed = stdout.trim().split('\n');
    expect(listed).toHaveLength(LETTERS);
    expect(listed.at(-1)).toMatch(/ 09999\.txt$/);
    const { stdout: count } = await run(
      'aws',
      ['--endpoint-url', service.endpoints.s3, 's3api', 'list-objects-v2', '--bucket', LOCAL_INBOX, '--prefix', 'backlog/', '--query', 'length(Contents)'],
      { env },
    );
    expect(Number(count.trim())).toBe(LETTERS);

    // A real letter arriving now is read while the backlog is worked through.
    const letter = `${loadGoldenLetters()[0]!.text}\n\nArrived during the backlog.\n`;
    await service.s3.send(new PutObjectCommand({ Bucket: LOCAL_INBOX, Key: 'new/letter.txt', Body: letter }));
    const id = documentId(Buffer.from(letter, 'latin1'));
    const arrived = performance.now();
    await waitFor(async () => {
      const response = await fetch(`${service!.endpoints.http}/documents/${id}/status`);
      return response.ok && ((await response.json()) as { status: string }).status === 'CLASSIFIED' ? true : undefined;
    }, 120_000);
    console.log(`a new letter read in ${Math.round(performance.now() - arrived)} ms during the backlog`);
  }, 600_000);
});
