import { createHash } from 'node:crypto';
import {
  classifyDocument,
  ocrReading,
  readingContext,
  type Determination,
  type DocumentLayout,
  type LetterReading,
  type ReadingContext,
} from '../domain/index.ts';
import { CodedError } from '../common/coded-error.ts';
import { LIMITS } from '../common/limits.ts';
import { determinationEvent, failureEvent } from './events.ts';
import { recognizeSameLetter } from './same-letter.ts';
import { isRetryableFailure } from './retry.ts';
import {
  isPermanent,
  isTerminal,
  type DeterminationStore,
  type DocumentSplitRecord,
  type DocumentReading,
  type EventPublisher,
  type ObjectStore,
  type ReadingProgress,
  type ScanOcr,
  type SearchIndex,
} from './ports.ts';
import { refreshSearchEntryAfterCommit } from './search.ts';
import { saveReading } from './ledger.ts';
import { sourceFromMetadata } from './intake-source.ts';

/** What processing an uploaded object led to. */
export type IngestOutcome = 'CLASSIFIED' | 'UNRECOGNIZED' | 'FAILED' | 'OCR_PENDING' | 'DUPLICATE' | 'NEEDS_OCR' | 'SPLIT';

/** What processing an uploaded object led to, for its document `id`. */
export interface Ingested {
  readonly id: string;
  readonly outcome: IngestOutcome;
  /** The letter is another form of this earlier one: linked to it, not counted or announced again. */
  readonly sameLetterAs?: string;
}

/** A reading's outcome once saved (the document's id aside). */
type Saved = Omit<Ingested, 'id'>;

/** The adapters the ingest flow uses; the same flow runs on AWS and on one machine. */
export interface IngestDependencies {
  readonly store: DeterminationStore;
  readonly objects: ObjectStore;
  readonly events: EventPublisher;
  /** Reads text, text-layer PDFs and Textract JSON, and (without Textract) scans by local OCR. */
  readonly reader: DocumentReading;
  /** When set, scans go to Textract instead of local OCR. */
  readonly textract?: ScanOcr;
  /** Where the pages read of a document being OCR'd locally are kept while it is (none with Textract: it reads a scan as one job). */
  readonly progress?: ReadingProgress;
  /**
   * When set, a letter's search entry is built right after its reading is saved, from the text in
   * hand (on AWS); otherwise the backlog's indexer builds it (locally, woken by the commit). Either
   * way the commit marked it, so a failure here only delays it.
   */
  readonly search?: SearchIndex;
  readonly now: () => Date;
}

/**
 * How long a delivery's claim on reading a document holds before another may take it over:
 * longer than any reading takes (the ingest function's 5 minutes, local OCR's 10-minute
 * budget), so only a delivery that died loses it.
 */
export const READING_LEASE_MS = 15 * 60 * 1000;

/**
 * Most letters one file may hold: a firm's batch scan is a day's mail, a few dozen letters at
 * most; a file of thousands (a generated one) would store and announce thousands of letters.
 */
export const MAX_LETTERS_PER_FILE = 50;

/** An object larger than `atMostBytes` asked (see {@link ingestObject}): nothing was read or recorded; read it where large objects are. */
export class LargerThanAskedError extends CodedError<'LARGER_THAN_ASKED'> {
  override readonly name = 'LargerThanAskedError';
  constructor(readonly size: number) {
    super('LARGER_THAN_ASKED', `the object is ${size} bytes, larger than asked; read it where large objects are read`);
  }
}

/** The document id: SHA-256 of the bytes, hex. */
export function documentId(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * Processes one uploaded object: records the document (a duplicate upload only adds its
 * key), then classifies text directly, reads a single scanned page through Textract's
 * synchronous API, or starts an asynchronous Textract job for a multi-page scan.
 * Unreadable input ends FAILED with its reason; other errors are thrown for a retry.
 */
export async function ingestObject(
  deps: IngestDependencies,
  bucket: string,
  key: string,
  options: {
    finalAttempt?: boolean;
    /**
     * False in the fast lane: text, text-layer PDFs and Textract JSON are read, and a scan
     * comes back `NEEDS_OCR` untouched, for the OCR lane, so no letter waits behind OCR.
     */
    localOcr?: boolean;
    /**
     * Read the object only if it is at most this large; a larger one (within the document limit)
     * is left unread and unrecorded, with {@link LargerThanAskedError}: a lane that holds many
     * small objects at once stays within its memory when a key it was told small now holds a large one.
     */
    atMostBytes?: number;
  } = {},
): Promise<Ingested> {
  const object = await deps.objects.getWithin(bucket, key, Math.min(options.atMostBytes ?? LIMITS.documentBytes, LIMITS.documentBytes));
  if ('tooLarge' in object) {
    if (object.tooLarge <= LIMITS.documentBytes) throw new LargerThanAskedError(object.tooLarge);
    return refuseOversized(deps, bucket, key, object.tooLarge);
  }
  const { bytes } = object;
  const id = documentId(bytes);
  // An email's time received is when the letter was received: its day is the one deadlines count from.
  const source = sourceFromMetadata(object.metadata, deps.now());
  const { record, created } = await deps.store.recordReceipt(id, `${bucket}/${key}`, source?.receivedAt ?? deps.now().toISOString(), source ?? undefined);
  // A document the service failed (not the document's own fault) is read again when it arrives again: nothing final by accident.
  const reopened = !created && record.status === 'FAILED' && isRetryableFailure(record.reason) && (await deps.store.reopenFailed(id, deps.now().toISOString()));
  if (!created && !reopened && (isTerminal(record.status) || record.status === 'OCR_PENDING')) return { id, outcome: 'DUPLICATE' };
  // The same bytes delivered under another key at the same moment: one delivery reads them, the others only add their key.
  if (!(await deps.store.claimReading(id, `${bucket}/${key}`, deps.now().toISOString(), READING_LEASE_MS))) return { id, outcome: 'DUPLICATE' };
  try {
    return await readAndClassify(deps, id, bytes, bucket, key, options.localOcr ?? true);
  } catch (error) {
    // The last delivery records why, so nothing uploaded stays RECEIVED for ever; the message still goes to the DLQ.
    if (options.finalAttempt) await fail(deps, id, lastAttemptReason(error));
    throw error;
  }
}

/** Why a document failed once every retry failed: a full disk says so (and is retryable), anything else by its error's name only. */
function lastAttemptReason(error: unknown): string {
  const code = (error as { code?: unknown })?.code;
  // A full disk where the service writes: the file system's own code, or the local S3 endpoint's answer to it (SlowDown saying so).
  const fullDisk = code === 'ENOSPC' || code === 'EDQUOT' || ((error as Error)?.name === 'SlowDown' && /disk|space/i.test((error as Error).message));
  if (fullDisk) return 'DISK_FULL: the disk the service writes to is full; free space, then retry this document';
  return `PROCESSING_FAILED: ${(error as Error).name} after every retry; retry this document or replay the dead-letter queue`;
}

/** A document too large to read still gets its id (hashed as a stream) and a FAILED record. */
async function refuseOversized(deps: IngestDependencies, bucket: string, key: string, size: number): Promise<Ingested> {
  const id = await deps.objects.hash(bucket, key);
  const { record, created } = await deps.store.recordReceipt(id, `${bucket}/${key}`, deps.now().toISOString());
  if (!created && isTerminal(record.status)) return { id, outcome: 'DUPLICATE' };
  await fail(deps, id, `TOO_LARGE: document: ${(size / 1048576).toFixed(1)} MB is over the ${LIMITS.documentBytes / 1048576} MB limit`);
  return { id, outcome: 'FAILED' };
}

async function readAndClassify(deps: IngestDependencies, id: string, bytes: Uint8Array, bucket: string, key: string, localOcr: boolean): Promise<Ingested> {
  const { progress } = deps;
  try {
    // With Textract, or in the fast lane, local reading stops short of OCR: a scan goes to Textract or the OCR lane.
    // Read locally by OCR, its pages read are kept as they are read, for the status and the console.
    const document =
      deps.textract || !localOcr
        ? await deps.reader.readWithoutOcr(bytes, 'document')
        : await deps.reader.read(bytes, 'document', progress && ((pagesRead, pages) => progress.report(id, pagesRead, pages)));
    if (document) return { id, ...(await finish(deps, id, document.text, readingContext(document), document.letters, document.layout)) };
    if (!deps.textract) return { id, outcome: 'NEEDS_OCR' };
    const kind = deps.reader.kindOf(bytes);
    if (kind === 'png' || kind === 'jpeg') {
      const { text, context, layout } = ocrReading(await deps.textract!.detect(bytes));
      return { id, ...(await finish(deps, id, text, context, undefined, layout)) };
    }
    const jobId = await deps.textract!.start({ bucket, key }, id);
    await deps.store.markOcrPending(id, jobId, deps.now().toISOString());
    return { id, outcome: 'OCR_PENDING' };
  } catch (error) {
    // A document that cannot be read (the reader's InputError is permanent) ends FAILED with why.
    if (isPermanent(error)) {
      await fail(deps, id, `${error.code}: ${error.message}`);
      return { id, outcome: 'FAILED' };
    }
    throw error;
  } finally {
    progress?.finish(id);
  }
}

/** Reads a finished asynchronous Textract job (announced through SNS) and classifies its document. */
export async function completeTextractJob(
  deps: IngestDependencies,
  notice: { jobId: string; status: string; documentId: string },
  options: { finalAttempt?: boolean } = {},
): Promise<IngestOutcome> {
  if (!deps.textract) throw new Error('Textract is not configured');
  const current = await deps.store.getDocument(notice.documentId);
  if (current && isTerminal(current.status)) return 'DUPLICATE';
  if (notice.status !== 'SUCCEEDED') {
    await fail(deps, notice.documentId, `TEXTRACT_FAILED: Textract job ended ${notice.status}`);
    return 'FAILED';
  }
  try {
    const { text, context, layout } = ocrReading(await deps.textract.results(notice.jobId));
    return (await finish(deps, notice.documentId, text, context, undefined, layout)).outcome;
  } catch (error) {
    if (isPermanent(error)) {
      await fail(deps, notice.documentId, `${error.code}: ${error.message}`);
      return 'FAILED';
    }
    // The last delivery records why, as ingestObject's does: nothing stays OCR_PENDING for ever.
    if (options.finalAttempt) await fail(deps, notice.documentId, lastAttemptReason(error));
    throw error;
  }
}

/** Records a failure and announces it. Used also when retries run out. */
export async function fail(deps: Pick<IngestDependencies, 'store' | 'events' | 'now'>, id: string, reason: string): Promise<void> {
  const at = deps.now().toISOString();
  await deps.store.markFailed(id, reason, at);
  await deps.events.publish(failureEvent(id, await deps.store.getDocument(id), at));
}

async function finish(
  deps: IngestDependencies,
  id: string,
  text: string,
  context: ReadingContext,
  read?: readonly LetterReading[],
  layout?: DocumentLayout,
): Promise<Saved> {
  // The layout is the file's, kept under its id: a letter of a file that held several finds its pages' lines there (its `sourceDocument`, from its first page).
  await deps.objects.putReading(id, { text, context, ...(layout ? { layout } : {}) });
  const letters = read ?? classifyDocument(text, context);
  // One letter (with or without pages set aside): the document's own reading, under its own id.
  if (letters.length === 1) return saveLetter(deps, id, letters[0]!.determination, text);
  if (letters.length > MAX_LETTERS_PER_FILE) {
    await fail(deps, id, `TOO_MANY_LETTERS: document: ${letters.length} letters in one file is over the ${MAX_LETTERS_PER_FILE}-letter limit; split the file`);
    return { outcome: 'FAILED' };
  }
  // Several letters: each is read, stored, counted and announced as its own, under an id of its own;
  // the file records which letters it held. Two letters are never stored as one.
  const at = deps.now().toISOString();
  const file = await deps.store.getDocument(id);
  const sourceKeys = file?.sourceKeys ?? [];
  const saved: Array<{ id: string; from: number; to: number }> = [];
  for (const letter of letters) {
    const pages = letter.pages!;
    const letterId = letterIdOf(id, pages);
    saved.push({ id: letterId, ...pages });
    // Each letter was received when its file was: deadlines count from the same day.
    for (const key of sourceKeys) await deps.store.recordReceipt(letterId, key, file?.receivedAt ?? at, file?.source);
    // A delivery of the file that stopped part way left some letters read: they are not read, stored or announced twice.
    const stored = await deps.store.getDocument(letterId);
    if (stored && isTerminal(stored.status)) continue;
    await deps.objects.putReading(letterId, { text: letter.text, context });
    await saveLetter(deps, letterId, { ...letter.determination, sourceDocument: id }, letter.text);
  }
  // The pages set aside, as the split found them (it ran once, where the document was read).
  const split: DocumentSplitRecord = {
    letters: saved,
    setAside: letters[0]!.setAside.map(({ page, role, evidence }) => ({ page, role, evidence })),
  };
  const described = saved.map((letter) => `${letter.id.slice(0, 12)} (pages ${letter.from}-${letter.to})`).join(', ');
  const aside = split.setAside.length > 0 ? `; pages ${split.setAside.map((page) => page.page).join(', ')} set aside` : '';
  await deps.store.markSplit(id, split, `SPLIT: ${letters.length} letters, each read and stored as its own: ${described}${aside}`, at);
  return { outcome: 'SPLIT' };
}

/** A letter's id when its file held several: derived from the file's id and the letter's pages, so a second reading of the file finds the same letters. */
export function letterIdOf(documentId: string, pages: { readonly from: number; readonly to: number }): string {
  return createHash('sha256').update(`${documentId}\npages ${pages.from}-${pages.to}`).digest('hex');
}

/** Saves one letter's reading under `id` (linked to an earlier form of it, when there is one), indexes its words and announces it. */
async function saveLetter(deps: IngestDependencies, id: string, read: Determination, text: string): Promise<Saved> {
  const { determination, sameLetterAs } = await recognizeSameLetter(deps.store, id, read);
  const at = deps.now().toISOString();
  // As committed; a letter a person corrected keeps their reading, and that is what is announced.
  const stored = (await saveReading(deps.store, id, determination, at, sameLetterAs ? { sameLetterAs } : undefined)) ?? (await deps.store.getDetermination(id));
  if (deps.search) await refreshSearchEntryAfterCommit({ store: deps.store, objects: deps.objects, search: deps.search }, id, text);
  // Announced as stored: with its keys and deadlines (and, were it corrected, the correction).
  // Another form of a letter already announced is linked to it, not announced again.
  if (stored && !stored.sameLetterAs) await deps.events.publish(determinationEvent(stored, at));
  return { outcome: determination.status, ...(stored?.sameLetterAs ? { sameLetterAs: stored.sameLetterAs } : {}) };
}
