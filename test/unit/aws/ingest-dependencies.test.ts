import { beforeEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { ingestDependencies } from '../../../functions/aws/ingest-dependencies.ts';

const dynamo = mockClient(DynamoDBDocumentClient);
beforeEach(() => dynamo.reset());

const pending = (id: string) => ({
  pk: `DOC#${id}`,
  sk: 'DOC',
  id,
  status: 'OCR_PENDING',
  receivedAt: '2026-11-30T08:00:00.000Z',
  updatedAt: '2026-11-30T08:00:00.000Z',
  textractJobId: `job-${id.slice(0, 4)}`,
});

describe("the AWS reading functions' adapters", () => {
  it('page through the documents waiting for OCR, as the sweep does (a store built without a cursor codec refused to)', async () => {
    const { store } = ingestDependencies({ TABLE_NAME: 'imr', TEXT_BUCKET: 'text', EVENT_BUS_NAME: 'bus' });
    const first = 'a'.repeat(64);
    const second = 'b'.repeat(64);
    dynamo
      .on(QueryCommand)
      .resolvesOnce({ Items: [pending(first)], LastEvaluatedKey: { pk: `DOC#${first}`, sk: 'DOC', status: 'OCR_PENDING' } })
      .resolvesOnce({ Items: [pending(second)] });
    const page = await store.listDocuments({ status: 'OCR_PENDING', limit: 1 });
    expect(page.data.map((document) => [document.id, document.ocrJobId])).toEqual([[first, 'job-aaaa']]);
    expect(page.nextCursor).toEqual(expect.any(String));
    const next = await store.listDocuments({ status: 'OCR_PENDING', limit: 1, cursor: page.nextCursor! });
    expect(next.data.map((document) => document.id)).toEqual([second]);
    expect(dynamo.commandCalls(QueryCommand)[1]!.args[0].input.ExclusiveStartKey).toEqual({ pk: `DOC#${first}`, sk: 'DOC', status: 'OCR_PENDING' });
  });
});
