import { describe, expect, it } from 'vitest';
import { classifyLetter, type ClassifiedDetermination } from '../../../functions/domain/index.ts';
import { route } from '../../../functions/query/routes.ts';
import type { DeterminationStore, StoredDetermination } from '../../../functions/service/ports.ts';
import { daysLeft } from '../../../functions/console/app/words.ts';
import { letterText, storedDetermination } from '../../fixtures/factories.ts';

const read = classifyLetter(letterText({ items: [{ request: 'Physical therapy 2x6', decision: 'Overturned' }] })) as ClassifiedDetermination;
// Received Monday 2026-01-05 (10:00 in California): AUTHORIZE by 2026-01-12, REIMBURSE by 2026-01-25 (calendar days).
const letter = storedDetermination(read, { id: 'e'.repeat(64), receivedAt: '2026-01-05T18:00:00.000Z' });
const store = { getDetermination: async () => letter, listDeterminations: async () => ({ data: [letter], nextCursor: null }) } as unknown as DeterminationStore;
const answer = async (path: string, now: string) => (await route(store, { method: 'GET', path, query: {} }, { now: () => new Date(now) })).body;

describe('deadlines as of the day they are answered (spec section 6)', () => {
  it('says overdue of each deadline whose day has passed in California, and nothing of an open one', async () => {
    const dues = letter.deadlines.map((deadline) => deadline.due);
    expect(dues).toEqual(['2026-01-12', '2026-01-25']);
    // 2026-01-13 at 07:00 UTC is still the 12th in California: nothing has passed yet.
    expect(
      ((await answer(`/determinations/${letter.id}`, '2026-01-13T07:00:00.000Z')) as StoredDetermination).deadlines.map((deadline) => deadline.overdue),
    ).toEqual([undefined, undefined]);
    expect(
      ((await answer(`/determinations/${letter.id}`, '2026-01-13T09:00:00.000Z')) as StoredDetermination).deadlines.map((deadline) => deadline.overdue),
    ).toEqual([true, undefined]);
    const page = (await answer('/determinations', '2026-02-01T20:00:00.000Z')) as { data: StoredDetermination[] };
    expect(page.data[0]!.deadlines.map((deadline) => deadline.overdue)).toEqual([true, true]);
  });

  it('puts the days left, or overdue, in words for the console', () => {
    expect(daysLeft('2026-01-12', '2026-01-09')).toEqual({ words: '3 days left', overdue: false, soon: true });
    expect(daysLeft('2026-01-12', '2026-01-12')).toEqual({ words: 'due today', overdue: false, soon: true });
    expect(daysLeft('2026-01-12', '2026-01-13')).toEqual({ words: '1 day overdue', overdue: true, soon: false });
    expect(daysLeft('2026-03-12', '2026-01-12').words).toBe('59 days left');
  });
});
