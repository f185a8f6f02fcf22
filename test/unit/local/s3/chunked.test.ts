import { describe, expect, it } from 'vitest';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { verifiedBody, type BodyResult } from '../../../../functions/local/s3/body.ts';
import { createChecksum } from '../../../../functions/local/s3/checksums.ts';
import { decodeAwsChunked, type ChunkedOptions } from '../../../../functions/local/s3/chunked.ts';
import { headerValues, signingKey, verifySignature, type VerifiedSignature } from '../../../../functions/local/s3/sigv4.ts';
import { captureSdkRequest, sdkSigner, signedAt, withHeader, type Captured } from './signing.ts';

/** Feeds `body` in pieces of `size` bytes. */
async function* pieces(body: Buffer, size: number): AsyncGenerator<Buffer> {
  for (let i = 0; i < body.length; i += size) yield body.subarray(i, i + size);
}

async function decode(body: Buffer, options: ChunkedOptions, pieceSize = body.length) {
  const result = { trailers: new Map<string, string>() };
  const out: Buffer[] = [];
  for await (const chunk of decodeAwsChunked(pieces(body, pieceSize), options, result)) out.push(chunk);
  return { data: Buffer.concat(out), trailers: result.trailers };
}

/** Runs a captured request's body through the endpoint's body checks: its S3 error code, or the result. */
async function receive(captured: Captured, signature: VerifiedSignature, body = captured.body): Promise<BodyResult | string> {
  const result: BodyResult = { size: 0, sha256: '', md5: Buffer.alloc(0) };
  try {
    for await (const _ of verifiedBody(
      { headers: headerValues(captured.wire.rawHeaders), signature, [Symbol.asyncIterator]: () => pieces(body, 7) },
      1 << 20,
      result,
      { lengthRequired: true },
    ))
      void _;
    return result;
  } catch (error) {
    return (error as { code?: string }).code ?? String(error);
  }
}

const streamedPut = (data: Buffer, extra: Partial<ConstructorParameters<typeof PutObjectCommand>[0]> = {}) =>
  captureSdkRequest((client) =>
    client.send(
      new PutObjectCommand({
        Bucket: 'imr-inbox',
        Key: 'k',
        Body: Readable.from([data.subarray(0, 5), data.subarray(5)]),
        ContentLength: data.length,
        ...extra,
      }),
    ),
  );

describe('aws-chunked bodies the SDK v3 sends (STREAMING-UNSIGNED-PAYLOAD-TRAILER)', () => {
  const data = Buffer.from('a letter of determination\r\n0\r\n');

  it('decodes to the original bytes, fed whole or one byte at a time, with the checksum trailer', async () => {
    const captured = await streamedPut(data);
    expect(captured.headers['x-amz-content-sha256']).toBe('STREAMING-UNSIGNED-PAYLOAD-TRAILER');
    for (const size of [captured.body.length, 1, 3]) {
      const decoded = await decode(captured.body, { trailer: true, maxChunkBytes: 1 << 20 }, size);
      expect(decoded.data.equals(data)).toBe(true);
      expect(decoded.trailers.get('x-amz-checksum-crc32')).toBeDefined();
    }
  });

  it('checks the trailer checksum: accepted as sent, BadDigest when the data or the trailer changes', async () => {
    const captured = await streamedPut(data);
    const signature = verifySignature(captured.wire, { credentials: (await import('./signing.ts')).CREDENTIALS, region: 'us-east-1', now: signedAt(captured) });
    const result = await receive(captured, signature);
    expect(result).toMatchObject({ size: data.length, sha256: createHash('sha256').update(data).digest('hex') });
    const changedData = Buffer.from(captured.body.toString('latin1').replace('determination', 'determinatioN'), 'latin1');
    expect(await receive(captured, signature, changedData)).toBe('BadDigest');
    const trailer = /x-amz-checksum-crc32:([^\r]+)/.exec(captured.body.toString('latin1'))![1]!;
    const changedTrailer = Buffer.from(captured.body.toString('latin1').replace(trailer, 'AAAAAA=='), 'latin1');
    expect(await receive(captured, signature, changedTrailer)).toBe('BadDigest');
  });

  it.each(['CRC32C', 'SHA1', 'SHA256', 'CRC64NVME'] as const)('checks a %s trailer', async (algorithm) => {
    const captured = await streamedPut(data, { ChecksumAlgorithm: algorithm });
    const name = `x-amz-checksum-${algorithm.toLowerCase()}`;
    expect(captured.body.toString('latin1')).toContain(`${name}:`);
    const signature = verifySignature(captured.wire, { credentials: (await import('./signing.ts')).CREDENTIALS, region: 'us-east-1', now: signedAt(captured) });
    expect(typeof (await receive(captured, signature))).toBe('object');
    const sent = new RegExp(`${name}:([^\\r]+)`).exec(captured.body.toString('latin1'))![1]!;
    expect(await receive(captured, signature, Buffer.from(captured.body.toString('latin1').replace(sent, createChecksum('sha256').digest()), 'latin1'))).toBe(
      'BadDigest',
    );
  });

  it('refuses a body cut short, one longer than declared, and broken framing', async () => {
    const captured = await streamedPut(data);
    const signature = verifySignature(captured.wire, { credentials: (await import('./signing.ts')).CREDENTIALS, region: 'us-east-1', now: signedAt(captured) });
    expect(await receive(captured, signature, captured.body.subarray(0, captured.body.length - 5))).toBe('IncompleteBody');
    const longer = withHeader(captured.wire, 'x-amz-decoded-content-length', String(data.length - 1));
    expect(await receive({ ...captured, wire: longer }, signature)).toBe('IncompleteBody');
    expect(await receive(captured, signature, Buffer.from(`zz\r\n${captured.body.toString('latin1')}`, 'latin1'))).toBe('InvalidRequest');
  });
});

describe('aws-chunked bodies with signed chunks (STREAMING-AWS4-HMAC-SHA256-PAYLOAD)', () => {
  // The example of https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-streaming.html:
  // 66,560 bytes of 'a' in chunks of 65,536 and 1,024, signed with the documented example key.
  const key = signingKey('wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', '20130524', 'us-east-1', 's3');
  const signing = {
    signingKey: key,
    amzDate: '20130524T000000Z',
    scope: '20130524/us-east-1/s3/aws4_request',
    seedSignature: '4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9',
  };
  const documented = [
    ['10000', 'ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648', 65_536],
    ['400', '0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497', 1_024],
    ['0', 'b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9', 0],
  ] as const;
  const body = Buffer.concat(documented.map(([size, signature, length]) => Buffer.from(`${size};chunk-signature=${signature}\r\n${'a'.repeat(length)}\r\n`)));

  it('accepts the documented example (66,824 bytes on the wire), fed in odd pieces', async () => {
    expect(body.length).toBe(66_824);
    const decoded = await decode(body, { trailer: false, maxChunkBytes: 1 << 20, signing }, 1_000);
    expect(decoded.data.equals(Buffer.alloc(66_560, 'a'))).toBe(true);
  });

  it('refuses it with one byte of data changed, or a chunk signature changed', async () => {
    const changed = Buffer.from(body);
    changed[70_000 - 5_000] = 0x62;
    await expect(decode(changed, { trailer: false, maxChunkBytes: 1 << 20, signing })).rejects.toMatchObject({ code: 'SignatureDoesNotMatch' });
    const resigned = Buffer.from(body.toString('latin1').replace('0055627c', '0055627d'), 'latin1');
    await expect(decode(resigned, { trailer: false, maxChunkBytes: 1 << 20, signing })).rejects.toMatchObject({ code: 'SignatureDoesNotMatch' });
    await expect(decode(body, { trailer: false, maxChunkBytes: 1 << 20, signing: { ...signing, seedSignature: '0'.repeat(64) } })).rejects.toMatchObject({
      code: 'SignatureDoesNotMatch',
    });
  });

  it('accepts chunks signed by the SDK signer, chained from the request signature', async () => {
    const date = new Date(Date.UTC(2026, 0, 2, 3, 4, 5));
    const signer = sdkSigner();
    const seed = '1'.repeat(64);
    const chunks = [Buffer.alloc(8192, 'x'), Buffer.from('tail'), Buffer.alloc(0)];
    let previous = seed;
    let wire = '';
    for (const chunk of chunks) {
      // The SDK signs a message with no headers exactly as aws-chunked signs a chunk.
      previous = (await signer.signMessage({ message: { headers: {}, body: chunk }, priorSignature: previous }, { signingDate: date })).signature;
      wire += `${chunk.length.toString(16)};chunk-signature=${previous}\r\n${chunk.toString('latin1')}\r\n`;
    }
    const { CREDENTIALS } = await import('./signing.ts');
    const sdkSigning = {
      signingKey: signingKey(CREDENTIALS.secretAccessKey, '20260102', 'us-east-1', 's3'),
      amzDate: '20260102T030405Z',
      scope: '20260102/us-east-1/s3/aws4_request',
      seedSignature: seed,
    };
    const decoded = await decode(Buffer.from(wire, 'latin1'), { trailer: false, maxChunkBytes: 1 << 20, signing: sdkSigning }, 999);
    expect(decoded.data.toString()).toBe(`${'x'.repeat(8192)}tail`);
  });
});

describe('checksums', () => {
  // The SDK's own CRC32C and CRC64NVME are checked against these above, through its trailers.
  it('match the standard check values of "123456789", fed in pieces', () => {
    const check = (algorithm: Parameters<typeof createChecksum>[0], data: Buffer) => {
      const running = createChecksum(algorithm);
      running.update(data.subarray(0, 3));
      running.update(data.subarray(3));
      return Buffer.from(running.digest(), 'base64').toString('hex');
    };
    const nine = Buffer.from('123456789');
    expect([check('crc32', nine), check('crc32c', nine), check('crc64nvme', nine)]).toEqual(['cbf43926', 'e3069283', 'ae8b14860a799888']);
  });
});
