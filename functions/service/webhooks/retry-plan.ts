/** How long deliveries of one event are retried before they go to the dead-letter store. */
export const RETRY_WINDOW_MS = 24 * 60 * 60 * 1000;
/** First retry delay; doubles each attempt, with jitter. */
export const FIRST_RETRY_MS = 30_000;
/** Longest wait between two attempts that the schedule itself asks for. */
export const MAX_RETRY_MS = 60 * 60 * 1000;

/**
 * The wait a `Retry-After` header asks for (seconds, or an HTTP date), in ms, or null when
 * absent, unreadable or negative. Not capped here: a wait past the retry window is what
 * {@link nextRetryDelayMs} turns into a dead letter.
 */
export function retryAfterMs(header: string | null | undefined, now: number): number | null {
  if (!header) return null;
  const seconds = Number(header);
  const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(header) - now;
  if (!Number.isFinite(ms) || ms < 0) return null;
  return Math.round(ms);
}

/** The schedule's own wait before attempt `attempt + 1`: 30 s doubling to an hour, with full jitter over its upper half. */
export function scheduledDelayMs(attempt: number, random: () => number = Math.random): number {
  const backoff = Math.min(MAX_RETRY_MS, FIRST_RETRY_MS * 2 ** Math.max(0, attempt - 1));
  return Math.round(backoff / 2 + random() * (backoff / 2));
}

/**
 * When to try a failed delivery again, the same rule on AWS and on one machine: the schedule's
 * next step ({@link scheduledDelayMs}), lengthened (never shortened) by the receiver's
 * `Retry-After`, so a receiver answering `Retry-After: 0` cannot turn retries into a tight loop.
 * Null (give up: dead-letter it) when that wait would end more than 24 hours after the first
 * attempt.
 */
export function nextRetryDelayMs(
  attempt: number,
  firstAttemptAt: number,
  now: number,
  retryAfter: number | null,
  random: () => number = Math.random,
): number | null {
  const delay = Math.max(scheduledDelayMs(attempt, random), retryAfter ?? 0);
  if (now + delay - firstAttemptAt > RETRY_WINDOW_MS) return null;
  return delay;
}
