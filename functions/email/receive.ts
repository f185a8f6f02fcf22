import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { EmailRefused, MAX_EMAIL_BYTES, messageHeaders, putEmailDocuments, readEmail, type EmailRefusalCode, type MessageHeader } from '../intake/email.ts';
import { senderDomain, type SenderAllowList } from '../intake/senders.ts';

/** The object SES writes under the action's prefix when the receipt rule is created: a test, not a message. */
export const SES_SETUP_NOTIFICATION = 'AMAZON_SES_SETUP_NOTIFICATION';

/** What SES wrote on top of a message it received: the envelope sender and its verdicts. */
export interface SesReceipt {
  /** The envelope sender (SMTP `MAIL FROM`) SES received the message from; empty for a bounce's `<>`. */
  readonly envelopeSender: string;
  /** SES's SPF verdict for the envelope sender's domain (`pass`, `fail`, `softfail`, `none`, ...), lower case. */
  readonly spf: string | null;
  /** SES's virus scan verdict (`PASS`, `FAIL`, `GRAY`, `PROCESSING_FAILED`), upper case. */
  readonly virus: string | null;
}

/**
 * Reads the headers SES prepends to a message it stores (`Return-Path`, its own `Received`,
 * `X-SES-Spam-Verdict`, `X-SES-Virus-Verdict`, `Received-SPF`, `Authentication-Results`,
 * `X-SES-RECEIPT`, ...). Only the headers above the first `X-SES-RECEIPT` are SES's: anything
 * below is the sender's own, who could write `Received-SPF: pass` too. Null when the message
 * has no SES receipt on top (it did not come through SES).
 */
export function sesReceipt(headers: readonly MessageHeader[]): SesReceipt | null {
  const end = headers.findIndex((header) => header.name === 'x-ses-receipt');
  if (end < 0) return null;
  const block = headers.slice(0, end);
  const first = (name: string) => block.find((header) => header.name === name)?.value ?? null;
  const returnPath = first('return-path');
  if (returnPath === null) return null;
  return {
    envelopeSender: returnPath.replace(/^<|>$/g, '').trim(),
    spf: first('received-spf')?.split(/\s/)[0]?.toLowerCase() ?? null,
    virus: first('x-ses-virus-verdict')?.toUpperCase() ?? null,
  };
}

/** Why a raw message is not read: the intake's reasons, and SES's verdicts on the sender. */
export type RawEmailRefusal = EmailRefusalCode | 'NOT_FROM_SES' | 'SENDER_NOT_AUTHENTICATED' | 'VIRUS';

/** What became of one raw message. */
export type RawEmailOutcome =
  | { readonly status: 'IGNORED' }
  | { readonly status: 'ACCEPTED'; readonly senderDomain: string; readonly documents: number; readonly alreadyThere: number; readonly skipped: number }
  | { readonly status: 'REFUSED'; readonly senderDomain: string; readonly reason: RawEmailRefusal; readonly fromAllowedSender: boolean };

/** What the email function works with (its S3 client, the inbox bucket, the allow-list). */
export interface RawEmailDependencies {
  readonly s3: S3Client;
  readonly inbox: string;
  readonly senders: SenderAllowList;
}

/**
 * Reads one message SES stored in the raw-email bucket and puts its documents into the inbox
 * under `email/...` (see `readEmail`), with the same allow-list and limits as the local
 * listener. The sender checked is the envelope sender SES received the message from, which SES's
 * SPF check must have passed: a `From:` or `MAIL FROM` is otherwise anyone's to write. A message
 * SES found a virus in is never read. A refusal is final (reading it again would refuse it
 * again): it is returned, not thrown; the raw message stays in its bucket until it expires.
 * Anything else that fails (S3) is thrown, for the queue to retry.
 *
 * The same object read twice gives the same keys (its hash and its time of storage), and no key
 * is written twice.
 */
export async function receiveRawEmail(deps: RawEmailDependencies, bucket: string, key: string): Promise<RawEmailOutcome> {
  if (key.endsWith(SES_SETUP_NOTIFICATION)) return { status: 'IGNORED' };
  const object = await deps.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  const refused = (domain: string, reason: RawEmailRefusal, fromAllowedSender: boolean): RawEmailOutcome => ({
    status: 'REFUSED',
    senderDomain: domain,
    reason,
    fromAllowedSender,
  });
  if ((object.ContentLength ?? 0) > MAX_EMAIL_BYTES) {
    (object.Body as { destroy?: () => void } | undefined)?.destroy?.();
    return refused('(not read)', 'TOO_LARGE', false);
  }
  const raw = Buffer.from((await object.Body?.transformToByteArray()) ?? []);
  const receipt = sesReceipt(messageHeaders(raw));
  if (!receipt) return refused('(not read)', 'NOT_FROM_SES', false);
  const domain = senderDomain(receipt.envelopeSender);
  if (receipt.virus === 'FAIL') return refused(domain, 'VIRUS', false);
  if (!deps.senders.allows(receipt.envelopeSender)) return refused(domain, 'SENDER_NOT_ALLOWED', false);
  if (receipt.spf !== 'pass') return refused(domain, 'SENDER_NOT_AUTHENTICATED', false);
  try {
    // When SES stored it: the same object always has the same time, so the same keys.
    const intake = await readEmail(raw, { at: object.LastModified ?? new Date(), envelopeSender: receipt.envelopeSender });
    const delivery = await putEmailDocuments(deps.s3, deps.inbox, intake.documents);
    return {
      status: 'ACCEPTED',
      senderDomain: domain,
      documents: intake.documents.length,
      alreadyThere: delivery.alreadyThere.length,
      skipped: intake.skipped.length,
    };
  } catch (error) {
    if (error instanceof EmailRefused) return refused(domain, error.code, true);
    throw error;
  }
}
