import { describe, expect, it } from 'vitest';
import { classifyLetter, type ClassifiedDetermination } from '../../../functions/domain/index.ts';
import { determinationEvent } from '../../../functions/service/events.ts';
import { letterText, storedDetermination } from '../../fixtures/factories.ts';

const read = classifyLetter(letterText({ items: [{ request: 'Physical therapy 2x6', decision: 'Overturned' }] })) as ClassifiedDetermination;
// Received Monday 2026-01-05 in California: AUTHORIZE by 2026-01-12, REIMBURSE by 2026-01-25.
const letter = storedDetermination(read, { id: 'e'.repeat(64), receivedAt: '2026-01-05T18:00:00.000Z' });

describe('a determination event', () => {
  it("carries the deadlines as of the event's own time: one announced after a day passed says it is overdue", () => {
    const overdue = (timestamp: string) => determinationEvent(letter, timestamp).data.deadlines.map((deadline) => deadline.overdue ?? false);
    expect(overdue('2026-01-05T18:00:01.000Z')).toEqual([false, false]);
    expect(overdue('2026-01-20T18:00:00.000Z')).toEqual([true, false]);
  });
});
