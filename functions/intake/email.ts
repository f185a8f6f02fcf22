/**
 * Email intake, shared by the local SMTP listener (`functions/local/email-listener.ts`) and the
 * email Lambda (`functions/email/handler.ts`): a raw RFC 5322 message becomes the documents it
 * carries (each PDF, TIFF, PNG or JPEG attachment, told by its bytes), each put into the inbox
 * bucket under `email/<yyyy-mm-dd>/<message hash>/<n>-<name>` with who sent it, the subject,
 * when it was received and the attachment's name as S3 user metadata. From there it is read like
 * any upload.
 */
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { simpleParser, type AddressObject, type Attachment, type ParsedMail, type SimpleParserOptions } from 'mailparser';
import { CodedError } from '../common/coded-error.ts';
import { sniffKind } from '../reader/sniff.ts';

/**
 * The largest message read, headers and every attachment base64-encoded (4/3 of their size):
 * about 37 MB of attachments, room for a long fax at fine resolution (a 100-page Group 4 fax is
 * about 5 MB). Larger messages are refused before they are parsed: every byte of a message is
 * held in memory while it is read. SES's own limit for storing a message in S3 (40 MB) is lower,
 * so on AWS that one is met first.
 */
export const MAX_EMAIL_BYTES = 50 * 1024 * 1024;
/**
 * Most attachments read from one message: an eFax email carries one, a scanner's a few. More is
 * not a fax; each attachment becomes an S3 object and a document read, so a message of 10,000
 * tiny parts must not become 10,000 readings. Inline images of an HTML body (logos, not
 * attachments) do not count.
 */
export const MAX_EMAIL_ATTACHMENTS = 20;
/**
 * Most MIME parts of one message (multiparts, bodies and attachments, at any depth), given to
 * mailparser: a fax email has a handful; the bound keeps a message of nested empty parts cheap.
 */
export const MAX_EMAIL_PARTS = 200;
/**
 * Longest time parsing one message may take (MIME, base64, nested messages): 50 MB parse in
 * about a second here; a message still parsing after this is built to occupy the reader, and
 * is refused rather than retried.
 */
export const EMAIL_PARSE_SECONDS = 20;
/** Where email documents go in the inbox bucket. */
export const EMAIL_KEY_PREFIX = 'email/';
/** Longest file name kept in a key (the extension kept), in characters. */
const MAX_KEY_NAME = 100;
/** Longest metadata value, encoded, in bytes: five values stay well under S3's 2 KB for user metadata. */
const MAX_METADATA_VALUE = 500;

/** The kinds of attachment read as documents, with the content type and file extension each is stored with. */
const DOCUMENT_KINDS = {
  pdf: { contentType: 'application/pdf', extensions: ['pdf'] },
  tiff: { contentType: 'image/tiff', extensions: ['tif', 'tiff'] },
  png: { contentType: 'image/png', extensions: ['png'] },
  jpeg: { contentType: 'image/jpeg', extensions: ['jpg', 'jpeg'] },
} as const;
type DocumentKind = keyof typeof DOCUMENT_KINDS;

/** Why a message is refused; each has the SMTP reply a listener answers with. */
export type EmailRefusalCode = 'TOO_LARGE' | 'TOO_MANY_ATTACHMENTS' | 'NO_DOCUMENT' | 'MALFORMED' | 'TIME_LIMIT' | 'SENDER_NOT_ALLOWED';

const SMTP_REPLY: Record<EmailRefusalCode, number> = {
  TOO_LARGE: 552,
  TOO_MANY_ATTACHMENTS: 552,
  TIME_LIMIT: 552,
  NO_DOCUMENT: 550,
  MALFORMED: 550,
  SENDER_NOT_ALLOWED: 550,
};

/**
 * A message that is not read, and why, in words its sender can act on (it is the SMTP reply's
 * text). It names at most the sender's own attachments, never the letter's content.
 */
export class EmailRefused extends CodedError<EmailRefusalCode> {
  override readonly name = 'EmailRefused';
  /** The SMTP reply code: 552 for a message too large or too complex, 550 otherwise (permanent: sending it again will not help). */
  readonly responseCode: number;

  constructor(code: EmailRefusalCode, message: string) {
    super(code, message);
    this.responseCode = SMTP_REPLY[code];
  }
}

/** One attachment read as a document: its key in the inbox bucket, its bytes and what is stored with them. */
export interface EmailDocument {
  readonly key: string;
  readonly bytes: Buffer;
  readonly kind: DocumentKind;
  readonly contentType: string;
  /** The attachment's name as the message gave it (may be empty). */
  readonly fileName: string;
  /** S3 user metadata: ASCII only, every value `encodeURIComponent`-ed. */
  readonly metadata: Readonly<Record<string, string>>;
}

/** An attachment that is not read, with why, for the sender's reply and the status line. */
export interface SkippedAttachment {
  readonly fileName: string;
  readonly why: string;
}

/** A message read into documents. */
export interface EmailIntake {
  /** SHA-256 of the raw message, hex: its first 12 characters are in every key. */
  readonly messageSha256: string;
  /** The From address (or the envelope sender when the message has no From). */
  readonly sender: string;
  readonly subject: string;
  /** When the message was received, ISO 8601 (UTC). */
  readonly receivedAt: string;
  readonly documents: readonly EmailDocument[];
  readonly skipped: readonly SkippedAttachment[];
}

/** SHA-256 of a raw message, hex. */
export function messageSha256(raw: Uint8Array): string {
  return createHash('sha256').update(raw).digest('hex');
}

/**
 * A file name safe for a key: its last path segment only, accents dropped, every character
 * other than `A-Za-z0-9._-` a `_`, no leading dot, at most {@link MAX_KEY_NAME} characters (the
 * extension kept), ending in the extension of the kind its bytes are (`scan.dat` of a PDF is
 * `scan.dat.pdf`).
 */
export function safeFileName(name: string, kind: DocumentKind): string {
  const base = (name.split(/[/\\]/).pop() ?? '').slice(-1000);
  let safe = base
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^\w.-]+/g, '_')
    .replace(/\.{2,}/g, '.')
    .replace(/^[._]+/, '');
  while (safe.endsWith('.') || safe.endsWith('_')) safe = safe.slice(0, -1);
  const extensions: readonly string[] = DOCUMENT_KINDS[kind].extensions;
  const dot = safe.lastIndexOf('.');
  const extension = dot > 0 ? safe.slice(dot + 1).toLowerCase() : '';
  if (!extensions.includes(extension)) safe = `${safe || 'attachment'}.${extensions[0]}`;
  if (safe.length > MAX_KEY_NAME) {
    const tail = safe.slice(safe.lastIndexOf('.'));
    safe = `${safe.slice(0, MAX_KEY_NAME - tail.length)}${tail}`;
  }
  return safe;
}

/** `encodeURIComponent` of a value, cut (at a whole character) so the encoded form is at most `maxBytes`. */
export function metadataValue(value: string, maxBytes = MAX_METADATA_VALUE): string {
  let out = '';
  for (const char of value) {
    const encoded = encodeURIComponent(char);
    if (out.length + encoded.length > maxBytes) break;
    out += encoded;
  }
  return out;
}

/** The key of the `n`th document (from 1) of a message. */
export function emailDocumentKey(receivedAt: string, sha256: string, n: number, safeName: string): string {
  return `${EMAIL_KEY_PREFIX}${receivedAt.slice(0, 10)}/${sha256.slice(0, 12)}/${n}-${safeName}`;
}

/** What mailparser is asked to do: headers and attachments only, nothing rendered. */
const PARSER_OPTIONS: SimpleParserOptions = {
  keepCidLinks: true,
  skipHtmlToText: true,
  skipTextToHtml: true,
  skipTextLinks: true,
  skipImageLinks: true,
  checksumAlgo: false,
  maxChildNodes: MAX_EMAIL_PARTS,
  maxHeadSize: 256 * 1024,
};

/** Bytes handed to the parser at a time. */
const PIECE_BYTES = 256 * 1024;

/**
 * Feeds the message to the parser in pieces, each on a turn of the event loop of its own
 * (`setImmediate`), so the time limit's timer fires between them however fast they are taken.
 */
function pieces(raw: Buffer): Readable {
  let offset = 0;
  return new Readable({
    read() {
      setImmediate(() => {
        if (this.destroyed) return;
        const piece = raw.subarray(offset, offset + PIECE_BYTES);
        offset += PIECE_BYTES;
        this.push(piece.length > 0 ? piece : null);
      });
    },
  });
}

/** Parses a message, refused with TIME_LIMIT past `deadline` (epoch ms) and MALFORMED when mailparser gives up. */
async function parseBefore(raw: Buffer, deadline: number): Promise<ParsedMail> {
  const source = pieces(raw);
  const timer = setTimeout(
    () => source.destroy(new EmailRefused('TIME_LIMIT', 'the message took too long to read; send the fax on its own, as a PDF or TIFF attachment')),
    Math.max(0, deadline - Date.now()),
  );
  try {
    return await simpleParser(source, PARSER_OPTIONS);
  } catch (error) {
    if (error instanceof EmailRefused) throw error;
    throw new EmailRefused('MALFORMED', `the message could not be read as MIME (${(error as Error).name}); send the fax again as a PDF or TIFF attachment`);
  } finally {
    clearTimeout(timer);
  }
}

/** The first address of an address header. */
function firstAddress(header: AddressObject | AddressObject[] | undefined): string | undefined {
  const objects = [header ?? []].flat();
  for (const object of objects) {
    for (const entry of object.value) {
      const address = entry.address ?? entry.group?.find((member) => member.address)?.address;
      if (address) return address;
    }
  }
  return undefined;
}

const WORD_TYPE = /^application\/(?:msword|vnd\.ms-word|vnd\.openxmlformats-officedocument\.wordprocessingml\.|vnd\.oasis\.opendocument\.text|rtf)/i;
const WORD_NAME = /\.(?:docx?|docm|dotx?|odt|rtf)$/i;

/** A Word (or OpenDocument, RTF) document, by its declared type, its name, or a ZIP holding `word/document.xml`. */
function isWordDocument(attachment: Attachment): boolean {
  if (WORD_TYPE.test(attachment.contentType) || WORD_NAME.test(attachment.filename ?? '')) return true;
  const zip = attachment.content.subarray(0, 4).equals(Buffer.from('PK\x03\x04', 'latin1'));
  return zip && attachment.content.includes('word/document.xml');
}

/** An attachment's name as the sender wrote it, safe to quote back in a reply line. */
function quotedName(attachment: Attachment): string {
  // eslint-disable-next-line no-control-regex -- control characters are what is removed
  const name = (attachment.filename ?? '').replace(/[\x00-\x1f\x7f]/g, '').trim();
  return name.length > 80 ? `${name.slice(0, 77)}...` : name || 'an unnamed attachment';
}

/**
 * The attachments of a message that may be documents: inline images of an HTML body (in
 * `multipart/related`) are part of the body, not attachments; a message forwarded as an
 * attachment (`message/rfc822`, Outlook's "Forward as attachment") is opened once and its
 * attachments taken instead.
 */
async function candidateAttachments(parsed: ParsedMail, deadline: number, depth: number): Promise<Attachment[]> {
  const candidates: Attachment[] = [];
  for (const attachment of parsed.attachments) {
    if (attachment.related) continue;
    if (attachment.contentType === 'message/rfc822' && depth === 0) {
      candidates.push(...(await candidateAttachments(await parseBefore(attachment.content, deadline), deadline, depth + 1)));
    } else {
      candidates.push(attachment);
    }
    if (candidates.length > MAX_EMAIL_ATTACHMENTS) {
      throw new EmailRefused(
        'TOO_MANY_ATTACHMENTS',
        `the message has more than ${MAX_EMAIL_ATTACHMENTS} attachments; send at most ${MAX_EMAIL_ATTACHMENTS} faxes per message`,
      );
    }
  }
  return candidates;
}

/**
 * Reads a raw message into its documents: each attachment whose bytes are a PDF, TIFF, PNG or
 * JPEG (whatever type it was declared as: `application/octet-stream` is common) is one
 * document; Word documents and anything else are skipped with why. Refused with
 * {@link EmailRefused}: over {@link MAX_EMAIL_BYTES}, more than {@link MAX_EMAIL_ATTACHMENTS}
 * attachments, not MIME, still parsing after {@link EMAIL_PARSE_SECONDS}, or no document at all.
 *
 * The keys depend only on the message's bytes and `received.at`, so the same message delivered
 * twice (with the same time of receipt) gives the same keys. `received.envelopeSender` (SMTP
 * `MAIL FROM`) is the sender when the message has no `From`. `limits.parseSeconds` shortens the
 * time limit (tests).
 */
export async function readEmail(
  raw: Buffer,
  received: { readonly at: Date; readonly envelopeSender?: string },
  limits: { readonly parseSeconds?: number } = {},
): Promise<EmailIntake> {
  if (raw.length > MAX_EMAIL_BYTES) {
    throw new EmailRefused(
      'TOO_LARGE',
      `the message is ${(raw.length / 1048576).toFixed(1)} MB, over the ${MAX_EMAIL_BYTES / 1048576} MB limit; send the faxes in several messages`,
    );
  }
  const deadline = Date.now() + (limits.parseSeconds ?? EMAIL_PARSE_SECONDS) * 1000;
  const parsed = await parseBefore(raw, deadline);
  const sha256 = messageSha256(raw);
  const receivedAt = received.at.toISOString();
  const sender = firstAddress(parsed.from) ?? received.envelopeSender ?? '';
  const subject = (parsed.subject ?? '').trim();
  const documents: EmailDocument[] = [];
  const skipped: SkippedAttachment[] = [];
  for (const attachment of await candidateAttachments(parsed, deadline, 0)) {
    const kind = attachment.content.length > 0 ? sniffKind(attachment.content) : 'binary';
    if (kind === 'pdf' || kind === 'tiff' || kind === 'png' || kind === 'jpeg') {
      const fileName = attachment.filename ?? '';
      documents.push({
        key: emailDocumentKey(receivedAt, sha256, documents.length + 1, safeFileName(fileName, kind)),
        bytes: attachment.content,
        kind,
        contentType: DOCUMENT_KINDS[kind].contentType,
        fileName,
        metadata: {
          'imr-channel': 'email',
          'imr-sender': metadataValue(sender),
          'imr-subject': metadataValue(subject),
          'imr-received-at': metadataValue(receivedAt),
          'imr-file-name': metadataValue(fileName),
        },
      });
    } else if (isWordDocument(attachment)) {
      skipped.push({ fileName: quotedName(attachment), why: 'a Word document: save or print it as PDF and send that' });
    } else {
      skipped.push({ fileName: quotedName(attachment), why: attachment.content.length === 0 ? 'empty' : 'not a PDF, TIFF, PNG or JPEG file' });
    }
  }
  if (documents.length === 0) {
    const word = skipped.find((attachment) => attachment.why.startsWith('a Word document'));
    throw new EmailRefused(
      'NO_DOCUMENT',
      word
        ? `${word.fileName} is a Word document, which this service does not read: save or print it as PDF and send the PDF`
        : 'the message has no readable attachment: attach the fax as a PDF or TIFF file (PNG and JPEG are read too)',
    );
  }
  return { messageSha256: sha256, sender, subject, receivedAt, documents, skipped };
}

/** What putting a message's documents did: keys written now, and keys that were already there (the message delivered before). */
export interface EmailDelivery {
  readonly put: readonly string[];
  readonly alreadyThere: readonly string[];
}

/**
 * Puts a message's documents into the inbox bucket, each only if its key is not there yet
 * (`If-None-Match: *`): a message delivered again writes nothing twice, and a delivery cut short
 * is completed. Any other failure is thrown (the message is then retried by its sender, SMTP's
 * 451, or by the queue on AWS).
 */
export async function putEmailDocuments(s3: S3Client, bucket: string, documents: readonly EmailDocument[]): Promise<EmailDelivery> {
  const put: string[] = [];
  const alreadyThere: string[] = [];
  for (const document of documents) {
    try {
      await s3.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: document.key,
          Body: document.bytes,
          ContentType: document.contentType,
          Metadata: { ...document.metadata },
          IfNoneMatch: '*',
        }),
      );
      put.push(document.key);
    } catch (error) {
      const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
      if (status !== 412 && (error as Error).name !== 'PreconditionFailed') throw error;
      alreadyThere.push(document.key);
    }
  }
  return { put, alreadyThere };
}

/** One header of a message: its name in lower case and its value unfolded. */
export interface MessageHeader {
  readonly name: string;
  readonly value: string;
}

/** How much of a message's start is looked through for its header block. */
const HEADER_BLOCK_BYTES = 256 * 1024;

/**
 * The top-level headers of a raw message, in order, without parsing the rest: what a receiving
 * service wrote on top (SES's `Return-Path` and verdicts) is read before anything else is.
 * Values are unfolded and left undecoded (Latin-1), which is what envelope and verdict headers are.
 */
export function messageHeaders(raw: Uint8Array): MessageHeader[] {
  const head = Buffer.from(raw.subarray(0, HEADER_BLOCK_BYTES)).toString('latin1');
  const blank = /\r?\n\r?\n/.exec(head);
  const headers: Array<{ name: string; value: string }> = [];
  for (const line of (blank ? head.slice(0, blank.index) : head).split(/\r?\n/)) {
    const last = headers.at(-1);
    if ((line.startsWith(' ') || line.startsWith('\t')) && last) {
      last.value = `${last.value} ${line.trim()}`;
      continue;
    }
    const colon = line.indexOf(':');
    if (colon > 0) headers.push({ name: line.slice(0, colon).trim().toLowerCase(), value: line.slice(colon + 1).trim() });
  }
  return headers;
}
