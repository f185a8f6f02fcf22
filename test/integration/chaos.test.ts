/**
 * `kill -9` at random points of a burst of uploads, with a webhook receiver that sometimes
 * hangs or fails (a smaller round of `npm run chaos`, which the note reports at 100 letters
 * and 5 kills): every start is clean, every letter is read once, every reading is announced.
 */
import { describe, expect, it } from 'vitest';
import { runChaos } from '../../scripts/chaos.ts';

describe('the local service killed with SIGKILL mid-burst', () => {
  it('starts clean each time, reads every letter once and announces every one at least once', async () => {
    const report = await runChaos({ letters: 30, kills: 2, seed: 20261130 });
    console.log(JSON.stringify(report));
    expect(report.problems).toEqual([]);
    expect(report.starts).toBe(3);
    expect(report.classified).toBe(30);
    expect(report.lettersAnnounced).toBe(30);
  }, 400_000);
});
