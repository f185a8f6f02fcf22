import { describe, expect, it } from 'vitest';
import { classifyLetter, type Determination } from '../../../functions/domain/index.ts';
import { determinationWrites } from '../../../functions/adapters/dynamodb/determination-writes.ts';
import type { DocumentItem } from '../../../functions/adapters/dynamodb/documents.ts';
import { letterText } from '../../fixtures/factories.ts';

const reading = (requests: string[]): Determination => classifyLetter(letterText({ items: requests.map((request) => ({ request, decision: 'Upheld' })) }));
const stored = (determination: Determination): DocumentItem => ({
  id: 'd',
  status: 'CLASSIFIED',
  receivedAt: '2026-05-01T10:00:00.000Z',
  updatedAt: '2026-05-01T10:00:00.000Z',
  determination: JSON.stringify(determination),
});

describe('the DynamoDB writes that save a Determination', () => {
  it('puts the document and its counter changes before the item records', () => {
    const writes = determinationWrites('t', 'd', null, reading(['Norco 10/325mg #120', 'Flexeril 7.5mg #60']), '2026-05-01T10:00:00.000Z');
    const kinds = writes.map((write) =>
      'Update' in write && write.Update ? (write.Update.Key.pk === 'STATS' ? 'counter' : 'document') : 'Put' in write ? 'item' : 'delete',
    );
    expect(kinds[0]).toBe('document');
    expect(kinds.lastIndexOf('counter')).toBeLessThan(kinds.indexOf('item'));
    expect(kinds.filter((kind) => kind === 'item')).toHaveLength(2);
  });

  it('writes no counter when the same reading is saved again, and deletes the items a shorter reading lost', () => {
    const two = reading(['Norco 10/325mg #120', 'Flexeril 7.5mg #60']);
    expect(
      determinationWrites('t', 'd', stored(two), two, '2026-05-02T10:00:00.000Z').some((write) => 'Update' in write && write.Update?.Key.pk === 'STATS'),
    ).toBe(false);
    const one = reading(['Norco 10/325mg #120']);
    const deletes = determinationWrites('t', 'd', stored(two), one, '2026-05-02T10:00:00.000Z').filter((write) => 'Delete' in write);
    expect(deletes.map((write) => ('Delete' in write ? write.Delete!.Key.sk : null))).toEqual(['ITEM#002']);
  });

  it('commits a machine reading only over the revision it was decided against, and never over a correction', () => {
    const two = reading(['Norco 10/325mg #120', 'Flexeril 7.5mg #60']);
    const document = (writes: ReturnType<typeof determinationWrites>) => writes.find((write) => 'Update' in write && write.Update?.Key.pk === 'DOC#d');
    const first = document(determinationWrites('t', 'd', null, two, '2026-05-01T10:00:00.000Z'));
    expect(first).toHaveProperty('Update');
    expect(first && 'Update' in first ? first.Update : null).toMatchObject({
      ConditionExpression: 'attribute_not_exists(revision) AND attribute_not_exists(#corrected)',
    });
    const again = document(determinationWrites('t', 'd', { ...stored(two), revision: 4 }, two, '2026-05-02T10:00:00.000Z'));
    expect(again && 'Update' in again ? again.Update : null).toMatchObject({
      ConditionExpression: 'revision = :seen AND attribute_not_exists(#corrected)',
      ExpressionAttributeValues: expect.objectContaining({ ':seen': 4 }),
    });
  });
});
