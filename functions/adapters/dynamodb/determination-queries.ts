import { QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { CursorError, type CursorCodec } from '../../common/cursor.ts';
import type {
  DeterminationQuery,
  DocumentQuery,
  DocumentRecord,
  ItemQuery,
  Page,
  StatsGrouping,
  StatsRow,
  StoredDetermination,
  StoredItem,
} from '../../service/ports.ts';
import { filterFingerprint, upperBound } from '../../common/cursor.ts';
import { toRecord, toStored, type DocumentItem } from './documents.ts';

/** The list and stats queries of the DynamoDB store: indexes newest first, signed cursors bound to their filters, write-time counters. */
export class DynamoDeterminationQueries {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly cursors: CursorCodec | null,
  ) {}

  async listDeterminations(query: DeterminationQuery): Promise<Page<StoredDetermination>> {
    const index = query.caseNumber !== undefined ? 'gsi2' : 'gsi1';
    const page = await this.queryNewestFirst(
      index,
      query.caseNumber !== undefined ? `CASE#${query.caseNumber}` : 'DETERMINATION',
      query,
      { outcome: query.outcome, needsReview: query.needsReview },
      query.dueBefore,
    );
    return {
      data: page.items.map((item) => toStored(item as unknown as DocumentItem)).filter((item): item is StoredDetermination => item !== null),
      nextCursor: page.nextCursor,
    };
  }

  async listItems(query: ItemQuery): Promise<Page<StoredItem>> {
    const index = query.category !== undefined ? 'gsi3' : 'gsi4';
    const page = await this.queryNewestFirst(index, query.category !== undefined ? `CATEGORY#${query.category}` : 'ITEM', query, {
      subcategory: query.subcategory,
      decision: query.decision,
    });
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

  async listDocuments(query: DocumentQuery): Promise<Page<DocumentRecord>> {
    // Nothing is dismissed on AWS (dismissing is a route of the service on one machine): no document is.
    if (query.dismissed === true) return { data: [], nextCursor: null };
    const page = await this.queryNewestFirst('gsi5', 'DOCUMENT', query, { status: query.status });
    return { data: page.items.map((item) => toRecord(item as unknown as DocumentItem)), nextCursor: page.nextCursor };
  }

  async stats(groupBy: StatsGrouping): Promise<StatsRow[]> {
    const rows: StatsRow[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
          ExpressionAttributeValues: { ':pk': 'STATS', ':prefix': `${groupBy}#` },
          ExclusiveStartKey: start,
        }),
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
    dueBefore?: string,
  ): Promise<{ items: Record<string, unknown>[]; nextCursor: string | null }> {
    const values: Record<string, unknown> = { ':pk': partition, ':from': range.from ?? '0', ':to': upperBound(range.to) };
    // Attribute names through placeholders: `status` is one of DynamoDB's reserved words.
    const names: Record<string, string> = {};
    const filters = Object.entries(equalities)
      .filter(([, value]) => value !== undefined)
      .map(([attribute, value]) => {
        values[`:${attribute}`] = value;
        names[`#${attribute}`] = attribute;
        return `#${attribute} = :${attribute}`;
      });
    if (dueBefore !== undefined) {
      // Kept at write time: the earliest deadline's day (absent when the letter sets none).
      filters.push('earliestDue <= :dueBefore');
      values[':dueBefore'] = dueBefore;
    }
    const fingerprint = filterFingerprint({ ...equalities, ...(dueBefore !== undefined ? { dueBefore } : {}), from: range.from, to: range.to, partition });
    return this.queryPages(index, `${index}pk = :pk AND ${index}sk BETWEEN :from AND :to`, filters, values, range.limit, range.cursor, fingerprint, names);
  }

  /**
   * Queries an index newest first until `limit` items pass the filters or the index is
   * exhausted (at most 10 requests), with a signed cursor bound to the index it came from.
   */
  private async queryPages(
    index: string,
    keyCondition: string,
    filters: string[],
    values: Record<string, unknown>,
    limit: number,
    cursor: string | undefined,
    fingerprint: string,
    names: Record<string, string>,
  ): Promise<{ items: Record<string, unknown>[]; nextCursor: string | null }> {
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
          ExpressionAttributeNames: Object.keys(names).length ? names : undefined,
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
}
