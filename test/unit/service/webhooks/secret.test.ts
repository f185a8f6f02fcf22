import { describe, expect, it } from 'vitest';
import { isStandardWebhookSecret, signingSecrets } from '../../../../functions/service/webhooks/secret.ts';

const valid = `whsec_${Buffer.from('a-signing-key-of-thirty-two-byte').toString('base64')}`;
const previous = `whsec_${Buffer.from('the-previous-key-of-32-bytes-now').toString('base64')}`;

describe('webhook signing secrets', () => {
  it('accepts a Standard Webhooks secret, with or without its prefix', () => {
    expect(isStandardWebhookSecret(valid)).toBe(true);
    expect(isStandardWebhookSecret(valid.slice('whsec_'.length))).toBe(true);
  });

  it.each(['', 'my-team-password', 'whsec_', `whsec_${Buffer.from('too short').toString('base64')}`, `whsec_${Buffer.alloc(65).toString('base64')}`])(
    'refuses %j',
    (secret) => {
      expect(isStandardWebhookSecret(secret)).toBe(false);
    },
  );

  it('reads one secret, or both during a rotation', () => {
    expect(signingSecrets(valid)).toEqual([valid]);
    expect(signingSecrets(JSON.stringify({ current: valid, previous }))).toEqual([valid, previous]);
  });

  it('refuses an empty or malformed secret, naming the problem and never the value', () => {
    expect(() => signingSecrets('')).toThrow('the webhook secret is empty');
    expect(() => signingSecrets(undefined)).toThrow('the webhook secret is empty');
    expect(() => signingSecrets('{"current": ""}')).toThrow('the webhook secret is empty');
    expect(() => signingSecrets('my-team-password')).toThrow(/^the webhook secret is not a Standard Webhooks secret/);
    expect(() => signingSecrets('{not json')).toThrow(/not valid JSON/);
    try {
      signingSecrets('my-team-password');
    } catch (error) {
      expect((error as Error).message).not.toContain('my-team-password');
    }
  });
});
