import type { DocumentSource } from './ports.ts';

/** Longest value kept from an object's metadata (S3 allows 2 KB for all of it). */
const MAX_VALUE = 500;
/** How far back an intake's time received is believed: a redelivery after a week away, not a stale or made-up date. */
const OLDEST_RECEIPT_DAYS = 30;
/** How far ahead of this machine's clock it may be (clocks differ a little). */
const CLOCK_SKEW_MS = 5 * 60_000;

/** A metadata value as written (URI-encoded ASCII, see the email intake), decoded and bounded; undefined when absent or malformed. */
function valueOf(metadata: Readonly<Record<string, string>>, name: string): string | undefined {
  const raw = metadata[name];
  if (raw === undefined || raw.length === 0) return undefined;
  try {
    return decodeURIComponent(raw).slice(0, MAX_VALUE);
  } catch {
    return undefined;
  }
}

/**
 * How a document came, from its object's metadata (spec section 7): the channel, the sender,
 * the subject, the time the channel received it and the original file name. Null when the
 * object says nothing of it (an upload through S3 or the watched folder), or when its time
 * received is not one to count deadlines from: malformed, in the future, or over
 * {@link OLDEST_RECEIPT_DAYS} days old.
 */
export function sourceFromMetadata(metadata: Readonly<Record<string, string>> | undefined, now: Date): DocumentSource | null {
  if (!metadata) return null;
  const channel = valueOf(metadata, 'imr-channel');
  const receivedAt = valueOf(metadata, 'imr-received-at');
  if (!channel || !receivedAt) return null;
  const at = Date.parse(receivedAt);
  if (!Number.isFinite(at) || at > now.getTime() + CLOCK_SKEW_MS || at < now.getTime() - OLDEST_RECEIPT_DAYS * 86_400_000) return null;
  const sender = valueOf(metadata, 'imr-sender');
  const subject = valueOf(metadata, 'imr-subject');
  const fileName = valueOf(metadata, 'imr-file-name');
  return {
    channel,
    receivedAt: new Date(at).toISOString(),
    ...(sender ? { sender } : {}),
    ...(subject ? { subject } : {}),
    ...(fileName ? { fileName } : {}),
  };
}
