import { describe, expect, it } from 'vitest';
import { applyCorrection, classifyLetter, CorrectionSchema, type ClassifiedDetermination } from '../../../functions/domain/index.ts';
import { route } from '../../../functions/query/routes.ts';
import { httpAnswer } from '../../../functions/query/http-errors.ts';
import type { DeterminationStore, LedgerChange, LedgerDocument, ServiceEvent } from '../../../functions/service/ports.ts';
import { letterText, storedDetermination } from '../../fixtures/factories.ts';

const letter = classifyLetter(
  letterText({
    items: [
      { request: 'Norco 10/325mg #120', decision: 'Upheld' },
      { request: 'Physical therapy 2x6 for the lumbar spine', decision: 'Overturned' },
    ],
  }),
) as ClassifiedDetermination;
const id = 'c'.repeat(64);

/** A store holding one letter at revision 1, keeping every change it is asked to commit. */
function oneLetter() {
  const saved: LedgerChange[] = [];
  const stored = storedDetermination(letter, { id });
  const store = {
    getDetermination: async () => stored,
    load: async (): Promise<LedgerDocument> => ({
      id,
      status: 'CLASSIFIED',
      reason: null,
      receivedAt: stored.receivedAt,
      updatedAt: stored.receivedAt,
      sourceKeys: stored.sourceKeys,
      determination: letter,
      revision: 1,
    }),
    commit: async (change: LedgerChange) => {
      saved.push(change);
      return 'COMMITTED' as const;
    },
  } as unknown as DeterminationStore;
  const events: ServiceEvent[] = [];
  const review = {
    deps: { store, events: { publish: async (event: ServiceEvent) => void events.push(event) }, now: () => new Date('2026-11-23T10:00:00Z') },
    by: 'Pat Lee',
  };
  return { store, review, saved, events };
}

/** `PATCH /determinations/{id}` as the HTTP API answers it (status and JSON body). */
async function patch(body: unknown) {
  const { store, review, saved, events } = oneLetter();
  try {
    const response = await route(
      store,
      { method: 'PATCH', path: `/determinations/${id}`, query: {}, headers: { 'if-match': '1' }, body: JSON.stringify(body) },
      { review },
    );
    return { statusCode: response.statusCode, body: response.body, saved, events };
  } catch (error) {
    const answer = httpAnswer(error);
    return { statusCode: answer.statusCode, body: JSON.parse(answer.body) as unknown, saved, events };
  }
}

describe('a correction that names one item twice', () => {
  it('is refused with a 400 naming the second entry, and nothing is saved or announced', async () => {
    const answer = await patch({
      items: [
        { index: 0, decision: 'OVERTURNED' },
        { index: 0, decision: 'UPHELD' },
      ],
    });
    expect(answer.statusCode).toBe(400);
    expect(answer.body).toEqual({ error: { code: 'INVALID_CORRECTION', message: 'items[1].index: item 0 is named twice' } });
    expect(answer.saved).toEqual([]);
    expect(answer.events).toEqual([]);
  });

  it('names the later entry wherever the repeat is', async () => {
    const answer = await patch({
      items: [
        { index: 1, decision: 'UPHELD' },
        { index: 0, category: 'PROGRAM' },
        { index: 1, request: 'Physical therapy 2x4' },
      ],
    });
    expect(answer.body).toEqual({ error: { code: 'INVALID_CORRECTION', message: 'items[2].index: item 1 is named twice' } });
  });

  it('is refused by the domain rule itself, whoever calls it', () => {
    expect(() =>
      applyCorrection(
        letter,
        CorrectionSchema.parse({
          items: [
            { index: 0, decision: 'OVERTURNED' },
            { index: 0, decision: 'UPHELD' },
          ],
        }),
      ),
    ).toThrow('items[1].index: item 0 is named twice');
  });

  it('still accepts each item named once, in any order', async () => {
    const answer = await patch({
      items: [
        { index: 1, decision: 'UPHELD' },
        { index: 0, decision: 'OVERTURNED' },
      ],
    });
    expect(answer.statusCode).toBe(200);
    expect(answer.saved).toHaveLength(1);
    expect(answer.saved[0]!.history!.changes).toEqual(
      expect.arrayContaining([
        { path: 'items[0].decision', from: 'UPHELD', to: 'OVERTURNED' },
        { path: 'items[1].decision', from: 'OVERTURNED', to: 'UPHELD' },
      ]),
    );
  });
});
