import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BlobFiles } from '../../../../functions/local/s3/blobs.ts';

const sha = (first: string) => `${first}${'0'.repeat(62)}`;

describe('the local S3 endpoint blob files', () => {
  it('links a checked upload under its SHA-256, its folder made at the start or, if removed since, again', async () => {
    const files = new BlobFiles(mkdtempSync(join(tmpdir(), 'imr-blobs-')));
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(existsSync(join(files.blobs, 'ab'))).toBe(true);
    writeFileSync(join(files.tmp, 'upload-1'), 'letter');
    files.link(join(files.tmp, 'upload-1'), sha('ab'));
    expect(readFileSync(files.blobPath(sha('ab')), 'utf8')).toBe('letter');
    // A person tidied the folder away under the running endpoint.
    rmSync(join(files.blobs, 'cd'), { recursive: true });
    writeFileSync(join(files.tmp, 'upload-2'), 'another');
    files.link(join(files.tmp, 'upload-2'), sha('cd'));
    expect(readFileSync(files.blobPath(sha('cd')), 'utf8')).toBe('another');
  });

  it('throws (once, not for ever) when the file to link is gone', () => {
    const files = new BlobFiles(mkdtempSync(join(tmpdir(), 'imr-blobs-')));
    expect(() => files.link(join(files.tmp, 'never-written'), sha('ef'))).toThrow(/ENOENT/);
  });
});
