import { createHash } from 'node:crypto';
import { PutObjectCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import MailComposer from 'nodemailer/lib/mail-composer';
import type { MailComposerAttachment } from 'nodemailer/lib/mail-composer';
import sharp from 'sharp';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  EmailRefused,
  MAX_EMAIL_ATTACHMENTS,
  MAX_EMAIL_BYTES,
  messageHeaders,
  metadataValue,
  putEmailDocuments,
  readEmail,
  safeFileName,
} from '../../../functions/intake/email.ts';

const RECEIVED = new Date('2026-03-05T17:45:12.345Z');
const PDF = Buffer.from('%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n');
let tiff: Buffer;
let png: Buffer;
let jpeg: Buffer;
const DOCX = Buffer.concat([Buffer.from('PK\x03\x04', 'latin1'), Buffer.alloc(26), Buffer.from('[Content_Types].xml word/document.xml')]);

beforeAll(async () => {
  const page = { create: { width: 640, height: 480, channels: 3 as const, background: '#ffffff' } };
  tiff = await sharp(page).greyscale().tiff({ compression: 'lzw' }).toBuffer();
  png = await sharp(page).png().toBuffer();
  jpeg = await sharp(page).jpeg().toBuffer();
});

/** A real RFC 5322 message, as nodemailer's MailComposer writes it. */
async function message(attachments: MailComposerAttachment[], extra: Record<string, unknown> = {}): Promise<Buffer> {
  return new MailComposer({
    from: 'eFax <message@inbound.efax.example>',
    to: 'imr@firm.example',
    subject: 'Fax from (916) 555-1234, 3 pages',
    text: 'You have received a 3 page fax.',
    attachments,
    ...extra,
  })
    .compile()
    .build();
}

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

describe('readEmail: attachments to documents', () => {
  it('reads a base64 TIFF fax into one document under email/<day received>/<message hash>/1-<name>, with its metadata', async () => {
    const raw = await message([{ filename: 'fax 2026-03-05.tif', content: tiff, contentType: 'image/tiff' }]);
    expect(raw.toString('latin1')).toMatch(/Content-Transfer-Encoding: base64/);
    const intake = await readEmail(raw, { at: RECEIVED });
    expect(intake.documents).toHaveLength(1);
    const [document] = intake.documents;
    expect(document!.key).toBe(`email/2026-03-05/${sha256(raw).slice(0, 12)}/1-fax_2026-03-05.tif`);
    expect(document!.bytes.equals(tiff)).toBe(true);
    expect(document).toMatchObject({ kind: 'tiff', contentType: 'image/tiff', fileName: 'fax 2026-03-05.tif' });
    expect(document!.metadata).toEqual({
      'imr-channel': 'email',
      'imr-sender': 'message%40inbound.efax.example',
      'imr-subject': encodeURIComponent('Fax from (916) 555-1234, 3 pages'),
      'imr-received-at': encodeURIComponent('2026-03-05T17:45:12.345Z'),
      'imr-file-name': encodeURIComponent('fax 2026-03-05.tif'),
    });
    expect(intake).toMatchObject({
      sender: 'message@inbound.efax.example',
      subject: 'Fax from (916) 555-1234, 3 pages',
      receivedAt: '2026-03-05T17:45:12.345Z',
    });
  });

  it('tells documents by their bytes: application/octet-stream PDFs and TIFFs count, a PDF named .txt is a PDF, a text file named .pdf is not', async () => {
    const raw = await message([
      { filename: 'scan', content: PDF, contentType: 'application/octet-stream' },
      { filename: 'FAX.TIF', content: tiff, contentType: 'application/octet-stream' },
      { filename: 'notes.txt', content: PDF, contentType: 'text/plain' },
      { filename: 'letter.pdf', content: 'just text', contentType: 'application/pdf' },
      { filename: 'photo.png', content: png },
      { filename: 'photo.jpg', content: jpeg },
    ]);
    const intake = await readEmail(raw, { at: RECEIVED });
    expect(intake.documents.map((document) => [document.key.split('/').pop(), document.kind])).toEqual([
      ['1-scan.pdf', 'pdf'],
      ['2-FAX.TIF', 'tiff'],
      ['3-notes.txt.pdf', 'pdf'],
      ['4-photo.png', 'png'],
      ['5-photo.jpg', 'jpeg'],
    ]);
    expect(intake.skipped).toEqual([{ fileName: 'letter.pdf', why: 'not a PDF, TIFF, PNG or JPEG file' }]);
  });

  it('refuses a message with no attachment, saying to attach the fax as PDF or TIFF (550)', async () => {
    const refusal = await readEmail(await message([]), { at: RECEIVED }).catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(EmailRefused);
    expect(refusal).toMatchObject({ code: 'NO_DOCUMENT', responseCode: 550, message: expect.stringMatching(/attach the fax as a PDF or TIFF/) });
  });

  it('tells a Word document to be sent as PDF, by type, by name or by its bytes', async () => {
    for (const attachment of [
      { filename: 'determination.docx', content: DOCX },
      { filename: 'determination.doc', content: Buffer.from('\xd0\xcf\x11\xe0', 'latin1'), contentType: 'application/msword' },
      { filename: 'unnamed', content: DOCX, contentType: 'application/octet-stream' },
    ]) {
      const refusal = await readEmail(await message([attachment]), { at: RECEIVED }).catch((error: unknown) => error);
      expect(refusal).toMatchObject({ code: 'NO_DOCUMENT', responseCode: 550, message: expect.stringMatching(/Word document.*PDF/) });
      expect((refusal as Error).message).toContain(attachment.filename);
    }
    // Beside a PDF, the Word document is noted and the PDF read.
    const intake = await readEmail(
      await message([
        { filename: 'determination.docx', content: DOCX },
        { filename: 'fax.pdf', content: PDF },
      ]),
      { at: RECEIVED },
    );
    expect(intake.documents.map((document) => document.key.split('/').pop())).toEqual(['1-fax.pdf']);
    expect(intake.skipped).toEqual([{ fileName: 'determination.docx', why: expect.stringMatching(/Word document.*PDF/) }]);
  });

  it("leaves an HTML body's inline images out (they are not attachments) and opens a message forwarded as an attachment", async () => {
    const forwarded = await message([{ filename: 'forwarded fax.pdf', content: PDF }]);
    const raw = await message(
      [
        { filename: 'logo.png', content: png, cid: 'logo@efax' },
        { filename: 'Fax.eml', content: forwarded, contentType: 'message/rfc822' },
      ],
      { html: '<p><img src="cid:logo@efax"> You have a fax.</p>' },
    );
    const intake = await readEmail(raw, { at: RECEIVED });
    expect(intake.documents.map((document) => [document.key.split('/').pop(), document.fileName])).toEqual([['1-forwarded_fax.pdf', 'forwarded fax.pdf']]);
  });

  it('gives the same keys for the same message received at the same time, and other keys for another message', async () => {
    const raw = await message([{ filename: 'a.pdf', content: PDF }]);
    const keys = async (bytes: Buffer) => (await readEmail(bytes, { at: RECEIVED })).documents.map((document) => document.key);
    expect(await keys(raw)).toEqual(await keys(Buffer.from(raw)));
    expect(await keys(await message([{ filename: 'a.pdf', content: PDF }], { subject: 'another fax' }))).not.toEqual(await keys(raw));
  });

  it('takes the envelope sender when the message has no From', async () => {
    const raw = Buffer.from(
      'To: imr@firm.example\r\nSubject: fax\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="b"\r\n\r\n--b\r\nContent-Type: application/pdf; name="f.pdf"\r\nContent-Disposition: attachment; filename="f.pdf"\r\nContent-Transfer-Encoding: base64\r\n\r\n' +
        PDF.toString('base64') +
        '\r\n--b--\r\n',
    );
    const intake = await readEmail(raw, { at: RECEIVED, envelopeSender: 'fax@firm.example' });
    expect(intake.sender).toBe('fax@firm.example');
    expect(intake.documents[0]!.metadata['imr-sender']).toBe('fax%40firm.example');
  });
});

describe('readEmail: limits', () => {
  it(`refuses a message over ${MAX_EMAIL_BYTES / 1048576} MB before parsing it (552)`, async () => {
    const started = Date.now();
    const refusal = await readEmail(Buffer.alloc(MAX_EMAIL_BYTES + 1, 0x41), { at: RECEIVED }).catch((error: unknown) => error);
    expect(refusal).toMatchObject({ code: 'TOO_LARGE', responseCode: 552 });
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it(`reads ${MAX_EMAIL_ATTACHMENTS} attachments and refuses ${MAX_EMAIL_ATTACHMENTS + 1} (552)`, async () => {
    const pdfs = (count: number) => Array.from({ length: count }, (_, i) => ({ filename: `page ${i + 1}.pdf`, content: PDF }));
    expect((await readEmail(await message(pdfs(MAX_EMAIL_ATTACHMENTS)), { at: RECEIVED })).documents).toHaveLength(MAX_EMAIL_ATTACHMENTS);
    await expect(readEmail(await message(pdfs(MAX_EMAIL_ATTACHMENTS + 1)), { at: RECEIVED })).rejects.toMatchObject({
      code: 'TOO_MANY_ATTACHMENTS',
      responseCode: 552,
    });
  });

  it('refuses a message still parsing past its time limit', async () => {
    const raw = await message([{ filename: 'big.pdf', content: Buffer.concat([PDF, Buffer.alloc(8 * 1024 * 1024, 0x20)]) }]);
    await expect(readEmail(raw, { at: RECEIVED }, { parseSeconds: 0.001 })).rejects.toMatchObject({ code: 'TIME_LIMIT', responseCode: 552 });
  });

  it('refuses a message of more MIME parts than a fax has', async () => {
    const parts = Array.from({ length: 300 }, () => '--b\r\nContent-Type: text/plain\r\n\r\nx\r\n').join('');
    const raw = Buffer.from(`From: fax@firm.example\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="b"\r\n\r\n${parts}--b--\r\n`);
    await expect(readEmail(raw, { at: RECEIVED })).rejects.toMatchObject({ code: 'MALFORMED', responseCode: 550 });
  });
});

describe('names and metadata', () => {
  it('reduces a file name to [A-Za-z0-9._-], never a path, with the extension of what the bytes are', () => {
    expect(safeFileName('../../etc/passwd', 'pdf')).toBe('passwd.pdf');
    expect(safeFileName('C:\\scans\\fax 1.tif', 'tiff')).toBe('fax_1.tif');
    expect(safeFileName('Résumé médical.PDF', 'pdf')).toBe('Resume_medical.PDF');
    expect(safeFileName('..hidden..pdf', 'pdf')).toBe('hidden.pdf');
    expect(safeFileName('fax\r\n\x1b[2J.pdf', 'pdf')).toBe('fax_2J.pdf');
    expect(safeFileName('', 'tiff')).toBe('attachment.tif');
    expect(safeFileName('报告', 'jpeg')).toBe('attachment.jpg');
    expect(safeFileName('scan.dat', 'pdf')).toBe('scan.dat.pdf');
    const long = safeFileName(`${'a'.repeat(300)}.pdf`, 'pdf');
    expect(long).toHaveLength(100);
    expect(long.endsWith('.pdf')).toBe(true);
    for (const name of [long, safeFileName('a/b\\c:d*e?f"g<h>i|j', 'png')]) expect(name).toMatch(/^[\w.-]+$/);
  });

  it('writes metadata values as ASCII (encodeURIComponent), cut at a whole character under 500 bytes', () => {
    const subject = 'Décision IMR — 医疗 '.repeat(40);
    const value = metadataValue(subject);
    expect(value).toMatch(/^[\x21-\x7e]*$/);
    expect(value.length).toBeLessThanOrEqual(500);
    expect(subject.startsWith(decodeURIComponent(value))).toBe(true);
  });

  it('reads the top-level headers of a raw message, unfolded, without parsing the body', () => {
    const headers = messageHeaders(
      Buffer.from('Return-Path: <a@b.example>\r\nReceived-SPF: pass (spfCheck: ok)\r\n client-ip=1.2.3.4;\r\nSubject: x\r\n\r\nX-Not-A-Header: body\r\n'),
    );
    expect(headers).toEqual([
      { name: 'return-path', value: '<a@b.example>' },
      { name: 'received-spf', value: 'pass (spfCheck: ok) client-ip=1.2.3.4;' },
      { name: 'subject', value: 'x' },
    ]);
  });
});

describe('putEmailDocuments', () => {
  const s3 = mockClient(S3Client);
  beforeEach(() => s3.reset());

  it('puts each document once (If-None-Match: *) with its type and metadata, and counts what was already there', async () => {
    const intake = await readEmail(
      await message([
        { filename: 'fax.pdf', content: PDF },
        { filename: 'fax.tif', content: tiff },
      ]),
      { at: RECEIVED },
    );
    const [first, second] = intake.documents;
    s3.on(PutObjectCommand, { Key: first!.key }).resolves({});
    s3.on(PutObjectCommand, { Key: second!.key }).rejects(
      new S3ServiceException({
        name: 'PreconditionFailed',
        $fault: 'client',
        $metadata: { httpStatusCode: 412 },
        message: 'At least one of the pre-conditions you specified did not hold',
      }),
    );
    const delivery = await putEmailDocuments(new S3Client({ region: 'us-east-1' }), 'imr-inbox', intake.documents);
    expect(delivery).toEqual({ put: [first!.key], alreadyThere: [second!.key] });
    expect(s3).toHaveReceivedCommandWith(PutObjectCommand, {
      Bucket: 'imr-inbox',
      Key: first!.key,
      ContentType: 'application/pdf',
      IfNoneMatch: '*',
      Metadata: first!.metadata,
    });
  });

  it('throws any other failure, for the sender or the queue to retry', async () => {
    const intake = await readEmail(await message([{ filename: 'fax.pdf', content: PDF }]), { at: RECEIVED });
    s3.on(PutObjectCommand).rejects(new S3ServiceException({ name: 'SlowDown', $fault: 'server', $metadata: { httpStatusCode: 503 }, message: 'slow down' }));
    await expect(putEmailDocuments(new S3Client({ region: 'us-east-1' }), 'imr-inbox', intake.documents)).rejects.toMatchObject({ name: 'SlowDown' });
  });
});
