import { describe, expect, it } from 'vitest';
import { classifyLetter, type ClassifiedDetermination } from '../../../functions/domain/index.ts';
import { determinationEvent, failureEvent, PublicLinksPublisher, withPublicLinks } from '../../../functions/service/events.ts';
import type { ServiceEvent } from '../../../functions/service/ports.ts';
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

describe("an event's links", () => {
  const at = '2026-01-05T18:00:01.000Z';

  it("are the API's paths when the service knows no public address (spec section 4)", () => {
    expect(determinationEvent(letter, at).data.links).toEqual({ self: `/determinations/${letter.id}` });
    expect(failureEvent('f'.repeat(64), null, at).data.links).toEqual({ self: `/documents/${'f'.repeat(64)}/status` });
  });

  it("are absolute under the public address, a letter's with its console page; a failure has no letter to show", () => {
    expect(withPublicLinks(determinationEvent(letter, at), 'https://imr.example.com/').data.links).toEqual({
      self: `https://imr.example.com/determinations/${letter.id}`,
      console: `https://imr.example.com/#/letters/${letter.id}`,
    });
    expect(withPublicLinks(failureEvent('f'.repeat(64), null, at), 'http://127.0.0.1:3000').data.links).toEqual({
      self: `http://127.0.0.1:3000/documents/${'f'.repeat(64)}/status`,
    });
  });

  it('are made absolute on every event a publisher passes on, the rest of the event unchanged', async () => {
    const passed: ServiceEvent[] = [];
    const event = determinationEvent(letter, at);
    await new PublicLinksPublisher({ publish: async (e) => void passed.push(e) }, 'https://imr.example.com').publish(event);
    expect(passed).toHaveLength(1);
    expect(passed[0]!.data.links.self).toBe(`https://imr.example.com/determinations/${letter.id}`);
    expect({ ...passed[0]!.data, links: null }).toEqual({ ...event.data, links: null });
  });
});
