import { describe, expect, it } from 'vitest';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { createHash, createHmac } from 'node:crypto';
import { signingKey, verifySignature, type WireRequest } from '../../../../functions/local/s3/sigv4.ts';
import { CREDENTIALS, captureSdkRequest, rawHeadersOf, sdkSigner, signedAt, withHeader } from './signing.ts';

const REGION = 'us-east-1';
const verify = (wire: WireRequest, now: number, credentials = CREDENTIALS, region = REGION) => verifySignature(wire, { credentials, region, now });
/** The S3 error code a verification throws, or 'accepted'. */
const outcome = (run: () => unknown) => {
  try {
    run();
    return 'accepted';
  } catch (error) {
    return (error as { code?: string }).code ?? String(error);
  }
};

const AWKWARD_KEY = "inbox/a b+c/../../x %2F\r\n?#&=é😀~!*'()";

describe('SigV4 verification of requests the real SDK v3 signed', () => {
  it.each(['WHEN_SUPPORTED', 'WHEN_REQUIRED'] as const)('accepts a PutObject (checksums %s) and reports its payload hash', async (checksums) => {
    const body = 'a letter';
    const captured = await captureSdkRequest((client) => client.send(new PutObjectCommand({ Bucket: 'imr-inbox', Key: AWKWARD_KEY, Body: body })), {
      checksums,
    });
    const verified = verify(captured.wire, signedAt(captured));
    expect(verified.accessKeyId).toBe(CREDENTIALS.accessKeyId);
    expect(verified.payload).toEqual({ kind: 'sha256', hex: createHash('sha256').update(body).digest('hex') });
  });

  it('accepts a streamed PutObject as an unsigned aws-chunked body with a checksum trailer', async () => {
    const { Readable } = await import('node:stream');
    const captured = await captureSdkRequest((client) =>
      client.send(new PutObjectCommand({ Bucket: 'imr-inbox', Key: 'k', Body: Readable.from([Buffer.from('abc')]), ContentLength: 3 })),
    );
    expect(verify(captured.wire, signedAt(captured)).payload).toEqual({ kind: 'unsigned-trailer' });
  });

  it('accepts GetObject and ListObjectsV2 whose path and query hold characters that must be escaped', async () => {
    const get = await captureSdkRequest((client) => client.send(new GetObjectCommand({ Bucket: 'imr-inbox', Key: AWKWARD_KEY, Range: 'bytes=0-1' })));
    expect(outcome(() => verify(get.wire, signedAt(get)))).toBe('accepted');
    const list = await captureSdkRequest((client) =>
      client.send(new ListObjectsV2Command({ Bucket: 'imr-inbox', Prefix: 'a b+c/é ', StartAfter: 'x&y=z', ContinuationToken: 'YWJj_-', MaxKeys: 7 })),
    );
    expect(list.wire.rawQuery).toContain('prefix=a%20b%2Bc');
    expect(outcome(() => verify(list.wire, signedAt(list)))).toBe('accepted');
  });

  it('refuses a request changed after signing: a header, the path, the query', async () => {
    const captured = await captureSdkRequest((client) =>
      client.send(new PutObjectCommand({ Bucket: 'imr-inbox', Key: 'inbox/a.pdf', Body: 'x', ContentType: 'application/pdf' })),
    );
    const at = signedAt(captured);
    expect(outcome(() => verify(withHeader(captured.wire, 'content-type', 'text/html'), at))).toBe('SignatureDoesNotMatch');
    expect(outcome(() => verify({ ...captured.wire, rawPath: '/imr-inbox/inbox/b.pdf' }, at))).toBe('SignatureDoesNotMatch');
    expect(outcome(() => verify({ ...captured.wire, rawQuery: `${captured.wire.rawQuery}&acl=` }, at))).toBe('SignatureDoesNotMatch');
    expect(outcome(() => verify({ ...captured.wire, method: 'DELETE' }, at))).toBe('SignatureDoesNotMatch');
  });

  it('refuses a wrong secret, another access key and another region', async () => {
    const captured = await captureSdkRequest((client) => client.send(new GetObjectCommand({ Bucket: 'imr-inbox', Key: 'k' })));
    const at = signedAt(captured);
    expect(outcome(() => verify(captured.wire, at, { ...CREDENTIALS, secretAccessKey: `${CREDENTIALS.secretAccessKey}x` }))).toBe('SignatureDoesNotMatch');
    expect(outcome(() => verify(captured.wire, at, { ...CREDENTIALS, accessKeyId: 'AKIAZZZZZZZZZZZZZZZZ' }))).toBe('InvalidAccessKeyId');
    expect(outcome(() => verify(captured.wire, at, CREDENTIALS, 'eu-west-1'))).toBe('AuthorizationHeaderMalformed');
  });

  it('derives a signing key for each secret, day, region and service, though it keeps the last one', async () => {
    // The chain of four HMACs, derived here independently of the module's kept key.
    const derived = (secret: string, day: string, region: string, service: string) =>
      [day, region, service, 'aws4_request'].reduce<Buffer | string>((key, part) => createHmac('sha256', key).update(part).digest(), `AWS4${secret}`);
    const asked: Array<[string, string, string, string]> = [
      ['s1', '20261130', 'us-east-1', 's3'],
      ['s1', '20261130', 'us-east-1', 's3'],
      ['s1', '20261201', 'us-east-1', 's3'],
      ['s2', '20261201', 'us-east-1', 's3'],
      ['s2', '20261201', 'eu-west-1', 's3'],
      ['s2', '20261201', 'eu-west-1', 'sqs'],
      ['s1', '20261130', 'us-east-1', 's3'],
    ];
    for (const inputs of asked) expect(signingKey(...inputs).equals(derived(...inputs) as Buffer)).toBe(true);
    // A request verified, then one with a wrong secret refused, then the first accepted again: the kept key never stands in for another.
    const captured = await captureSdkRequest((client) => client.send(new GetObjectCommand({ Bucket: 'imr-inbox', Key: 'k' })));
    const at = signedAt(captured);
    expect(outcome(() => verify(captured.wire, at))).toBe('accepted');
    expect(outcome(() => verify(captured.wire, at, { ...CREDENTIALS, secretAccessKey: 'another' }))).toBe('SignatureDoesNotMatch');
    expect(outcome(() => verify(captured.wire, at))).toBe('accepted');
  });

  it('takes x-amz-date within 15 minutes of the clock, either way, and no further', async () => {
    const captured = await captureSdkRequest((client) => client.send(new GetObjectCommand({ Bucket: 'imr-inbox', Key: 'k' })));
    const at = signedAt(captured);
    expect(outcome(() => verify(captured.wire, at + 14 * 60_000))).toBe('accepted');
    expect(outcome(() => verify(captured.wire, at - 14 * 60_000))).toBe('accepted');
    expect(outcome(() => verify(captured.wire, at + 16 * 60_000))).toBe('RequestTimeTooSkewed');
    expect(outcome(() => verify(captured.wire, at - 16 * 60_000))).toBe('RequestTimeTooSkewed');
  });

  it('refuses an anonymous request, and an x-amz-* header added after signing', async () => {
    const captured = await captureSdkRequest((client) => client.send(new GetObjectCommand({ Bucket: 'imr-inbox', Key: 'k' })));
    const at = signedAt(captured);
    const anonymous = captured.wire.rawHeaders.filter((_, i, all) => !/^authorization$/i.test(all[i - (i % 2)]!));
    expect(outcome(() => verify({ ...captured.wire, rawHeaders: anonymous }, at))).toBe('AccessDenied');
    expect(outcome(() => verify(withHeader(captured.wire, 'x-amz-acl', 'public-read'), at))).toBe('AccessDenied');
  });
});

describe('SigV4 verification of presigned URLs', () => {
  const presigned = async (expiresIn: number) => {
    const { S3Client } = await import('@aws-sdk/client-s3');
    const client = new S3Client({ endpoint: 'http://127.0.0.1:9000', region: REGION, forcePathStyle: true, credentials: CREDENTIALS });
    const signed = await getSignedUrl(client, new GetObjectCommand({ Bucket: 'imr-inbox', Key: AWKWARD_KEY }), { expiresIn });
    client.destroy();
    // Split by hand: WHATWG URL parsing would resolve the key's `../` segments.
    const target = signed.slice('http://127.0.0.1:9000'.length);
    const [rawPath = '', rawQuery = ''] = target.split('?');
    const date = /X-Amz-Date=(\w+)/.exec(rawQuery)![1]!;
    const at = Date.UTC(+date.slice(0, 4), +date.slice(4, 6) - 1, +date.slice(6, 8), +date.slice(9, 11), +date.slice(11, 13), +date.slice(13, 15));
    return { wire: { method: 'GET', rawPath, rawQuery, rawHeaders: ['Host', '127.0.0.1:9000'] }, at };
  };

  it('accepts one within its X-Amz-Expires and refuses it after', async () => {
    const { wire, at } = await presigned(300);
    expect(verify(wire, at + 299_000).payload).toEqual({ kind: 'unsigned' });
    expect(outcome(() => verify(wire, at + 301_000))).toBe('AccessDenied');
    expect(outcome(() => verify({ ...wire, rawPath: wire.rawPath.replace('inbox', 'inbix') }, at))).toBe('SignatureDoesNotMatch');
  });

  it('refuses an expiry over 7 days', async () => {
    const { wire, at } = await presigned(300);
    expect(outcome(() => verify({ ...wire, rawQuery: wire.rawQuery.replace('X-Amz-Expires=300', 'X-Amz-Expires=604801') }, at))).toBe(
      'AuthorizationQueryParametersError',
    );
  });
});

describe('SigV4 verification of requests the SDK signer makes but no S3 client sends', () => {
  it('refuses a signature that does not cover the host header', async () => {
    const at = Date.UTC(2026, 0, 2, 3, 4, 5);
    const request = {
      method: 'GET',
      protocol: 'http:',
      hostname: '127.0.0.1',
      port: 9000,
      path: '/imr-inbox/k',
      query: {},
      headers: { host: '127.0.0.1:9000', 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' },
    };
    const signed = await sdkSigner().sign(request, { signingDate: new Date(at), unsignableHeaders: new Set(['host']) });
    const wire = { method: 'GET', rawPath: '/imr-inbox/k', rawQuery: '', rawHeaders: rawHeadersOf(signed.headers) };
    expect(String(signed.headers.authorization)).not.toMatch(/SignedHeaders=[^,]*host/);
    expect(outcome(() => verify(wire, at))).toBe('AccessDenied');
    const covered = await sdkSigner().sign(request, { signingDate: new Date(at) });
    expect(outcome(() => verify({ ...wire, rawHeaders: rawHeadersOf(covered.headers) }, at))).toBe('accepted');
  });
});

describe('SigV4 verification against the examples in the S3 documentation', () => {
  // https://docs.aws.amazon.com/AmazonS3/latest/API/sig-v4-header-based-auth.html ("GET Object")
  const example = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' };
  const at = Date.UTC(2013, 4, 24);

  it('accepts the documented GET Object signature, and refuses it with one digit changed', () => {
    const headers = {
      Host: 'examplebucket.s3.amazonaws.com',
      Range: 'bytes=0-9',
      'x-amz-content-sha256': 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
      'x-amz-date': '20130524T000000Z',
      Authorization:
        'AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41',
    };
    const wire = { method: 'GET', rawPath: '/test.txt', rawQuery: '', rawHeaders: rawHeadersOf(headers) };
    expect(outcome(() => verify(wire, at, example))).toBe('accepted');
    expect(outcome(() => verify(withHeader(wire, 'authorization', headers.Authorization.replace(/1$/, '2')), at, example))).toBe('SignatureDoesNotMatch');
  });

  it('accepts the documented presigned URL', () => {
    // https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-query-string-auth.html
    const rawQuery =
      'X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404';
    const wire = { method: 'GET', rawPath: '/test.txt', rawQuery, rawHeaders: ['Host', 'examplebucket.s3.amazonaws.com'] };
    expect(outcome(() => verify(wire, at + 3_600_000, example))).toBe('accepted');
    expect(outcome(() => verify(wire, at + 86_401_000, example))).toBe('AccessDenied');
  });
});
