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
