/**
 * Issue 17's load: hostile files (bombs, deep nesting, 3,000 pages, huge Textract JSON, a PDF
 * that makes the PDF engine run out of memory) uploaded to the running service while real
 * letters are read. Each hostile file ends FAILED with its reason, each letter is read right,
 * and the service is still up. (The API's latency meanwhile is a figure `npm run bench` prints.)
 */
import { describe, expect, it } from 'vitest';
import { runHostileLoad } from '../../scripts/hostile-load.ts';

describe('hostile files beside real letters', () => {
  it('fails every hostile file with its reason, reads every letter right, and stays up', async () => {
    const report = await runHostileLoad({ hostileCount: 20, letterCount: 20 });
    console.log(
      `hostile load: ${report.seconds} s; API ${report.api.requests} requests, p50 ${report.api.p50Ms} ms, p99 ${report.api.p99Ms} ms, max ${report.api.maxMs} ms`,
    );
    expect(report.serviceUp).toBe(true);
    expect(report.api.failures).toBe(0);
    for (const outcome of report.hostile) {
      expect(outcome.status, outcome.name).toBe('FAILED');
      expect(outcome.reason, outcome.name).toMatch(new RegExp(`^(${outcome.expect}): `));
    }
    expect(report.hostile).toHaveLength(20);
    for (const letter of report.letters) {
      expect(letter.status, letter.name).toBe('CLASSIFIED');
      expect(letter.decisions, letter.name).toEqual(letter.expected);
    }
    expect(report.letters).toHaveLength(20);
  }, 300_000);
});
