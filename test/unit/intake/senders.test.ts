import { describe, expect, it } from 'vitest';
import { ConfigurationError } from '../../../functions/common/config.ts';
import { SenderAllowList, senderDomain } from '../../../functions/intake/senders.ts';

describe('SenderAllowList', () => {
  const list = SenderAllowList.parse(' @efax.example , Fax@Firm.example,,@münchen.example ', 'IMR_EMAIL_SENDERS');

  it('admits the addresses listed (any case, any +tag) and every address of a listed domain or its subdomains', () => {
    for (const address of [
      'fax@firm.example',
      'FAX@FIRM.EXAMPLE',
      'fax+caf_=imr=mail.example@firm.example',
      'message@efax.example',
      'message@inbound.efax.example',
      'a@xn--mnchen-3ya.example',
      'a@münchen.example',
    ]) {
      expect(list.allows(address), address).toBe(true);
    }
  });

  it('refuses everyone else, look-alike domains, bounces (<>) and malformed addresses', () => {
    for (const address of [
      'other@firm.example',
      'fax@firm.example.evil',
      'message@notefax.example',
      'message@efax.example.com',
      '',
      'fax',
      '@efax.example',
      null,
      undefined,
    ]) {
      expect(list.allows(address), String(address)).toBe(false);
    }
  });

  it('refuses to be empty or malformed, naming the variable and the entry by position, never a value', () => {
    const failure = (value: string | undefined) => {
      try {
        SenderAllowList.parse(value, 'IMR_EMAIL_SENDERS');
      } catch (error) {
        return error as Error;
      }
      throw new Error('parsed');
    };
    expect(failure(undefined)).toBeInstanceOf(ConfigurationError);
    expect(failure(undefined).message).toMatch(/^IMR_EMAIL_SENDERS is not set/);
    expect(failure(' , ').message).toMatch(/^IMR_EMAIL_SENDERS is not set/);
    for (const [value, entry] of [
      ['@efax.example,secret-partner', 2],
      ['@*.efax.example', 1],
      ['@localhost', 1],
      ['fax@firm.example,a b@firm.example', 2],
    ] as const) {
      const error = failure(value);
      expect(error.message).toContain(`IMR_EMAIL_SENDERS: entry ${entry}`);
      for (const part of value.split(',')) expect(error.message).not.toContain(part);
    }
  });

  it('names a sender by its domain only', () => {
    expect(senderDomain('Pat.Lee@Inbound.EFax.example')).toBe('@inbound.efax.example');
    expect(senderDomain('')).toBe('(no sender)');
  });
});
