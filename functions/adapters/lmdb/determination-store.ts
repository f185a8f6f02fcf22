import { open, type RootDatabase } from 'lmdb';
import type { Determination } from '../../domain/index.ts';
import { CursorError, type CursorCodec } from '../../common/cursor.ts';
import { filterFingerprint, upperBound } from '../../common/cursor.ts';
import type { RationaleConclusion } from '../../domain/index.ts';
import type {
  AuditEntry,
  ChangeCounter,
  Dismissal,
  DocumentDisposals,
  DocumentSource,
  DocumentSplitRecord,
  DeterminationQuery,
  DeterminationStore,
  DocumentQuery,
  DocumentRecord,
  DocumentStatus,
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
import { answerRow, storedAnswer, type AnswerRow } from '../../service/ports.ts';
import { LmdbReadingStore } from './reading-store.ts';
import { LmdbSearchIndex } from './search-index.ts';

/** A document as kept: its processing record and, once read, its Determination. */
interface DocumentEntry {
  id: string;
  status: DocumentStatus;
  reason: string | null;
  receivedAt: string;
  updatedAt: string;
  sourceKeys: string[];
  textractJobId?: string;
  /** The delivery reading the document, and since when (see `claimReading`). */
  claimedBy?: string;
  claimedAt?: string;
  determination?: Determination;
  /** 1 when first read, +1 per change. */
  revision?: number;
  /** A person corrected the reading: re-readings leave it alone. */
  corrected?: boolean;
  reviewedBy?: string;
  reviewedAt?: string;
  needsReview?: boolean;
  /** The day of receipt a person set. */
  receivedOn?: string;
  /** The earlier document of the same letter. */
  sameLetterAs?: string;
  /** Each item's rationale conclusion, as worked out when the reading was saved. */
  conclusions?: ReadonlyArray<RationaleConclusion | null>;
  /** When SPLIT: the letters it held and the pages set aside. */
  split?: DocumentSplitRecord;
  /** How and when it came, where its channel said. */
  source?: DocumentSource;
  /** A person took it off the Problems list. */
  dismissal?: Dismissal;
}

/** One disputed item as kept for item queries. */
type ItemEntry = Omit<StoredItem, 'links'>;

/** Most index entries one list request examines, so a sparse filter answers in bounded time (with a cursor to go on). */
const MAX_EXAMINED = 5000;

/**
 * {@link DeterminationStore} on LMDB, an embedded database in one file under the data folder:
 * no port, no server, no Java. The one-machine service uses it; the DynamoDB adapter serves AWS.
 * Keys are ordered tuples, laid out like the DynamoDB table's indexes:
 * - `['doc', id]`: the document and its Determination;
 * - `['det', receivedAt#id]` and `['case', caseNumber, receivedAt#id]`: Determinations, newest last;
 * - `['item', receivedAt#id, nnn]` and `['cat', category, receivedAt#id, nnn]`: items;
 * - `['stats', grouping#key]`: item counts by decision, kept at write time;
 * - `['status', status, receivedAt#id]` and `['dismissed', receivedAt#id]`: documents by status, and those dismissed;
 * - `['audit', at#id#action]`: the audit log (dismissals and deletions);
 * - `['meta', 'changes']`: how many document writes were committed (what a console polls).
 * The full-text index is a named database beside these ({@link LmdbSearchIndex}): every commit
 * of a reading marks the letter there, in the same transaction. So are the documents' readings
 * ({@link LmdbReadingStore}).
 * Every write is one LMDB transaction: two deliveries of one document are applied one after
 * the other, and a counter is changed once per change of the reading.
 */
export class LmdbDeterminationStore implements DeterminationStore, DocumentDisposals, ChangeCounter {
  private constructor(
    private readonly db: RootDatabase,
    private readonly cursors: CursorCodec,
    /** The full-text index of the letters, in the same environment: the store marks letters behind in it. */
    readonly searchIndex: LmdbSearchIndex,
    /** The documents' readings (text, context, line boxes), in the same environment. */
    readonly readings: LmdbReadingStore,
  ) {}

  /** Opens (or creates) the store in `folder`. */
  static open(folder: string, cursors: CursorCodec): LmdbDeterminationStore {
    const db = open({ path: folder, compression: false });
    indexStatuses(db);
    const searchIndex = new LmdbSearchIndex(db.openDB({ name: 'search', compression: false }), cursors);
    markForSearch(db, searchIndex);
    const readings = new LmdbReadingStore(db.openDB<string, string>({ name: 'readings', compression: false, encoding: 'string' }));
    return new LmdbDeterminationStore(db, cursors, searchIndex, readings);
  }

  async close(): Promise<void> {
    await this.db.close();
  }

  async recordReceipt(id: string, sourceKey: string, at: string, source?: DocumentSource): Promise<{ record: DocumentRecord; created: boolean }> {
    let marked = false;
    const receipt = await this.db.transaction(() => {
      const current = this.document(id);
      if (current) {
        if (!current.sourceKeys.includes(sourceKey)) {
          this.putDocument({ ...current, sourceKeys: [...current.sourceKeys, sourceKey].sort() }, current);
          // A letter already read is found by its file names too: its entry is behind.
          if (current.determination) {
            this.searchIndex.markSync(id);
            marked = true;
          }
        }
        return { record: toRecord({ ...current, sourceKeys: [...new Set([...current.sourceKeys, sourceKey])].sort() }), created: false };
      }
      const entry: DocumentEntry = {
        id,
        status: 'RECEIVED',
        reason: null,
        receivedAt: at,
        updatedAt: at,
        sourceKeys: [sourceKey],
        ...(source ? { source } : {}),
      };
      this.putDoc(entry, undefined);
      this.db.putSync(['docs', `${at}#${id}`], id);
      return { record: toRecord(entry), created: true };
    });
    if (marked) this.searchIndex.marksCommitted();
    return receipt;
  }

  async claimReading(id: string, owner: string, at: string, leaseMs: number): Promise<boolean> {
    return this.db.transaction(() => {
      const current = this.document(id);
      if (!current) return false;
      const free = !current.claimedBy || current.claimedBy === owner || Date.parse(current.claimedAt ?? at) < Date.parse(at) - leaseMs;
      if (free) this.putDoc({ ...current, claimedBy: owner, claimedAt: at }, current);
      return free;
    });
  }

  async markOcrPending(id: string, jobId: string, at: string): Promise<void> {
    await this.db.transaction(() => {
      const current = this.document(id);
      if (current) this.putDoc({ ...current, status: 'OCR_PENDING', textractJobId: jobId, updatedAt: at }, current);
    });
  }

  async load(id: string): Promise<LedgerDocument | null> {
    const entry = this.document(id);
    if (!entry) return null;
    const { claimedBy: _owner, claimedAt: _since, textractJobId: _job, needsReview: _review, conclusions: _conclusions, ...kept } = entry;
    return { ...kept, ...toRecord(entry), revision: entry.revision ?? null };
  }

  async commit(change: LedgerChange): Promise<'COMMITTED' | 'MOVED'> {
    const outcome = await this.db.transaction((): 'COMMITTED' | 'MOVED' => {
      const current = this.document(change.id);
      // The change holds only over the revision it was decided against, and a machine reading never over a correction.
      const stored = current?.determination ? (current.revision ?? 1) : (current?.revision ?? null);
      if (stored !== change.expectedRevision || (change.by === 'machine' && current?.corrected)) return 'MOVED';
      const order = `${change.receivedAt}#${change.id}`;
      // The previous reading's index entries go; the new reading's come.
      if (current?.determination) this.removeIndexes(current.determination, order);
      const { determination } = change.next;
      this.db.putSync(['det', order], change.id);
      if (determination.status === 'CLASSIFIED' && determination.caseNumber) this.db.putSync(['case', determination.caseNumber, order], change.id);
      for (const item of change.items) {
        const number = String(item.itemNumber).padStart(3, '0');
        this.db.putSync(['item', order, number], item);
        this.db.putSync(['cat', item.category, order, number], true);
      }
      for (const [key, delta] of change.deltas) {
        const counter = (this.db.get(['stats', key]) as { UPHELD: number; OVERTURNED: number } | undefined) ?? { UPHELD: 0, OVERTURNED: 0 };
        this.db.putSync(['stats', key], { UPHELD: counter.UPHELD + delta.UPHELD, OVERTURNED: counter.OVERTURNED + delta.OVERTURNED });
      }
      if (change.fingerprint) this.db.putSync(['letter', change.fingerprint, order], change.id);
      if (!current) this.db.putSync(['docs', order], change.id);
      const base: DocumentEntry = current ?? {
        id: change.id,
        status: 'RECEIVED',
        reason: null,
        receivedAt: change.receivedAt,
        updatedAt: change.next.updatedAt,
        sourceKeys: [],
      };
      // Fields the change does not carry (a link undone, a confirmation never given) are not kept from before;
      // a dismissal only while the document stays what was dismissed.
      const { sameLetterAs: _link, reviewedBy: _by, reviewedAt: _at, receivedOn: _on, dismissal, ...rest } = base;
      const kept = dismissal && base.status === change.next.status ? { dismissal } : {};
      // The earliest deadline is answered from the reading itself here (the DynamoDB table keeps it for its filter).
      const { earliestDue: _earliest, ...next } = change.next;
      this.putDocument({ ...rest, ...kept, ...next }, current);
      if (change.history) this.db.putSync(['history', change.id, String(change.history.revision).padStart(6, '0')], change.history);
      // What the letter says changed: its search entry is behind until the indexer rebuilds it.
      this.searchIndex.markSync(change.id);
      return 'COMMITTED';
    });
    if (outcome === 'COMMITTED') this.searchIndex.marksCommitted();
    return outcome;
  }

  async history(id: string): Promise<HistoryEntry[]> {
    return [...this.db.getRange({ start: ['history', id, '\uffff'], end: ['history', id], reverse: true })].map(({ value }) => value as HistoryEntry);
  }

  async markFailed(id: string, reason: string, at: string): Promise<void> {
    await this.db.transaction(() => {
      const current = this.document(id);
      // A document already read by an earlier attempt keeps its result.
      if (current && (current.status === 'CLASSIFIED' || current.status === 'UNRECOGNIZED' || current.status === 'SPLIT')) return;
      const base: DocumentEntry = current ?? { id, status: 'FAILED', reason, receivedAt: at, updatedAt: at, sourceKeys: [] };
      if (!current) this.db.putSync(['docs', `${at}#${id}`], id);
      this.putDoc({ ...base, status: 'FAILED', reason, updatedAt: at }, current);
    });
  }

  async markSplit(id: string, split: DocumentSplitRecord, reason: string, at: string): Promise<void> {
    await this.db.transaction(() => {
      const current = this.document(id);
      const base: DocumentEntry = current ?? { id, status: 'SPLIT', reason, receivedAt: at, updatedAt: at, sourceKeys: [] };
      if (!current) this.db.putSync(['docs', `${at}#${id}`], id);
      const { claimedBy: _owner, claimedAt: _since, ...rest } = base;
      this.putDoc({ ...rest, status: 'SPLIT', reason, split, updatedAt: at }, current);
    });
  }

  async reopenFailed(id: string, at: string): Promise<boolean> {
    return this.db.transaction(() => {
      const current = this.document(id);
      if (current?.status !== 'FAILED') return false;
      // Read again, it is nobody's decision yet: should it fail again, it is a problem again.
      const { claimedBy: _owner, claimedAt: _since, dismissal: _dismissal, ...rest } = current;
      this.putDoc({ ...rest, status: 'RECEIVED', reason: null, updatedAt: at }, current);
      return true;
    });
  }

  async getDocument(id: string): Promise<DocumentRecord | null> {
    const entry = this.document(id);
    return entry ? toRecord(entry) : null;
  }

  async lettersLike(fingerprint: string, limit: number): Promise<StoredDetermination[]> {
    const found: StoredDetermination[] = [];
    for (const { value } of this.db.getRange({ start: ['letter', fingerprint], end: ['letter', fingerprint, '\uffff'] })) {
      const stored = toStored(this.document(value as string));
      if (stored && !stored.sameLetterAs) found.push(stored);
      if (found.length >= limit) break;
    }
    return found;
  }

  async resolveIdPrefix(prefix: string): Promise<string[]> {
    // Hex ids sort between the prefix and the prefix followed by 'g'.
    return [...this.db.getKeys({ start: ['doc', prefix], end: ['doc', `${prefix}g`], limit: 2 })].map((key) => String((key as unknown[])[1]));
  }

  async getDetermination(id: string): Promise<StoredDetermination | null> {
    const entry = this.document(id);
    return entry ? toStored(entry) : null;
  }

  async listDeterminations(query: DeterminationQuery): Promise<Page<StoredDetermination>> {
    const prefix = query.caseNumber !== undefined ? ['case', query.caseNumber] : ['det'];
    const page = this.newestFirst(prefix, query, { outcome: query.outcome, needsReview: query.needsReview, dueBefore: query.dueBefore }, (value) => {
      const stored = toStored(this.document(value as string));
      if (!stored) return null;
      if (query.outcome !== undefined && (stored.status !== 'CLASSIFIED' || stored.outcome !== query.outcome)) return null;
      if (query.needsReview !== undefined && stored.needsReview !== query.needsReview) return null;
      if (query.dueBefore !== undefined && !stored.deadlines.some((deadline) => deadline.due <= query.dueBefore!)) return null;
      return stored;
    });
    return page;
  }

  async listDeterminationRows(query: DeterminationQuery): Promise<Page<AnswerRow>> {
    const prefix = query.caseNumber !== undefined ? ['case', query.caseNumber] : ['det'];
    return this.newestFirst(prefix, query, { outcome: query.outcome, needsReview: query.needsReview, dueBefore: query.dueBefore }, (value) => {
      const id = value as string;
      const row = this.answerRowOf(id);
      if (!row) return null;
      if (query.outcome !== undefined && (row.status !== 'CLASSIFIED' || row.outcome !== query.outcome)) return null;
      if (query.needsReview !== undefined && row.needsReview !== query.needsReview) return null;
      if (query.dueBefore !== undefined && !row.dues.some((due) => due <= query.dueBefore!)) return null;
      return row;
    });
  }

  async rowsOf(ids: readonly string[]): Promise<AnswerRow[]> {
    return ids.map((id) => this.answerRowOf(id)).filter((row): row is AnswerRow => row !== null);
  }

  /**
   * A letter's answer row as kept at write time. A store written before rows were kept, or kept
   * them as text (before 1 December 2026), answers from the document; the row is kept anew the
   * next time the letter is written.
   */
  private answerRowOf(id: string): AnswerRow | null {
    const kept = this.db.get(['row', id]) as AnswerRow | undefined;
    return kept && kept.json instanceof Uint8Array ? kept : rowOf(this.document(id));
  }

  async listItems(query: ItemQuery): Promise<Page<StoredItem>> {
    const prefix = query.category !== undefined ? ['cat', query.category] : ['item'];
    return this.newestFirst(prefix, query, { subcategory: query.subcategory, decision: query.decision }, (_, key) => {
      // A category entry's key ends in the item's own key; an item entry is the item.
      const [order, number] = key.slice(-2) as [string, string];
      const entry = this.db.get(['item', order, number]) as ItemEntry | undefined;
      if (!entry) return null;
      if (query.subcategory !== undefined && entry.subcategory !== query.subcategory) return null;
      if (query.decision !== undefined && entry.decision !== query.decision) return null;
      return { ...entry, links: { determination: `/determinations/${entry.documentId}` } };
    });
  }

  async listDocuments(query: DocumentQuery): Promise<Page<DocumentRecord>> {
    // By status through its index: most documents are read, and a list of the FAILED ones never looks at them.
    // The dismissed ones of any status through theirs.
    const prefix = query.status !== undefined ? ['status', query.status] : query.dismissed === true ? ['dismissed'] : ['docs'];
    return this.newestFirst(prefix, query, { status: query.status, dismissed: query.dismissed }, (value) => {
      const entry = this.document(value as string);
      if (!entry || (query.status !== undefined && entry.status !== query.status)) return null;
      if (query.dismissed !== undefined && Boolean(entry.dismissal) !== query.dismissed) return null;
      return toRecord(entry);
    });
  }

  async setDismissal(id: string, dismissal: Dismissal | null, audit: AuditEntry, statuses: readonly DocumentStatus[]): Promise<DocumentRecord | null> {
    return this.db.transaction(() => {
      const current = this.document(id);
      if (!current || !statuses.includes(current.status)) return null;
      const { dismissal: _previous, ...rest } = current;
      const next: DocumentEntry = dismissal ? { ...rest, dismissal } : rest;
      this.putDoc(next, current);
      this.appendAudit(audit);
      return toRecord(next);
    });
  }

  async removeDocument(id: string, expected: { readonly status: DocumentStatus; readonly updatedAt: string }, audit: AuditEntry): Promise<boolean> {
    return this.db.transaction(() => {
      const current = this.document(id);
      if (!current || current.status !== expected.status || current.updatedAt !== expected.updatedAt) return false;
      // Every key the document is under (see the class comment). A read letter's items, counters and
      // fingerprint are not removed here: the service removes only documents with no counted reading.
      const order = `${current.receivedAt}#${id}`;
      if (current.determination) {
        this.removeIndexes(current.determination, order);
        this.db.removeSync(['det', order]);
      }
      this.db.removeSync(['row', id]);
      for (const key of [...this.db.getKeys({ start: ['history', id], end: ['history', id, '\uffff'] })]) this.db.removeSync(key);
      this.db.removeSync(['docs', order]);
      this.db.removeSync(['status', current.status, order]);
      this.db.removeSync(['dismissed', order]);
      this.db.removeSync(['doc', id]);
      // Nothing of it stays searchable, and the same file brought in again is indexed afresh.
      this.searchIndex.forgetSync(id);
      this.countChange();
      this.appendAudit(audit);
      return true;
    });
  }

  async listAudit(query: { readonly limit: number; readonly cursor?: string | undefined }): Promise<Page<AuditEntry>> {
    return this.newestFirst(['audit'], query, {}, (value) => value as AuditEntry);
  }

  async changes(): Promise<number> {
    return (this.db.get(['meta', 'changes']) as number | undefined) ?? 0;
  }

  async stats(groupBy: StatsGrouping): Promise<StatsRow[]> {
    const rows: StatsRow[] = [];
    for (const { key, value } of this.db.getRange({ start: ['stats', `${groupBy}#`], end: ['stats', `${groupBy}#\uffff`] })) {
      const { UPHELD: upheld, OVERTURNED: overturned } = value as { UPHELD: number; OVERTURNED: number };
      if (upheld + overturned === 0) continue;
      rows.push({ key: String((key as string[])[1]).slice(groupBy.length + 1), upheld, overturned, total: upheld + overturned });
    }
    return groupBy === 'month' ? rows.sort((a, b) => b.key.localeCompare(a.key)) : rows.sort((a, b) => b.total - a.total || a.key.localeCompare(b.key));
  }

  /** Every document id, for maintenance runs (reclassification). */
  async *scanDocumentIds(): AsyncIterable<string> {
    for (const { key } of this.db.getRange({ start: ['doc'], end: ['doc', '\uffff'] })) yield String((key as string[])[1]);
  }

  /** Writes a document, and its answer row when it has a reading: the row is what lists answer from. */
  private putDocument(entry: DocumentEntry, previous: DocumentEntry | undefined): void {
    this.putDoc(entry, previous);
    const row = rowOf(entry);
    if (row) this.db.putSync(['row', entry.id], row);
  }

  /**
   * Writes a document's record and keeps the status index (`['status', status, receivedAt#id]`)
   * with it, so a list of FAILED documents reads only those, not every document.
   */
  private putDoc(entry: DocumentEntry, previous: DocumentEntry | undefined): void {
    this.db.putSync(['doc', entry.id], entry);
    this.countChange();
    const order = `${entry.receivedAt}#${entry.id}`;
    if (entry.dismissal) this.db.putSync(['dismissed', order], entry.id);
    else if (previous?.dismissal) this.db.removeSync(['dismissed', order]);
    if (previous?.status === entry.status) return;
    if (previous) this.db.removeSync(['status', previous.status, `${previous.receivedAt}#${previous.id}`]);
    this.db.putSync(['status', entry.status, `${entry.receivedAt}#${entry.id}`], entry.id);
  }

  /** One more committed change, in the write's own transaction (see {@link changes}). */
  private countChange(): void {
    this.db.putSync(['meta', 'changes'], ((this.db.get(['meta', 'changes']) as number | undefined) ?? 0) + 1);
  }

  /** An audit entry, under its time (newest last, as every index here). */
  private appendAudit(entry: AuditEntry): void {
    this.db.putSync(['audit', `${entry.at}#${entry.documentId}#${entry.action}`], entry);
  }

  private document(id: string): DocumentEntry | undefined {
    return this.db.get(['doc', id]) as DocumentEntry | undefined;
  }

  private removeIndexes(previous: Determination, order: string): void {
    if (previous.status !== 'CLASSIFIED') return;
    if (previous.caseNumber) this.db.removeSync(['case', previous.caseNumber, order]);
    previous.items.forEach((item, index) => {
      const number = String(index + 1).padStart(3, '0');
      this.db.removeSync(['item', order, number]);
      this.db.removeSync(['cat', item.category, order, number]);
    });
  }

  /**
   * One list page from the index under `prefix`, newest first, received between `from` and
   * `to`: entries are examined in order and kept when `keep` returns a value, until `limit`
   * are kept or {@link MAX_EXAMINED} were looked at. The cursor is signed and carries the
   * index and the filter values: it serves only the list it came from.
   */
  private newestFirst<T>(
    prefix: string[],
    range: { limit: number; cursor?: string | undefined; from?: string | undefined; to?: string | undefined },
    filters: Record<string, unknown>,
    keep: (value: unknown, key: string[]) => T | null,
  ): Page<T> {
    const index = prefix.join('#');
    const fingerprint = filterFingerprint({ ...filters, from: range.from, to: range.to });
    let start: string[] = [...prefix, upperBound(range.to)];
    if (range.cursor) {
      const position = this.cursors.decode(range.cursor);
      if (position.index !== index || position.filters !== fingerprint || !Array.isArray(position.key)) {
        throw new CursorError('INVALID_CURSOR', 'cursor belongs to another list or other filters');
      }
      start = position.key as string[];
    }
    const data: T[] = [];
    let examined = 0;
    let last: string[] | null = null;
    for (const { key, value } of this.db.getRange({ start, end: [...prefix, range.from ?? ''], reverse: true })) {
      const tuple = key as string[];
      // The cursor's own entry was the last of the previous page.
      if (range.cursor && last === null && tuple.length === start.length && tuple.every((part, i) => part === start[i])) continue;
      last = tuple;
      examined++;
      const kept = keep(value, tuple);
      if (kept !== null) data.push(kept);
      if (data.length >= range.limit || examined >= MAX_EXAMINED) {
        return { data, nextCursor: this.cursors.encode({ index, filters: fingerprint, key: tuple }) };
      }
    }
    return { data, nextCursor: null };
  }
}

function toRecord(entry: DocumentEntry): DocumentRecord {
  return {
    id: entry.id,
    status: entry.status,
    reason: entry.reason ?? null,
    receivedAt: entry.receivedAt,
    updatedAt: entry.updatedAt,
    sourceKeys: [...entry.sourceKeys].sort(),
    ...(entry.status === 'OCR_PENDING' && entry.textractJobId ? { ocrJobId: entry.textractJobId } : {}),
    ...(entry.split ? { split: entry.split } : {}),
    ...(entry.source ? { source: entry.source } : {}),
    ...(entry.dismissal ? { dismissal: entry.dismissal } : {}),
  };
}

/** The status index, built once for a store written before it was kept (its marker says it is complete). */
function indexStatuses(db: RootDatabase): void {
  if (db.get(['meta', 'statusIndex'])) return;
  db.transactionSync(() => {
    for (const { value } of db.getRange({ start: ['doc'], end: ['doc', '\uffff'] })) {
      const entry = value as DocumentEntry;
      db.putSync(['status', entry.status, `${entry.receivedAt}#${entry.id}`], entry.id);
    }
    db.putSync(['meta', 'statusIndex'], true);
  });
}

/** Every letter read before the search index existed is marked behind once, so the indexer builds its entry. */
function markForSearch(db: RootDatabase, searchIndex: LmdbSearchIndex): void {
  if (searchIndex.marked) return;
  db.transactionSync(() => {
    for (const { value } of db.getRange({ start: ['det'], end: ['det', '\uffff'] })) searchIndex.markSync(value as string);
    searchIndex.markedSync();
  });
}

function rowOf(entry: DocumentEntry | undefined): AnswerRow | null {
  const stored = toStored(entry);
  return stored ? answerRow(stored) : null;
}

function toStored(entry: DocumentEntry | undefined): StoredDetermination | null {
  return entry?.determination ? storedAnswer({ ...entry, determination: entry.determination }) : null;
}
