import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  BatchWriteCommand,
  DeleteCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  ScanCommand,
  UpdateCommand,
  type BatchGetCommandOutput,
  type BatchWriteCommandOutput,
  type DynamoDBDocumentClient,
  type QueryCommandOutput,
  type ScanCommandOutput,
} from '@aws-sdk/lib-dynamodb';
import type { CursorCodec } from '../../common/cursor.ts';
import { searchPostings, type PostingStore } from '../search-pages.ts';
import { matchWeight, SEARCH_LIMITS, type PostingReader, type SearchTerm } from '../../domain/index.ts';
import type { Page, SearchBacklogEntry, SearchEntry, SearchIndex, SearchQuery } from '../../service/ports.ts';
import { searchMark } from './determination-writes.ts';

/**
 * The search index's items in the service's table (pay per request, nothing to run):
 * - `pk = SEARCH#W#<word>`, `sk = <place>` (zero-padded), `w`: a posting, newest last;
 * - `pk = SEARCH#D#<first 3 letters>`, `sk = <word>`, `n`: the dictionary (how many letters hold the word), for prefixes and rarity;
 * - `pk = SEARCH#L#<id>`, `sk = ENTRY`: the letter's place, revision and words (what a new entry replaces), and a lease while one is written;
 * - `pk = SEARCH#P#<place>`, `sk = PLACE`: the letter at a place;
 * - `pk = SEARCH`, `sk = COUNTERS`: places given and letters held; `sk = BEHIND#<id>`: the backlog mark a commit wrote;
 *   `sk = BACKFILL`: how far the marking of the letters read before the index existed has got.
 */
const POSTING = (word: string) => `SEARCH#W#${word}`;
const DICTIONARY = (word: string) => `SEARCH#D#${word.slice(0, 3)}`;
const ENTRY = (id: string) => ({ pk: `SEARCH#L#${id}`, sk: 'ENTRY' });
const PLACE = (seq: number) => ({ pk: `SEARCH#P#${pad(seq)}`, sk: 'PLACE' });
const COUNTERS = { pk: 'SEARCH', sk: 'COUNTERS' };
const BACKFILL = { pk: 'SEARCH', sk: 'BACKFILL' };
/** The key of the backlog mark a commit writes (`determination-writes.ts`), in the same transaction as the reading. */
const BEHIND = (id: string) => {
  const { pk, sk } = searchMark(id, '');
  return { pk, sk };
};

/** How long a writer holds a letter's entry: far longer than writing a letter's words takes, so only a writer that died loses it. */
const LEASE_MS = 60_000;
/** Requests in flight at once for one letter or one search. */
const PARALLEL = 16;

function pad(seq: number): string {
  return String(seq).padStart(10, '0');
}

/** A letter's entry as stored. */
interface EntryItem {
  seq?: number;
  revision?: number;
  /** JSON of [word, weight][]. */
  terms?: string;
  /** JSON of the words a write under way may have put (cleaned up by the next one if it died). */
  pending?: string;
  lease?: string;
}

/** Runs `task` on every item, at most `limit` at once. */
async function inParallel<T>(items: readonly T[], limit: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) await task(items[next++]!);
    }),
  );
}

/** The entry of another writer is being written: this one is tried again later (its mark stays). */
export class SearchEntryBusyError extends Error {
  override readonly name = 'SearchEntryBusyError';
}

/**
 * {@link SearchIndex} on DynamoDB, in the service's table. A letter's entry is written under a
 * lease (one writer at a time per letter: a Lambda's inline build and the sweep may meet), the
 * words it may leave behind recorded first (`pending`), so a writer that dies half way is
 * cleaned up by the next. Postings are BatchWriteItem puts and deletes; the dictionary's counts
 * are atomic ADDs after the entry is committed. A search reads postings by Query (a word's
 * letters in a window of places, newest first) and BatchGetItem (a word at given places); the
 * plan, the matching and the ranking are the domain's, as in the LMDB index.
 */
export class DynamoSearchIndex implements SearchIndex {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly cursors: CursorCodec | null,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async put(entry: SearchEntry, mark?: string): Promise<void> {
    const current = await this.lease(entry);
    if (current === 'NEWER') return;
    try {
      await this.write(entry, current);
    } finally {
      // Released however the write went (a failed one is tried again from its mark).
      await this.client
        .send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: ENTRY(entry.id),
            UpdateExpression: 'REMOVE lease',
            ConditionExpression: 'lease = :lease',
            ExpressionAttributeValues: { ':lease': current.lease },
          }),
        )
        .catch((error: unknown) => {
          if (!(error instanceof ConditionalCheckFailedException)) throw error;
        });
    }
    if (mark !== undefined) {
      await this.client
        .send(
          new DeleteCommand({
            TableName: this.tableName,
            Key: BEHIND(entry.id),
            ConditionExpression: 'mark = :mark',
            ExpressionAttributeValues: { ':mark': mark },
          }),
        )
        .catch((error: unknown) => {
          // A later write marked it again: its mark stays for the entry it needs.
          if (!(error instanceof ConditionalCheckFailedException)) throw error;
        });
    }
  }

  /**
   * Takes the letter's lease unless another writer holds it, or the entry stored was built from a
   * later revision ('NEWER': nothing to write). Answers the entry as it stood.
   */
  private async lease(entry: SearchEntry): Promise<(EntryItem & { lease: string }) | 'NEWER'> {
    const now = this.now().getTime();
    const lease = `${new Date(now + LEASE_MS).toISOString()}#${Math.random().toString(36).slice(2)}`;
    try {
      const answer = await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: ENTRY(entry.id),
          UpdateExpression: 'SET lease = :lease',
          ConditionExpression: '(attribute_not_exists(lease) OR lease < :now) AND (attribute_not_exists(revision) OR revision <= :revision)',
          ExpressionAttributeValues: { ':lease': lease, ':now': new Date(now).toISOString(), ':revision': entry.revision },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return { ...(answer.Attributes as EntryItem), lease };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      const stored = (await this.client.send(new GetCommand({ TableName: this.tableName, Key: ENTRY(entry.id), ConsistentRead: true }))).Item as
        EntryItem | undefined;
      if ((stored?.revision ?? 0) > entry.revision) return 'NEWER';
      throw new SearchEntryBusyError(`the search entry of ${entry.id.slice(0, 12)} is being written by another writer`);
    }
  }

  /** Writes the letter's postings over what it held (and what a writer that died may have left), then its entry, then the counts. */
  private async write(entry: SearchEntry, current: EntryItem & { lease: string }): Promise<void> {
    const held = new Map<string, number>(current.terms ? (JSON.parse(current.terms) as Array<[string, number]>) : []);
    const leftover = new Set<string>(current.pending ? (JSON.parse(current.pending) as string[]) : []);
    let seq = current.seq;
    // A document that never held a word (not a letter) takes no place; its revision is kept all the same.
    if (seq === undefined && entry.terms.size === 0) {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: ENTRY(entry.id),
          UpdateExpression: 'SET terms = :terms, revision = :revision',
          ConditionExpression: 'lease = :lease',
          ExpressionAttributeValues: { ':terms': '[]', ':revision': entry.revision, ':lease': current.lease },
        }),
      );
      return;
    }
    if (seq === undefined) {
      const counters = await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: COUNTERS,
          UpdateExpression: 'ADD seq :one',
          ExpressionAttributeValues: { ':one': 1 },
          ReturnValues: 'UPDATED_NEW',
        }),
      );
      seq = Number(counters.Attributes!.seq);
      await this.client.send(new PutCommand({ TableName: this.tableName, Item: { ...PLACE(seq), id: entry.id } }));
    }
    const writes = [...entry.terms].filter(([word, weight]) => held.get(word) !== weight || leftover.has(word));
    const deletes = [...new Set([...held.keys(), ...leftover])].filter((word) => !entry.terms.has(word));
    // What this write may leave behind if it dies is recorded before it writes anything.
    await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: ENTRY(entry.id),
        UpdateExpression: 'SET seq = :seq, pending = :pending',
        ConditionExpression: 'lease = :lease',
        ExpressionAttributeValues: {
          ':seq': seq,
          ':pending': JSON.stringify([...new Set([...leftover, ...writes.map(([word]) => word)])]),
          ':lease': current.lease,
        },
      }),
    );
    const requests = [
      ...writes.map(([word, weight]) => ({ PutRequest: { Item: { pk: POSTING(word), sk: pad(seq!), w: weight } } })),
      ...deletes.map((word) => ({ DeleteRequest: { Key: { pk: POSTING(word), sk: pad(seq!) } } })),
    ];
    const batches: Array<typeof requests> = [];
    for (let start = 0; start < requests.length; start += 25) batches.push(requests.slice(start, start + 25));
    await inParallel(batches, PARALLEL, (batch) => this.batchWrite(batch));
    await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: ENTRY(entry.id),
        UpdateExpression: 'SET terms = :terms, revision = :revision REMOVE pending',
        ConditionExpression: 'lease = :lease',
        ExpressionAttributeValues: { ':terms': JSON.stringify([...entry.terms]), ':revision': entry.revision, ':lease': current.lease },
      }),
    );
    // The dictionary follows the committed entry: a word's count is changed once per change of the words held.
    const counts = [
      ...[...entry.terms.keys()].filter((word) => !held.has(word)).map((word) => [word, 1] as const),
      ...[...held.keys()].filter((word) => !entry.terms.has(word)).map((word) => [word, -1] as const),
    ];
    await inParallel(counts, PARALLEL, async ([word, delta]) => {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: DICTIONARY(word), sk: word },
          UpdateExpression: 'ADD n :delta',
          ExpressionAttributeValues: { ':delta': delta },
        }),
      );
    });
    if (held.size > 0 !== entry.terms.size > 0)
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: COUNTERS,
          UpdateExpression: 'ADD letters :delta',
          ExpressionAttributeValues: { ':delta': entry.terms.size > 0 ? 1 : -1 },
        }),
      );
  }

  /** One BatchWriteItem of at most 25 requests, what DynamoDB leaves unprocessed sent again with backoff. */
  private async batchWrite(requests: NonNullable<ConstructorParameters<typeof BatchWriteCommand>[0]['RequestItems']>[string]): Promise<void> {
    let left = requests;
    for (let attempt = 0; left.length > 0; attempt++) {
      if (attempt >= 10) throw new Error('DynamoDB left search postings unprocessed after 10 attempts');
      if (attempt > 0) await new Promise((resolveWait) => setTimeout(resolveWait, 20 * 2 ** attempt));
      const answer: BatchWriteCommandOutput = await this.client.send(new BatchWriteCommand({ RequestItems: { [this.tableName]: left } }));
      left = answer.UnprocessedItems?.[this.tableName] ?? [];
    }
  }

  /**
   * Marks behind every letter of a table written before the index existed (the letters it holds
   * were never marked by a commit), so the backlog builds them: a paged Scan of the documents,
   * resumed where the last call stopped (kept in the table), until `deadline` (epoch ms) or the
   * end; a letter that has an entry already is left alone. Once the Scan has ended it is never
   * run again. Answers how many were marked and whether it is done.
   */
  async backfill(deadline: number): Promise<{ marked: number; done: boolean }> {
    const progress = (await this.client.send(new GetCommand({ TableName: this.tableName, Key: BACKFILL, ConsistentRead: true }))).Item;
    if (progress?.done) return { marked: 0, done: true };
    let start = progress?.next ? (JSON.parse(String(progress.next)) as Record<string, unknown>) : undefined;
    let marked = 0;
    do {
      const page: ScanCommandOutput = await this.client.send(
        new ScanCommand({
          TableName: this.tableName,
          FilterExpression: 'sk = :doc AND attribute_exists(determination)',
          ProjectionExpression: 'id, revision, updatedAt',
          ExpressionAttributeValues: { ':doc': 'DOC' },
          ExclusiveStartKey: start,
          Limit: 500,
        }),
      );
      const read = (page.Items ?? []).filter((item) => typeof item.id === 'string');
      const indexed = new Set<string>();
      for (let at = 0; at < read.length; at += 100)
        for (const item of await this.batchGet(read.slice(at, at + 100).map((letter) => ENTRY(String(letter.id)))))
          if (item.revision !== undefined) indexed.add(String(item.pk).slice('SEARCH#L#'.length));
      const unmarked = read.filter((item) => !indexed.has(String(item.id)));
      const requests = unmarked.map((item) => ({
        PutRequest: { Item: searchMark(String(item.id), `${String(item.updatedAt)}#${String(item.revision ?? 1)}#backfill`) },
      }));
      for (let at = 0; at < requests.length; at += 25) await this.batchWrite(requests.slice(at, at + 25));
      marked += unmarked.length;
      start = page.LastEvaluatedKey;
      await this.client.send(
        new PutCommand({ TableName: this.tableName, Item: { ...BACKFILL, ...(start ? { next: JSON.stringify(start) } : { done: true }) } }),
      );
    } while (start && Date.now() < deadline);
    return { marked, done: start === undefined };
  }

  async backlog(limit: number): Promise<SearchBacklogEntry[]> {
    const answer = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :behind)',
        ExpressionAttributeValues: { ':pk': 'SEARCH', ':behind': 'BEHIND#' },
        Limit: limit,
      }),
    );
    return (answer.Items ?? []).map((item) => ({ id: String(item.sk).slice('BEHIND#'.length), mark: String(item.mark) }));
  }

  async markOf(id: string): Promise<string | null> {
    const answer = await this.client.send(new GetCommand({ TableName: this.tableName, Key: BEHIND(id), ConsistentRead: true }));
    return answer.Item ? String(answer.Item.mark) : null;
  }

  async search(query: SearchQuery): Promise<Page<string>> {
    if (!this.cursors) throw new Error('this search index was built without a cursor codec');
    return searchPostings(this.postings, this.cursors, query);
  }

  /** Postings read from the table: a term's words in a window of places, or at given places. */
  private readonly reader: PostingReader = {
    // A look-up is an item read (half a read unit each, 100 a request); a Query reads about 80 postings for half a unit, a thousand a request.
    lookUpCost: 50,
    read: async (term, words, low, top) => {
      const found = new Map<number, number>();
      await inParallel(words, PARALLEL, async (word) => {
        let start: Record<string, unknown> | undefined;
        do {
          const page: QueryCommandOutput = await this.client.send(
            new QueryCommand({
              TableName: this.tableName,
              KeyConditionExpression: 'pk = :pk AND sk BETWEEN :low AND :high',
              ExpressionAttributeValues: { ':pk': POSTING(word), ':low': pad(low), ':high': pad(top - 1) },
              ProjectionExpression: 'sk, w',
              ScanIndexForward: false,
              ExclusiveStartKey: start,
            }),
          );
          for (const item of page.Items ?? []) {
            const seq = Number(item.sk);
            found.set(seq, Math.max(found.get(seq) ?? 0, matchWeight(term, word, Number(item.w))));
          }
          start = page.LastEvaluatedKey;
        } while (start);
      });
      return found;
    },
    lookUp: async (term, words, seqs) => {
      const found = new Map<number, number>();
      const keys = words.flatMap((word) => seqs.map((seq) => ({ pk: POSTING(word), sk: pad(seq) })));
      const batches: Array<typeof keys> = [];
      for (let start = 0; start < keys.length; start += 100) batches.push(keys.slice(start, start + 100));
      await inParallel(batches, PARALLEL, async (batch) => {
        for (const item of await this.batchGet(batch)) {
          const seq = Number(item.sk);
          const word = String(item.pk).slice('SEARCH#W#'.length);
          found.set(seq, Math.max(found.get(seq) ?? 0, matchWeight(term, word, Number(item.w))));
        }
      });
      return found;
    },
  };

  /** What a search reads here: the counters, the dictionary, the places' letters and the postings. */
  private readonly postings: PostingStore = {
    counts: async () => {
      const counters = (await this.client.send(new GetCommand({ TableName: this.tableName, Key: COUNTERS }))).Item ?? {};
      return { seq: Number(counters.seq ?? 0), letters: Number(counters.letters ?? 0) };
    },
    dictionary: (term) => this.dictionary(term),
    idsAt: (seqs) => this.idsAt(seqs),
    reader: this.reader,
  };

  /** The dictionary words a term may stand for, with how many letters hold each. */
  private async dictionary(term: SearchTerm): Promise<Array<{ word: string; postings: number }>> {
    if (!term.prefix) {
      const item = (await this.client.send(new GetCommand({ TableName: this.tableName, Key: { pk: DICTIONARY(term.word), sk: term.word } }))).Item;
      return item ? [{ word: term.word, postings: Number(item.n) }] : [];
    }
    const words: Array<{ word: string; postings: number }> = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page: QueryCommandOutput = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
          ExpressionAttributeValues: { ':pk': DICTIONARY(term.word), ':prefix': term.word },
          Limit: SEARCH_LIMITS.prefixScan - words.length,
          ExclusiveStartKey: start,
        }),
      );
      for (const item of page.Items ?? []) words.push({ word: String(item.sk), postings: Number(item.n) });
      start = page.LastEvaluatedKey;
    } while (start && words.length < SEARCH_LIMITS.prefixScan);
    // A word no letter holds any more (its count back to 0) is not searched.
    return words.filter((entry) => entry.postings > 0);
  }

  /** The letters at these places. */
  private async idsAt(seqs: readonly number[]): Promise<Map<number, string>> {
    const ids = new Map<number, string>();
    for (let start = 0; start < seqs.length; start += 100)
      for (const item of await this.batchGet(seqs.slice(start, start + 100).map(PLACE)))
        ids.set(Number(String(item.pk).slice('SEARCH#P#'.length)), String(item.id));
    return ids;
  }

  /** One BatchGetItem of at most 100 keys, what DynamoDB leaves unprocessed asked again with backoff. */
  private async batchGet(keys: Array<Record<string, unknown>>): Promise<Array<Record<string, unknown>>> {
    const items: Array<Record<string, unknown>> = [];
    let left: Array<Record<string, unknown>> | undefined = keys;
    for (let attempt = 0; left?.length; attempt++) {
      if (attempt >= 10) throw new Error('DynamoDB left search keys unprocessed after 10 attempts');
      if (attempt > 0) await new Promise((resolveWait) => setTimeout(resolveWait, 20 * 2 ** attempt));
      const answer: BatchGetCommandOutput = await this.client.send(new BatchGetCommand({ RequestItems: { [this.tableName]: { Keys: left } } }));
      items.push(...(answer.Responses?.[this.tableName] ?? []));
      left = answer.UnprocessedKeys?.[this.tableName]?.Keys;
    }
    return items;
  }
}
