import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { WorkQueue, type WorkItem } from '../../../functions/local/work-queue.ts';

const folder = mkdtempSync(join(tmpdir(), 'imr-work-queue-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));
let queues = 0;
const deadLetters = () => join(folder, String(queues++));

/** A queue whose items wait until released, recording how many ran at once, overall and of each kind. */
function heldQueue(options: { concurrency: number; small?: { maxBytes: number; concurrency: number } }) {
  const running = new Set<string>();
  const most = { all: 0, small: 0, other: 0 };
  const waiting: Array<() => void> = [];
  const queue = new WorkQueue(
    async (item: WorkItem) => {
      running.add(item.key);
      const count = (prefix: string) => [...running].filter((key) => key.startsWith(prefix)).length;
      most.all = Math.max(most.all, running.size);
      most.small = Math.max(most.small, count('small'));
      most.other = Math.max(most.other, running.size - count('small'));
      await new Promise<void>((release) => waiting.push(release));
      running.delete(item.key);
    },
    { deadLetterDir: deadLetters(), ...options },
  );
  const releaseAll = async () => {
    while (queue.busy) {
      waiting.splice(0).forEach((release) => release());
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
  };
  return { queue, most, releaseAll };
}

describe('the local work queue', () => {
  it('processes at most `concurrency` items at once', async () => {
    const { queue, most, releaseAll } = heldQueue({ concurrency: 3 });
    for (let i = 0; i < 10; i++) queue.push({ bucket: 'b', key: `k${i}`, size: 10 });
    await new Promise((resolve) => setTimeout(resolve, 5));
    await releaseAll();
    expect(most.all).toBe(3);
  });

  it('processes small items many at once beside a few large ones or ones of unknown size, and never more of either', async () => {
    const { queue, most, releaseAll } = heldQueue({ concurrency: 2, small: { maxBytes: 1000, concurrency: 5 } });
    for (let i = 0; i < 12; i++) {
      queue.push({ bucket: 'b', key: `small-${i}`, size: i === 0 ? 1000 : 20 });
      queue.push({ bucket: 'b', key: `large-${i}`, size: 1001 });
      queue.push({ bucket: 'b', key: `unknown-${i}` });
    }
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect([most.small, most.other]).toEqual([5, 2]);
    await releaseAll();
    expect(most.all).toBe(7);
  });

  it("tells an item run in the small lane its lane's bound, and no other item any", async () => {
    const told = new Map<string, number | undefined>();
    const queue = new WorkQueue(async (item, attempt) => void told.set(item.key, attempt.atMostBytes), {
      deadLetterDir: deadLetters(),
      concurrency: 2,
      small: { maxBytes: 1000, concurrency: 2 },
    });
    queue.push({ bucket: 'b', key: 'small', size: 1000 });
    queue.push({ bucket: 'b', key: 'large', size: 1001 });
    queue.push({ bucket: 'b', key: 'unknown' });
    await queue.idle();
    expect(Object.fromEntries(told)).toEqual({ small: 1000, large: undefined, unknown: undefined });
  });

  it('retries a failed item in its own lane, then dead-letters it with its key, tries and error name', async () => {
    const tries: string[] = [];
    const dead: WorkItem[] = [];
    const deadLetterDir = deadLetters();
    let releaseLarge!: () => void;
    const large = new Promise<void>((release) => (releaseLarge = release));
    const queue = new WorkQueue(
      async (item, attempt) => {
        // The lane of large items stays busy throughout: the small one's tries cannot be running there.
        if (item.key === 'large.pdf') return large;
        tries.push(`${item.key}#${attempt.number}${attempt.final ? ' final' : ''}`);
        throw new TypeError('not today');
      },
      { deadLetterDir, concurrency: 1, small: { maxBytes: 100, concurrency: 1 }, maxAttempts: 3, retryDelayMs: 1 },
      (item) => dead.push(item),
    );
    queue.push({ bucket: 'b', key: 'large.pdf', size: 5_000 });
    queue.push({ bucket: 'b', key: 'letter.txt', size: 40 });
    await expect.poll(() => dead.length).toBe(1);
    releaseLarge();
    await queue.idle();
    expect(tries).toEqual(['letter.txt#1', 'letter.txt#2', 'letter.txt#3 final']);
    expect(dead).toEqual([{ bucket: 'b', key: 'letter.txt', size: 40 }]);
    const [file] = readdirSync(deadLetterDir);
    expect(JSON.parse(readFileSync(join(deadLetterDir, file!), 'utf8'))).toMatchObject({ bucket: 'b', key: 'letter.txt', attempts: 3, error: 'TypeError' });
  });
});
