/**
 * Email intake on one machine: real MIME messages (nodemailer's MailComposer, or written by
 * hand) sent over real SMTP (nodemailer's client, or a raw socket where the conversation itself
 * is under test) to the listener `startLocalService` starts, and what comes of them: the objects
 * in imr-inbox with their keys and metadata, and the documents the service reads from them.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HeadObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import nodemailer from 'nodemailer';
import MailComposer from 'nodemailer/lib/mail-composer';
import type { MailComposerAttachment } from 'nodemailer/lib/mail-composer';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../functions/local/stand-ins.ts';
import { LOCAL_INBOX, SMTP_PASSWORD_FILE, startOnFreePorts, type LocalService } from '../../functions/local/runtime.ts';
import { documentId } from '../../functions/service/ingest.ts';
import { isTerminal } from '../../functions/service/ports.ts';
import { receivedOnOf } from '../../functions/domain/index.ts';
import { MAX_EMAIL_BYTES } from '../../functions/intake/email.ts';
import { loadGoldenLetters } from '../fixtures/golden.ts';
import { typesetPdf } from '../fixtures/scans.ts';
import { printedLines } from '../fixtures/variants.ts';
import { waitFor } from './harness.ts';

const letters = loadGoldenLetters();
const root = mkdtempSync(join(tmpdir(), 'imr-email-'));
const lines: string[] = [];
const SENDERS = '@efax.example,fax@firm.example';
const SUBJECT = 'Fax for Jane Roe, claim 12-3456';
let service: LocalService;
let smtpPort = 0;
let stopped = false;
let letterPdf: Buffer;
let faxTiff: Buffer;

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** A real message as an eFax-like service writes it. */
function compose(attachments: MailComposerAttachment[], extra: Record<string, unknown> = {}): Promise<Buffer> {
  return new MailComposer({
    from: 'eFax <message@inbound.efax.example>',
    to: 'imr@firm.example',
    subject: SUBJECT,
    text: 'You have received a fax. See the attachment.',
    attachments,
    ...extra,
  })
    .compile()
    .build();
}

/** Sends a raw message with nodemailer's SMTP client, logged in; resolves with the server's final reply. */
async function send(raw: Buffer, from = 'message@inbound.efax.example', password = service.email!.password): Promise<string> {
  const transport = nodemailer.createTransport({ host: '127.0.0.1', port: smtpPort, secure: false, ignoreTLS: true, auth: { user: 'imr', pass: password } });
  try {
    const info = await transport.sendMail({ envelope: { from, to: ['imr@firm.example'] }, raw });
    return info.response;
  } finally {
    transport.close();
  }
}

/** What an SMTP refusal says: nodemailer's error carries the reply code, the command and the text. */
async function refusal(sending: Promise<unknown>): Promise<{ responseCode?: number; command?: string; response?: string }> {
  try {
    await sending;
  } catch (error) {
    return error as { responseCode?: number; command?: string; response?: string };
  }
  throw new Error('the message was accepted');
}

/** Every key under email/ in the inbox. */
async function emailKeys(): Promise<string[]> {
  const listed = await service.s3.send(new ListObjectsV2Command({ Bucket: LOCAL_INBOX, Prefix: 'email/' }));
  return (listed.Contents ?? []).map((object) => object.Key!).sort();
}

/** A plain SMTP conversation over a socket, for what nodemailer would not say (an HTTP request, a declared SIZE). */
class RawSmtp {
  private received = '';
  private waiting: (() => void) | null = null;
  readonly closed: Promise<void>;

  private constructor(readonly socket: Socket) {
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      this.received += chunk;
      this.waiting?.();
    });
    socket.on('error', () => undefined);
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()));
    void this.closed.then(() => this.waiting?.());
  }

  static open(port: number): Promise<RawSmtp> {
    return new Promise((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () => resolve(new RawSmtp(socket)));
      socket.once('error', reject);
    });
  }

  /** The next complete reply (the last line of a multi-line one is `NNN text`), or what is left when the server closed. */
  async reply(timeoutMs = 10_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const end = /^\d{3} [^\r\n]*\r\n/m.exec(this.received);
      if (end) {
        const reply = this.received.slice(0, end.index + end[0].length);
        this.received = this.received.slice(reply.length);
        return reply;
      }
      if (this.socket.destroyed || Date.now() > deadline) return this.received;
      await Promise.race([new Promise<void>((resolve) => (this.waiting = resolve)), new Promise((resolve) => setTimeout(resolve, 100))]);
    }
  }

  write(data: string | Buffer): void {
    this.socket.write(data);
  }

  /** Sends a command line and answers its reply. */
  async command(line: string): Promise<string> {
    this.write(`${line}\r\n`);
    return this.reply();
  }

  /** Everything the server sent until it closed the connection (or `timeoutMs` passed: then `null`). */
  async untilClosed(timeoutMs = 10_000): Promise<string | null> {
    const closed = await Promise.race([this.closed.then(() => true), new Promise<boolean>((resolve) => setTimeout(() => resolve(false), timeoutMs))]);
    return closed ? this.received : null;
  }
}

/** `AUTH PLAIN` with the listener's real login: what an attacker could not know, given here to show that the HTTP guard holds on its own. */
const authPlain = () => `AUTH PLAIN ${Buffer.from(`\0imr\0${service.email!.password}`).toString('base64')}`;

beforeAll(async () => {
  letterPdf = Buffer.from(await typesetPdf(printedLines(letters[2]!.text)));
  // A fax-like page: a white A4-ish sheet at 100 dpi with dark bars for lines of print.
  const width = 850;
  const height = 1100;
  const pixels = Buffer.alloc(width * height, 255);
  for (let y = 120; y < 900; y += 36) pixels.fill(0, y * width + 80, y * width + 80 + (y % 72 === 0 ? 600 : 480));
  faxTiff = await sharp(pixels, { raw: { width, height, channels: 1 } })
    .tiff({ compression: 'lzw' })
    .toBuffer();
  smtpPort = await freePort();
  service = await startOnFreePorts(root, (line) => lines.push(line), { smtpPort, emailSenders: SENDERS });
}, 120_000);

afterAll(async () => {
  if (!stopped) await service?.stop();
  rmSync(root, { recursive: true, force: true });
});

describe('email intake on one machine (npm start with IMR_SMTP_PORT)', () => {
  it('listens on 127.0.0.1 only, advertises SIZE and AUTH, keeps its generated password 0600, and wants AUTH before MAIL', async () => {
    expect(service.email).toMatchObject({ endpoint: `smtp://127.0.0.1:${smtpPort}`, user: 'imr' });
    const passwordFile = join(root, 'data', SMTP_PASSWORD_FILE);
    expect(readFileSync(passwordFile, 'utf8').trim()).toBe(service.email!.password);
    expect(statSync(passwordFile).mode & 0o077).toBe(0);
    const smtp = await RawSmtp.open(smtpPort);
    expect(await smtp.reply()).toMatch(/^220 /);
    const ehlo = await smtp.command('EHLO client.test');
    expect(ehlo).toMatch(new RegExp(`^250[- ]SIZE ${MAX_EMAIL_BYTES}\\r$`, 'm'));
    expect(ehlo).toMatch(/^250[- ]AUTH PLAIN LOGIN\r$/m);
    expect(await smtp.command('MAIL FROM:<fax@firm.example>')).toMatch(/^530 /);
    expect(await smtp.command('AUTH PLAIN AGltcAB3cm9uZw==')).toMatch(/^535 /);
    await smtp.command('QUIT');
    smtp.socket.destroy();
  });

  it('reads a fax sent as a base64 TIFF attachment: one object under email/<day>/<message hash>/1-<name>, with its metadata, read by the service', async () => {
    const raw = await compose([{ filename: 'Fax 5551234.tiff', content: faxTiff, contentType: 'image/tiff' }]);
    expect(raw.toString('latin1')).toMatch(/Content-Type: image\/tiff[\s\S]*?Content-Transfer-Encoding: base64/);
    const sentAt = new Date();
    expect(await send(raw)).toMatch(/^250 .*accepted 1 document/);
    const key = `email/${sentAt.toISOString().slice(0, 10)}/${sha256(raw).slice(0, 12)}/1-Fax_5551234.tiff`;
    expect(await emailKeys()).toEqual([key]);
    const head = await service.s3.send(new HeadObjectCommand({ Bucket: LOCAL_INBOX, Key: key }));
    expect(head.ContentLength).toBe(faxTiff.length);
    expect(head.Metadata).toMatchObject({
      'imr-channel': 'email',
      'imr-sender': 'message%40inbound.efax.example',
      'imr-subject': encodeURIComponent(SUBJECT),
      'imr-file-name': encodeURIComponent('Fax 5551234.tiff'),
    });
    const receivedAt = new Date(decodeURIComponent(head.Metadata!['imr-received-at']!));
    expect(Math.abs(receivedAt.getTime() - sentAt.getTime())).toBeLessThan(10_000);
    for (const value of Object.values(head.Metadata!)) expect(value).toMatch(/^[\x21-\x7e]+$/);
    // Read like any upload: its document id is the SHA-256 of the attachment's bytes.
    const document = await waitFor(async () => {
      const found = await service.store.getDocument(documentId(faxTiff));
      return found && isTerminal(found.status) ? found : undefined;
    }, 60_000);
    expect(document.sourceKeys).toEqual([`${LOCAL_INBOX}/${key}`]);
    expect(['CLASSIFIED', 'UNRECOGNIZED']).toContain(document.status);
  });

  it('reads several attachments (a PDF declared application/octet-stream and a TIFF) as documents 1 and 2, and notes a Word document beside them', async () => {
    const raw = await compose([
      { filename: 'IMR determination.pdf', content: letterPdf, contentType: 'application/octet-stream' },
      { filename: 'page2.tif', content: faxTiff },
      { filename: 'cover.docx', content: Buffer.from('PK\x03\x04....word/document.xml', 'latin1') },
    ]);
    const reply = await send(raw, 'fax+forwarded@firm.example');
    expect(reply).toMatch(/accepted 2 document\(s\); cover\.docx was not read \(a Word document: save or print it as PDF/);
    const prefix = `email/${new Date().toISOString().slice(0, 10)}/${sha256(raw).slice(0, 12)}/`;
    expect((await emailKeys()).filter((key) => key.startsWith(prefix))).toEqual([`${prefix}1-IMR_determination.pdf`, `${prefix}2-page2.tif`]);
    const head = await service.s3.send(new HeadObjectCommand({ Bucket: LOCAL_INBOX, Key: `${prefix}1-IMR_determination.pdf` }));
    expect(head.Metadata).toMatchObject({ 'imr-sender': 'message%40inbound.efax.example', 'imr-file-name': 'IMR%20determination.pdf' });
    const pdf = await waitFor(async () => {
      const found = await service.store.getDocument(documentId(letterPdf));
      return found && isTerminal(found.status) ? found : undefined;
    }, 60_000);
    expect(pdf).toMatchObject({ status: 'CLASSIFIED', sourceKeys: [`${LOCAL_INBOX}/${prefix}1-IMR_determination.pdf`] });
    // How it came is kept with it (spec section 7), and the email's time received is the letter's: its day is the day deadlines count from.
    expect(pdf.source).toMatchObject({ channel: 'email', sender: 'message@inbound.efax.example', fileName: 'IMR determination.pdf' });
    const received = head.Metadata!['imr-received-at']!;
    expect(pdf.receivedAt).toBe(new Date(decodeURIComponent(received)).toISOString());
    const letter = await service.store.getDetermination(pdf.id);
    expect(letter).toMatchObject({ status: 'CLASSIFIED', receivedOn: receivedOnOf(pdf.receivedAt) });
    // The TIFF is the same bytes as the first message's: one document, now with both keys.
    const tiff = await waitFor(async () => {
      const found = await service.store.getDocument(documentId(faxTiff));
      return found && found.sourceKeys.length === 2 ? found : undefined;
    });
    expect(tiff.sourceKeys).toContain(`${LOCAL_INBOX}/${prefix}2-page2.tif`);
  });

  it('gives a message delivered again the same keys and writes nothing twice', async () => {
    const raw = await compose([{ filename: 'again.pdf', content: letterPdf }], { messageId: '<again@efax.example>', date: new Date('2026-01-02T03:04:05Z') });
    await send(raw);
    const before = await emailKeys();
    expect(await send(raw)).toMatch(/^250 .*accepted 1 document/);
    expect(await emailKeys()).toEqual(before);
    expect(lines.filter((line) => /email +accepted .*1 received before/.test(line))).toHaveLength(1);
  });

  it('refuses a message with no attachment at the end of DATA (550), saying to attach the fax as PDF or TIFF; nothing is stored', async () => {
    const before = await emailKeys();
    const refused = await refusal(send(await compose([])));
    expect(refused).toMatchObject({ responseCode: 550, command: 'DATA' });
    expect(refused.response).toMatch(/attach the fax as a PDF or TIFF/);
    expect(await emailKeys()).toEqual(before);
  });

  it('refuses a Word document on its own, telling the sender to send it as PDF (550)', async () => {
    const before = await emailKeys();
    const refused = await refusal(
      send(await compose([{ filename: 'Determination letter.docx', content: Buffer.from('PK\x03\x04word/document.xml', 'latin1') }])),
    );
    expect(refused).toMatchObject({ responseCode: 550, command: 'DATA' });
    expect(refused.response).toMatch(/Determination letter\.docx is a Word document.*save or print it as PDF/);
    expect(await emailKeys()).toEqual(before);
  });

  it('refuses a sender not on IMR_EMAIL_SENDERS at MAIL FROM (550); nothing is stored', async () => {
    const before = await emailKeys();
    const refused = await refusal(send(await compose([{ filename: 'fax.pdf', content: letterPdf }]), 'someone@elsewhere.example'));
    expect(refused).toMatchObject({ responseCode: 550, command: 'MAIL FROM' });
    expect(refused.response).toMatch(/not on its sender allow-list/);
    expect(await emailKeys()).toEqual(before);
    expect(lines).toContain('email     refused sender @elsewhere.example at MAIL FROM: not on IMR_EMAIL_SENDERS');
  });

  it(`refuses a message over ${MAX_EMAIL_BYTES / 1048576} MB with 552: at MAIL FROM when its SIZE is declared, after DATA when not; nothing is stored`, async () => {
    const before = await emailKeys();
    const smtp = await RawSmtp.open(smtpPort);
    await smtp.reply();
    await smtp.command('EHLO client.test');
    expect(await smtp.command(authPlain())).toMatch(/^235 /);
    expect(await smtp.command(`MAIL FROM:<fax@firm.example> SIZE=${MAX_EMAIL_BYTES + 1}`)).toMatch(/^552 /);
    expect(await smtp.command('MAIL FROM:<fax@firm.example>')).toMatch(/^250 /);
    expect(await smtp.command('RCPT TO:<imr@firm.example>')).toMatch(/^250 /);
    expect(await smtp.command('DATA')).toMatch(/^354 /);
    const line = Buffer.from(`${'A'.repeat(76)}\r\n`);
    smtp.write(`From: fax@firm.example\r\nSubject: big\r\nContent-Type: application/pdf\r\nContent-Transfer-Encoding: base64\r\n\r\n`);
    smtp.write(Buffer.concat(Array.from({ length: Math.ceil((MAX_EMAIL_BYTES + 1024 * 1024) / line.length) }, () => line)));
    smtp.write('.\r\n');
    expect(await smtp.reply(60_000)).toMatch(/^552 /);
    await smtp.command('QUIT');
    smtp.socket.destroy();
    expect(await emailKeys()).toEqual(before);
  });

  it('closes a connection that speaks HTTP (a web page POSTing an SMTP conversation to the port), even with the right password in the body; nothing is stored', async () => {
    const before = await emailKeys();
    const injected = Buffer.from(
      await compose([{ filename: 'injected.pdf', content: Buffer.concat([letterPdf, Buffer.from('% injected\n')]) }], { from: 'fax@firm.example' }),
    ).toString('latin1');
    const conversation = `EHLO evil.test\r\n${authPlain()}\r\nMAIL FROM:<fax@firm.example>\r\nRCPT TO:<imr@firm.example>\r\nDATA\r\n${injected}\r\n.\r\nQUIT\r\n`;
    const request = (method: string) =>
      `${method} / HTTP/1.1\r\nHost: 127.0.0.1:${smtpPort}\r\nOrigin: http://evil.test\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(conversation, 'latin1')}\r\n\r\n${conversation}`;
    // As a browser sends it: at once, before the greeting.
    const atOnce = await RawSmtp.open(smtpPort);
    atOnce.write(Buffer.from(request('POST'), 'latin1'));
    // After the greeting, with a method smtp-server does not know (only the Host header gives it away), and a plain POST.
    const results: Array<string | null> = [await atOnce.untilClosed()];
    for (const method of ['PROPFIND', 'POST']) {
      const later = await RawSmtp.open(smtpPort);
      expect(await later.reply()).toMatch(/^220 /);
      later.write(Buffer.from(request(method), 'latin1'));
      results.push(await later.untilClosed());
    }
    for (const received of results) {
      expect(received).not.toBeNull();
      expect(received).not.toMatch(/^(?:235|250|354) /m);
    }
    expect(lines.some((line) => /email +closed a connection that spoke HTTP/.test(line))).toBe(true);
    await service.idle();
    expect(await emailKeys()).toEqual(before);
  });

  it('logs a status line per message with the sender domain and counts, never the subject, a name or a file name', () => {
    const emailLines = lines.filter((line) => line.startsWith('email '));
    expect(emailLines.some((line) => /accepted a message from @inbound\.efax\.example: 1 document\(s\)/.test(line))).toBe(true);
    expect(emailLines.some((line) => /refused a message from @inbound\.efax\.example: NO_DOCUMENT/.test(line))).toBe(true);
    for (const line of emailLines) {
      for (const secret of ['Jane', 'Roe', '12-3456', 'Fax_5551234', 'determination', 'message@', 'fax@', service.email!.password])
        expect(line).not.toContain(secret);
    }
  });

  it('refuses to start without an allow-list, naming IMR_EMAIL_SENDERS and never its value; nothing is left running', async () => {
    const other = mkdtempSync(join(tmpdir(), 'imr-email-refused-'));
    try {
      const port = await freePort();
      await expect(startOnFreePorts(other, () => undefined, { smtpPort: port })).rejects.toThrow(/IMR_EMAIL_SENDERS is not set/);
      const malformed = await startOnFreePorts(other, () => undefined, { smtpPort: port, emailSenders: '@efax.example,the partner list' }).catch(
        (error: Error) => error,
      );
      expect((malformed as Error).message).toMatch(/IMR_EMAIL_SENDERS: entry 2/);
      expect((malformed as Error).message).not.toContain('the partner list');
      // Nothing started: the port is free.
      await expect(RawSmtp.open(port)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });

  it('stops the listener when the service stops', async () => {
    await service.stop();
    stopped = true;
    await expect(RawSmtp.open(smtpPort)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });
});
