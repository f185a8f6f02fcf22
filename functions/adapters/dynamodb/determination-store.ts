import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, ScanCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { AttemptRecord } from '../../service/webhooks/dispatch.ts';
import type { Determination } from '../../domain/index.ts';
import { needsReview } from '../../service/events.ts';
import type { CursorCodec } from '../../service/cursor.ts';
import type { DeterminationQuery, DeterminationStore, DocumentRecord, DocumentStatus, ItemQuery, Page, StatsGrouping, StatsRow, StoredDetermination, StoredItem } from '../../service/ports.ts';
import { CursorError } from '../../service/cursor.ts';
import { filterFingerprint, replacementDeltas, upperBound } from '../../service/projection.ts';

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

  async claimReading(id: string, owner: string, at: string, leaseMs: number): Promise<boolean> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: `DOC#${id}`, sk: 'DOC' },
          UpdateExpression: 'SET claimedBy = :owner, claimedAt = :at',
          ConditionExpression: 'attribute_not_exists(claimedBy) OR claimedBy = :owner OR claimedAt < :expired',
          ExpressionAttributeValues: { ':owner': owner, ':at': at, ':expired': new Date(Date.parse(at) - leaseMs).toISOString() },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
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
    if (classified) {
      update = update.replace(' REMOVE', ', outcome = :outcome REMOVE');
      values[':outcome'] = classified.outcome;
    }
    if (classified?.caseNumber) {
      update = update.replace(' REMOVE', ', gsi2pk = :gsi2pk, gsi2sk = :order, caseNumber = :case REMOVE');
      Object.assign(values, { ':gsi2pk': `CASE#${classified.caseNumber}`, ':case': classified.caseNumber });
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
            gsi4pk: 'ITEM',
            gsi4sk: `${order}#${number}`,
          },
        },
      };
    });
    const deltas = replacementDeltas(current?.determination ? (JSON.parse(current.determination) as Determination) : null, determination, receivedAt);
    const counters = [...deltas].map(([key, delta]) => ({
        Update: {
          TableName: this.tableName,
          Key: { pk: 'STATS', sk: key },
          UpdateExpression: 'ADD UPHELD :u, OVERTURNED :o',
          ExpressionAttributeValues: { ':u': delta.UPHELD, ':o': delta.OVERTURNED },
        },
      }));
    // A reclassified letter with fewer items than before leaves stale item records: remove them.
    const previousCount = current?.determination ? ((JSON.parse(current.determination) as Determination & { items?: unknown[] }).items?.length ?? 0) : 0;
    const stale = Array.from({ length: Math.max(0, previousCount - items.length) }, (_, k) => ({
      Delete: { TableName: this.tableName, Key: { pk: `DOC#${id}`, sk: `ITEM#${String(items.length + k + 1).padStart(3, '0')}` } },
    }));
    // The Determination and its counter changes go in the first transaction together: the
    // counters are computed against the stored reading, so once that reading is replaced they
    // must already be applied. Item records (idempotent puts) follow; a failed later chunk is
    // simply written again on the retry, and counters are never applied twice or lost.
    const writes = [
      { Update: { TableName: this.tableName, Key: { pk: `DOC#${id}`, sk: 'DOC' }, UpdateExpression: update, ExpressionAttributeNames: names, ExpressionAttributeValues: values } },
      ...counters,
      ...items,
      ...stale,
    ];
    // DynamoDB takes at most 100 writes in one transaction. A letter has a few items and a few
    // dozen counters, so this is one transaction; a letter too long for one is written in several.
    for (let start = 0; start < writes.length; start += 100) {
      await this.client.send(new TransactWriteCommand({ TransactItems: writes.slice(start, start + 100) }));
    }
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

  async listDeterminations(query: DeterminationQuery): Promise<Page<StoredDetermination>> {
    const index = query.caseNumber !== undefined ? 'gsi2' : 'gsi1';
    const page = await this.queryNewestFirst(index, query.caseNumber !== undefined ? `CASE#${query.caseNumber}` : 'DETERMINATION', query, { outcome: query.outcome, needsReview: query.needsReview });
    return { data: page.items.map((item) => toStored(item as unknown as DocumentItem)).filter((item): item is StoredDetermination => item !== null), nextCursor: page.nextCursor };
  }

  async listItems(query: ItemQuery): Promise<Page<StoredItem>> {
    const index = query.category !== undefined ? 'gsi3' : 'gsi4';
    const page = await this.queryNewestFirst(index, query.category !== undefined ? `CATEGORY#${query.category}` : 'ITEM', query, { subcategory: query.subcategory, decision: query.decision });
    const data = page.items.map((item) => ({
      documentId: item.documentId as string,
      itemNumber: Number(String(item.sk).replace('ITEM#', '')),
      receivedAt: item.receivedAt as string,
      caseNumber: (item.caseNumber as string | null) ?? null,
      request: item.request as string,
      decision: item.decision as StoredItem['decision'],
      category: item.category as string,
      subcategory: (item.subcategory as string | null) ?? null,
      needsReview: Boolean(item.needsReview),
      links: { determination: `/determinations/${item.documentId as string}` },
    }));
    return { data, nextCursor: page.nextCursor };
  }

  async stats(groupBy: StatsGrouping): Promise<StatsRow[]> {
    const rows: StatsRow[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.client.send(
        new QueryCommand({ TableName: this.tableName, KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)', ExpressionAttributeValues: { ':pk': 'STATS', ':prefix': `${groupBy}#` }, ExclusiveStartKey: start }),
      );
      for (const item of page.Items ?? []) {
        const upheld = Number(item.UPHELD ?? 0);
        const overturned = Number(item.OVERTURNED ?? 0);
        if (upheld + overturned === 0) continue;
        rows.push({ key: String(item.sk).slice(groupBy.length + 1), upheld, overturned, total: upheld + overturned });
      }
      start = page.LastEvaluatedKey;
    } while (start);
    return groupBy === 'month' ? rows.sort((a, b) => b.key.localeCompare(a.key)) : rows.sort((a, b) => b.total - a.total || a.key.localeCompare(b.key));
  }

  /**
   * One list query: the index partition `partition`, received between `from` and `to`,
   * narrowed by equality filters (those left undefined are not applied).
   */
  private queryNewestFirst(
    index: string,
    partition: string,
    range: { limit: number; cursor?: string | undefined; from?: string | undefined; to?: string | undefined },
    equalities: Record<string, string | boolean | undefined>,
  ): Promise<{ items: Record<string, unknown>[]; nextCursor: string | null }> {
    const values: Record<string, unknown> = { ':pk': partition, ':from': range.from ?? '0', ':to': upperBound(range.to) };
    const filters = Object.entries(equalities)
      .filter(([, value]) => value !== undefined)
      .map(([attribute, value]) => {
        values[`:${attribute}`] = value;
        return `${attribute} = :${attribute}`;
      });
    const fingerprint = filterFingerprint({ ...equalities, from: range.from, to: range.to, partition });
    return this.queryPages(index, `${index}pk = :pk AND ${index}sk BETWEEN :from AND :to`, filters, values, range.limit, range.cursor, fingerprint);
  }

  /**
   * Queries an index newest first until `limit` items pass the filters or the index is
   * exhausted (at most 10 requests), with a signed cursor bound to the index it came from.
   */
  private async queryPages(index: string, keyCondition: string, filters: string[], values: Record<string, unknown>, limit: number, cursor: string | undefined, fingerprint: string): Promise<{ items: Record<string, unknown>[]; nextCursor: string | null }> {
    if (!this.cursors) throw new Error('this store was built without a cursor codec');
    let start: Record<string, unknown> | undefined;
    if (cursor) {
      const position = this.cursors.decode(cursor);
      // A cursor serves only the list it came from: the same index and the same filter values.
      if (position.index !== index || position.filters !== fingerprint || typeof position.key !== 'object' || position.key === null) {
        throw new CursorError('INVALID_CURSOR', 'cursor belongs to another list or other filters');
      }
      start = position.key as Record<string, unknown>;
    }
    const items: Record<string, unknown>[] = [];
    for (let request = 0; request < 10 && items.length < limit; request++) {
      const page = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: index,
          KeyConditionExpression: keyCondition,
          FilterExpression: filters.length ? filters.join(' AND ') : undefined,
          ExpressionAttributeValues: values,
          ScanIndexForward: false,
          Limit: limit - items.length,
          ExclusiveStartKey: start,
        }),
      );
      items.push(...(page.Items ?? []));
      start = page.LastEvaluatedKey;
      if (!start) break;
    }
    return { items, nextCursor: start ? this.cursors.encode({ index, filters: fingerprint, key: start }) : null };
  }

  /** Records one webhook delivery attempt under its document (kept 90 days). */
  async recordDeliveryAttempt(record: AttemptRecord): Promise<void> {
    await this.client.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { pk: `DOC#${record.documentId}`, sk: `DELIVERY#${record.at}#${record.webhookId}#${record.attempt}`, ...record, expiresAt: Math.floor(Date.parse(record.at) / 1000) + 90 * 86_400 },
      }),
    );
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
