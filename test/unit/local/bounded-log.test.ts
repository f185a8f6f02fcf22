import { describe, expect, it } from 'vitest';
import { boundedLog } from '../../../functions/local/s3/server.ts';

describe("the S3 endpoint's log under a flood of refused requests", () => {
  it('tells at most 20 lines a minute, then how many it held back', () => {
    let now = 0;
    const lines: string[] = [];
    const log = boundedLog(
      (line) => lines.push(line),
      () => now,
    );
    for (let i = 0; i < 5000; i++) log(`refused ${i}`);
    expect(lines).toHaveLength(20);
    now += 61_000;
    log('refused after the minute');
    expect(lines.slice(20)).toEqual(['local S3: 4980 more lines like these in the last minute were not printed', 'refused after the minute']);
  });
});
