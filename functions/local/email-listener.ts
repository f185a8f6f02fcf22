import { timingSafeEqual } from 'node:crypto';
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import type { Socket } from 'node:net';
import type { S3Client } from '@aws-sdk/client-s3';
import pLimit from 'p-limit';
import { SMTPServer, type SMTPServerDataStream, type SMTPServerSession } from 'smtp-server';
import { EmailRefused, MAX_EMAIL_BYTES, messageSha256, putEmailDocuments, readEmail } from '../intake/email.ts';
import { senderDomain, type SenderAllowList } from '../intake/senders.ts';

/** The user name of the listener's SMTP AUTH; the password is generated (see `startLocalService`). */
export const SMTP_USER = 'imr';
/** Most recipients of one message: it goes to one inbox whatever they are. */
const MAX_RECIPIENTS = 10;
/** Most connections at once: a forwarding program or two, never a crowd. */
const MAX_CLIENTS = 8;
/**
 * Messages read at once. A message is read in this process (in pieces, between which the API
 * and the S3 endpoint are answered), and one of 50 MB holds about three times that while it is
 * read: two at a time bound that; the others wait their turn.
 */
const MESSAGES_AT_ONCE = 2;
/** Longest text of a reply: the line, with its code and enhanced code, stays under SMTP's 512 bytes. */
const MAX_REPLY_TEXT = 400;
/** How long a stop waits for a message being received before closing its connection. */
const CLOSE_TIMEOUT_MS = 2000;

/**
 * A line of an HTTP request: a request line (`POST / HTTP/1.1`, any method) or a header
 * (`Host: ...`, a name and a colon with no space before it). No SMTP command looks like either
 * (`MAIL FROM:<...>` has a space before its colon; AUTH continuations are base64, which has no colon).
 */
const HTTP_REQUEST_LINE = /^[!#$%&'*+.^`|~\w-]+ \S+ HTTP\/\d/i;
const HTTP_HEADER_LINE = /^[!#$%&'*+.^`|~\w-]+:/;
/** Longest first line looked at before the guard stops looking (smtp-server refuses longer commands itself). */
const GUARD_LINE_BYTES = 16 * 1024;

/**
 * Closes a connection whose client speaks HTTP: a web page the browser beside the service has
 * open can make the browser POST to any port on 127.0.0.1, with an SMTP conversation in the
 * body (a cross-protocol attack). The request line and headers always come before the body, so
 * the guard looks at the lines before the client's first `DATA`; from then on the client has
 * spoken SMTP (and authenticated) and its message is left alone (a body may well hold
 * `Host:`). smtp-server also refuses a client that talks before the greeting (what a browser
 * does) and the usual request lines; this catches any method and the headers.
 */
function guardAgainstHttp(socket: Socket, onHttp: () => void): void {
  let pending = '';
  const inspect = (chunk: Buffer) => {
    pending += chunk.toString('latin1');
    let newline: number;
    while ((newline = pending.indexOf('\n')) >= 0) {
      const line = pending.slice(0, newline).replace(/\r$/, '');
      pending = pending.slice(newline + 1);
      if (HTTP_REQUEST_LINE.test(line) || HTTP_HEADER_LINE.test(line)) {
        socket.off('data', inspect);
        socket.destroy();
        onHttp();
        return;
      }
      if (/^(?:DATA|BDAT)\b/i.test(line)) {
        socket.off('data', inspect);
        return;
      }
    }
    if (pending.length > GUARD_LINE_BYTES) socket.off('data', inspect);
  };
  socket.on('data', inspect);
}

/**
 * When each message was first received, by its SHA-256 (an append-only file in the data
 * folder): a message delivered again (a sender that retried because our reply was lost) gets
 * the keys of its first delivery, whichever day it comes back.
 */
class FirstReceipts {
  private readonly first = new Map<string, Date>();

  constructor(private readonly file: string) {
    if (!existsSync(file)) return;
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      const [sha256, at] = line.split(' ');
      if (sha256 && at && !Number.isNaN(Date.parse(at))) this.first.set(sha256, new Date(at));
    }
  }

  /** When the message was first received: now, remembered, unless it came before. */
  receivedAt(sha256: string, now: Date): Date {
    const known = this.first.get(sha256);
    if (known) return known;
    appendFileSync(this.file, `${sha256} ${now.toISOString()}\n`, { mode: 0o600 });
    this.first.set(sha256, now);
    return now;
  }
}

/** Settings of the local SMTP listener. */
export interface EmailListenerOptions {
  readonly port: number;
  readonly senders: SenderAllowList;
  /** The SMTP AUTH password (user {@link SMTP_USER}). */
  readonly password: string;
  /** Where accepted documents go: the same S3 client and bucket as every upload. */
  readonly s3: S3Client;
  readonly bucket: string;
  /** The file of first receipts (in the data folder, 0600). */
  readonly receiptsFile: string;
  readonly log: (line: string) => void;
  readonly now?: () => Date;
}

/** A running listener. */
export interface EmailListener {
  readonly endpoint: string;
  stop(): Promise<void>;
}

/** An error smtp-server answers with: `responseCode` and the text after it. */
function smtpError(responseCode: number, message: string): Error {
  return Object.assign(new Error(message), { responseCode });
}

/** Whether a given secret equals the expected one, in time that does not depend on where they differ. */
function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Reads a message's bytes, keeping none past the limit (smtp-server answers 552 for an oversized one itself). */
async function readMessage(stream: SMTPServerDataStream): Promise<Buffer | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size <= MAX_EMAIL_BYTES) chunks.push(chunk);
  }
  return stream.sizeExceeded || size > MAX_EMAIL_BYTES ? null : Buffer.concat(chunks, size);
}

/**
 * Email intake on one machine: an SMTP listener on 127.0.0.1 that a forwarding program (a local
 * MTA relay, fetchmail, a mail client's rule) delivers fax emails to. It answers every refusal
 * in the SMTP conversation, so the sender's mail server tells the person:
 *
 * - AUTH (PLAIN or LOGIN, user `imr`, the generated password) before MAIL: the S3 endpoint
 *   takes only uploads signed with the generated key pair, and a second way into the same
 *   inbox that any local process or web page could use without a secret would undo that;
 * - 550 at MAIL FROM for a sender not on the allow-list;
 * - 552 for a message over {@link MAX_EMAIL_BYTES} (`SIZE` is advertised, so a client that
 *   declares the size is refused before it sends);
 * - 550 at the end of DATA for a message with no PDF, TIFF, PNG or JPEG attachment (a Word
 *   document is told to be sent as PDF);
 * - a connection that speaks HTTP is closed at its first such line.
 *
 * Each attachment read is put into the inbox bucket through the S3 endpoint, so it is read like
 * any upload. A status line per message names the sender's domain and counts; never the
 * subject, a name or the letter.
 */
export async function startEmailListener(options: EmailListenerOptions): Promise<EmailListener> {
  const now = options.now ?? (() => new Date());
  const receipts = new FirstReceipts(options.receiptsFile);
  const oneAtATime = pLimit(MESSAGES_AT_ONCE);
  const log = (line: string) => options.log(`email     ${line}`);
  // Accepted sockets by their client port, until smtp-server's session for them starts (onConnect).
  const sockets = new Map<number, Socket>();

  const server = new SMTPServer({
    name: '127.0.0.1',
    banner: 'IMR letter service: send fax letters as PDF or TIFF attachments',
    size: MAX_EMAIL_BYTES,
    rejectOversized: true,
    authMethods: ['PLAIN', 'LOGIN'],
    // The password crosses loopback only, never a network: TLS would add a certificate to manage and nothing to protect.
    allowInsecureAuth: true,
    disabledCommands: ['STARTTLS'],
    disableReverseLookup: true,
    maxClients: MAX_CLIENTS,
    maxRecipients: MAX_RECIPIENTS,
    socketTimeout: 60_000,
    closeTimeout: CLOSE_TIMEOUT_MS,
    logger: false,
    onConnect(session: SMTPServerSession, callback) {
      const socket = sockets.get(session.remotePort);
      sockets.delete(session.remotePort);
      // Fail closed: a connection the guard cannot watch is not served.
      if (!socket) return callback(smtpError(421, 'try again'));
      guardAgainstHttp(socket, () => log('closed a connection that spoke HTTP (a web page?); nothing was read'));
      callback();
    },
    onAuth(auth, _session, callback) {
      const valid = (auth.method === 'PLAIN' || auth.method === 'LOGIN') && auth.username === SMTP_USER && sameSecret(auth.password ?? '', options.password);
      if (!valid) {
        log('refused a login: wrong user or password');
        return callback(smtpError(535, 'Authentication failed: the user is imr and the password is in the data folder (smtp-password)'));
      }
      callback(null, { user: SMTP_USER });
    },
    onMailFrom(address, _session, callback) {
      if (options.senders.allows(address.address)) return callback();
      log(`refused sender ${senderDomain(address.address)} at MAIL FROM: not on IMR_EMAIL_SENDERS`);
      callback(smtpError(550, 'this sender may not send letters to this service (it is not on its sender allow-list, IMR_EMAIL_SENDERS)'));
    },
    onData(stream, session, callback) {
      const sender = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
      receive(stream, sender).then(
        (reply) => callback(null, reply),
        (error: Error & { responseCode?: number }) => callback(error),
      );
    },
  });

  async function receive(stream: SMTPServerDataStream, envelopeSender: string): Promise<string> {
    const raw = await readMessage(stream);
    const from = senderDomain(envelopeSender);
    if (!raw) {
      log(`refused a message from ${from}: over ${MAX_EMAIL_BYTES / 1048576} MB`);
      // smtp-server answers 552 for a message over its size itself; this is never seen.
      throw smtpError(552, 'message too large');
    }
    let intake;
    try {
      intake = await oneAtATime(() => readEmail(raw, { at: receipts.receivedAt(messageSha256(raw), now()), envelopeSender }));
    } catch (error) {
      if (!(error instanceof EmailRefused)) {
        // Its name only: a message could quote the letter.
        log(`could not read a message from ${from} (${(error as Error).name}); its sender will retry`);
        throw smtpError(451, 'the message could not be read just now; try again later');
      }
      log(`refused a message from ${from}: ${error.code}`);
      throw smtpError(error.responseCode, error.message);
    }
    let delivery;
    try {
      delivery = await putEmailDocuments(options.s3, options.bucket, intake.documents);
    } catch (error) {
      log(`could not store a message from ${from} (${(error as Error).name}); its sender will retry`);
      throw smtpError(451, 'the letter could not be stored just now; try again later');
    }
    const again = delivery.alreadyThere.length > 0 ? `, ${delivery.alreadyThere.length} received before` : '';
    const unread = intake.skipped.length > 0 ? `, ${intake.skipped.length} attachment(s) not read` : '';
    log(`accepted a message from ${from}: ${intake.documents.length} document(s)${again}${unread}`);
    const notes = intake.skipped.map((skipped) => `${skipped.fileName} was not read (${skipped.why})`);
    const reply = [`accepted ${intake.documents.length} document(s)`, ...notes].join('; ');
    // An SMTP reply line is at most 512 bytes (RFC 5321 4.5.3.1.5).
    return reply.length > MAX_REPLY_TEXT ? `${reply.slice(0, MAX_REPLY_TEXT - 3)}...` : reply;
  }

  server.server.on('connection', (socket: Socket) => {
    const port = socket.remotePort ?? 0;
    sockets.set(port, socket);
    socket.once('close', () => {
      if (sockets.get(port) === socket) sockets.delete(port);
    });
  });
  server.on('error', (error) => log(`connection error (${error.name})`));
  await new Promise<void>((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => {
      server.server.off('error', reject);
      resolve();
    });
  });
  return {
    endpoint: `smtp://127.0.0.1:${options.port}`,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
