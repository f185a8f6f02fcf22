import type {
  ClassifiedDetermination,
  Deadline,
  Determination,
  DocumentLayout,
  DoubtfulWord,
  LayoutLine,
  LetterReading,
  RationaleConclusion,
  ReadingContext,
} from '../domain/index.ts';
import { CodedError } from '../common/coded-error.ts';
import { deadlineView, rationaleConclusions } from '../domain/index.ts';
import type { DocumentKind, DocumentText, SearchTerm } from '../domain/index.ts';

/** Processing states of a document (spec section 4); the last three are terminal. */
export const DOCUMENT_STATUSES = ['RECEIVED', 'OCR_PENDING', 'CLASSIFIED', 'UNRECOGNIZED', 'FAILED', 'SPLIT'] as const;
/** A document's processing state. */
export type DocumentStatus = (typeof DOCUMENT_STATUSES)[number];

/** Whether a status is final: the document needs no more work. */
export function isTerminal(status: DocumentStatus): boolean {
  return status === 'CLASSIFIED' || status === 'UNRECOGNIZED' || status === 'FAILED' || status === 'SPLIT';
}

/** A file that held several letters: each letter is read and stored as its own, under its own id; the file keeps this. */
export interface DocumentSplitRecord {
  readonly letters: ReadonlyArray<{ readonly id: string; readonly from: number; readonly to: number }>;
  /** Pages that belong to no letter, with why (blank, a fax cover sheet, another document). */
  readonly setAside: ReadonlyArray<{ readonly page: number; readonly role: string; readonly evidence: string }>;
}

/** What the store knows of one uploaded document. */
export interface DocumentRecord {
  /** SHA-256 of the bytes, hex. */
  readonly id: string;
  readonly status: DocumentStatus;
  readonly reason: string | null;
  readonly receivedAt: string;
  readonly updatedAt: string;
  /** Every `bucket/key` that delivered these bytes. */
  readonly sourceKeys: string[];
  /** The OCR service's job reading it, while OCR_PENDING (Textract's JobId). */
  readonly ocrJobId?: string;
  /** When SPLIT: the letters it held and the pages set aside. */
  readonly split?: DocumentSplitRecord;
  /** How and when it came, where the channel said (spec section 7): an email's sender, subject, time received and file name. */
  readonly source?: DocumentSource;
  /** A person took it off the Problems list, with why (it is kept, and can be put back). */
  readonly dismissal?: Dismissal;
}

/** Who took a document off the Problems list, when and why. */
export interface Dismissal {
  readonly by: string;
  readonly at: string;
  readonly note: string;
}

/** What a person did to a document that the audit log keeps. */
export const AUDIT_ACTIONS = ['dismissed', 'undismissed', 'deleted'] as const;
/** One of {@link AUDIT_ACTIONS}. */
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

/**
 * One entry of the audit log: who did what to which document, when and why. It names the
 * document by its id, keys and file names and its state by status and reason code; never a
 * word of its text (the log outlives a deleted document, and is read by whoever keeps it).
 */
export interface AuditEntry {
  readonly at: string;
  readonly by: string;
  readonly action: AuditAction;
  readonly documentId: string;
  readonly sourceKeys: readonly string[];
  readonly fileNames: readonly string[];
  /** The document's status when it was acted on. */
  readonly status: DocumentStatus;
  /** The code its reason started with (`BINARY`, `UNRECOGNIZED`), null when it had none. */
  readonly reasonCode: string | null;
  /** The person's note: why. */
  readonly note: string | null;
  /** For a deletion: how many stored objects went (the originals, the text and reading, page images). */
  readonly objectsRemoved?: number;
}

/**
 * What a person may do to a document that needs one, beside a retry: dismiss it (off the
 * Problems list with a note, kept) or delete it (its records gone), each written with its audit
 * entry in one commit. Locally the embedded store; not on AWS yet (see the route table).
 */
export interface DocumentDisposals {
  /**
   * Sets (a dismissal) or clears (null) the dismissal of a document whose status is one of
   * `statuses`, and appends `audit`, in one commit. The record as it now stands, or null when
   * the document is unknown or not in one of those statuses (nothing written).
   */
  setDismissal(id: string, dismissal: Dismissal | null, audit: AuditEntry, statuses: readonly DocumentStatus[]): Promise<DocumentRecord | null>;
  /**
   * Removes the document's every record (its reading, history, answer row and indexes) and
   * appends `audit`, in one commit, if it is still as `expected` (status and last change): false
   * otherwise, with nothing removed.
   */
  removeDocument(id: string, expected: { readonly status: DocumentStatus; readonly updatedAt: string }, audit: AuditEntry): Promise<boolean>;
  /** The audit log, newest first. */
  listAudit(query: { readonly limit: number; readonly cursor?: string | undefined }): Promise<Page<AuditEntry>>;
}

/** Deleting a document's stored objects (S3 on AWS and locally). */
export interface ObjectRemoval {
  /** Deletes one object (nothing when it is not there). */
  remove(bucket: string, key: string): Promise<void>;
  /** Deletes what was derived from a document (its text, its reading, its page images); how many objects went. */
  removeDerived(documentId: string): Promise<number>;
}

/**
 * How many changes the store has committed, for a console asking cheaply whether to load its
 * lists again: any number that grows with every write of a document (locally a counter kept in
 * the embedded store's own write transactions).
 */
export interface ChangeCounter {
  changes(): Promise<number>;
}

/** A document's pages read so far, while it is read (local OCR): `pagesRead` of `pages`. */
export interface PageProgress {
  readonly pagesRead: number;
  readonly pages: number;
  /** When its reading started, and when a page was last read. */
  readonly startedAt: string;
  readonly at: string;
}

/** Told each time a page of a document has been read: `pagesRead` of `pages`. */
export type PageProgressListener = (pagesRead: number, pages: number) => void;

/**
 * Pages read of the documents being read now. Kept in memory by the process that reads them
 * (locally the service itself): a reading cut off by a stop starts again from its first page,
 * so a page count that outlived it would be wrong, and writing one per page would be a store
 * write per page for nothing. On AWS Textract reads a scan as one asynchronous job, with no pages in between.
 */
export interface ReadingProgress {
  report(id: string, pagesRead: number, pages: number): void;
  /** The reading ended, however it ended. */
  finish(id: string): void;
  of(id: string): PageProgress | null;
  /** Every document being read, longest reading first. */
  all(): ReadonlyArray<PageProgress & { readonly id: string }>;
}

/** How and when a document came (spec section 7), from what its channel recorded with it. */
export interface DocumentSource {
  readonly channel: string;
  readonly sender?: string;
  readonly subject?: string;
  /** When the channel received it (an email's arrival): the evidence its day of receipt is counted from. */
  readonly receivedAt: string;
  readonly fileName?: string;
}

/** A stored Determination as the API answers it (spec section 4). */
export type StoredDetermination = Determination & {
  readonly id: string;
  readonly receivedAt: string;
  readonly needsReview: boolean;
  readonly sourceKeys: string[];
  /** 1 when first read, +1 per change (a re-reading or a person's correction). */
  readonly revision: number;
  /** Who confirmed the reading, and when (spec section 5). */
  readonly reviewedBy?: string;
  readonly reviewedAt?: string;
  /** The day the letter was received, in America/Los_Angeles, unless a person set it (spec section 6). */
  readonly receivedOn: string;
  /** What the letter sets in motion, each with its rule; empty for an unrecognized document. */
  readonly deadlines: Deadline[];
  /** Per item, in order: the rationale's own concluding sentence and what it says (null where it states none), for a person checking the decision against it. */
  readonly conclusions: ReadonlyArray<RationaleConclusion | null>;
  /** The document first received of the same letter in another form (text, PDF, fax): this one is counted and announced there. */
  readonly sameLetterAs?: string;
};

/** The fields a store adds to a Determination; a correction strips them off again. */
export const STORED_FIELDS = [
  'id',
  'receivedAt',
  'needsReview',
  'sourceKeys',
  'revision',
  'reviewedBy',
  'reviewedAt',
  'receivedOn',
  'deadlines',
  'conclusions',
  'sameLetterAs',
] as const;

/** One revision in a Determination's history: who changed what, when, and why. */
export interface HistoryEntry {
  readonly revision: number;
  readonly at: string;
  readonly by: string;
  readonly changes: ReadonlyArray<{ readonly path: string; readonly from: unknown; readonly to: unknown }>;
  readonly note: string | null;
}

/** A person's correction, ready to store: the corrected reading, its history entry, and a confirmation if one was given. */
export interface StoredCorrection {
  /** The revision the person saw; the correction is refused if the stored one moved on. */
  readonly expectedRevision: number;
  readonly determination: Determination;
  readonly entry: HistoryEntry;
  readonly reviewed: { readonly by: string; readonly at: string } | null;
  /** The day of receipt a person set (null: unchanged). */
  readonly receivedOn: string | null;
  /** A person says this is not another form of the letter it was linked to. */
  readonly unlink?: boolean;
}

/** A page of a list, newest first. */
export interface Page<T> {
  readonly data: T[];
  readonly nextCursor: string | null;
}

/**
 * A document as the ledger keeps it: its processing record and, once read, its reading with
 * what people did to it. What a store loads for the service to decide a change against.
 */
export interface LedgerDocument extends DocumentRecord {
  readonly determination?: Determination;
  /** The stored revision (1 when first read, +1 per change); null before the document is read. */
  readonly revision: number | null;
  /** A person corrected the reading: re-readings leave it alone. */
  readonly corrected?: boolean;
  readonly reviewedBy?: string;
  readonly reviewedAt?: string;
  /** The day of receipt a person set. */
  readonly receivedOn?: string;
  /** The earlier document of the same letter. */
  readonly sameLetterAs?: string;
}

/** One disputed item's record, as item lists answer it (without its links). */
export type ItemRecord = Omit<StoredItem, 'links'>;

/** A stats counter's change: item counts by decision. */
export interface CounterChange {
  readonly UPHELD: number;
  readonly OVERTURNED: number;
}

/**
 * A change to one document's reading, decided by the service (`service/ledger.ts`) against
 * the revision it loaded: everything a store writes, and the condition it writes under. A store
 * applies all of it in one commit, or none of it when the stored revision moved on.
 */
export interface LedgerChange {
  readonly id: string;
  /** Who made it: a machine reading never commits over a person's correction. */
  readonly by: 'machine' | 'person';
  /** The revision it was decided against (null: the document had no reading); the commit holds only while it is still stored. */
  readonly expectedRevision: number | null;
  /** The document's order in lists (never changes once received). */
  readonly receivedAt: string;
  /** The document after the change. */
  readonly next: {
    readonly status: 'CLASSIFIED' | 'UNRECOGNIZED';
    readonly reason: string | null;
    readonly determination: Determination;
    readonly revision: number;
    readonly corrected: boolean;
    readonly reviewedBy?: string;
    readonly reviewedAt?: string;
    readonly receivedOn?: string;
    readonly sameLetterAs?: string;
    readonly needsReview: boolean;
    /** The earliest deadline's day, for `dueBefore` filters. */
    readonly earliestDue: string | null;
    /** Each item's rationale conclusion, worked out once per reading (lists answer it without reading every rationale again). */
    readonly conclusions: ReadonlyArray<RationaleConclusion | null>;
    readonly updatedAt: string;
  };
  /** The reading's item records, numbered from 1 (none for another form of a letter already counted). */
  readonly items: readonly ItemRecord[];
  /** How many item records the reading being replaced had: those past `items` are removed. */
  readonly previousItemCount: number;
  /** Stats counter changes, keyed `grouping#key`; zero changes left out. */
  readonly deltas: ReadonlyMap<string, CounterChange>;
  /** The letter's fingerprint to index it under (its first form only), or null. */
  readonly fingerprint: string | null;
  /** A person's change adds a history entry. */
  readonly history: HistoryEntry | null;
}

/**
 * The write side of the store: receipts, claims and states of processing, and a reading's
 * changes as the service decided them. Every rule about what a change is lives in the service;
 * a store loads, and commits a change under its revision condition.
 */
export interface DeterminationLedger {
  /**
   * Records that `sourceKey` delivered document `id`: creates it as RECEIVED when new,
   * otherwise only adds the key. Returns the record as it now stands and whether it is new.
   */
  /** Records a delivery of document `id` under `sourceKey`, received `at`; the first delivery's `source` is kept with it. */
  recordReceipt(id: string, sourceKey: string, at: string, source?: DocumentSource): Promise<{ record: DocumentRecord; created: boolean }>;
  /**
   * Claims the reading of a document for one delivery (`owner`, the object that delivered it),
   * with a conditional write: true when no one holds the claim, this owner already does (a
   * retry of its own delivery), or the holder's lease of `leaseMs` ran out (a delivery that
   * died). The same bytes arriving under five keys at once are read, saved and announced once.
   */
  claimReading(id: string, owner: string, at: string, leaseMs: number): Promise<boolean>;
  /** Moves a document to OCR_PENDING with its Textract job. */
  markOcrPending(id: string, jobId: string, at: string): Promise<void>;
  /** Records a failure with a reason a person can act on (a document already read keeps its reading). */
  markFailed(id: string, reason: string, at: string): Promise<void>;
  /** Records that a document held several letters (each saved under its own id) and which pages were set aside: SPLIT, with a reason in words. */
  markSplit(id: string, split: DocumentSplitRecord, reason: string, at: string): Promise<void>;
  /**
   * Opens a FAILED document for another reading (a person's retry, or a re-upload after an
   * internal failure): back to RECEIVED, its reason, claim and any dismissal cleared (should it
   * fail again, it is a problem again). False when it is not FAILED.
   */
  reopenFailed(id: string, at: string): Promise<boolean>;
  /** The document as stored (consistent read), null when unknown. */
  load(id: string): Promise<LedgerDocument | null>;
  /**
   * Applies a change in one commit if the document is still at `change.expectedRevision` (and,
   * for a machine reading, still uncorrected): 'MOVED' otherwise, with nothing written. The same
   * commit marks the letter's search entry as behind ({@link SearchIndex.backlog}), so a letter
   * whose words changed is never left out of the index, however the indexing after it goes.
   * (A new key recorded for a letter already read marks it too: its file names are searched.)
   */
  commit(change: LedgerChange): Promise<'COMMITTED' | 'MOVED'>;
  /** Letters read earlier with this fingerprint (see `letterFingerprint`), first received first, none of them itself a copy; at most `limit`. */
  lettersLike(fingerprint: string, limit: number): Promise<StoredDetermination[]>;
}

/** The read side of the store: what the API and the console answer from. */
export interface DeterminationReadModel {
  getDocument(id: string): Promise<DocumentRecord | null>;
  /** The ids starting with `prefix` (12 or more hex characters), at most two: one, or proof that it is ambiguous. */
  resolveIdPrefix(prefix: string): Promise<string[]>;
  getDetermination(id: string): Promise<StoredDetermination | null>;
  listDeterminations(query: DeterminationQuery): Promise<Page<StoredDetermination>>;
  /**
   * The same list as {@link listDeterminations}, each letter as its answer already written
   * ({@link AnswerRow}): a store that keeps the rows at write time lists without decoding a
   * document or rebuilding its deadlines.
   */
  listDeterminationRows(query: DeterminationQuery): Promise<Page<AnswerRow>>;
  /** The answer rows of these letters, in this order; a letter not stored (or not read) is left out. */
  rowsOf(ids: readonly string[]): Promise<AnswerRow[]>;
  listItems(query: ItemQuery): Promise<Page<StoredItem>>;
  /** Every revision's history entry, newest first. */
  history(id: string): Promise<HistoryEntry[]>;
  /** Documents newest first, by processing status (the FAILED and UNRECOGNIZED ones above all), with their reasons and keys. */
  listDocuments(query: DocumentQuery): Promise<Page<DocumentRecord>>;
  /** Item counts by decision per group, from counters kept at write time. */
  stats(groupBy: StatsGrouping): Promise<StatsRow[]>;
}

/** A store of documents and their Determinations: the ledger (writes) and the read model (answers). */
export type DeterminationStore = DeterminationLedger & DeterminationReadModel;

/**
 * What the search index holds of one letter: the words it is found by, each with its weight
 * (`letterSearchTerms`), built from one revision of its reading.
 */
export interface SearchEntry {
  readonly id: string;
  /** The revision it was built from: an entry never replaces one built from a later revision. */
  readonly revision: number;
  /** Word to weight; empty takes the letter out (not a letter, or another form of one already found). */
  readonly terms: ReadonlyMap<string, number>;
}

/** A letter whose search entry is behind what is stored, and the mark that says so (cleared only if unchanged). */
export interface SearchBacklogEntry {
  readonly id: string;
  readonly mark: string;
}

/** `GET /search`: the query's terms (parsed by `parseSearchQuery`), a page size and the cursor of the previous page. */
export interface SearchQuery {
  readonly terms: readonly SearchTerm[];
  readonly limit: number;
  readonly cursor?: string | undefined;
}

/**
 * The full-text index of the letters (LMDB locally, DynamoDB on AWS): each letter's words with
 * their weights, kept beside the store and written after the store's commit, out of its way. The
 * commit marks a letter whose words changed ({@link DeterminationLedger.commit}); the indexer
 * rebuilds its entry from what is stored and clears the mark; a mark left (the indexer failed,
 * the process died) is found in the backlog and built again. A search may lag a write by a
 * moment; a letter is never left out.
 */
export interface SearchIndex {
  /**
   * Replaces the letter's entry with `entry`, unless the index holds one built from a later
   * revision; then clears the letter's backlog mark if it is still `mark` (a later write's mark stays).
   */
  put(entry: SearchEntry, mark?: string): Promise<void>;
  /** The ids of the letters holding every term, best first (score, then the newest), with a cursor to the next page. */
  search(query: SearchQuery): Promise<Page<string>>;
  /** Letters whose entry is behind what is stored, at most `limit`. */
  backlog(limit: number): Promise<SearchBacklogEntry[]>;
  /** The mark of one letter's entry, when it is behind; null when it is up to date. */
  markOf(id: string): Promise<string | null>;
}

/** Filters of `GET /determinations`; dates are ISO (`yyyy-mm-dd` or a full timestamp), inclusive. */
export interface DeterminationQuery {
  readonly limit: number;
  readonly cursor?: string | undefined;
  readonly caseNumber?: string | undefined;
  readonly outcome?: 'UPHELD' | 'OVERTURNED' | 'PARTIALLY_OVERTURNED' | undefined;
  readonly needsReview?: boolean | undefined;
  /** Letters whose earliest deadline falls on or before this day (`yyyy-mm-dd`). */
  readonly dueBefore?: string | undefined;
  readonly from?: string | undefined;
  readonly to?: string | undefined;
}

/** Filters of `GET /documents`. */
export interface DocumentQuery {
  readonly limit: number;
  readonly cursor?: string | undefined;
  readonly status?: DocumentStatus | undefined;
  /** Only those a person dismissed (true), or only those not dismissed (false). */
  readonly dismissed?: boolean | undefined;
  readonly from?: string | undefined;
  readonly to?: string | undefined;
}

/** Filters of `GET /items`. */
export interface ItemQuery {
  readonly limit: number;
  readonly cursor?: string | undefined;
  readonly category?: string | undefined;
  readonly subcategory?: string | undefined;
  readonly decision?: 'UPHELD' | 'OVERTURNED' | undefined;
  readonly from?: string | undefined;
  readonly to?: string | undefined;
}

/** One disputed item as `GET /items` answers it. */
export interface StoredItem {
  readonly documentId: string;
  readonly itemNumber: number;
  readonly receivedAt: string;
  readonly caseNumber: string | null;
  readonly request: string;
  readonly decision: 'UPHELD' | 'OVERTURNED';
  readonly category: string;
  readonly subcategory: string | null;
  readonly needsReview: boolean;
  readonly links: { readonly determination: string };
}

/** Groupings of `GET /stats`. */
export const STATS_GROUPINGS = ['category', 'subcategory', 'decision', 'month'] as const;
/** A grouping of `GET /stats`. */
export type StatsGrouping = (typeof STATS_GROUPINGS)[number];

/** One group of `GET /stats`: item counts by decision. */
export interface StatsRow {
  readonly key: string;
  readonly upheld: number;
  readonly overturned: number;
  readonly total: number;
}

/** Where originals live and the OCR text is kept beside them (S3 on AWS and locally). */
export interface ObjectStore {
  /** The object's bytes; throws {@link ObjectMissingError} when it is not stored. */
  get(bucket: string, key: string): Promise<Uint8Array>;
  /**
   * The object's bytes when it is `maxBytes` or smaller, else only its size (the rest is never
   * read): one request where a size check and a read were two. Throws {@link ObjectMissingError}
   * when it is not stored.
   */
  getWithin(bucket: string, key: string, maxBytes: number): Promise<{ bytes: Uint8Array; metadata?: Readonly<Record<string, string>> } | { tooLarge: number }>;
  /** SHA-256 (hex) of the object, streamed: for objects too large to hold in memory. */
  hash(bucket: string, key: string): Promise<string>;
  /**
   * Stores what the reader read: the text, and what it knew of the reading (each page's
   * confidence, the pages missing, the doubtful words, its warnings), so a newer parser can
   * re-run without paying for OCR again and without losing a flag the reading earned.
   */
  putReading(documentId: string, reading: StoredReading): Promise<void>;
  /** The stored reading; its `context` is null for a letter read before contexts were kept. */
  getReading(documentId: string): Promise<(Omit<StoredReading, 'context'> & { readonly context: ReadingContext | null }) | null>;
  /** The stored text alone. */
  getText(documentId: string): Promise<string | null>;
  /** Where the lines lie on the document's pages, as read; null when none was kept (text, a text layer, a reading from before). */
  getLayout(documentId: string): Promise<DocumentLayout | null>;
}

/** A letter's text as read, with what the reader knew of the reading. */
export interface StoredReading {
  readonly text: string;
  readonly context: ReadingContext;
  /** Where its lines lie on the pages, when OCR gave boxes: kept beside the text, for the console's marks. */
  readonly layout?: DocumentLayout;
}

/**
 * What {@link ObjectStore.get} throws when the object is not stored (S3's `NoSuchKey`: deleted,
 * expired by the bucket's retention, never written), so callers can tell "gone" from "failed".
 */
export class ObjectMissingError extends CodedError<'OBJECT_MISSING'> {
  override readonly name = 'ObjectMissingError';
}

/** Short-lived links to originals (presigned GETs on AWS), so the bytes never pass through a function. */
export interface OriginalLinks {
  /** A link that downloads `bucket/key` as `fileName` for `expiresInSeconds`. */
  linkTo(bucket: string, key: string, fileName: string, expiresInSeconds: number): Promise<string>;
}

/** A browser's form upload straight to object storage (an S3 presigned POST): where to post, and the fields to post with the file. */
export interface UploadForm {
  readonly url: string;
  readonly fields: Readonly<Record<string, string>>;
}

/** Signs form uploads into the inbox for a person's browser (AWS: the console's upload goes to S3, not through the API). */
export interface UploadForms {
  /**
   * A form that puts exactly `size` bytes at `bucket/key` with `metadata` (fixed: the browser
   * cannot change who brought it or when) for `expiresInSeconds`, and nothing else.
   */
  uploadForm(bucket: string, key: string, metadata: Readonly<Record<string, string>>, size: number, expiresInSeconds: number): Promise<UploadForm>;
}

/** Page images rendered once and kept (beside the text), since rendering a PDF page costs a second of CPU. */
export interface PageImageCache {
  getPageImage(documentId: string, page: number): Promise<Uint8Array | null>;
  putPageImage(documentId: string, page: number, png: Uint8Array): Promise<void>;
}

/** The events of spec section 4. */
export const SERVICE_EVENT_TYPES = [
  'determination.classified',
  'determination.needs_review',
  'determination.unrecognized',
  'document.failed',
  'determination.reviewed',
] as const;
/** An event type. */
export type ServiceEventType = (typeof SERVICE_EVENT_TYPES)[number];

/** An event announced to case systems. */
export interface ServiceEvent {
  readonly type: ServiceEventType;
  readonly timestamp: string;
  readonly data: {
    readonly id: string;
    readonly caseNumber: string | null;
    readonly outcome: ClassifiedDetermination['outcome'] | null;
    readonly needsReview: boolean;
    /** Each item, numbered from 1 as the console and the CSV number it (`index`, from 0, is its place in `items` of the API). */
    readonly items: Array<
      Pick<ClassifiedDetermination['items'][number], 'request' | 'decision' | 'category' | 'subcategory' | 'flags'> & {
        readonly number: number;
        readonly index: number;
      }
    >;
    /** Every `bucket/key` that delivered the document. */
    readonly sourceKeys: readonly string[];
    /** The file names of those keys (the last part of each key), for a person's eyes. */
    readonly fileNames: readonly string[];
    /** The day of receipt (null for a document that could not be read). */
    readonly receivedOn: string | null;
    /** The letter's date (the day the determination was mailed), when it prints one. */
    readonly decisionDate: string | null;
    readonly deadlines: readonly Deadline[];
    /** Why a person should look (a needs_review letter): the letter's and its items' flags, and its warnings. */
    readonly flags: readonly string[];
    readonly warnings: readonly string[];
    /** Why a document failed or is not an IMR Final Determination; null otherwise. */
    readonly reason: string | null;
    /** For a letter of a file that held several: its pages in the file, and the file's id. */
    readonly pages?: { readonly from: number; readonly to: number };
    readonly sourceDocument?: string;
    /**
     * `self`: the letter (or, for a failed document, its status) in the API; an absolute URL when
     * the service knows its public address, else the API's path. `console`: the letter's page in
     * the review console, with a public address.
     */
    readonly links: { readonly self: string; readonly console?: string };
  };
}

/** Announces events (EventBridge on AWS, the local bus locally). */
export interface EventPublisher {
  publish(event: ServiceEvent): Promise<void>;
}

/** One page of text a cloud OCR service read, with its mean confidence (0..1). */
export interface OcrPageText {
  readonly text: string;
  readonly confidence: number | null;
  /** Words holding a digit the OCR service was unsure of, as read. */
  readonly doubtful?: readonly DoubtfulWord[];
  /** The page's lines with their boxes on the page, where the service gives them. */
  readonly lines?: readonly LayoutLine[];
}

/** Where a document lies in object storage. */
export interface ObjectLocation {
  readonly bucket: string;
  readonly key: string;
}

/**
 * Cloud OCR of scans (Amazon Textract on AWS): one page synchronously, a multi-page document
 * as an asynchronous job. Errors a retry cannot mend carry `permanent: true`.
 */
export interface ScanOcr {
  detect(bytes: Uint8Array): Promise<OcrPageText[]>;
  start(location: ObjectLocation, documentId: string): Promise<string>;
  results(jobId: string): Promise<OcrPageText[]>;
}

/** Whether an error says retrying cannot help (a failed OCR job, an unsupported document). */
export function isPermanent(error: unknown): error is Error & { readonly code: string } {
  return error instanceof Error && (error as { permanent?: unknown }).permanent === true && typeof (error as { code?: unknown }).code === 'string';
}

/**
 * A reading that arrives classified already: a reader that runs apart from the service (the
 * local pool of reading processes) runs the letter engine there too, so a 10 MB letter's two
 * seconds of parsing never block the process that answers the API.
 */
export interface Classified {
  /** Each letter of the document, read (the reading process classifies what it reads). */
  readonly letters?: readonly LetterReading[];
}

/**
 * Reads a document's bytes into the text the parser reads (in-process in a Lambda, whose
 * sandbox is the isolation; in a pool of reading processes with limits on one machine). Throws
 * an error with `code` (and `permanent` where retrying cannot help) for a document that cannot be read.
 */
export interface DocumentReading {
  /** `onProgress` hears of each page read, where the reader reads page by page (local OCR). */
  read(bytes: Uint8Array, name: string, onProgress?: PageProgressListener): Promise<DocumentText & Classified>;
  /** Null for a scan that needs OCR. */
  readWithoutOcr(bytes: Uint8Array, name: string): Promise<(DocumentText & Classified) | null>;
  /** What the bytes are (a single image goes to Textract's synchronous API), from their first bytes. */
  kindOf(bytes: Uint8Array): DocumentKind;
  close(): Promise<void>;
}

/** What a store keeps of a read document, in the store's own terms, for {@link storedAnswer}. */
export interface StoredParts {
  readonly id: string;
  readonly determination: Determination;
  readonly receivedAt: string;
  readonly sourceKeys: Iterable<string>;
  readonly needsReview?: boolean;
  readonly revision?: number;
  readonly reviewedBy?: string;
  readonly reviewedAt?: string;
  readonly receivedOn?: string;
  readonly sameLetterAs?: string;
  /** As worked out when the reading was saved; records saved before have none, and they are worked out here. */
  readonly conclusions?: ReadonlyArray<RationaleConclusion | null>;
}

/**
 * The stored Determination as the API answers it, from what a store keeps: the day of receipt
 * and the deadlines from the day a person set (a confirmed letter's are no longer in doubt), the
 * rationale conclusions, the keys in order. Both stores answer through this, so they cannot differ.
 */
export function storedAnswer(parts: StoredParts): StoredDetermination {
  const { determination } = parts;
  const { receivedOn, deadlines } = deadlineView(determination, parts.receivedAt, parts.receivedOn, Boolean(parts.reviewedBy));
  return {
    ...determination,
    receivedOn,
    deadlines,
    conclusions: parts.conclusions ?? rationaleConclusions(determination),
    id: parts.id,
    receivedAt: parts.receivedAt,
    needsReview: parts.needsReview ?? false,
    sourceKeys: [...parts.sourceKeys].sort(),
    revision: parts.revision ?? 1,
    ...(parts.reviewedBy && parts.reviewedAt ? { reviewedBy: parts.reviewedBy, reviewedAt: parts.reviewedAt } : {}),
    ...(parts.sameLetterAs ? { sameLetterAs: parts.sameLetterAs } : {}),
  };
}

/**
 * A stored Determination as the API answers it, already written as JSON (UTF-8 bytes) at write
 * time, with where each deadline object ends (`marks`, byte offsets of its closing brace, in
 * order) and its day (`dues`): whether a deadline has passed depends on the day it is asked, so
 * `"overdue": true` is written in at answer time (see `rowBytes` in the query routes), nothing else.
 */
export interface AnswerRow {
  /**
   * The answer as UTF-8 bytes: a list hands them to the socket as they are. Kept as a string, a
   * page of 50 letters (300 KB) was decoded, joined and encoded again for every request, most of
   * the list API's time under load.
   */
  readonly json: Uint8Array;
  readonly marks: readonly number[];
  readonly dues: readonly string[];
  /** What the list filters look at, so a filtered list decodes nothing either. */
  readonly status: StoredDetermination['status'];
  readonly outcome?: string;
  readonly needsReview: boolean;
}

/** What the deadlines of a row are written as while the rest is: replaced by the real ones just after. */
const DEADLINES_STANDIN = '\u0000deadlines\u0000';

/** The {@link AnswerRow} of a stored Determination. */
export function answerRow(stored: StoredDetermination): AnswerRow {
  const shell = JSON.stringify({ ...stored, deadlines: DEADLINES_STANDIN });
  // The stand-in's JSON, after its key: a letter's own text cannot hold it (its quotes would be escaped).
  const standin = `"deadlines":${JSON.stringify(DEADLINES_STANDIN)}`;
  const at = shell.indexOf(standin) + '"deadlines":'.length;
  let json = `${shell.slice(0, at)}[`;
  // Offsets are counted in bytes: the text before a deadline may hold characters of several bytes (a § sign, a dash).
  let bytes = Buffer.byteLength(json);
  const marks: number[] = [];
  stored.deadlines.forEach((deadline, index) => {
    const piece = `${index > 0 ? ',' : ''}${JSON.stringify(deadline)}`;
    json += piece;
    bytes += Buffer.byteLength(piece);
    marks.push(bytes - 1);
  });
  json += `]${shell.slice(at + JSON.stringify(DEADLINES_STANDIN).length)}`;
  return {
    json: Buffer.from(json),
    marks,
    dues: stored.deadlines.map((deadline) => deadline.due),
    status: stored.status,
    ...(stored.status === 'CLASSIFIED' ? { outcome: stored.outcome } : {}),
    needsReview: stored.needsReview,
  };
}
