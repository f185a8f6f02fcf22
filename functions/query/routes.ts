import { z } from 'zod';
import {
  ObjectMissingError,
  type AnswerRow,
  type AuditEntry,
  type ChangeCounter,
  type DocumentRecord,
  type ReadingProgress,
  type DeterminationStore,
  type ObjectStore,
  type OriginalLinks,
  type PageImageCache,
  type SearchIndex,
  type StoredDetermination,
  type UploadForms,
} from '../service/ports.ts';
import { reviewDetermination, type ReviewDependencies } from '../service/review.ts';
import { RetryRefusedError } from '../service/retry.ts';
import { deleteDocument, dismissDocument, undismissDocument, type ProblemDependencies } from '../service/problems.ts';
import { sniffKind, type DocumentKind } from '../reader/sniff.ts';
import { PAGE_IMAGE_MAX_BYTES, renderPage } from '../reader/pages.ts';
import { InputError } from '../reader/errors.ts';
import { attachmentDisposition } from '../common/content-disposition.ts';

/** Letters waiting for the search index counted at most (a search's answer says `indexing`: that many, or more). */
export const SEARCH_BEHIND_COUNTED = 100;
/** What each kind of upload is served as. */
const CONTENT_TYPES: Record<DocumentKind, NonNullable<ApiResponse['contentType']>> = {
  pdf: 'application/pdf',
  tiff: 'image/tiff',
  png: 'image/png',
  jpeg: 'image/jpeg',
  text: 'text/plain; charset=utf-8',
  'textract-json': 'application/json',
  binary: 'application/octet-stream',
};
/** A page number in a path: 1 to 3,000. */
const PageNumberSchema = z.coerce.number().int().min(1).max(3000);
import { ApiError } from './errors.ts';
import { DocumentIdPrefixSchema, QUERY_SCHEMAS, UploadRequestSchema } from './schemas.ts';
import { consoleUpload } from '../intake/console.ts';
import { CSV_BOM, csvRows, DETERMINATION_COLUMNS, determinationItemsCsv, ITEM_COLUMNS, determinationRows, itemRows } from './csv.ts';
import { asOf, parseSearchQuery, receivedOnOf, withReason, type Deadline } from '../domain/index.ts';
import { deadlineEvents, deadlinesCalendar } from './calendar.ts';
import { ORIGINAL_LINK_SECONDS } from './answers.ts';
import { openApiDocument } from './openapi.ts';
import { fileNameOf, fileNamesOf } from '../common/source-keys.ts';
import { matchRoute, type RouteName } from './route-table.ts';

/** A request as the routes see it (from API Gateway v2 or the local server). */
export interface ApiRequest {
  readonly method: string;
  readonly path: string;
  readonly query: Record<string, string | undefined>;
  /** Header names in lower case. */
  readonly headers?: Record<string, string | undefined>;
  readonly body?: string;
  /** The body's bytes, for an upload (locally: `POST /documents`). */
  readonly bytes?: Buffer;
  /** Aborted when the client goes away (locally): a long answer (an export) stops there. */
  readonly signal?: AbortSignal;
}

/** What the routes may use beyond the store: the letters' text, originals and pages, and corrections (with who makes them). */
export interface RouteOptions {
  readonly objects?: Pick<ObjectStore, 'getText'> & Partial<Pick<ObjectStore, 'getLayout'>>;
  /** The bytes as uploaded, from the inbox: served as they are (locally) and rendered into pages. */
  readonly originals?: Pick<ObjectStore, 'get'>;
  /** Short-lived links to originals (AWS): the original route answers one instead of the bytes. */
  readonly links?: OriginalLinks;
  /** Pages rendered before; a page is rendered once and then served from here. */
  readonly pageCache?: PageImageCache;
  readonly review?: { readonly deps: ReviewDependencies; readonly by: string };
  /** Renders a page image somewhere safe (locally: in a reading process with limits); in-process when absent (a Lambda is its own sandbox). */
  readonly renderPage?: (bytes: Uint8Array, page: number, name: string) => Promise<Buffer>;
  /** Brings a file in (`POST /documents`, locally): into the same inbox as any upload; answers its document id. */
  readonly upload?: (fileName: string, bytes: Buffer) => Promise<string>;
  /** Signs a reviewer's form upload into the inbox (`POST /uploads`, AWS): the console posts the file to S3 itself. */
  readonly uploadForms?: { readonly forms: UploadForms; readonly inbox: string };
  /** Reads a FAILED document again (`POST /documents/{id}/retry`); throws {@link RetryRefusedError} when it cannot. */
  readonly retry?: (id: string) => Promise<void>;
  /**
   * Dismissing and deleting documents, and their audit log (locally): as whom, and what to do
   * once a document is deleted (locally: its copy in the watched folder goes too).
   */
  readonly problems?: {
    readonly deps: ProblemDependencies;
    readonly by: string;
    readonly onDeleted?: (entry: AuditEntry) => Promise<void>;
  };
  /** Pages read of the documents being read now (locally: OCR), for their status and `GET /activity`. */
  readonly progress?: Pick<ReadingProgress, 'of' | 'all'>;
  /** How many changes the store committed: `GET /activity` (locally). */
  readonly changes?: ChangeCounter;
  /** Most bytes of one CSV answer (default {@link EXPORT_BYTES}). */
  readonly exportBytes?: number;
  /** The clock, for which deadlines have passed (default: the system's). */
  readonly now?: () => Date;
  /** The full-text index of the letters (`GET /search`); without it the route is not offered. */
  readonly search?: Pick<SearchIndex, 'search' | 'backlog'>;
}

/** Today in California, the day deadlines are counted in, by the routes' clock. */
function todayOf(options: RouteOptions): string {
  return receivedOnOf((options.now?.() ?? new Date()).toISOString());
}

const OVERDUE = Buffer.from(',"overdue":true');
const COMMA = Buffer.from(',');
const LIST_HEAD = Buffer.from('{"data":[');

/**
 * A row's JSON bytes as answered `today`, pushed onto `out`: `"overdue": true` written into each
 * deadline whose day has passed (spec section 6), exactly what {@link answeredToday} gives the
 * letter itself. The stored bytes are never decoded: sliced here, copied once into the answer.
 */
function rowBytes(row: AnswerRow, today: string, out: Uint8Array[]): void {
  let from = 0;
  row.marks.forEach((mark, index) => {
    if (row.dues[index]! >= today) return;
    out.push(row.json.subarray(from, mark), OVERDUE);
    from = mark;
  });
  out.push(from === 0 ? row.json : row.json.subarray(from));
}

/** A list's JSON answer from its rows as answered `today`: `{"data": [...], ...rest}`, as the pieces of the stored rows (never joined here). */
function rowsAnswer(rows: readonly AnswerRow[], today: string, rest: string): ApiResponse {
  const out: Uint8Array[] = [LIST_HEAD];
  rows.forEach((row, index) => {
    if (index > 0) out.push(COMMA);
    rowBytes(row, today, out);
  });
  out.push(Buffer.from(`],${rest}}`));
  return { statusCode: 200, body: new JsonPieces(out), contentType: 'application/json' };
}

/** A stored letter as answered `today`: each deadline whose day has passed says so (spec section 6). */
function answeredToday<T extends { deadlines: Deadline[] }>(stored: T, today: string): T {
  return stored.deadlines.some((deadline) => deadline.due < today) ? { ...stored, deadlines: asOf(stored.deadlines, today) } : stored;
}

/**
 * A JSON answer as the byte pieces it was written from (a list: slices of the rows kept at write
 * time). The local server writes the pieces to the socket as they are: joining 300 KB of rows into
 * one buffer for each page was a copy and an allocation per request (a third of a list's cost).
 */
export class JsonPieces {
  /** The answer's length in bytes (its `content-length`). */
  readonly byteLength: number;
  constructor(readonly pieces: readonly Uint8Array[]) {
    this.byteLength = pieces.reduce((sum, piece) => sum + piece.byteLength, 0);
  }
  /** The pieces joined (where one body is needed: an API Gateway answer, a test). */
  toBuffer(): Buffer {
    return Buffer.concat(this.pieces, this.byteLength);
  }
  /** The JSON text. */
  toString(): string {
    return this.toBuffer().toString('utf8');
  }
}

/** A response: a JSON value (serialised by the caller), text (CSV, a calendar), bytes, or {@link JsonPieces} (a list). */
export interface ApiResponse {
  readonly statusCode: number;
  readonly body: unknown;
  readonly contentType?:
    | 'text/csv; charset=utf-8'
    | 'text/calendar; charset=utf-8'
    | 'text/plain; charset=utf-8'
    | 'image/png'
    | 'application/pdf'
    | 'image/tiff'
    | 'image/jpeg'
    | 'application/json'
    | 'application/octet-stream';
  /** Headers beyond the content type (`location` of a redirect, `content-disposition` of a download). */
  readonly headers?: Record<string, string>;
}

/** How long a signed upload form is good for: long enough to start a 500 MB upload on a slow line, short enough to be of no use later. */
export const UPLOAD_FORM_SECONDS = 15 * 60;

function parse<T>(schema: z.ZodType<T>, value: unknown, what = 'parameter'): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const name = issue.path.join('.') || what;
  const message = issue.code === 'unrecognized_keys' ? `unknown parameter: ${issue.keys.join(', ')}` : `${name}: ${issue.message}`;
  throw new ApiError(400, 'BAD_REQUEST', message);
}

/**
 * Most bytes of one CSV answer: API Gateway and Lambda answer at most 6 MB (base64 included), so
 * an export stops short of that and says in a `Link` header where the rest begins.
 */
export const EXPORT_BYTES = 4 * 1024 * 1024;
/**
 * Letters (or items) an export reads per page: one page's work (decoding stored letters, their
 * deadlines, the CSV) stays short enough that other requests are answered between pages.
 */
const EXPORT_PAGE = 100;

/** Lets the event loop answer what is waiting before going on. */
function yieldToEvents(): Promise<void> {
  return new Promise((resolveYield) => setImmediate(resolveYield));
}

/** Most letters a calendar feed holds (a feed cannot be paged). */
const CALENDAR_LETTERS = 5000;

/**
 * A whole export: every page of a list, rendered as CSV page after page, until the list ends
 * or the answer would grow past {@link EXPORT_BYTES}; then the `Link` (rel="next") and
 * `X-Next-Cursor` headers say how to ask for the rest.
 */
async function exportCsv<T>(
  request: ApiRequest,
  budget: number,
  fileName: string,
  header: readonly string[],
  cursor: string | undefined,
  page: (cursor: string | undefined) => Promise<{ data: T[]; nextCursor: string | null }>,
  render: (rows: T[]) => Promise<unknown[][]>,
): Promise<ApiResponse> {
  let text = CSV_BOM + csvRows(header, []);
  let bytes = Buffer.byteLength(text);
  let rows = 0;
  let next: string | null = cursor ?? null;
  do {
    // A client that went away stops its export: nothing more is read for an answer no one takes.
    request.signal?.throwIfAborted();
    const { data, nextCursor } = await page(next ?? undefined);
    const chunk = csvRows(null, await render(data));
    text += chunk;
    bytes += Buffer.byteLength(chunk);
    rows += data.length;
    next = nextCursor;
    // Between pages the event loop answers other requests: a 10,000-letter export once held /stats for a second.
    if (next) await yieldToEvents();
  } while (next && bytes < budget);
  const headers: Record<string, string> = { 'content-disposition': attachmentDisposition(fileName), 'x-total-rows': String(rows) };
  if (next) {
    const query = new URLSearchParams(
      Object.entries(request.query).filter((entry): entry is [string, string] => entry[1] !== undefined && entry[0] !== 'cursor'),
    );
    query.set('cursor', next);
    headers.link = `<${request.path}?${query}>; rel="next"`;
    headers['x-next-cursor'] = next;
  }
  return { statusCode: 200, body: text, contentType: 'text/csv; charset=utf-8', headers };
}

/**
 * The document an id names: the whole id (64 hex characters) or its first 12 or more, as the
 * console and the service's log lines print them; 409 when a prefix fits more than one.
 */
async function resolveId(store: DeterminationStore, value: string | undefined): Promise<string> {
  const prefix = parse(DocumentIdPrefixSchema, value?.toLowerCase(), 'id');
  if (prefix.length === 64) return prefix;
  const ids = await store.resolveIdPrefix(prefix);
  if (ids.length === 0) throw new ApiError(404, 'NOT_FOUND', 'no document has an id starting with this prefix');
  if (ids.length > 1) throw new ApiError(409, 'AMBIGUOUS_ID', 'more than one document has an id starting with this prefix; give more characters');
  return ids[0]!;
}

/** The origin the request came to, for links in a calendar; only a plain host name is trusted. */
function originOf(request: ApiRequest): string {
  const host = request.headers?.host ?? '';
  const proto = request.headers?.['x-forwarded-proto'] === 'https' ? 'https' : 'http';
  return /^[A-Z0-9.-]{1,253}(?::\d{1,5})?$/i.test(host) ? `${proto}://${host}` : '';
}

/** Everything one route's handler is given. */
interface RouteCall {
  readonly store: DeterminationStore;
  readonly request: ApiRequest;
  readonly options: RouteOptions;
  readonly params: Readonly<Record<string, string>>;
}

/** A route the running API does not offer (a store without texts or originals): as if it were not there. */
function notOffered(request: ApiRequest): never {
  throw new ApiError(404, 'NOT_FOUND', `no route for ${request.method} ${request.path}`);
}

/**
 * The page of the stored file that page `n` of a letter's text is, or null past its last. A
 * letter of a file that held several (`sourceDocument`) has as its text its own pages, in order:
 * the file's pages `from` to `to` less those set aside between them (a blank duplex back). Any
 * other document's text is its file's, page for page, pages set aside included (a cover sheet
 * before a single letter is its page 1): its page n is the file's page n.
 */
async function filePageOf(store: DeterminationStore, determination: StoredDetermination | null, n: number): Promise<number | null> {
  const { pages, sourceDocument } = determination ?? {};
  if (!sourceDocument || !pages) return n;
  const aside = new Set((await store.getDocument(sourceDocument))?.split?.setAside.map((page) => page.page) ?? []);
  const own = Array.from({ length: pages.to - pages.from + 1 }, (_, i) => pages.from + i).filter((page) => !aside.has(page));
  return own[n - 1] ?? null;
}

/** The page image or original of a document: the bytes from the inbox, a presigned link (AWS), or a rendered page. */
async function originalOrPage({ store, request, options, params }: RouteCall, n: number): Promise<ApiResponse> {
  const { originals, links, pageCache } = options;
  parse(QUERY_SCHEMAS.status, request.query);
  const id = await resolveId(store, params.id);
  if (n > 0) {
    const cached = await pageCache?.getPageImage(id, n);
    // An image cached by an earlier version may be over what a response carries: drawn again.
    if (cached && cached.length <= PAGE_IMAGE_MAX_BYTES) return { statusCode: 200, body: Buffer.from(cached), contentType: 'image/png' };
  }
  const document = await store.getDocument(id);
  const source = document?.sourceKeys[0];
  if (!document || !source) throw new ApiError(404, 'NOT_FOUND', 'no document with this id');
  const slash = source.indexOf('/');
  const [bucket, key] = [source.slice(0, slash), source.slice(slash + 1)];
  const fileName = fileNameOf(key);
  if (n === 0 && links) {
    // A short-lived presigned link: the bytes go from S3 to the browser, never through a function.
    const url = await links.linkTo(bucket, key, fileName, ORIGINAL_LINK_SECONDS);
    if ((request.headers?.accept ?? '').includes('application/json')) return { statusCode: 200, body: { url, expiresInSeconds: ORIGINAL_LINK_SECONDS } };
    return { statusCode: 302, body: { url, expiresInSeconds: ORIGINAL_LINK_SECONDS }, headers: { location: url } };
  }
  const bytes = await originals!.get(bucket, key).catch((error: unknown) => {
    // Its record outlived its bytes (deleted by hand, or expired by the bucket's retention): gone, not a failure.
    if (error instanceof ObjectMissingError) throw new ApiError(404, 'NOT_FOUND', 'the original file of this document is no longer stored');
    throw error;
  });
  if (n === 0)
    return {
      statusCode: 200,
      body: Buffer.from(bytes),
      contentType: CONTENT_TYPES[sniffKind(bytes)],
      headers: { 'content-disposition': attachmentDisposition(fileName) },
    };
  try {
    const page = await filePageOf(store, await store.getDetermination(id), n);
    if (page === null) throw new ApiError(404, 'NOT_FOUND', `this letter has no page ${n}`);
    const png = await (options.renderPage ?? renderPage)(bytes, page, 'document');
    await pageCache?.putPageImage(id, n, png);
    return { statusCode: 200, body: png, contentType: 'image/png' };
  } catch (error) {
    if (error instanceof InputError) throw new ApiError(404, 'NOT_FOUND', error.message.replace(/^document: /, ''));
    // A page whose rendering ran out of time or memory in its reading process: no image, and a reason.
    if ((error as Error)?.name === 'ReadingLimitError')
      throw new ApiError(404, 'NOT_FOUND', `this page could not be rendered: ${(error as Error).message.replace(/^document: /, '')}`);
    throw error;
  }
}

/**
 * A route this API does not enable (a deployment without uploads, retries or deletions): 405,
 * with the methods its path does answer in `Allow` (not this one, nor those `off` with it).
 */
function methodNotEnabled(request: ApiRequest, message: string, off: readonly string[] = []): never {
  const match = matchRoute('', request.path);
  const allowed = match && !match.route ? match.allowed.filter((method) => method !== request.method && !off.includes(method)) : [];
  throw new ApiError(405, 'METHOD_NOT_ALLOWED', message, { allow: allowed.join(', ') });
}

/** A request's JSON object body (`{}` when it has none). */
function jsonBody(request: ApiRequest): Record<string, unknown> {
  if (!request.body?.trim()) return {};
  let body: unknown;
  try {
    body = JSON.parse(request.body);
  } catch {
    throw new ApiError(400, 'BAD_REQUEST', 'body: must be a JSON object');
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new ApiError(400, 'BAD_REQUEST', 'body: must be a JSON object');
  const unknown = Object.keys(body).filter((key) => key !== 'note');
  if (unknown.length > 0) throw new ApiError(400, 'BAD_REQUEST', `body: unknown field: ${unknown.join(', ')}`);
  return body as Record<string, unknown>;
}

/**
 * A document record as answered: its reason never empty, and, while it is being read page by
 * page (local OCR), its pages read, which its reason says in words too.
 */
function answeredDocument<T extends Pick<DocumentRecord, 'id' | 'status' | 'reason'>>(record: T, options: RouteOptions) {
  const progress = record.status === 'RECEIVED' ? options.progress?.of(record.id) : null;
  if (!progress) return withReason(record);
  return {
    ...record,
    reason: `RECEIVED: being read by OCR: ${progress.pagesRead} of ${progress.pages} pages read`,
    progress: { pagesRead: progress.pagesRead, pages: progress.pages, startedAt: progress.startedAt, at: progress.at },
  };
}

/**
 * A person's action on a problem (dismiss, put back, delete), with the note its JSON body
 * carries: 405 where the API does not enable it (the methods of its path `off` with it).
 */
async function resolveProblemWith<T>(
  { store, request, options, params }: RouteCall,
  disabled: string,
  off: readonly string[],
  act: (deps: ProblemDependencies, id: string, by: string, note: unknown) => Promise<T>,
): Promise<{ result: T; problems: NonNullable<RouteOptions['problems']> }> {
  const { problems } = options;
  if (!problems) methodNotEnabled(request, disabled, off);
  parse(QUERY_SCHEMAS.status, request.query);
  const { note } = jsonBody(request);
  return { result: await act(problems.deps, await resolveId(store, params.id), problems.by, note), problems };
}

/** A dismissal or its undoing, answered with the document's record as it now stands. */
async function resolveProblem(
  call: RouteCall,
  disabled: string,
  off: readonly string[],
  act: (deps: ProblemDependencies, id: string, by: string, note: unknown) => Promise<DocumentRecord>,
): Promise<ApiResponse> {
  const { result: record } = await resolveProblemWith(call, disabled, off, act);
  return { statusCode: 200, body: answeredDocument(record, call.options) };
}

/** Most documents waiting to be read that `GET /activity` counts (past that it says so). */
const ACTIVITY_WAITING_LIMIT = 100;

/** Each route's handler, by the route table's names: the table says which requests reach which. */
const HANDLERS: Record<RouteName, (call: RouteCall) => Promise<ApiResponse>> = {
  async listDeterminations({ store, request, options }) {
    const { format, ...query } = parse(QUERY_SCHEMAS.determinations, request.query);
    if (format === 'csv')
      return exportCsv(
        request,
        options.exportBytes ?? EXPORT_BYTES,
        'imr-letters.csv',
        DETERMINATION_COLUMNS,
        query.cursor,
        (cursor) => store.listDeterminations({ ...query, limit: EXPORT_PAGE, cursor }),
        async (rows) => determinationRows(rows),
      );
    // Written from rows kept at write time: no document is decoded and no JSON rebuilt (the list is what a console polls).
    const page = await store.listDeterminationRows(query);
    return rowsAnswer(page.data, todayOf(options), `"nextCursor":${JSON.stringify(page.nextCursor)}`);
  },
  async searchLetters({ store, request, options }) {
    if (!options.search) notOffered(request);
    const { q, limit, cursor } = parse(QUERY_SCHEMAS.search, request.query);
    // Refused in words before anything is read: too long, too many words, nothing left to search for.
    const terms = parseSearchQuery(q);
    // How many letters are read but not yet searchable (counted up to SEARCH_BEHIND_COUNTED): an answer
    // given while the index catches up (a burst of letters, a start) says so, never a silent "not found".
    const [page, behind] = await Promise.all([options.search.search({ terms, limit, cursor }), options.search.backlog(SEARCH_BEHIND_COUNTED)]);
    // The rows the lists answer, best match first. A letter taken out a moment ago (read again as
    // not a letter) whose entry is not rebuilt yet is left out here.
    const rows = (await store.rowsOf(page.data)).filter((row) => row.status === 'CLASSIFIED');
    return rowsAnswer(rows, todayOf(options), `"nextCursor":${JSON.stringify(page.nextCursor)},"indexing":${behind.length}`);
  },
  async getDetermination({ store, request, options, params }) {
    const { format } = parse(QUERY_SCHEMAS.determination, request.query);
    const determination = await store.getDetermination(await resolveId(store, params.id));
    if (!determination) throw new ApiError(404, 'NOT_FOUND', 'no determination with this id');
    return format === 'csv'
      ? {
          statusCode: 200,
          body: determinationItemsCsv(determination),
          contentType: 'text/csv; charset=utf-8',
          headers: { 'content-disposition': attachmentDisposition(`imr-${determination.id.slice(0, 12)}.csv`) },
        }
      : { statusCode: 200, body: answeredToday(determination, todayOf(options)) };
  },
  async correctDetermination({ store, request, options, params }) {
    const { review } = options;
    if (!review) methodNotEnabled(request, 'corrections are not enabled on this API');
    let body: unknown;
    try {
      body = JSON.parse(request.body ?? '');
    } catch {
      throw new ApiError(400, 'BAD_REQUEST', 'body: must be a JSON object');
    }
    const updated = await reviewDetermination(review.deps, {
      id: await resolveId(store, params.id),
      ifMatch: request.headers?.['if-match'],
      body,
      by: review.by,
    });
    return { statusCode: 200, body: answeredToday(updated, todayOf(options)) };
  },
  async getHistory({ store, request, params }) {
    parse(QUERY_SCHEMAS.status, request.query);
    const id = await resolveId(store, params.id);
    if (!(await store.getDetermination(id))) throw new ApiError(404, 'NOT_FOUND', 'no determination with this id');
    // Every revision, newest first; the first reading (revision 1) is the engine's, with no changes.
    return { statusCode: 200, body: { data: await store.history(id) } };
  },
  async listItems({ store, request, options }) {
    const { format, ...query } = parse(QUERY_SCHEMAS.items, request.query);
    if (format === 'csv') {
      // Each item's letter (its files, day of receipt, deadlines), read once per letter.
      const letters = new Map<string, StoredDetermination | null>();
      return exportCsv(
        request,
        options.exportBytes ?? EXPORT_BYTES,
        'imr-items.csv',
        ITEM_COLUMNS,
        query.cursor,
        (cursor) => store.listItems({ ...query, limit: EXPORT_PAGE, cursor } as Parameters<DeterminationStore['listItems']>[0]),
        async (rows) => {
          for (const id of new Set(rows.map((row) => row.documentId))) if (!letters.has(id)) letters.set(id, await store.getDetermination(id));
          return itemRows(rows, letters);
        },
      );
    }
    return { statusCode: 200, body: await store.listItems(query as Parameters<DeterminationStore['listItems']>[0]) };
  },
  async listDocuments({ store, request, options }) {
    // The FAILED and UNRECOGNIZED documents above all, each with its reason and the keys that delivered it.
    const documents = await store.listDocuments(parse(QUERY_SCHEMAS.documents, request.query));
    return { statusCode: 200, body: { ...documents, data: documents.data.map((record) => answeredDocument(record, options)) } };
  },
  async getDocument({ store, request, options, params }) {
    parse(QUERY_SCHEMAS.status, request.query);
    const document = await store.getDocument(await resolveId(store, params.id));
    if (!document) throw new ApiError(404, 'NOT_FOUND', 'no document with this id');
    return { statusCode: 200, body: answeredDocument(document, options) };
  },
  async getDocumentStatus({ store, request, options, params }) {
    parse(QUERY_SCHEMAS.status, request.query);
    const document = await store.getDocument(await resolveId(store, params.id));
    if (!document) throw new ApiError(404, 'NOT_FOUND', 'no document with this id');
    return {
      statusCode: 200,
      body: answeredDocument({ id: document.id, status: document.status, reason: document.reason, updatedAt: document.updatedAt }, options),
    };
  },
  async uploadDocument({ request, options }) {
    if (!options.upload) methodNotEnabled(request, 'uploads are not enabled on this API: put the file in the inbox bucket');
    parse(QUERY_SCHEMAS.status, request.query);
    const bytes = request.bytes ?? Buffer.alloc(0);
    if (bytes.length === 0) throw new ApiError(400, 'EMPTY', 'the upload has no bytes: choose a file');
    let named: string;
    try {
      named = decodeURIComponent(request.headers?.['x-file-name'] ?? 'upload');
    } catch {
      throw new ApiError(400, 'BAD_REQUEST', 'x-file-name: the file name must be URI-encoded');
    }
    // Only the name, never a path, and bounded: it becomes the last part of an inbox key.
    const fileName = (named.split(/[\\/]/).pop() ?? 'upload').slice(0, 200) || 'upload';
    const id = await options.upload(fileName, bytes);
    return { statusCode: 202, body: { id, status: 'RECEIVED', links: { status: `/documents/${id}/status` } } };
  },
  async createUpload({ request, options }) {
    // Locally the bytes come through the API (POST /documents); on AWS the API never carries them (its limit is 10 MB).
    if (!options.uploadForms || !options.review)
      throw new ApiError(405, 'METHOD_NOT_ALLOWED', 'this service takes uploads at POST /documents, the file as the body');
    parse(QUERY_SCHEMAS.status, request.query);
    let body: unknown;
    try {
      body = JSON.parse(request.body ?? '');
    } catch {
      throw new ApiError(400, 'BAD_REQUEST', 'body: must be a JSON object');
    }
    const { fileName, size, sha256 } = parse(UploadRequestSchema, body, 'body');
    // Only the name, never a path: it becomes the last part of an inbox key.
    const name = (fileName.split(/[\\/]/).pop() ?? '').slice(0, 200) || 'upload';
    // Who brings it and when are fixed in the signed form: the browser cannot post as another person.
    const { key, metadata } = consoleUpload(name, options.review.by, (options.now?.() ?? new Date()).toISOString(), sha256);
    const form = await options.uploadForms.forms.uploadForm(options.uploadForms.inbox, key, metadata, size, UPLOAD_FORM_SECONDS);
    return {
      statusCode: 201,
      body: {
        id: sha256,
        upload: { url: form.url, fields: form.fields, expiresInSeconds: UPLOAD_FORM_SECONDS },
        links: { status: `/documents/${sha256}/status` },
      },
    };
  },
  async retryDocument({ store, request, options, params }) {
    if (!options.retry) methodNotEnabled(request, 'retries are not enabled on this API');
    parse(QUERY_SCHEMAS.status, request.query);
    const id = await resolveId(store, params.id);
    try {
      await options.retry(id);
    } catch (error) {
      if (error instanceof RetryRefusedError) throw new ApiError(error.code === 'NOT_FOUND' ? 404 : 409, error.code, error.message);
      throw error;
    }
    return { statusCode: 202, body: { id, status: 'RECEIVED' } };
  },
  dismissDocument: (call) => resolveProblem(call, 'dismissing documents is not enabled on this API', ['DELETE'], dismissDocument),
  undismissDocument: (call) => resolveProblem(call, 'dismissing documents is not enabled on this API', ['POST'], undismissDocument),
  async deleteDocument(call) {
    const { result: entry, problems } = await resolveProblemWith(call, 'deleting documents is not enabled on this API', [], deleteDocument);
    await problems.onDeleted?.(entry);
    return { statusCode: 200, body: { id: entry.documentId, deleted: true, audit: entry } };
  },
  async listAudit({ request, options }) {
    if (!options.problems) notOffered(request);
    return { statusCode: 200, body: await options.problems.deps.store.listAudit(parse(QUERY_SCHEMAS.audit, request.query)) };
  },
  async getActivity({ store, request, options }) {
    if (!options.changes) notOffered(request);
    parse(QUERY_SCHEMAS.status, request.query);
    // Cheap enough to ask every few seconds: a counter, what is read now (in memory), and one bounded look at what waits.
    const reading = options.progress?.all() ?? [];
    const being = new Set(reading.map((entry) => entry.id));
    const received = await store.listDocuments({ status: 'RECEIVED', limit: ACTIVITY_WAITING_LIMIT });
    const waiting = received.data.filter((record) => !being.has(record.id)).length;
    return {
      statusCode: 200,
      body: {
        changes: String(await options.changes.changes()),
        reading: await Promise.all(
          reading.map(async (entry) => ({
            id: entry.id,
            fileNames: fileNamesOf((await store.getDocument(entry.id))?.sourceKeys ?? []),
            pagesRead: entry.pagesRead,
            pages: entry.pages,
            startedAt: entry.startedAt,
            at: entry.at,
          })),
        ),
        waiting,
        waitingMore: received.nextCursor !== null,
      },
    };
  },
  async getDocumentText({ store, request, options, params }) {
    if (!options.objects) notOffered(request);
    parse(QUERY_SCHEMAS.status, request.query);
    // The text the parser read (after OCR or Textract), for a person checking a reading against it.
    const text = await options.objects.getText(await resolveId(store, params.id));
    if (text === null) throw new ApiError(404, 'NOT_FOUND', 'no text for this id');
    return { statusCode: 200, body: text, contentType: 'text/plain; charset=utf-8' };
  },
  async getOriginal(call) {
    if (!call.options.links && !call.options.originals) notOffered(call.request);
    return originalOrPage(call, 0);
  },
  async getPageImage(call) {
    if (!call.options.originals) notOffered(call.request);
    return originalOrPage(call, parse(PageNumberSchema, call.params.n, 'page'));
  },
  async getPageLines({ store, request, options, params }) {
    const getLayout = options.objects?.getLayout?.bind(options.objects);
    if (!getLayout) notOffered(request);
    parse(QUERY_SCHEMAS.status, request.query);
    const n = parse(PageNumberSchema, params.n, 'page');
    const id = await resolveId(store, params.id);
    // The lines are the file's, as its page images are (see filePageOf).
    const determination = await store.getDetermination(id);
    const file = determination?.sourceDocument ?? id;
    if (!determination && !(await store.getDocument(id))) throw new ApiError(404, 'NOT_FOUND', 'no document with this id');
    const page = await filePageOf(store, determination, n);
    // A page with none kept (a text layer, a letter sent as text, a reading from before they were kept) has no lines: nothing to mark.
    const lines = page === null ? [] : ((await getLayout(file))?.pages[page - 1] ?? []);
    return { statusCode: 200, body: { page: n, lines } };
  },
  async getDeadlineCalendar({ store, request }) {
    const range = parse(QUERY_SCHEMAS.deadlines, request.query);
    const origin = originOf(request);
    // Written a page of letters at a time, with the event loop free between pages: a feed of
    // 5,000 letters written at the end in one piece held the API for seconds.
    const events: string[] = [];
    let letters = 0;
    let cursor: string | undefined;
    do {
      request.signal?.throwIfAborted();
      const page = await store.listDeterminations({ limit: EXPORT_PAGE, cursor, dueBefore: range.dueBefore });
      const taken = page.data.slice(0, CALENDAR_LETTERS - letters);
      events.push(deadlineEvents(taken, range, origin));
      letters += taken.length;
      cursor = page.nextCursor ?? undefined;
      if (cursor) await yieldToEvents();
    } while (cursor && letters < CALENDAR_LETTERS);
    // A feed cannot be paged: one that stopped short says so, in the calendar and in a header.
    const truncated = cursor !== undefined;
    return {
      statusCode: 200,
      body: deadlinesCalendar(events, truncated ? CALENDAR_LETTERS : null),
      contentType: 'text/calendar; charset=utf-8',
      headers: {
        'content-disposition': attachmentDisposition('imr-deadlines.ics'),
        ...(truncated ? { 'x-truncated': `only the newest ${CALENDAR_LETTERS} letters; narrow with dueBefore` } : {}),
      },
    };
  },
  async getStats({ store, request }) {
    const { groupBy } = parse(QUERY_SCHEMAS.stats, request.query);
    return { statusCode: 200, body: { groupBy, data: await store.stats(groupBy) } };
  },
  async getOpenApi({ request }) {
    parse(QUERY_SCHEMAS.openapi, request.query);
    // The server it is asked on comes first: a local service on another port names that port (the Host header is checked by the request guard).
    const origin = originOf(request);
    const document = openApiDocument() as { servers: Array<{ url: string; description: string }> };
    if (!origin) return { statusCode: 200, body: document };
    const here = { url: origin, description: 'the server this document was asked of' };
    return { statusCode: 200, body: { ...document, servers: [here, ...document.servers.filter((server) => server.url !== origin)] } };
  },
};

/**
 * Answers a request of the HTTP API (spec section 4) by the route table: 404 for a path no
 * route has, 405 (naming the methods it has) for a method it does not answer.
 */
export async function route(store: DeterminationStore, request: ApiRequest, options: RouteOptions = {}): Promise<ApiResponse> {
  const match = matchRoute(request.method, request.path);
  if (!match) throw new ApiError(404, 'NOT_FOUND', `no route for ${request.method} ${request.path}`);
  // The methods the path answers, in an `Allow` header too, as RFC 9110 asks of a 405.
  if (!match.route)
    throw new ApiError(405, 'METHOD_NOT_ALLOWED', `${request.method} is not allowed on ${request.path}; it answers ${match.allowed.join(', ')}`, {
      allow: match.allowed.join(', '),
    });
  return HANDLERS[match.route.name]({ store, request, options, params: match.params });
}
