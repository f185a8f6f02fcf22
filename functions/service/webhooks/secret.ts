/** Fewest and most key bytes the Standard Webhooks specification allows a signing secret. */
const MIN_KEY_BYTES = 24;
const MAX_KEY_BYTES = 64;

/**
 * Whether a secret is a Standard Webhooks signing secret: an optional `whsec_` prefix and the
 * base64 of 24 to 64 bytes. A password such as `my-team-password` is not: the signing library
 * would decode it into a short or garbled key and receivers would reject every event.
 */
export function isStandardWebhookSecret(secret: string): boolean {
  const encoded = secret.startsWith('whsec_') ? secret.slice('whsec_'.length) : secret;
  if (!/^[A-Z0-9+/]+={0,2}$/i.test(encoded) || encoded.length % 4 !== 0) return false;
  const bytes = Buffer.from(encoded, 'base64').length;
  return bytes >= MIN_KEY_BYTES && bytes <= MAX_KEY_BYTES;
}

/**
 * The active signing secrets of a secret's value: one secret, or `{"current": ..., "previous": ...}`
 * during a rotation (both sign until receivers have the new one). Throws naming the problem
 * (never the value) when there is no valid Standard Webhooks secret: an empty secret would
 * sign every event with `webhook-signature: ""`.
 */
export function signingSecrets(value: string | undefined): string[] {
  const text = value ?? '';
  let parsed: { current?: string; previous?: string };
  try {
    parsed = /^\s*\{/.test(text) ? (JSON.parse(text) as { current?: string; previous?: string }) : { current: text.trim() };
  } catch {
    throw new Error('the webhook secret is not valid JSON ({"current": ..., "previous": ...}) nor a single secret');
  }
  const secrets = [parsed.current, parsed.previous].filter((secret): secret is string => Boolean(secret));
  if (secrets.length === 0) throw new Error('the webhook secret is empty');
  if (!secrets.every(isStandardWebhookSecret))
    throw new Error('the webhook secret is not a Standard Webhooks secret (whsec_ and the base64 of 24 to 64 bytes)');
  return secrets;
}
