import { describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { DynamoDBClient, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { classifyLetter } from '../../../functions/domain/index.ts';
import { DynamoDeterminationStore } from '../../../functions/adapters/dynamodb/determination-store.ts';
import { decide } from '../../../functions/service/ledger.ts';
import type { LedgerChange } from '../../../functions/service/ports.ts';
import { letterText } from '../../fixtures/factories.ts';

const documentClient = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-west-2', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } }));
const dynamo = mockClient(documentClient);
const store = new DynamoDeterminationStore('imr-table', null, documentClient);
const reading = classifyLetter(letterText({ items: [{ request: 'Acupuncture 1 x 6', decision: 'Overturned' }] }));
const change = (() => {
  const decided = decide('d', null, { kind: 'reading', determination: reading, at: '2026-05-01T10:00:00.000Z' });
  if (decided.kind !== 'change') throw new Error(decided.kind);
  return decided.change as LedgerChange;
})();
const cancelled = (code: string) => new TransactionCanceledException({ message: 'cancelled', $metadata: {}, CancellationReasons: [{ Code: code }] });

describe('committing a decided change to DynamoDB', () => {
  it('writes it in one conditional transaction on the table', async () => {
    dynamo.reset();
    dynamo.on(TransactWriteCommand).resolves({});
    expect(await store.commit(change)).toBe('COMMITTED');
    const [call] = dynamo.commandCalls(TransactWriteCommand);
    expect(call!.args[0].input.TransactItems![0]!.Update).toMatchObject({
      TableName: 'imr-table',
      Key: { pk: 'DOC#d', sk: 'DOC' },
      ConditionExpression: expect.stringContaining('attribute_not_exists(revision)'),
    });
  });

  it('reports MOVED when the revision condition failed or another transaction wrote the document at that moment, so the change is decided again', async () => {
    for (const code of ['ConditionalCheckFailed', 'TransactionConflict']) {
      dynamo.reset();
      dynamo.on(TransactWriteCommand).rejects(cancelled(code));
      expect(await store.commit(change)).toBe('MOVED');
    }
  });

  it('lets any other failure through, for the delivery to be retried', async () => {
    dynamo.reset();
    dynamo.on(TransactWriteCommand).rejects(cancelled('ThrottlingError'));
    await expect(store.commit(change)).rejects.toBeInstanceOf(TransactionCanceledException);
  });
});
