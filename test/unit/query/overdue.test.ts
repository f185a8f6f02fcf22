import { describe, expect, it } from 'vitest';
import { classifyLetter, type ClassifiedDetermination } from '../../../functions/domain/index.ts';
import { JsonPieces, route } from '../../../functions/query/routes.ts';
import { answerRow, type DeterminationStore, type StoredDetermination } from '../../../functions/service/ports.ts';
import { daysLeft } from '../../../functions/console/app/words.ts';
import { letterText, storedDetermination } from '../../fixtures/factories.ts';

const read = classifyLetter(letterText({ items: [{ request: 'Physical therapy 2x6', decision: 'Overturned' }] })) as ClassifiedDetermination;
// Received Monday 2026-01-05 (10:00 in California): AUTHORIZE by 2026-01-12, REIMBURSE by 2026-01-25 (calendar days).
const letter = storedDetermination(read, { id: 'e'.repeat(64), receivedAt: '2026-01-05T18:00:00.000Z' });
/** A store holding `letters`, answering lists from their rows as the stores keep them. */
function storeOf(...letters: StoredDetermination[]): DeterminationStore {
  return {
    getDetermination: async (id: string) => letters.find((one) => one.id === id) ?? null,
    resolveIdPrefix: async (prefix: string) => letters.filter((one) => one.id.startsWith(prefix)).map((one) => one.id),
    listDeterminationRows: async () => ({ data: letters.map(answerRow), nextCursor: null }),
  } as unknown as DeterminationStore;
}
const store = storeOf(letter);
const answer = async (path: string, now: string, from = store) => {
  const { body } = await route(from, { method: 'GET', path, query: {} }, { now: () => new Date(now) });
  // A list is answered as the JSON pieces of its rows; a letter as an object.
  return body instanceof JsonPieces ? JSON.parse(body.toString()) : body;
};

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

  it('answers each letter in a list exactly as its own answer, on any day (rows written at save time, overdue written in when asked)', async () => {
    const letters = [
      letter,
      storedDetermination(read, { id: 'f'.repeat(64), receivedAt: '2026-03-02T18:00:00.000Z' }),
      storedDetermination(classifyLetter(letterText({ items: [{ request: 'MRI lumbar spine', decision: 'Upheld' }] })), {
        id: 'a'.repeat(64),
        receivedAt: '2026-01-20T18:00:00.000Z',
      }),
      // Characters of two, three and four bytes before the deadlines: the rows mark them by byte.
      storedDetermination(
        classifyLetter(letterText({ items: [{ request: 'Acupuncture — 6 visits, § 9792.24.1, Dr. Müller, ½ hour 🙂', decision: 'Overturned' }] })),
        { id: 'b'.repeat(64), receivedAt: '2026-01-06T18:00:00.000Z' },
      ),
    ];
    expect(JSON.stringify(letters[3])).toContain('Müller, ½ hour 🙂');
    const several = storeOf(...letters);
    // 2026-01-12 is the first letter's AUTHORIZE day: not yet overdue on it.
    for (const now of [
      '2025-12-01T12:00:00.000Z',
      '2026-01-12T20:00:00.000Z',
      '2026-01-20T12:00:00.000Z',
      '2026-03-10T12:00:00.000Z',
      '2027-01-01T12:00:00.000Z',
    ]) {
      const page = (await answer('/determinations', now, several)) as { data: StoredDetermination[]; nextCursor: null };
      expect(page.nextCursor).toBeNull();
      for (const [index, one] of letters.entries()) expect(page.data[index]).toEqual(await answer(`/determinations/${one.id}`, now, several));
    }
    // Some deadline of some letter passed on one of those days, and none on the first: both ways were checked.
    const late = (await answer('/determinations', '2027-01-01T12:00:00.000Z', several)) as { data: StoredDetermination[] };
    expect(late.data.flatMap((one) => one.deadlines).some((deadline) => deadline.overdue)).toBe(true);
  });

  it('puts the days left, or overdue, in words for the console', () => {
    expect(daysLeft('2026-01-12', '2026-01-09')).toEqual({ words: '3 days left', overdue: false, soon: true });
    expect(daysLeft('2026-01-12', '2026-01-12')).toEqual({ words: 'due today', overdue: false, soon: true });
    expect(daysLeft('2026-01-12', '2026-01-13')).toEqual({ words: '1 day overdue', overdue: true, soon: false });
    expect(daysLeft('2026-03-12', '2026-01-12').words).toBe('59 days left');
  });
});
