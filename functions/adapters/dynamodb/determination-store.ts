import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, QueryCommand, ScanCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Determination } from '../../domain/index.ts';
import { needsReview } from '../../service/events.ts';
import type { CursorCodec } from '../../service/cursor.ts';
import type { DeterminationStore, DocumentRecord, DocumentStatus, Page, StoredDetermination } from '../../service/ports.ts';

/**
 * The single table's design: one document item and one item per disputed item, under the
 * document's partition; three indexes for the query API.
 * - `pk = DOC#<id>`, `sk = DOC`: status, reason, dates, source keys, the Determination (JSON).
 * - `pk = DOC#<id>`, `sk = ITEM#<nnn>`: request, decision, category, subcategory.
 * - GSI1 `gsi1pk = DETERMINATION`, `gsi1sk = <receivedAt>#<id>`: every Determination, newest first.
 * - GSI2 `gsi2pk = CASE#<caseNumber>`, `gsi2sk = <receivedAt>#<id>`: Determinations of a case.
 * - GSI3 `gsi3pk = CATEGORY#<category>`, `gsi3sk = <receivedAt>#<id>#<nnn>`: items of a category.
 */
export const TABLE_DESIGN = {
  partitionKey: 'pk',
  sortKey: 'sk',
  indexes: [
    { name: 'gsi1', partitionKey: 'gsi1pk', sortKey: 'gsi1sk' },
    { name: 'gsi2', partitionKey: 'gsi2pk', sortKey: 'gsi2sk' },
    { name: 'gsi3', partitionKey: 'gsi3pk', sortKey: 'gsi3sk' },
  ],
} as const;

const moduleClient = DynamoDBDocumentClient.from(new DynamoDBClient({}), { marshallOptions: { removeUndefinedValues: true } });

interface DocumentItem {
  id: string;
  status: DocumentStatus;
  reason?: string;
  receivedAt: string;
  updatedAt: string;
  sourceKeys?: Set<string>;
  determination?: string;
  needsReview?: boolean;
}

function toRecord(item: DocumentItem): DocumentRecord {
  return {
    id: item.id,
    status: item.status,
    reason: item.reason ?? null,
    receivedAt: item.receivedAt,
    updatedAt: item.updatedAt,
    sourceKeys: [...(item.sourceKeys ?? [])].sort(),
  };
}

function toStored(item: DocumentItem): StoredDetermination | null {
  if (!item.determination) return null;
  const determination = JSON.parse(item.determination) as Determination;
  return { ...determination, id: item.id, receivedAt: item.receivedAt, needsReview: item.needsReview ?? false, sourceKeys: [...(item.sourceKeys ?? [])].sort() };
}

/** {@link DeterminationStore} on DynamoDB (Amazon's, or DynamoDB Local on one machine). */
export class DynamoDeterminationStore implements DeterminationStore {
  private readonly client: DynamoDBDocumentClient;

  /** `cursors` signs list cursors; a store that never lists (the ingest functions) needs none. */
  constructor(
    private readonly tableName: string,
    private readonly cursors: CursorCodec | null,
    client?: DynamoDBDocumentClient,
  ) {
    this.client = client ?? moduleClient;
  }

  async recordReceipt(id: string, sourceKey: string, at: string): Promise<{ record: DocumentRecord; created: boolean }> {
    const result = await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { pk: `DOC#${id}`, sk: 'DOC' },
        UpdateExpression: 'SET id = :id, #status = if_not_exists(#status, :received), receivedAt = if_not_exists(receivedAt, :at), updatedAt = if_not_exists(updatedAt, :at) ADD sourceKeys :keys',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':id': id, ':received': 'RECEIVED', ':at': at, ':keys': new Set([sourceKey]) },
        ReturnValues: 'ALL_OLD',
      }),
    );
    const old = result.Attributes as DocumentItem | undefined;
    if (!old?.status) return { record: { id, status: 'RECEIVED', reason: null, receivedAt: at, updatedAt: at, sourceKeys: [sourceKey] }, created: true };
    return { record: toRecord({ ...old, sourceKeys: new Set([...(old.sourceKeys ?? []), sourceKey]) }), created: false };
  }

  async markOcrPending(id: string, jobId: string, at: string): Promise<void> {
    await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { pk: `DOC#${id}`, sk: 'DOC' },
        UpdateExpression: 'SET #status = :pending, textractJobId = :job, updatedAt = :at',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':pending': 'OCR_PENDING', ':job': jobId, ':at': at },
      }),
    );
  }

  async saveDetermination(id: string, determination: Determination, at: string): Promise<void> {
    const current = await this.getDocumentItem(id);
    const receivedAt = current?.receivedAt ?? at;
    const order = `${receivedAt}#${id}`;
    const classified = determination.status === 'CLASSIFIED' ? determination : null;
    const review = needsReview(determination);
    const names: Record<string, string> = { '#status': 'status' };
    const values: Record<string, unknown> = {
      ':status': determination.status,
      ':determination': JSON.stringify(determination),
      ':review': review,
      ':engine': determination.engineVersion,
      ':at': at,
      ':gsi1pk': 'DETERMINATION',
      ':order': order,
      ':received': receivedAt,
    };
    let update = 'SET #status = :status, determination = :determination, needsReview = :review, engineVersion = :engine, updatedAt = :at, receivedAt = if_not_exists(receivedAt, :received), gsi1pk = :gsi1pk, gsi1sk = :order REMOVE reason';
    if (classified?.caseNumber) {
      update = update.replace(' REMOVE', ', gsi2pk = :gsi2pk, gsi2sk = :order, caseNumber = :case, outcome = :outcome REMOVE');
      Object.assign(values, { ':gsi2pk': `CASE#${classified.caseNumber}`, ':case': classified.caseNumber, ':outcome': classified.outcome });
    }
    const items = (classified?.items ?? []).map((item, index) => {
      const number = String(index + 1).padStart(3, '0');
      return {
        Put: {
          TableName: this.tableName,
          Item: {
            pk: `DOC#${id}`,
            sk: `ITEM#${number}`,
            documentId: id,
            receivedAt,
            caseNumber: classified?.caseNumber ?? null,
            request: item.request,
            decision: item.decision,
            category: item.category,
            subcategory: item.subcategory,
            needsReview: item.flags.length > 0,
            gsi3pk: `CATEGORY#${item.category}`,
            gsi3sk: `${order}#${number}`,
          },
        },
      };
    });
    // DynamoDB takes at most 100 writes in one transaction; no letter has anywhere near 99 items.
    await this.client.send(
      new TransactWriteCommand({
        TransactItems: [
          { Update: { TableName: this.tableName, Key: { pk: `DOC#${id}`, sk: 'DOC' }, UpdateExpression: update, ExpressionAttributeNames: names, ExpressionAttributeValues: values } },
          ...items.slice(0, 99),
        ],
      }),
    );
  }

  async markFailed(id: string, reason: string, at: string): Promise<void> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: `DOC#${id}`, sk: 'DOC' },
          UpdateExpression: 'SET #status = :failed, reason = :reason, updatedAt = :at, id = :id, receivedAt = if_not_exists(receivedAt, :at)',
          // A document already classified by an earlier attempt keeps its result.
          ConditionExpression: 'attribute_not_exists(#status) OR NOT (#status IN (:classified, :unrecognized))',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':failed': 'FAILED', ':reason': reason, ':at': at, ':id': id, ':classified': 'CLASSIFIED', ':unrecognized': 'UNRECOGNIZED' },
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  async getDocument(id: string): Promise<DocumentRecord | null> {
    const item = await this.getDocumentItem(id);
    return item ? toRecord(item) : null;
  }

  async getDetermination(id: string): Promise<StoredDetermination | null> {
    const item = await this.getDocumentItem(id);
    return item ? toStored(item) : null;
  }

  async listDeterminations(query: { limit: number; cursor?: string | undefined }): Promise<Page<StoredDetermination>> {
    if (!this.cursors) throw new Error('this store was built without a cursor codec');
    const cursors = this.cursors;
    const result = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: 'gsi1',
        KeyConditionExpression: 'gsi1pk = :pk',
        ExpressionAttributeValues: { ':pk': 'DETERMINATION' },
        ScanIndexForward: false,
        Limit: query.limit,
        ExclusiveStartKey: query.cursor ? cursors.decode(query.cursor) : undefined,
      }),
    );
    const data = (result.Items ?? []).map((item) => toStored(item as DocumentItem)).filter((item): item is StoredDetermination => item !== null);
    return { data, nextCursor: result.LastEvaluatedKey ? cursors.encode(result.LastEvaluatedKey) : null };
  }

  /**
   * Every document id, by a paged Scan: for maintenance runs (reclassification) only,
   * never for API requests.
   */
  async *scanDocumentIds(): AsyncIterable<string> {
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.client.send(
        new ScanCommand({ TableName: this.tableName, FilterExpression: 'sk = :doc', ExpressionAttributeValues: { ':doc': 'DOC' }, ProjectionExpression: 'id', ExclusiveStartKey: start }),
      );
      for (const item of page.Items ?? []) if (typeof item.id === 'string') yield item.id;
      start = page.LastEvaluatedKey;
    } while (start);
  }

  private async getDocumentItem(id: string): Promise<DocumentItem | null> {
    const result = await this.client.send(new GetCommand({ TableName: this.tableName, Key: { pk: `DOC#${id}`, sk: 'DOC' }, ConsistentRead: true }));
    return (result.Item as DocumentItem | undefined) ?? null;
  }
}
