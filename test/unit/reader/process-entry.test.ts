import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { isReadingProcess, readingProcessEntry } from '../../../functions/reader/process-entry.ts';

describe("the reading process's entry", () => {
  it('is the reader bundled into one module in the project cache, named by its content, that runs without the TypeScript loader', () => {
    const entry = readingProcessEntry();
    expect(entry.script).toMatch(/node_modules\/\.cache\/imr\/imr-reading-process-[0-9a-f]{16}\.mjs$/);
    expect(entry.execArgv).toEqual([]);
    expect(existsSync(entry.script)).toBe(true);
    // The reader's own code is in it; packages are loaded by Node from the project.
    const code = readFileSync(entry.script, 'utf8');
    expect(code).toContain('IMR_READING_PROCESS');
    expect(code).toMatch(/from ["']sharp["']|import\(["']sharp["']\)/);
    // Made once per service process.
    expect(readingProcessEntry()).toBe(entry);
  });

  it('tells a reading process by its command line, started from the bundle or from the sources', () => {
    expect(isReadingProcess(`node\0--max-old-space-size=2048\0${readingProcessEntry().script}\0`)).toBe(true);
    expect(isReadingProcess('node\0--import\0file:///x/tsx/esm/index.mjs\0/srv/imr/functions/reader/worker.ts\0')).toBe(true);
    expect(isReadingProcess('node\0/usr/lib/some-other-service.js\0')).toBe(false);
  });
});
