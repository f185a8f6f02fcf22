/** How long deliveries of one event are retried before they go to the dead-letter store. */
export const RETRY_WINDOW_MS = 24 * 60 * 60 * 1000;
/** First retry delay; doubles each attempt, with jitter. */
export const FIRST_RETRY_MS = 30_000;
/** Longest wait between two attempts. */
export const MAX_RETRY_MS = 60 * 60 * 1000;

/**
 * The wait a `Retry-After` header asks for (seconds, or an HTTP date), in ms, or null when
 * absent or unreadable. Capped at the longest wait.
 */
export function retryAfterMs(header: string | null | undefined, now: number): number | null {
  if (!header) return null;
  const seconds = Number(header);
  const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(header) - now;
  if (!Number.isFinite(ms) || ms < 0) return null;
  return Math.min(ms, MAX_RETRY_MS);
}

/**
 * When to try a failed delivery again: exponential backoff with full jitter from 30 s up
 * to an hour, or what the receiver's `Retry-After` asked for, until 24 hours after the first
 * attempt; then null (give up: dead-letter it).
 */
export function nextRetryDelayMs(attempt: number, firstAttemptAt: number, now: number, retryAfter: number | null, random: () => number = Math.random): number | null {
  const backoff = Math.min(MAX_RETRY_MS, FIRST_RETRY_MS * 2 ** Math.max(0, attempt - 1));
  const delay = retryAfter ?? Math.round(backoff / 2 + random() * (backoff / 2));
  if (now + delay - firstAttemptAt > RETRY_WINDOW_MS) return null;
  return delay;
}
