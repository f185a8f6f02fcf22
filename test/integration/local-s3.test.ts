/**
 * The local S3 endpoint as its users meet it: the real AWS SDK v3 and the real AWS CLI against
 * a server on a free loopback port, storing in a temporary folder. What a person would check:
 * the bytes come back, keys that look like paths stay names, browsers and unsigned callers are
 * turned away, and the endpoint survives a crash and a full disk.
 */
import { execFile, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  GetObjectTaggingCommand,
  HeadObjectCommand,
  ListObjectsCommand,
  ListObjectsV2Command,
  ListPartsCommand,
  paginateListObjectsV2,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { loadOrCreateCredentials, type LocalS3Credentials } from '../../functions/local/s3/credentials.ts';
import { startLocalS3, type LocalS3, type ObjectCreatedEvent } from '../../functions/local/s3/server.ts';
import { sdkSigner, sendRaw, sendSigned } from '../unit/local/s3/signing.ts';

const BUCKET = 'imr-inbox';
const run = promisify(execFile);
const parent = mkdtempSync(join(tmpdir(), 'imr-local-s3-'));
const directory = join(parent, 'data');
let credentials: LocalS3Credentials;
let server: LocalS3;
let port: number;
const events: ObjectCreatedEvent[] = [];
const logs: string[] = [];

const sha256 = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');
const md5 = (data: Buffer | string) => createHash('md5').update(data).digest('hex');

function client(endpoint = server.endpoint, extra: Partial<S3ClientConfig> = {}): S3Client {
  return new S3Client({ endpoint, region: 'us-east-1', forcePathStyle: true, credentials, maxAttempts: 1, ...extra });
}

/** Every file under `root`, relative to it. */
function walk(root: string): string[] {
  return readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(root, join(entry.parentPath, entry.name)));
}

async function bytesOf(s3: S3Client, key: string, bucket = BUCKET): Promise<Buffer> {
  const answer = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return Buffer.from(await answer.Body!.transformToByteArray());
}

/** The S3 error name of a failing call (the SDK names the error by S3's code). */
async function failure(call: Promise<unknown>): Promise<{ name: string; status: number | undefined; message: string }> {
  try {
    await call;
  } catch (error) {
    const e = error as { name: string; message: string; $metadata?: { httpStatusCode?: number } };
    return { name: e.name, status: e.$metadata?.httpStatusCode, message: e.message };
  }
  throw new Error('the call succeeded');
}

beforeAll(async () => {
  credentials = loadOrCreateCredentials(join(parent, 'credentials.json')).credentials;
  server = await startLocalS3({
    port: 0,
    directory,
    buckets: [BUCKET, 'imr-text'],
    credentials,
    onObjectCreated: (event) => events.push(event),
    log: (line) => logs.push(line),
  });
  port = Number(new URL(server.endpoint).port);
});

afterAll(async () => {
  await server?.stop();
  rmSync(parent, { recursive: true, force: true });
});

describe.each(['WHEN_SUPPORTED', 'WHEN_REQUIRED'] as const)('the SDK v3 with requestChecksumCalculation %s', (mode) => {
  it("puts, gets (whole and a range), heads, lists and deletes; the index knows each object's SHA-256", async () => {
    const s3 = client(undefined, { requestChecksumCalculation: mode });
    const body = randomBytes(200_000);
    const key = `${mode}/letters/a.pdf`;
    const put = await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body, ContentType: 'application/pdf', Metadata: { source: 'fax' } }));
    expect(put.ETag).toBe(`"${md5(body)}"`);
    // A stream body: aws-chunked with a CRC32 trailer by default, UNSIGNED-PAYLOAD when only required.
    await s3.send(
      new PutObjectCommand({
        Bucket: BUCKET,
        Key: `${key}.stream`,
        Body: Readable.from([body.subarray(0, 70_000), body.subarray(70_000)]),
        ContentLength: body.length,
      }),
    );
    expect((await bytesOf(s3, key)).equals(body)).toBe(true);
    expect((await bytesOf(s3, `${key}.stream`)).equals(body)).toBe(true);
    const range = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key, Range: 'bytes=10-19' }));
    expect(range.ContentRange).toBe(`bytes 10-19/${body.length}`);
    expect(Buffer.from(await range.Body!.transformToByteArray()).equals(body.subarray(10, 20))).toBe(true);
    const head = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key }));
    expect(head).toMatchObject({ ContentLength: body.length, ContentType: 'application/pdf', Metadata: { source: 'fax' }, ETag: `"${md5(body)}"` });
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: `${mode}/` }));
    expect(listed.Contents?.map((object) => [object.Key, object.Size])).toEqual([
      [key, body.length],
      [`${key}.stream`, body.length],
    ]);
    expect(await server.objects.head(BUCKET, key)).toMatchObject({ sha256: sha256(body), size: body.length });
    expect(events.filter((event) => event.key.startsWith(`${mode}/`))).toEqual([
      { bucket: BUCKET, key, size: body.length, etag: md5(body), sha256: sha256(body), eventName: 'ObjectCreated:Put' },
      { bucket: BUCKET, key: `${key}.stream`, size: body.length, etag: md5(body), sha256: sha256(body), eventName: 'ObjectCreated:Put' },
    ]);
    await s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: key }));
    expect(await failure(s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key })))).toMatchObject({ status: 404 });
    expect(await failure(s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key })))).toMatchObject({ name: 'NoSuchKey', status: 404 });
    await s3.send(new DeleteObjectsCommand({ Bucket: BUCKET, Delete: { Objects: [{ Key: `${key}.stream` }] } }));
    expect(await server.objects.head(BUCKET, `${key}.stream`)).toBeUndefined();
    s3.destroy();
  });

  it('answers small objects read whole and large ones streamed alike, around the 64 KiB between them, whole and in ranges', async () => {
    const s3 = client(undefined, { requestChecksumCalculation: mode, responseChecksumValidation: mode });
    for (const size of [0, 1, 5_000, 64 * 1024 - 1, 64 * 1024, 64 * 1024 + 1, 300_000]) {
      const body = randomBytes(size);
      const key = `${mode}/sizes/${size}.bin`;
      await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body }));
      expect((await bytesOf(s3, key)).equals(body)).toBe(true);
      if (size < 2) continue;
      const answer = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key, Range: `bytes=1-${size - 1}` }));
      expect([answer.ContentLength, answer.ContentRange]).toEqual([size - 1, `bytes 1-${size - 1}/${size}`]);
      expect(Buffer.from(await answer.Body!.transformToByteArray()).equals(body.subarray(1))).toBe(true);
    }
    s3.destroy();
  });

  it('answers an error, never bytes that are not the object, when a small blob was cut short on disk, and serves the next request', async () => {
    const s3 = client(undefined, { requestChecksumCalculation: mode });
    const body = randomBytes(3_000);
    const key = `${mode}/cut/short.txt`;
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body }));
    const blob = join(directory, 'blobs', sha256(body).slice(0, 2), sha256(body));
    truncateSync(blob, 1_000);
    expect(await failure(bytesOf(s3, key))).toMatchObject({ status: 500 });
    writeFileSync(blob, body);
    expect((await bytesOf(s3, key)).equals(body)).toBe(true);
    s3.destroy();
  });

  it('keeps keys that look like paths, or would not fit one, as names: nothing is written outside its folder', async () => {
    const s3 = client(undefined, { requestChecksumCalculation: mode });
    const before = new Set(walk(parent));
    const keys = [
      '../../x',
      `${mode}/a/../../../../b`,
      `${'s'.repeat(300)}/${'t'.repeat(300)}`,
      'spaces  and+plus',
      'unicode é 😀 中文',
      'cr\r\nlf',
      'tab\tand\u0001',
      '%2F%00',
      '/leading',
      'trailing/',
      'q?x#y&z=1',
      'k'.repeat(1024),
    ];
    for (const key of keys) await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: `body of ${JSON.stringify(key)}` }));
    for (const key of keys) {
      expect((await bytesOf(s3, key)).toString()).toBe(`body of ${JSON.stringify(key)}`);
      const listed = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: key }));
      expect(listed.Contents?.map((object) => object.Key)).toEqual([key]);
    }
    expect(await failure(s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'k'.repeat(1025), Body: 'x' })))).toMatchObject({
      name: 'KeyTooLongError',
      status: 400,
    });
    // Outside the data folder nothing appeared; inside it, only blobs named by SHA-256 and the index.
    expect(walk(parent).filter((file) => !before.has(file) && !file.startsWith(`data/`))).toEqual([]);
    expect(existsSync(resolve(directory, BUCKET, '../../x'))).toBe(false);
    for (const file of walk(directory)) expect(file).toMatch(/^(?:blobs\/[\da-f]{2}\/[\da-f]{64}|index\.mdb(?:-lock)?|endpoint\.pid)$/);
    await s3.send(new DeleteObjectsCommand({ Bucket: BUCKET, Delete: { Objects: keys.map((Key) => ({ Key })) } }));
    expect(await server.objects.head(BUCKET, 'cr\r\nlf')).toBeUndefined();
    s3.destroy();
  });
});

describe('writes at once (their commits batched)', () => {
  it('keeps every object right when uploads, overwrites and deletes of shared bytes race, and no blob is left that nothing names', async () => {
    const s3 = client();
    const [a, b, c] = ['shared bytes A', 'bytes B', 'bytes C'].map((text) => Buffer.from(`${text} ${randomBytes(8).toString('hex')}`)) as [
      Buffer,
      Buffer,
      Buffer,
    ];
    const put = (key: string, body: Buffer) => s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: `race/${key}`, Body: body }));
    const remove = (key: string) => s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: `race/${key}` }));
    const range = (prefix: string, from: number, to: number) => Array.from({ length: to - from }, (_, i) => `${prefix}${from + i}`);
    await Promise.all([...range('a', 0, 20).map((key) => put(key, a)), ...range('c', 0, 10).map((key) => put(key, c))]);
    // All at once: A loses ten keys to B and five to deletes while ten new keys link A again; every key of C goes while five new ones link it.
    await Promise.all([
      ...range('a', 0, 10).map((key) => put(key, b)),
      ...range('a', 10, 15).map(remove),
      ...range('d', 0, 10).map((key) => put(key, a)),
      ...range('c', 0, 10).map(remove),
      ...range('e', 0, 5).map((key) => put(key, c)),
    ]);
    const expected = new Map<string, Buffer>([
      ...range('a', 0, 10).map((key) => [key, b] as const),
      ...range('a', 15, 20).map((key) => [key, a] as const),
      ...range('d', 0, 10).map((key) => [key, a] as const),
      ...range('e', 0, 5).map((key) => [key, c] as const),
    ]);
    for (const [key, body] of expected) expect((await bytesOf(s3, `race/${key}`)).equals(body), key).toBe(true);
    for (const key of [...range('a', 10, 15), ...range('c', 0, 10)]) expect((await failure(bytesOf(s3, `race/${key}`))).name).toBe('NoSuchKey');
    const listed: string[] = [];
    for await (const page of paginateListObjectsV2({ client: s3 }, { Bucket: BUCKET, Prefix: 'race/' }))
      listed.push(...(page.Contents ?? []).map((o) => o.Key!));
    expect(listed.sort()).toEqual([...expected.keys()].map((key) => `race/${key}`).sort());
    // Each of the three contents has its one blob, and nothing is left in tmp/.
    const blobs = walk(join(directory, 'blobs')).map((path) => path.split('/').at(-1));
    for (const body of [a, b, c]) expect(blobs.filter((name) => name === sha256(body))).toHaveLength(1);
    expect(walk(join(directory, 'tmp'))).toEqual([]);
    // Only once both deletes of the last key naming it are on disk does a blob go.
    await Promise.all(range('e', 0, 5).map(remove));
    expect(walk(join(directory, 'blobs')).some((path) => path.endsWith(sha256(c)))).toBe(false);
    s3.destroy();
  });
});

describe('listing', () => {
  const count = 2_500;
  const keyOf = (i: number) => `bulk/${String(i).padStart(4, '0')}/${i % 2 ? 'odd' : 'even'}.txt`;

  beforeAll(async () => {
    const s3 = client();
    for (let i = 0; i < count; i += 50)
      await Promise.all(Array.from({ length: 50 }, (_, j) => s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: keyOf(i + j), Body: `letter ${i + j}` }))));
    s3.destroy();
  }, 120_000);

  it('lists 2,500 keys in pages of 1,000 with continuation tokens, in order, each once', async () => {
    const s3 = client();
    const pages: string[][] = [];
    for await (const page of paginateListObjectsV2({ client: s3 }, { Bucket: BUCKET, Prefix: 'bulk/' }))
      pages.push((page.Contents ?? []).map((object) => object.Key!));
    expect(pages.map((page) => page.length)).toEqual([1000, 1000, 500]);
    expect(pages.flat()).toEqual(Array.from({ length: count }, (_, i) => keyOf(i)));
    const after = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'bulk/', StartAfter: keyOf(2_399), MaxKeys: 1000 }));
    expect(after.Contents?.map((object) => object.Key)).toEqual(Array.from({ length: 100 }, (_, i) => keyOf(2_400 + i)));
    s3.destroy();
  });

  it('folds keys into common prefixes with a delimiter, paging through them too', async () => {
    const s3 = client();
    const prefixes: string[] = [];
    let token: string | undefined;
    do {
      const page = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'bulk/', Delimiter: '/', ContinuationToken: token, MaxKeys: 700 }));
      expect(page.Contents ?? []).toEqual([]);
      prefixes.push(...(page.CommonPrefixes ?? []).map((common) => common.Prefix!));
      token = page.NextContinuationToken;
    } while (token);
    expect(prefixes).toEqual(Array.from({ length: count }, (_, i) => `bulk/${String(i).padStart(4, '0')}/`));
    const top = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Delimiter: '/' }));
    expect(top.CommonPrefixes?.map((common) => common.Prefix)).toContain('bulk/');
    s3.destroy();
  });

  it('pages ListObjects (v1) by marker, and url-encodes keys when asked', async () => {
    const s3 = client();
    const keys: string[] = [];
    let marker: string | undefined;
    for (;;) {
      const page = await s3.send(new ListObjectsCommand({ Bucket: BUCKET, Prefix: 'bulk/1', Marker: marker }));
      keys.push(...(page.Contents ?? []).map((object) => object.Key!));
      if (!page.IsTruncated) break;
      marker = page.NextMarker ?? keys.at(-1);
    }
    expect(keys).toEqual(Array.from({ length: 1000 }, (_, i) => keyOf(1000 + i)));
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'encoded/a b+c\r\n.txt', Body: 'x' }));
    const encoded = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'encoded/', EncodingType: 'url' }));
    expect(encoded.Contents?.map((object) => object.Key)).toEqual(['encoded/a%20b%2Bc%0D%0A.txt']);
    s3.destroy();
  });
});

describe('multipart uploads with the SDK', () => {
  it('completes from its parts (ETag `<md5 of md5s>-N`), lists parts, refuses a wrong ETag, and aborts', async () => {
    const s3 = client();
    const parts = [randomBytes(5 * 1024 * 1024), randomBytes(1234)];
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: 'multi/a.pdf', ContentType: 'application/pdf' }));
    const etags: string[] = [];
    for (const [i, part] of parts.entries())
      etags.push((await s3.send(new UploadPartCommand({ Bucket: BUCKET, Key: 'multi/a.pdf', UploadId, PartNumber: i + 1, Body: part }))).ETag!);
    const listed = await s3.send(new ListPartsCommand({ Bucket: BUCKET, Key: 'multi/a.pdf', UploadId }));
    expect(listed.Parts?.map((part) => [part.PartNumber, part.Size, part.ETag])).toEqual([
      [1, parts[0]!.length, etags[0]],
      [2, 1234, etags[1]],
    ]);
    const wrong = s3.send(
      new CompleteMultipartUploadCommand({ Bucket: BUCKET, Key: 'multi/a.pdf', UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: etags[1] }] } }),
    );
    expect(await failure(wrong)).toMatchObject({ name: 'InvalidPart', status: 400 });
    const done = await s3.send(
      new CompleteMultipartUploadCommand({
        Bucket: BUCKET,
        Key: 'multi/a.pdf',
        UploadId,
        MultipartUpload: { Parts: etags.map((ETag, i) => ({ PartNumber: i + 1, ETag })) },
      }),
    );
    const whole = Buffer.concat(parts);
    expect(done.ETag).toBe(`"${md5(Buffer.concat(parts.map((part) => createHash('md5').update(part).digest())))}-2"`);
    expect((await bytesOf(s3, 'multi/a.pdf')).equals(whole)).toBe(true);
    expect(await server.objects.head(BUCKET, 'multi/a.pdf')).toMatchObject({ sha256: sha256(whole), contentType: 'application/pdf' });
    expect(events.at(-1)).toMatchObject({ key: 'multi/a.pdf', eventName: 'ObjectCreated:CompleteMultipartUpload', sha256: sha256(whole) });
    const second = await s3.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: 'multi/b.pdf' }));
    await s3.send(new UploadPartCommand({ Bucket: BUCKET, Key: 'multi/b.pdf', UploadId: second.UploadId, PartNumber: 1, Body: 'part' }));
    await s3.send(new AbortMultipartUploadCommand({ Bucket: BUCKET, Key: 'multi/b.pdf', UploadId: second.UploadId }));
    expect(await failure(s3.send(new ListPartsCommand({ Bucket: BUCKET, Key: 'multi/b.pdf', UploadId: second.UploadId })))).toMatchObject({
      name: 'NoSuchUpload',
      status: 404,
    });
    expect(readdirSync(join(directory, 'parts'))).toEqual([]);
    s3.destroy();
  });
});

/** The AWS CLIs on this machine (v2 first), each once. */
async function awsClis(): Promise<Array<{ path: string; version: string }>> {
  const found = new Map<string, string>();
  for (const path of ['/usr/bin/aws', '/usr/local/bin/aws', 'aws']) {
    const version = await run(path, ['--version']).then(
      ({ stdout, stderr }) => `${stdout}${stderr}`.trim().split(' ')[0] ?? '',
      () => '',
    );
    if (version.startsWith('aws-cli/') && ![...found.values()].includes(version)) found.set(path, version);
  }
  return [...found].map(([path, version]) => ({ path, version })).sort((a, b) => b.version.localeCompare(a.version));
}
const clis = await awsClis();

// Without a CLI on the machine these tests are skipped, and say so.
if (clis.length === 0) it.skip('the AWS CLI tests (no `aws` found)', () => undefined);

describe.each(clis)('the AWS CLI ($version)', ({ path, version }) => {
  const aws = (...args: string[]) =>
    run(path, ['--endpoint-url', server.endpoint, ...args], {
      env: {
        PATH: process.env.PATH,
        HOME: parent,
        AWS_ACCESS_KEY_ID: credentials.accessKeyId,
        AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
        AWS_DEFAULT_REGION: 'us-east-1',
        AWS_CONFIG_FILE: join(parent, 'no-config'),
        AWS_SHARED_CREDENTIALS_FILE: join(parent, 'no-credentials'),
        AWS_PAGER: '',
        AWS_EC2_METADATA_DISABLED: 'true',
      },
      maxBuffer: 16 * 1024 * 1024,
    });

  it('copies a 20 MB file up (multipart) and back, lists it with s3 ls and s3api list-objects-v2, and removes it', async () => {
    const file = join(parent, `big-${version.replace(/\W/g, '_')}.bin`);
    const content = randomBytes(20 * 1024 * 1024);
    writeFileSync(file, content);
    const key = `cli/${version}/big file ../x.bin`;
    await aws('s3', 'cp', file, `s3://${BUCKET}/${key}`, '--only-show-errors');
    const head = await server.objects.head(BUCKET, key);
    expect(head).toMatchObject({ size: content.length, sha256: sha256(content) });
    expect(head?.etag).toMatch(/-\d+$/);
    expect(events.at(-1)).toMatchObject({ key, eventName: 'ObjectCreated:CompleteMultipartUpload' });
    const { stdout: ls } = await aws('s3', 'ls', `s3://${BUCKET}/cli/${version}/`, '--recursive');
    expect(ls).toContain(`${content.length} ${key}`);
    const { stdout: json } = await aws('s3api', 'list-objects-v2', '--bucket', BUCKET, '--prefix', `cli/${version}/`, '--output', 'json');
    expect((JSON.parse(json) as { Contents: Array<{ Key: string; Size: number }> }).Contents.map((object) => [object.Key, object.Size])).toEqual([
      [key, content.length],
    ]);
    await aws('s3', 'cp', `s3://${BUCKET}/${key}`, `${file}.back`, '--only-show-errors');
    expect(readFileSync(`${file}.back`).equals(content)).toBe(true);
    await aws('s3', 'rm', `s3://${BUCKET}/${key}`, '--only-show-errors');
    expect(await server.objects.head(BUCKET, key)).toBeUndefined();
    rmSync(file);
    rmSync(`${file}.back`);
  });

  it('copies a small file with its signed payload', async () => {
    const file = join(parent, 'small.txt');
    writeFileSync(file, 'a small letter\n');
    await aws('s3', 'cp', file, `s3://${BUCKET}/cli/${version}/small.txt`, '--only-show-errors');
    expect(await server.objects.head(BUCKET, `cli/${version}/small.txt`)).toMatchObject({ sha256: sha256('a small letter\n') });
  });
});

describe('requests that are refused', () => {
  const codeOf = (text: string) => /<Code>([^<]*)<\/Code>/.exec(text)?.[1];

  it("an unsigned request, to read or to write (and Node's fetch, which also sends Sec-Fetch-Mode)", async () => {
    const read = await sendRaw(port, 'GET', `/${BUCKET}?list-type=2`, { host: `127.0.0.1:${port}` });
    expect([read.status, codeOf(read.text)]).toEqual([403, 'AccessDenied']);
    expect(read.text).toMatch(/Anonymous requests are refused/);
    const write = await sendRaw(port, 'PUT', `/${BUCKET}/unsigned.txt`, { host: `127.0.0.1:${port}`, 'content-length': '1' }, Buffer.from('x'));
    expect(write.status).toBe(403);
    const fetched = await fetch(`${server.endpoint}/${BUCKET}/unsigned.txt`, { method: 'PUT', body: 'x' });
    expect(fetched.status).toBe(403);
    expect(await server.objects.head(BUCKET, 'unsigned.txt')).toBeUndefined();
  });

  it('a correctly signed request that carries Origin or Sec-Fetch-* (a browser sent it)', async () => {
    for (const [name, value] of [
      ['origin', 'https://evil.example'],
      ['sec-fetch-site', 'cross-site'],
      ['sec-fetch-mode', 'no-cors'],
    ] as const) {
      const s3 = client();
      // Added before signing, so the signature is good: the header alone is refused.
      s3.middlewareStack.add(
        (next) => async (args) => {
          (args.request as { headers: Record<string, string> }).headers[name] = value;
          return next(args);
        },
        { step: 'build' },
      );
      expect(await failure(s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'from-a-page.txt', Body: 'x' })))).toMatchObject({
        name: 'AccessDenied',
        status: 403,
      });
      s3.destroy();
    }
    expect(await server.objects.head(BUCKET, 'from-a-page.txt')).toBeUndefined();
  });

  it('a browser form post (multipart/form-data) whose key field climbs out of the folder', async () => {
    const form = new FormData();
    form.set('key', '../../../../outside.txt');
    form.set('file', new Blob(['written by a web page']), 'outside.txt');
    const answer = await fetch(`${server.endpoint}/${BUCKET}`, { method: 'POST', body: form });
    expect([answer.status, codeOf(await answer.text())]).toEqual([403, 'AccessDenied']);
    expect(answer.headers.get('access-control-allow-origin')).toBeNull();
    expect(walk(parent).filter((file) => file.endsWith('outside.txt'))).toEqual([]);
    expect(existsSync(resolve(directory, BUCKET, '../../../../outside.txt'))).toBe(false);
  });

  it('virtual-host and rebinding Host headers, even correctly signed for that host', async () => {
    for (const host of [BUCKET, `${BUCKET}.127.0.0.1:${port}`, `evil.example:${port}`, '127.0.0.1']) {
      const answer = await sendSigned(port, { method: 'GET', path: '/', host, credentials });
      expect([host, answer.status, codeOf(answer.text)]).toEqual([host, 403, 'AccessDenied']);
    }
    expect((await sendSigned(port, { method: 'GET', path: '/', host: `localhost:${port}`, credentials })).status).toBe(200);
  });

  it('a wrong secret, and an unknown access key', async () => {
    // The last character changed to another one (a generated secret may itself end in the one put there).
    const last = credentials.secretAccessKey.slice(-1);
    const wrongSecret = client(undefined, {
      credentials: { ...credentials, secretAccessKey: `${credentials.secretAccessKey.slice(0, -1)}${last === 'A' ? 'B' : 'A'}` },
    });
    expect(await failure(wrongSecret.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'x' })))).toMatchObject({ name: 'SignatureDoesNotMatch', status: 403 });
    const otherKey = client(undefined, { credentials: { accessKeyId: 'AKIAAAAAAAAAAAAAAAAA', secretAccessKey: credentials.secretAccessKey } });
    expect(await failure(otherKey.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'x' })))).toMatchObject({ name: 'InvalidAccessKeyId', status: 403 });
  });

  it('a presigned URL signed 10 minutes ago for 5, and a request signed 16 minutes ago', async () => {
    const s3 = client();
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'presigned.txt', Body: 'shared' }));
    // Followed with node:http: Node's fetch sends Sec-Fetch-Mode, and is refused as a browser would be.
    const follow = async (url: string) => sendRaw(port, 'GET', url.slice(server.endpoint.length), { host: `127.0.0.1:${port}` });
    const fresh = await follow(await getSignedUrl(s3, new GetObjectCommand({ Bucket: BUCKET, Key: 'presigned.txt' }), { expiresIn: 300 }));
    expect([fresh.status, fresh.text]).toEqual([200, 'shared']);
    expect(Object.keys(fresh.headers).filter((name) => name.startsWith('access-control-'))).toEqual([]);
    const old = await follow(
      await getSignedUrl(s3, new GetObjectCommand({ Bucket: BUCKET, Key: 'presigned.txt' }), {
        expiresIn: 300,
        signingDate: new Date(Date.now() - 10 * 60_000),
      }),
    );
    expect([old.status, codeOf(old.text), /expired/.test(old.text)]).toEqual([403, 'AccessDenied', true]);
    const late = client(undefined, { systemClockOffset: -16 * 60_000 });
    expect(await failure(late.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'presigned.txt' })))).toMatchObject({
      name: 'RequestTimeTooSkewed',
      status: 403,
    });
    s3.destroy();
  });

  it('an OPTIONS preflight, with no CORS header in the answer', async () => {
    const answer = await fetch(`${server.endpoint}/${BUCKET}/x`, {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'PUT' },
    });
    expect(answer.status).toBe(403);
    expect([...answer.headers.keys()].filter((name) => name.startsWith('access-control-'))).toEqual([]);
  });

  it('a body that is not what x-amz-content-sha256 signed: nothing is stored, no temporary file is left', async () => {
    const answer = await sendSigned(port, {
      method: 'PUT',
      path: `/${BUCKET}/tampered.txt`,
      body: Buffer.from('what was sent'),
      payloadHash: sha256('what was signed'),
      credentials,
    });
    expect([answer.status, codeOf(answer.text)]).toEqual([400, 'XAmzContentSHA256Mismatch']);
    expect(await server.objects.head(BUCKET, 'tampered.txt')).toBeUndefined();
    expect(readdirSync(join(directory, 'tmp'))).toEqual([]);
  });

  it("a Content-MD5 or checksum that is not the body's, and a conditional write over an object", async () => {
    const body = Buffer.from('the body sent');
    const md5Of = (text: string) => createHash('md5').update(text).digest('base64');
    const badMd5 = await sendSigned(port, {
      method: 'PUT',
      path: `/${BUCKET}/digest.txt`,
      body,
      headers: { 'content-md5': md5Of('another body') },
      credentials,
    });
    expect([badMd5.status, codeOf(badMd5.text)]).toEqual([400, 'BadDigest']);
    const badSha1 = await sendSigned(port, {
      method: 'PUT',
      path: `/${BUCKET}/digest.txt`,
      body,
      headers: { 'x-amz-checksum-sha1': createHash('sha1').update('another').digest('base64') },
      credentials,
    });
    expect([badSha1.status, codeOf(badSha1.text)]).toEqual([400, 'BadDigest']);
    expect(await server.objects.head(BUCKET, 'digest.txt')).toBeUndefined();
    expect(
      (await sendSigned(port, { method: 'PUT', path: `/${BUCKET}/digest.txt`, body, headers: { 'content-md5': md5Of('the body sent') }, credentials })).status,
    ).toBe(200);
    const s3 = client();
    expect(await failure(s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'digest.txt', Body: 'over it', IfNoneMatch: '*' })))).toMatchObject({
      name: 'PreconditionFailed',
      status: 412,
    });
    expect((await bytesOf(s3, 'digest.txt')).toString()).toBe('the body sent');
    s3.destroy();
  });

  it('buckets other than the configured ones, and operations not served', async () => {
    const s3 = client();
    expect(await failure(s3.send(new CreateBucketCommand({ Bucket: BUCKET })))).toMatchObject({ name: 'BucketAlreadyOwnedByYou', status: 409 });
    expect(await failure(s3.send(new CreateBucketCommand({ Bucket: 'another-bucket' })))).toMatchObject({ name: 'AccessDenied', status: 403 });
    expect(await failure(s3.send(new PutObjectCommand({ Bucket: 'another-bucket', Key: 'x', Body: 'x' })))).toMatchObject({
      name: 'NoSuchBucket',
      status: 404,
    });
    expect(await failure(s3.send(new GetObjectTaggingCommand({ Bucket: BUCKET, Key: 'x' })))).toMatchObject({ name: 'NotImplemented', status: 501 });
    expect(await failure(s3.send(new CopyObjectCommand({ Bucket: BUCKET, Key: 'copy', CopySource: `${BUCKET}/presigned.txt` })))).toMatchObject({
      name: 'NotImplemented',
      status: 501,
    });
    s3.destroy();
  });

  it('logs refusals without the key', async () => {
    await fetch(`${server.endpoint}/${BUCKET}/secret-patient-name.pdf`);
    expect(logs.some((line) => line.includes('403 AccessDenied'))).toBe(true);
    expect(logs.filter((line) => line.includes('secret-patient-name'))).toEqual([]);
  });
});

/** A PUT with signed aws-chunked chunks (STREAMING-AWS4-HMAC-SHA256-PAYLOAD), as the Java SDK sends; `tamper` changes a data byte after signing. */
async function putSignedChunks(key: string, chunks: Buffer[], tamper = false) {
  const signatureLength = ';chunk-signature='.length + 64 + 4;
  const all = [...chunks, Buffer.alloc(0)];
  const encodedLength = all.reduce((sum, chunk) => sum + chunk.length.toString(16).length + signatureLength + chunk.length, 0);
  const signingDate = new Date();
  const host = `127.0.0.1:${port}`;
  const path = `/${BUCKET}/${encodeURIComponent(key)}`;
  const headers = {
    host,
    'content-encoding': 'aws-chunked',
    'content-length': String(encodedLength),
    'x-amz-decoded-content-length': String(chunks.reduce((sum, chunk) => sum + chunk.length, 0)),
    'x-amz-content-sha256': 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD',
  };
  const signer = sdkSigner(credentials);
  const signed = await signer.sign({ method: 'PUT', protocol: 'http:', hostname: host, path, query: {}, headers }, { signingDate });
  let previous = /Signature=(\w+)/.exec(String(signed.headers.authorization))![1]!;
  const parts: Buffer[] = [];
  for (const chunk of all) {
    previous = (await signer.signMessage({ message: { headers: {}, body: chunk }, priorSignature: previous }, { signingDate })).signature;
    parts.push(Buffer.from(`${chunk.length.toString(16)};chunk-signature=${previous}\r\n`), chunk, Buffer.from('\r\n'));
  }
  const body = Buffer.concat(parts);
  if (tamper) body[200] = body[200]! ^ 1;
  return sendRaw(port, 'PUT', path, signed.headers, body);
}

describe('signed aws-chunked uploads', () => {
  it('stores what the chunks carry, and refuses a body changed after signing', async () => {
    const chunks = [randomBytes(64 * 1024), randomBytes(10_000)];
    expect((await putSignedChunks('chunked/signed.bin', chunks)).status).toBe(200);
    const s3 = client();
    expect((await bytesOf(s3, 'chunked/signed.bin')).equals(Buffer.concat(chunks))).toBe(true);
    const refused = await putSignedChunks('chunked/tampered.bin', chunks, true);
    expect([refused.status, /<Code>(\w+)/.exec(refused.text)?.[1]]).toEqual([403, 'SignatureDoesNotMatch']);
    expect(await server.objects.head(BUCKET, 'chunked/tampered.bin')).toBeUndefined();
    expect(readdirSync(join(directory, 'tmp'))).toEqual([]);
    s3.destroy();
  });
});

describe('what no request can do: bring the endpoint down', () => {
  /** Writes raw bytes to the port and returns the first line answered. */
  const rawExchange = (bytes: string) =>
    new Promise<string>((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () => socket.end(bytes));
      let answer = '';
      socket.on('data', (chunk) => (answer += chunk.toString('latin1')));
      socket.on('end', () => resolve(answer.split('\r\n')[0] ?? ''));
      socket.on('error', reject);
    });

  it('answers headers over 16 KiB, a garbage request line and a broken escape, then serves the next request', async () => {
    expect(await rawExchange(`GET / HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`)).toBe(
      'HTTP/1.1 431 Request Header Fields Too Large',
    );
    expect(await rawExchange('GARBAGE\r\n\r\n')).toBe('HTTP/1.1 400 Bad Request');
    const broken = await sendSigned(port, { method: 'GET', path: `/${BUCKET}/%E0%A4%A`, credentials });
    expect([broken.status, /<Code>(\w+)/.exec(broken.text)?.[1]]).toEqual([400, 'InvalidURI']);
    const s3 = client();
    expect((await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, MaxKeys: 1 }))).KeyCount).toBe(1);
    s3.destroy();
  });
});

describe('a full disk', () => {
  it('answers an upload that cannot be written with SlowDown, removes its temporary file, and serves the next one', async () => {
    const folder = mkdtempSync(join(parent, 'full-'));
    let full = false;
    const enospc = () => {
      if (full) throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    };
    const local = await startLocalS3({ port: 0, directory: folder, buckets: [BUCKET], credentials, faults: { beforeWrite: enospc } });
    const s3 = client(local.endpoint);
    try {
      full = true;
      const refused = await failure(s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'a.pdf', Body: randomBytes(300_000) })));
      expect(refused).toMatchObject({ name: 'SlowDown', status: 503 });
      expect(refused.message).toMatch(/disk is full/);
      const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: 'b.pdf' }));
      expect(await failure(s3.send(new UploadPartCommand({ Bucket: BUCKET, Key: 'b.pdf', UploadId, PartNumber: 1, Body: randomBytes(1000) })))).toMatchObject({
        name: 'SlowDown',
      });
      expect(await local.objects.head(BUCKET, 'a.pdf')).toBeUndefined();
      expect([...readdirSync(join(folder, 'tmp')), ...readdirSync(join(folder, 'parts'))]).toEqual([]);
      full = false;
      await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'a.pdf', Body: 'room again' }));
      expect((await bytesOf(s3, 'a.pdf')).toString()).toBe('room again');
    } finally {
      s3.destroy();
      await local.stop();
    }
  });
});

describe('start-up recovery', () => {
  it('removes leftovers, drops an entry whose blob is gone, aborts a stale upload, and keeps every good object', async () => {
    const folder = mkdtempSync(join(parent, 'recovery-'));
    let local = await startLocalS3({ port: 0, directory: folder, buckets: [BUCKET], credentials });
    // One endpoint per folder: a second one's recovery would take the first one's uploads for leftovers.
    await expect(startLocalS3({ port: 0, directory: folder, buckets: [BUCKET], credentials })).rejects.toMatchObject({ code: 'DirectoryInUse' });
    let s3 = client(local.endpoint);
    const good = { 'good/a.pdf': randomBytes(5000), 'good/b\r\n.pdf': randomBytes(7000), 'good/same.pdf': Buffer.from('shared bytes') };
    for (const [key, body] of Object.entries(good)) await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body }));
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'doomed\u202e.pdf', Body: 'lost blob' }));
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'twin.pdf', Body: 'shared bytes' }));
    const recent = await s3.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: 'recent.pdf' }));
    await s3.send(new UploadPartCommand({ Bucket: BUCKET, Key: 'recent.pdf', UploadId: recent.UploadId, PartNumber: 1, Body: 'part one' }));
    s3.destroy();
    await local.stop();

    // What a crash can leave: a half-written upload, a blob renamed in just before the crash, a part file of no upload.
    writeFileSync(join(folder, 'tmp', 'half-written'), randomBytes(100));
    const strayBlob = sha256('never indexed');
    mkdirSync(join(folder, 'blobs', strayBlob.slice(0, 2)), { recursive: true });
    writeFileSync(join(folder, 'blobs', strayBlob.slice(0, 2), strayBlob), 'never indexed');
    writeFileSync(join(folder, 'parts', 'orphan-part'), '');
    rmSync(join(folder, 'blobs', sha256('lost blob').slice(0, 2), sha256('lost blob')));
    // An upload begun two days ago (its date set in the index: nobody waits 24 hours in a test).
    const { ObjectIndex } = await import('../../functions/local/s3/object-index.ts');
    const index = ObjectIndex.open(folder);
    index.transactionSync(() =>
      index.uploads.putSync('stale-upload', {
        bucket: BUCKET,
        key: 'stale.pdf',
        initiated: Date.now() - 48 * 3_600_000,
        metadata: { contentType: 'x', headers: {}, userMetadata: {} },
      }),
    );
    await index.close();

    local = await startLocalS3({ port: 0, directory: folder, buckets: [BUCKET], credentials });
    s3 = client(local.endpoint);
    try {
      const repaired = local.repaired.join('\n');
      expect(repaired).toMatch(/removed tmp\/"half-written"/);
      expect(repaired).toContain(`removed blob "${strayBlob}"`);
      expect(repaired).toMatch(/removed parts\/"orphan-part"/);
      expect(repaired).toMatch(/aborted the multipart upload of imr-inbox\/"stale\.pdf"/);
      // The key is named with its invisible right-to-left override escaped, not raw.
      expect(repaired).toContain('dropped imr-inbox/"doomed\\u{202e}.pdf": its blob');
      expect(repaired).not.toContain('\u202e');
      expect(local.repaired).toHaveLength(5);
      for (const [key, body] of Object.entries(good)) expect((await bytesOf(s3, key)).equals(body)).toBe(true);
      expect((await bytesOf(s3, 'twin.pdf')).toString()).toBe('shared bytes');
      expect(await failure(s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'doomed\u202e.pdf' })))).toMatchObject({ name: 'NoSuchKey' });
      expect((await s3.send(new ListPartsCommand({ Bucket: BUCKET, Key: 'recent.pdf', UploadId: recent.UploadId }))).Parts).toHaveLength(1);
      expect([readdirSync(join(folder, 'tmp')), existsSync(join(folder, 'parts', 'orphan-part'))]).toEqual([[], false]);
      // Deleting one of two keys with the same bytes keeps the other's blob.
      await s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: 'twin.pdf' }));
      expect((await bytesOf(s3, 'good/same.pdf')).toString()).toBe('shared bytes');
    } finally {
      s3.destroy();
      await local.stop();
    }
    // A clean stop leaves nothing to repair.
    local = await startLocalS3({ port: 0, directory: folder, buckets: [BUCKET], credentials });
    expect(local.repaired).toEqual([]);
    await local.stop();
  });

  it('starts after kill -9 in the middle of an upload, with every committed object', async () => {
    const folder = mkdtempSync(join(parent, 'killed-'));
    const serverModule = new URL('../../functions/local/s3/server.ts', import.meta.url).href;
    const script = `import { startLocalS3 } from ${JSON.stringify(serverModule)};
      const s3 = await startLocalS3({ port: 0, directory: process.env.DIR, buckets: ['${BUCKET}'], credentials: JSON.parse(process.env.CREDENTIALS) });
      console.log(s3.endpoint);`;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      env: { ...process.env, DIR: folder, CREDENTIALS: JSON.stringify(credentials) },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    try {
      const endpoint = await new Promise<string>((resolve, reject) => {
        child.stdout.on('data', (chunk: Buffer) => chunk.toString().includes('http://') && resolve(chunk.toString().trim()));
        child.once('exit', () => reject(new Error('the endpoint exited')));
      });
      const s3 = client(endpoint, { requestChecksumCalculation: 'WHEN_REQUIRED' });
      const committed = randomBytes(100_000);
      await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'committed.pdf', Body: committed }));
      // An upload that sends 2 MB of 50 and then waits: the process is killed while it streams.
      const slow = new Readable({ read() {} });
      slow.push(randomBytes(2 * 1024 * 1024));
      const upload = s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'interrupted.pdf', Body: slow, ContentLength: 50 * 1024 * 1024 })).catch(() => 'cut');
      const deadline = Date.now() + 20_000;
      while (readdirSync(join(folder, 'tmp')).length === 0 || statSync(join(folder, 'tmp', readdirSync(join(folder, 'tmp'))[0]!)).size === 0) {
        if (Date.now() > deadline) throw new Error('the upload never reached the disk');
        await new Promise((next) => setTimeout(next, 20));
      }
      child.kill('SIGKILL');
      await exited;
      expect(await upload).toBe('cut');
      s3.destroy();
    } finally {
      child.kill('SIGKILL');
    }

    const local = await startLocalS3({ port: 0, directory: folder, buckets: [BUCKET], credentials });
    const s3 = client(local.endpoint);
    try {
      expect(local.repaired.join('\n')).toMatch(/removed tmp\/.*unfinished/);
      expect(await local.objects.head(BUCKET, 'interrupted.pdf')).toBeUndefined();
      expect(await local.objects.head(BUCKET, 'committed.pdf')).toMatchObject({ sha256: sha256(await bytesOf(s3, 'committed.pdf')) });
      await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'after.pdf', Body: 'after the crash' }));
      expect((await bytesOf(s3, 'after.pdf')).toString()).toBe('after the crash');
    } finally {
      s3.destroy();
      await local.stop();
    }
  });
});
