import { describe, expect, it } from 'vitest';
import { ConfigurationError, isPublicBaseUrl, loadConfig, SERVICE_CONFIG } from '../../../functions/common/config.ts';

const SERVICE = { TABLE_NAME: 'table', TEXT_BUCKET: 'text', EVENT_BUS_NAME: 'bus' };

describe("a function's configuration", () => {
  it('takes the public address events link under, or none', () => {
    expect(loadConfig(SERVICE_CONFIG, { ...SERVICE, PUBLIC_BASE_URL: 'https://abc123.execute-api.us-west-2.amazonaws.com' }).PUBLIC_BASE_URL).toBe(
      'https://abc123.execute-api.us-west-2.amazonaws.com',
    );
    expect(loadConfig(SERVICE_CONFIG, SERVICE).PUBLIC_BASE_URL).toBeUndefined();
  });

  it('refuses a public address that is not https, or has a path or query, naming the variable and never its value', () => {
    for (const value of [
      'http://imr.example.com',
      'https://imr.example.com/api',
      'https://imr.example.com/?a=1',
      'not a url',
      'https://user:pw@imr.example.com',
    ]) {
      const failure = (() => {
        try {
          loadConfig(SERVICE_CONFIG, { ...SERVICE, PUBLIC_BASE_URL: value });
        } catch (error) {
          return error as Error;
        }
        throw new Error(`accepted ${value}`);
      })();
      expect(failure).toBeInstanceOf(ConfigurationError);
      expect(failure.message).toBe('missing or invalid configuration: PUBLIC_BASE_URL');
    }
  });

  it('lets the local service link under plain http (loopback, or behind a proxy)', () => {
    expect(isPublicBaseUrl('http://127.0.0.1:3000', ['http:', 'https:'])).toBe(true);
    expect(isPublicBaseUrl('http://127.0.0.1:3000/', ['http:', 'https:'])).toBe(true);
    expect(isPublicBaseUrl('ftp://127.0.0.1', ['http:', 'https:'])).toBe(false);
  });
});
