import { describe, expect, it } from 'vitest';
import { chmodSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadOrCreateCredentials } from '../../../../functions/local/s3/credentials.ts';
import { CredentialsFileError } from '../../../../functions/local/s3/errors.ts';

const folder = () => mkdtempSync(join(tmpdir(), 'imr-s3-credentials-'));

describe('loadOrCreateCredentials', () => {
  it('generates a key pair at the first start, in a file only its owner can read, and reads the same pair after', () => {
    const file = join(folder(), 'nested', 's3-credentials.json');
    const first = loadOrCreateCredentials(file);
    expect(first.created).toBe(true);
    expect(first.credentials.accessKeyId).toMatch(/^AKIA[A-Z0-9]{16}$/);
    expect(first.credentials.secretAccessKey).toMatch(/^[\w-]{40}$/);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(first.credentials);
    expect(loadOrCreateCredentials(file)).toEqual({ credentials: first.credentials, created: false });
    // Another folder, other credentials: they are random, not derived.
    expect(loadOrCreateCredentials(join(folder(), 'c.json')).credentials.secretAccessKey).not.toBe(first.credentials.secretAccessKey);
  });

  it('narrows a file made readable by others back to 0600', () => {
    const file = join(folder(), 'c.json');
    loadOrCreateCredentials(file);
    chmodSync(file, 0o644);
    loadOrCreateCredentials(file);
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it.each([
    ['not JSON', 'accessKeyId=AKIA…'],
    ['no secret', JSON.stringify({ accessKeyId: 'AKIAABCDEFGHIJKLMNOP' })],
    ['a secret with spaces', JSON.stringify({ accessKeyId: 'AKIAABCDEFGHIJKLMNOP', secretAccessKey: 'a secret that is long enough to pass' })],
  ])('refuses a malformed file (%s), naming the file and never its content', (_, content) => {
    const file = join(folder(), 'c.json');
    writeFileSync(file, content, { mode: 0o600 });
    let thrown: unknown;
    try {
      loadOrCreateCredentials(file);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(CredentialsFileError);
    expect((thrown as Error).message).toContain(file);
    expect((thrown as Error).message).not.toContain('AKIA');
    expect((thrown as Error).message).not.toContain('secret that');
    // The file is left as it was: a person decides what to do with it.
    expect(readFileSync(file, 'utf8')).toBe(content);
  });
});
