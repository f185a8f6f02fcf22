import { describe, expect, it } from 'vitest';
import { classifyLetter, type Determination } from '../../../functions/domain/index.ts';
import { determinationWrites } from '../../../functions/adapters/dynamodb/determination-writes.ts';
import { decide } from '../../../functions/service/ledger.ts';
import type { LedgerChange, LedgerDocument } from '../../../functions/service/ports.ts';
import { letterText } from '../../fixtures/factories.ts';

const reading = (requests: string[]): Determination => classifyLetter(letterText({ items: requests.map((request) => ({ request, decision: 'Upheld' })) }));
const document = (determination?: Determination, overrides: Partial<LedgerDocument> = {}): LedgerDocument => ({
  id: 'd',
  status: determination?.status ?? 'RECEIVED',
  reason: null,
  receivedAt: '2026-05-01T10:00:00.000Z',
  updatedAt: '2026-05-01T10:00:00.000Z',
  sourceKeys: [],
  revision: determination ? 1 : null,
  ...(determination ? { determination } : {}),
  ...overrides,
});
const change = (current: LedgerDocument, determination: Determination): LedgerChange => {
  const decided = decide('d', current, { kind: 'reading', determination, at: '2026-05-02T10:00:00.000Z' });
  if (decided.kind !== 'change') throw new Error(decided.kind);
  return decided.change;
};
type Write = ReturnType<typeof determinationWrites>[number];
const kindOf = (write: Write) =>
  'Update' in write && write.Update ? (write.Update.Key.pk === 'STATS' ? 'counter' : 'document') : 'Put' in write ? 'put' : 'delete';
const documentUpdate = (writes: Write[]) => {
  const first = writes[0]!;
  if (!('Update' in first) || !first.Update) throw new Error('the document is not written first');
  return first.Update;
};

describe('the DynamoDB writes that commit a decided change', () => {
  it('puts the document and its counter changes before the item records', () => {
    const writes = determinationWrites('t', change(document(), reading(['Norco 10/325mg #120', 'Flexeril 7.5mg #60'])));
    const kinds = writes.map(kindOf);
    expect(kinds[0]).toBe('document');
    expect(kinds.lastIndexOf('counter')).toBeLessThan(kinds.indexOf('put'));
    expect(writes.filter((write) => 'Put' in write && String(write.Put!.Item.sk).startsWith('ITEM#'))).toHaveLength(2);
  });

  it("marks the letter's search entry behind in the transaction that writes its reading, the same mark for the same change", () => {
    const decided = change(document(), reading(['Norco 10/325mg #120', 'Flexeril 7.5mg #60']));
    const writes = determinationWrites('t', decided);
    const marks = writes.flatMap((write, index) => ('Put' in write && write.Put!.Item.pk === 'SEARCH' ? [{ index, item: write.Put!.Item }] : []));
    expect(marks).toEqual([{ index: expect.any(Number), item: { pk: 'SEARCH', sk: 'BEHIND#d', mark: `${decided.next.updatedAt}#${decided.next.revision}` } }]);
    // Within the first transaction (DynamoDB takes 100 writes at most), with the document.
    expect(marks[0]!.index).toBeLessThan(100);
    expect(determinationWrites('t', decided)).toEqual(writes);
  });

  it('writes the document only over the revision the change was decided against, and never over a correction', () => {
    const two = reading(['Norco 10/325mg #120', 'Flexeril 7.5mg #60']);
    expect(documentUpdate(determinationWrites('t', change(document(), two)))).toMatchObject({
      ConditionExpression: 'attribute_not_exists(revision) AND attribute_not_exists(#corrected)',
    });
    expect(documentUpdate(determinationWrites('t', change(document(two, { revision: 4 }), two)))).toMatchObject({
      ConditionExpression: 'revision = :expected AND attribute_not_exists(#corrected)',
      ExpressionAttributeValues: expect.objectContaining({ ':expected': 4, ':revision': 5 }),
    });
  });

  it('deletes the item records a shorter reading lost, and removes what the new reading does not have', () => {
    const two = reading(['Norco 10/325mg #120', 'Flexeril 7.5mg #60']);
    const writes = determinationWrites('t', change(document(two, { sameLetterAs: undefined }), reading(['Norco 10/325mg #120'])));
    expect(writes.filter((write) => 'Delete' in write).map((write) => ('Delete' in write ? write.Delete!.Key.sk : null))).toEqual(['ITEM#002']);
    const update = documentUpdate(writes).UpdateExpression;
    expect(update).toMatch(/ REMOVE .*\breason\b/);
    expect(update).toMatch(/ REMOVE .*\bsameLetterAs\b/);
  });
});
