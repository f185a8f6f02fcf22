import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { GetObjectCommand, PutObjectCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import type { Context, SQSEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import MailComposer from 'nodemailer/lib/mail-composer';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { s3Notification } from '../../fixtures/aws-events.ts';

/** The email function reads its settings at cold start: these are its environment in the template. */
const ENVIRONMENT = {
  INBOX_BUCKET: 'inbox-bucket',
  EMAIL_SENDERS: '@efax.example,fax@firm.example',
  MAX_RECEIVE_COUNT: '5',
  AWS_REGION: 'us-east-1',
  POWERTOOLS_METRICS_NAMESPACE: 'test',
  POWERTOOLS_DEV: 'true',
  POWERTOOLS_LOG_LEVEL: 'SILENT',
};
const RAW_BUCKET = 'raw-email-bucket';
const STORED_AT = new Date('2026-04-02T23:59:58.000Z');
const PDF = Buffer.from('%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n');
const s3 = mockClient(S3Client);
const context = { functionName: 'email', awsRequestId: 'req-1', getRemainingTimeInMillis: () => 60_000 } as unknown as Context;
let email: typeof import('../../../functions/email/handler.ts');
let receive: typeof import('../../../functions/email/receive.ts');

beforeAll(async () => {
  for (const [name, value] of Object.entries(ENVIRONMENT)) vi.stubEnv(name, value);
  email = await import('../../../functions/email/handler.ts');
  receive = await import('../../../functions/email/receive.ts');
});
afterAll(() => vi.unstubAllEnvs());
beforeEach(() => s3.reset());

/** What SES writes on top of a message it stores: the envelope sender, its own Received, its verdicts and receipt. */
function sesHeaders(envelopeSender: string, verdicts: { spf?: string; virus?: string } = {}): string {
  const domain = envelopeSender.split('@')[1] ?? 'unknown.example';
  return [
    `Return-Path: <${envelopeSender}>`,
    'Received: from mail.efax.example (mail.efax.example [192.0.2.10])',
    ' by inbound-smtp.us-east-1.amazonaws.com with SMTP id abc123',
    ' for imr@mail.firm.example;',
    ' Thu, 02 Apr 2026 23:59:58 +0000 (UTC)',
    'X-SES-Spam-Verdict: PASS',
    `X-SES-Virus-Verdict: ${verdicts.virus ?? 'PASS'}`,
    `Received-SPF: ${verdicts.spf ?? 'pass'} (spfCheck: domain of ${domain} designates 192.0.2.10 as permitted sender) client-ip=192.0.2.10; envelope-from=${envelopeSender};`,
    'Authentication-Results: amazonses.com;',
    ` spf=${verdicts.spf ?? 'pass'} (spfCheck: ...) smtp.mailfrom=${envelopeSender};`,
    'X-SES-RECEIPT: AEFBQUFBQUFBQUFF',
    'X-SES-DKIM-SIGNATURE: a=rsa-sha256; q=dns/txt; b=abc',
    '',
  ].join('\r\n');
}

/** A fax email as SES stores it: its headers on top of the message the sender sent. */
async function storedMessage(
  envelopeSender: string,
  verdicts: { spf?: string; virus?: string } = {},
  attachments = [{ filename: 'Fax 0402.pdf', content: PDF }],
) {
  const sent = await new MailComposer({
    from: 'eFax <message@inbound.efax.example>',
    to: 'imr@mail.firm.example',
    subject: 'Fax from 916-555-1234',
    text: 'You have a fax.',
    attachments,
  })
    .compile()
    .build();
  return Buffer.concat([Buffer.from(sesHeaders(envelopeSender, verdicts)), sent]);
}

/** S3's answer to GetObject: the body as the SDK gives it. */
function stored(raw: Buffer, lastModified = STORED_AT) {
  const body = Object.assign(Readable.from([raw]), { transformToByteArray: async () => new Uint8Array(raw) });
  return { Body: body, ContentLength: raw.length, LastModified: lastModified } as never;
}

function sqsEvent(...keys: string[]): SQSEvent {
  return {
    Records: keys.map((key, i) => ({
      messageId: `m${i}`,
      receiptHandle: `m${i}`,
      body: JSON.stringify(s3Notification(RAW_BUCKET, [{ key }])),
      attributes: { ApproximateReceiveCount: '1', SentTimestamp: '0', SenderId: 'x', ApproximateFirstReceiveTimestamp: '0' },
      messageAttributes: {},
      md5OfBody: '',
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:email',
      awsRegion: 'us-east-1',
    })),
  };
}

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

describe('email function', () => {
  it('puts the attachments of an allowed, SPF-authenticated sender into the inbox under email/<day SES stored it>/<hash>/, with the metadata', async () => {
    const raw = await storedMessage('bounces+123@mail.efax.example');
    s3.on(GetObjectCommand, { Bucket: RAW_BUCKET, Key: 'raw-email/0a1b2c' }).resolves(stored(raw));
    s3.on(PutObjectCommand).resolves({});
    expect(await email.lambdaHandler(sqsEvent('raw-email/0a1b2c'), context)).toEqual({ batchItemFailures: [] });
    expect(s3).toHaveReceivedCommandTimes(PutObjectCommand, 1);
    expect(s3).toHaveReceivedCommandWith(PutObjectCommand, {
      Bucket: 'inbox-bucket',
      Key: `email/2026-04-02/${sha256(raw).slice(0, 12)}/1-Fax_0402.pdf`,
      Body: PDF,
      ContentType: 'application/pdf',
      IfNoneMatch: '*',
      Metadata: {
        'imr-channel': 'email',
        'imr-sender': 'message%40inbound.efax.example',
        'imr-subject': 'Fax%20from%20916-555-1234',
        'imr-received-at': '2026-04-02T23%3A59%3A58.000Z',
        'imr-file-name': 'Fax%200402.pdf',
      },
    });
  });

  it('gives the same keys when the same stored message is read again, and writes nothing twice', async () => {
    const raw = await storedMessage('fax@firm.example');
    s3.on(GetObjectCommand).resolves(stored(raw));
    s3.on(PutObjectCommand)
      .resolvesOnce({})
      .rejects(new S3ServiceException({ name: 'PreconditionFailed', $fault: 'client', $metadata: { httpStatusCode: 412 }, message: 'exists' }));
    await email.lambdaHandler(sqsEvent('raw-email/m1'), context);
    expect(await email.lambdaHandler(sqsEvent('raw-email/m1'), context)).toEqual({ batchItemFailures: [] });
    const keys = s3.commandCalls(PutObjectCommand).map((call) => call.args[0].input.Key);
    expect(keys).toHaveLength(2);
    expect(keys[0]).toBe(keys[1]);
  });

  it('refuses a sender not on the allow-list, one whose SPF check did not pass, and a message SES found a virus in: nothing is put', async () => {
    for (const [raw, reason, senderDomain] of [
      [await storedMessage('someone@elsewhere.example'), 'SENDER_NOT_ALLOWED', '@elsewhere.example'],
      [await storedMessage('fax@firm.example', { spf: 'softfail' }), 'SENDER_NOT_AUTHENTICATED', '@firm.example'],
      [await storedMessage('fax@firm.example', { virus: 'FAIL' }), 'VIRUS', '@firm.example'],
    ] as const) {
      s3.on(GetObjectCommand).resolves(stored(raw));
      expect(await email.lambdaHandler(sqsEvent('raw-email/refused'), context)).toEqual({ batchItemFailures: [] });
      expect(await receive.receiveRawEmail(email.dependencies, RAW_BUCKET, 'raw-email/refused')).toEqual({
        status: 'REFUSED',
        reason,
        senderDomain,
        fromAllowedSender: false,
      });
    }
    expect(s3).not.toHaveReceivedCommand(PutObjectCommand);
  });

  it("trusts only SES's headers: a sender's own Received-SPF below them, or a message with no SES receipt, is refused", async () => {
    const forged = Buffer.concat([
      Buffer.from(sesHeaders('fax@firm.example', { spf: 'fail' })),
      Buffer.from('Received-SPF: pass (forged)\r\n'),
      (await storedMessage('fax@firm.example')).subarray(sesHeaders('fax@firm.example').length),
    ]);
    const withoutSes = (await storedMessage('fax@firm.example')).subarray(sesHeaders('fax@firm.example').length);
    for (const [raw, reason] of [
      [forged, 'SENDER_NOT_AUTHENTICATED'],
      [Buffer.concat([Buffer.from('Return-Path: <fax@firm.example>\r\nReceived-SPF: pass\r\n'), withoutSes]), 'NOT_FROM_SES'],
    ] as const) {
      s3.on(GetObjectCommand).resolves(stored(raw));
      await email.lambdaHandler(sqsEvent('raw-email/forged'), context);
      expect(await receive.receiveRawEmail(email.dependencies, RAW_BUCKET, 'raw-email/forged')).toMatchObject({ status: 'REFUSED', reason });
    }
    expect(s3).not.toHaveReceivedCommand(PutObjectCommand);
  });

  it('refuses, without retrying, a message of an allowed sender with no readable attachment or over the size limit', async () => {
    s3.on(GetObjectCommand, { Key: 'raw-email/word' }).resolves(
      stored(await storedMessage('fax@firm.example', {}, [{ filename: 'letter.docx', content: Buffer.from('PK\x03\x04word/document.xml', 'latin1') }])),
    );
    const body = Object.assign(Readable.from([Buffer.alloc(8)]), { transformToByteArray: async () => new Uint8Array(8) });
    s3.on(GetObjectCommand, { Key: 'raw-email/huge' }).resolves({ Body: body, ContentLength: 60 * 1024 * 1024, LastModified: STORED_AT } as never);
    expect(await email.lambdaHandler(sqsEvent('raw-email/word', 'raw-email/huge'), context)).toEqual({ batchItemFailures: [] });
    expect(body.destroyed).toBe(true);
    expect(await receive.receiveRawEmail(email.dependencies, RAW_BUCKET, 'raw-email/word')).toEqual({
      status: 'REFUSED',
      reason: 'NO_DOCUMENT',
      senderDomain: '@firm.example',
      fromAllowedSender: true,
    });
    expect(s3).not.toHaveReceivedCommand(PutObjectCommand);
  });

  it("ignores SES's setup notification, and reports a record whose put failed for the queue to retry", async () => {
    s3.on(GetObjectCommand).resolves(stored(await storedMessage('fax@firm.example')));
    s3.on(PutObjectCommand).rejects(new S3ServiceException({ name: 'SlowDown', $fault: 'server', $metadata: { httpStatusCode: 503 }, message: 'slow down' }));
    const answer = await email.lambdaHandler(sqsEvent('raw-email/AMAZON_SES_SETUP_NOTIFICATION', 'raw-email/m2'), context);
    expect(answer).toEqual({ batchItemFailures: [{ itemIdentifier: 'm1' }] });
    expect(s3.commandCalls(GetObjectCommand).map((call) => call.args[0].input.Key)).toEqual(['raw-email/m2']);
  });

  it('refuses to start without a valid allow-list, naming EMAIL_SENDERS and never its value', async () => {
    for (const value of ['', 'not-a-sender-list']) {
      vi.resetModules();
      vi.stubEnv('EMAIL_SENDERS', value);
      const failure = await import('../../../functions/email/handler.ts').catch((error: unknown) => error as Error);
      expect(failure).toBeInstanceOf(Error);
      expect((failure as Error).message).toMatch(/EMAIL_SENDERS/);
      if (value) expect((failure as Error).message).not.toContain(value);
    }
    vi.stubEnv('EMAIL_SENDERS', ENVIRONMENT.EMAIL_SENDERS);
  });
});
