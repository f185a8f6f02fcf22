import { describe, expect, it } from 'vitest';
import { applyCorrection, classifyLetter, CorrectionSchema, type ClassifiedDetermination, type Determination } from '../../../functions/domain/index.ts';
import { decide, saveReading, LedgerContentionError } from '../../../functions/service/ledger.ts';
import type { DeterminationLedger, LedgerChange, LedgerDocument } from '../../../functions/service/ports.ts';
import { letterText } from '../../fixtures/factories.ts';

const reading = (items: Array<[string, 'Upheld' | 'Overturned']>): ClassifiedDetermination => {
  const determination = classifyLetter(letterText({ items: items.map(([request, decision]) => ({ request, decision })) }));
  if (determination.status !== 'CLASSIFIED') throw new Error('fixture letter not classified');
  return determination;
};
const received = (overrides: Partial<LedgerDocument> = {}): LedgerDocument => ({
  id: 'd',
  status: 'RECEIVED',
  reason: null,
  receivedAt: '2026-05-01T10:00:00.000Z',
  updatedAt: '2026-05-01T10:00:00.000Z',
  sourceKeys: ['inbox/d.pdf'],
  revision: null,
  ...overrides,
});
const stored = (determination: Determination, overrides: Partial<LedgerDocument> = {}) =>
  received({ status: determination.status, determination, revision: 1, ...overrides });
const changeOf = (decided: ReturnType<typeof decide>): LedgerChange => {
  if (decided.kind !== 'change') throw new Error(`no change: ${decided.kind}`);
  return decided.change;
};
const counted = (change: LedgerChange) => Object.fromEntries([...change.deltas].filter(([key]) => key.startsWith('decision#')));

describe('decide: what a change to a reading is', () => {
  it('a first reading: revision 1 over none, its items numbered from 1, counted once', () => {
    const two = reading([
      ['Norco 10/325mg #120', 'Upheld'],
      ['Flexeril 7.5mg #60', 'Overturned'],
    ]);
    const change = changeOf(decide('d', received(), { kind: 'reading', determination: two, at: '2026-05-01T10:00:01.000Z' }));
    expect(change).toMatchObject({
      by: 'machine',
      expectedRevision: null,
      next: { revision: 1, status: 'CLASSIFIED', reason: null, corrected: false },
      previousItemCount: 0,
      // Revision 1 in the history is the engine's reading, from the file that delivered it (spec section 5).
      history: { revision: 1, at: '2026-05-01T10:00:01.000Z', by: `imr engine ${two.engineVersion}`, changes: [], note: 'read from d.pdf' },
    });
    expect(change.items.map((item) => [item.itemNumber, item.decision])).toEqual([
      [1, 'UPHELD'],
      [2, 'OVERTURNED'],
    ]);
    expect(counted(change)).toEqual({ 'decision#UPHELD': { UPHELD: 1, OVERTURNED: 0 }, 'decision#OVERTURNED': { UPHELD: 0, OVERTURNED: 1 } });
  });

  it('the same reading again changes no counter; a shorter one takes its lost item out', () => {
    const two = reading([
      ['Norco 10/325mg #120', 'Upheld'],
      ['Flexeril 7.5mg #60', 'Upheld'],
    ]);
    const again = changeOf(decide('d', stored(two), { kind: 'reading', determination: two, at: '2026-05-02T10:00:00.000Z' }));
    expect(again).toMatchObject({ expectedRevision: 1, next: { revision: 2 }, previousItemCount: 2, history: { revision: 2, note: 'read again from d.pdf' } });
    expect(again.deltas.size).toBe(0);
    const shorter = changeOf(
      decide('d', stored(two), { kind: 'reading', determination: reading([['Norco 10/325mg #120', 'Upheld']]), at: '2026-05-02T10:00:00.000Z' }),
    );
    expect(shorter.items).toHaveLength(1);
    expect(counted(shorter)).toEqual({ 'decision#UPHELD': { UPHELD: -1, OVERTURNED: 0 } });
  });

  it('never reads over a correction, and refuses a correction of a revision no longer stored', () => {
    const one = reading([['Tramadol 50mg #60', 'Upheld']]);
    expect(decide('d', stored(one, { corrected: true, revision: 2 }), { kind: 'reading', determination: one, at: '2026-05-03T00:00:00.000Z' })).toEqual({
      kind: 'corrected',
    });
    const { determination, changes } = applyCorrection(one, CorrectionSchema.parse({ items: [{ index: 0, decision: 'OVERTURNED' }], reviewed: true }));
    const correction = {
      expectedRevision: 1,
      determination,
      entry: { revision: 2, at: '2026-05-03T00:00:00.000Z', by: 'paralegal@firm', changes, note: null },
      reviewed: { by: 'paralegal@firm', at: '2026-05-03T00:00:00.000Z' },
      receivedOn: null,
    };
    expect(decide('d', stored(one, { revision: 3 }), { kind: 'correction', correction })).toEqual({ kind: 'stale' });
    expect(decide('d', received(), { kind: 'correction', correction })).toEqual({ kind: 'stale' });
    const change = changeOf(decide('d', stored(one), { kind: 'correction', correction }));
    expect(change).toMatchObject({
      by: 'person',
      expectedRevision: 1,
      next: { revision: 2, corrected: true, needsReview: false, reviewedBy: 'paralegal@firm' },
      history: correction.entry,
    });
    expect(counted(change)).toEqual({ 'decision#UPHELD': { UPHELD: -1, OVERTURNED: 0 }, 'decision#OVERTURNED': { UPHELD: 0, OVERTURNED: 1 } });
  });

  it('another form of a letter: linked, with no items and no counters, through re-readings, until a person unlinks it', () => {
    const one = reading([['Acupuncture 1 x 6', 'Overturned']]);
    const copy = changeOf(decide('d', received(), { kind: 'reading', determination: one, at: '2026-05-01T10:00:01.000Z', sameLetterAs: 'first' }));
    expect(copy).toMatchObject({ items: [], fingerprint: null, next: { sameLetterAs: 'first' } });
    expect(copy.deltas.size).toBe(0);
    const again = changeOf(decide('d', stored(one, { sameLetterAs: 'first' }), { kind: 'reading', determination: one, at: '2026-05-02T00:00:00.000Z' }));
    expect(again.next.sameLetterAs).toBe('first');
    const correction = {
      expectedRevision: 1,
      determination: one,
      entry: { revision: 2, at: '2026-05-03T00:00:00.000Z', by: 'paralegal@firm', changes: [], note: null },
      reviewed: null,
      receivedOn: null,
      unlink: true,
    };
    const unlinked = changeOf(decide('d', stored(one, { sameLetterAs: 'first' }), { kind: 'correction', correction }));
    expect(unlinked.next.sameLetterAs).toBeUndefined();
    expect(unlinked.items).toHaveLength(1);
    expect(counted(unlinked)).toEqual({ 'decision#OVERTURNED': { UPHELD: 0, OVERTURNED: 1 } });
  });
});

describe('saveReading', () => {
  it('decides again against what is stored when the revision moved, and gives up with a typed error when it never settles', async () => {
    const one = reading([['Tramadol 50mg #60', 'Upheld']]);
    const commits: LedgerChange[] = [];
    let revision = 0;
    const moving: DeterminationLedger = {
      load: async () => stored(one, { revision }),
      commit: async (change) => {
        commits.push(change);
        revision += 1; // someone else saved in between, every time
        return 'MOVED';
      },
    } as Partial<DeterminationLedger> as DeterminationLedger;
    await expect(saveReading(moving, 'd', one, '2026-05-02T00:00:00.000Z')).rejects.toBeInstanceOf(LedgerContentionError);
    expect(commits.map((change) => change.expectedRevision)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });
});
