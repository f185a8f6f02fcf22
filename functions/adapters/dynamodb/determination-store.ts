import { ConditionalCheckFailedException, DynamoDBClient, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  type BatchGetCommandOutput,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  ScanCommand,
  TransactWriteCommand,
  UpdateCommand,
  type UpdateCommandInput,
  type TransactWriteCommandInput,
} from '@aws-sdk/lib-dynamodb';
import type { AttemptRecord } from '../../service/webhooks/ports.ts';
import type { Determination } from '../../domain/index.ts';
import type { CursorCodec } from '../../common/cursor.ts';
import { answerRow } from '../../service/ports.ts';
import type {
  AnswerRow,
  DocumentSource,
  DocumentSplitRecord,
  DeterminationQuery,
  DeterminationStore,
  DocumentQuery,
  DocumentRecord,
  HistoryEntry,
  ItemQuery,
  LedgerChange,
  LedgerDocument,
  Page,
  StatsGrouping,
  StatsRow,
  StoredDetermination,
  StoredItem,
} from '../../service/ports.ts';
import { toRecord, toStored, type DocumentItem } from './documents.ts';
import { determinationWrites, searchMark } from './determination-writes.ts';
import { DynamoDeterminationQueries } from './determination-queries.ts';
import { DynamoSearchIndex } from './search-index.ts';

/** True when a transaction was cancelled because the revision condition no longer held, or another transaction wrote the document at that moment. */
function revisionMoved(error: unknown): boolean {
  // A condition that no longer held, or another transaction on the same document at that moment
  // (DynamoDB cancels both): either way the change is decided again against what is stored now.
  return (
    error instanceof TransactionCanceledException &&
    (error.CancellationReasons ?? []).some((reason) => reason.Code === 'ConditionalCheckFailed' || reason.Code === 'TransactionConflict')
  );
}

const moduleClient = DynamoDBDocumentClient.from(new DynamoDBClient({}), { marshallOptions: { removeUndefinedValues: true } });

/** {@link DeterminationStore} on DynamoDB (Amazon's, or DynamoDB Local on one machine). */
export class DynamoDeterminationStore implements DeterminationStore {
  private readonly client: DynamoDBDocumentClient;
  private readonly queries: DynamoDeterminationQueries;

  /** `cursors` signs list cursors; a store that never lists (the ingest functions) needs none. */
  constructor(
    private readonly tableName: string,
    private readonly cursors: CursorCodec | null,
    client?: DynamoDBDocumentClient,
  ) {
    this.client = client ?? moduleClient;
    this.queries = new DynamoDeterminationQueries(this.client, tableName, cursors);
  }

  /** The full-text index of the letters, in the same table (its backlog marks are written by this store's commits). */
  searchIndex(): DynamoSearchIndex {
    return new DynamoSearchIndex(this.client, this.tableName, this.cursors);
  }

  async recordReceipt(id: string, sourceKey: string, at: string, source?: DocumentSource): Promise<{ record: DocumentRecord; created: boolean }> {
    // An id is looked up by its first 12 characters or more: one small item per document under
    // its prefix, written first (idempotently) so that no document is ever without one.
    await this.client.send(new PutCommand({ TableName: this.tableName, Item: { pk: `IDPREFIX#${id.slice(0, 12)}`, sk: id } }));
    const result = await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { pk: `DOC#${id}`, sk: 'DOC' },
        UpdateExpression: `SET id = :id, #status = if_not_exists(#status, :received), receivedAt = if_not_exists(receivedAt, :at), updatedAt = if_not_exists(updatedAt, :at), gsi5pk = :documents, gsi5sk = if_not_exists(gsi5sk, :order)${source ? ', #source = if_not_exists(#source, :source)' : ''} ADD sourceKeys :keys`,
        ExpressionAttributeNames: { '#status': 'status', ...(source ? { '#source': 'source' } : {}) },
        ExpressionAttributeValues: {
          ':id': id,
          ':received': 'RECEIVED',
          ':at': at,
          ':keys': new Set([sourceKey]),
          ':documents': 'DOCUMENT',
          ':order': `${at}#${id}`,
          ...(source ? { ':source': JSON.stringify(source) } : {}),
        },
        ReturnValues: 'ALL_OLD',
      }),
    );
    const old = result.Attributes as DocumentItem | undefined;
    // A letter already read is found by its file names too: a new one puts its search entry behind.
    if (old?.determination && !old.sourceKeys?.has(sourceKey))
      await this.client.send(new PutCommand({ TableName: this.tableName, Item: searchMark(id, `${at}#${sourceKey}`) }));
    if (!old?.status)
      return {
        record: { id, status: 'RECEIVED', reason: null, receivedAt: at, updatedAt: at, sourceKeys: [sourceKey], ...(source ? { source } : {}) },
        created: true,
      };
    return { record: toRecord({ ...old, sourceKeys: new Set([...(old.sourceKeys ?? []), sourceKey]) }), created: false };
  }

  async resolveIdPrefix(prefix: string): Promise<string[]> {
    const page = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': `IDPREFIX#${prefix.slice(0, 12)}`, ':prefix': prefix },
        Limit: 2,
      }),
    );
    return (page.Items ?? []).map((item) => String(item.sk));
  }

  async claimReading(id: string, owner: string, at: string, leaseMs: number): Promise<boolean> {
    return this.updateDocumentIf(id, {
      UpdateExpression: 'SET claimedBy = :owner, claimedAt = :at',
      ConditionExpression: 'attribute_not_exists(claimedBy) OR claimedBy = :owner OR claimedAt < :expired',
      ExpressionAttributeValues: { ':owner': owner, ':at': at, ':expired': new Date(Date.parse(at) - leaseMs).toISOString() },
    });
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

  async load(id: string): Promise<LedgerDocument | null> {
    const item = await this.getDocumentItem(id);
    if (!item) return null;
    return {
      ...toRecord(item),
      revision: item.revision ?? null,
      ...(item.determination ? { determination: JSON.parse(item.determination) as Determination } : {}),
      ...(item.corrected ? { corrected: true } : {}),
      ...(item.reviewedBy && item.reviewedAt ? { reviewedBy: item.reviewedBy, reviewedAt: item.reviewedAt } : {}),
      ...(item.receivedOn ? { receivedOn: item.receivedOn } : {}),
      ...(item.sameLetterAs ? { sameLetterAs: item.sameLetterAs } : {}),
    };
  }

  async commit(change: LedgerChange): Promise<'COMMITTED' | 'MOVED'> {
    try {
      await this.transact(determinationWrites(this.tableName, change));
      return 'COMMITTED';
    } catch (error) {
      // The revision moved on (or a person corrected the letter) between loading and committing.
      if (revisionMoved(error)) return 'MOVED';
      throw error;
    }
  }

  async lettersLike(fingerprint: string, limit: number): Promise<StoredDetermination[]> {
    const page = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': `LETTER#${fingerprint}` },
        Limit: limit * 2,
      }),
    );
    const found: StoredDetermination[] = [];
    for (const item of page.Items ?? []) {
      const stored = await this.getDetermination(String(item.id));
      if (stored && !stored.sameLetterAs) found.push(stored);
      if (found.length >= limit) break;
    }
    return found;
  }

  async history(id: string): Promise<HistoryEntry[]> {
    const page = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :history)',
        ExpressionAttributeValues: { ':pk': `DOC#${id}`, ':history': 'HISTORY#' },
        ScanIndexForward: false,
      }),
    );
    return (page.Items ?? []).map((item) => ({
      revision: item.revision as number,
      at: item.at as string,
      by: item.by as string,
      changes: item.changes as HistoryEntry['changes'],
      note: (item.note as string | null) ?? null,
    }));
  }

  /**
   * Writes in transactions of at most 100 (DynamoDB's limit). A letter has a few items and a few
   * dozen counters, so this is one transaction; a letter too long for one is written in several.
   */
  private async transact(writes: NonNullable<TransactWriteCommandInput['TransactItems']>): Promise<void> {
    for (let start = 0; start < writes.length; start += 100) {
      await this.client.send(new TransactWriteCommand({ TransactItems: writes.slice(start, start + 100) }));
    }
  }

  async markFailed(id: string, reason: string, at: string): Promise<void> {
    await this.updateDocumentIf(id, {
      UpdateExpression:
        'SET #status = :failed, reason = :reason, updatedAt = :at, id = :id, receivedAt = if_not_exists(receivedAt, :at), gsi5pk = :documents, gsi5sk = if_not_exists(gsi5sk, :order)',
      // A document already read by an earlier attempt keeps its result.
      ConditionExpression: 'attribute_not_exists(#status) OR NOT (#status IN (:classified, :unrecognized, :split))',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: {
        ':failed': 'FAILED',
        ':reason': reason,
        ':at': at,
        ':id': id,
        ':classified': 'CLASSIFIED',
        ':unrecognized': 'UNRECOGNIZED',
        ':split': 'SPLIT',
        ':documents': 'DOCUMENT',
        ':order': `${at}#${id}`,
      },
    });
  }

  async markSplit(id: string, split: DocumentSplitRecord, reason: string, at: string): Promise<void> {
    await this.updateDocumentIf(id, {
      UpdateExpression:
        'SET #status = :split, reason = :reason, #split = :letters, updatedAt = :at, id = :id, receivedAt = if_not_exists(receivedAt, :at), gsi5pk = :documents, gsi5sk = if_not_exists(gsi5sk, :order) REMOVE claimedBy, claimedAt',
      ExpressionAttributeNames: { '#status': 'status', '#split': 'split' },
      ExpressionAttributeValues: {
        ':split': 'SPLIT',
        ':reason': reason,
        ':letters': JSON.stringify(split),
        ':at': at,
        ':id': id,
        ':documents': 'DOCUMENT',
        ':order': `${at}#${id}`,
      },
    });
  }

  async reopenFailed(id: string, at: string): Promise<boolean> {
    return this.updateDocumentIf(id, {
      UpdateExpression: 'SET #status = :received, updatedAt = :at REMOVE reason, claimedBy, claimedAt',
      // Only a failure is reopened: a document read meanwhile keeps its reading.
      ConditionExpression: '#status = :failed',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':received': 'RECEIVED', ':failed': 'FAILED', ':at': at },
    });
  }

  /** One conditional update of a document's record: true when it was written, false when its condition did not hold. */
  private async updateDocumentIf(
    id: string,
    update: Pick<UpdateCommandInput, 'UpdateExpression' | 'ConditionExpression' | 'ExpressionAttributeNames' | 'ExpressionAttributeValues'>,
  ): Promise<boolean> {
    try {
      await this.client.send(new UpdateCommand({ TableName: this.tableName, Key: { pk: `DOC#${id}`, sk: 'DOC' }, ...update }));
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
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

  listDeterminations(query: DeterminationQuery): Promise<Page<StoredDetermination>> {
    return this.queries.listDeterminations(query);
  }

  /** The rows are written at answer time here: a Lambda answers one list per invocation, and the table keeps the letters whole. */
  async listDeterminationRows(query: DeterminationQuery): Promise<Page<AnswerRow>> {
    const page = await this.queries.listDeterminations(query);
    return { ...page, data: page.data.map(answerRow) };
  }

  /** The letters by BatchGetItem, 100 keys a request (what DynamoDB allows), keys it left unprocessed asked again. */
  async rowsOf(ids: readonly string[]): Promise<AnswerRow[]> {
    const found = new Map<string, StoredDetermination>();
    for (let start = 0; start < ids.length; start += 100) {
      let keys: Array<Record<string, unknown>> | undefined = [...new Set(ids.slice(start, start + 100))].map((id) => ({ pk: `DOC#${id}`, sk: 'DOC' }));
      for (let attempt = 0; keys?.length && attempt < 8; attempt++) {
        if (attempt > 0) await new Promise((resolveWait) => setTimeout(resolveWait, 25 * 2 ** attempt));
        const answer: BatchGetCommandOutput = await this.client.send(new BatchGetCommand({ RequestItems: { [this.tableName]: { Keys: keys } } }));
        for (const item of answer.Responses?.[this.tableName] ?? []) {
          const stored = toStored(item as DocumentItem);
          if (stored) found.set(stored.id, stored);
        }
        keys = answer.UnprocessedKeys?.[this.tableName]?.Keys;
      }
    }
    return ids
      .map((id) => found.get(id))
      .filter((stored): stored is StoredDetermination => stored !== undefined)
      .map(answerRow);
  }

  listItems(query: ItemQuery): Promise<Page<StoredItem>> {
    return this.queries.listItems(query);
  }

  listDocuments(query: DocumentQuery): Promise<Page<DocumentRecord>> {
    return this.queries.listDocuments(query);
  }

  stats(groupBy: StatsGrouping): Promise<StatsRow[]> {
    return this.queries.stats(groupBy);
  }

  /** Records one webhook delivery attempt under its document (kept 90 days). */
  async recordDeliveryAttempt(record: AttemptRecord): Promise<void> {
    await this.client.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          pk: `DOC#${record.documentId}`,
          sk: `DELIVERY#${record.at}#${record.webhookId}#${record.attempt}`,
          ...record,
          expiresAt: Math.floor(Date.parse(record.at) / 1000) + 90 * 86_400,
        },
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
        new ScanCommand({
          TableName: this.tableName,
          FilterExpression: 'sk = :doc',
          ExpressionAttributeValues: { ':doc': 'DOC' },
          ProjectionExpression: 'id',
          ExclusiveStartKey: start,
        }),
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
