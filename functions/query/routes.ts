import { z } from 'zod';
import { CATEGORIES, SUBCATEGORIES, OutcomeSchema, DecisionSchema } from '../domain/index.ts';
import { STATS_GROUPINGS, type DeterminationStore } from '../service/ports.ts';
import { CodedError } from '../shared/coded-error.ts';
import { determinationCsv, itemsCsv } from './csv.ts';
import { openApiDocument } from './openapi.ts';

/** An API error with its HTTP status; the message names the parameter, never letter text. */
export class ApiError extends CodedError<'BAD_REQUEST' | 'NOT_FOUND' | 'METHOD_NOT_ALLOWED'> {
  override readonly name = 'ApiError';
  constructor(
    readonly statusCode: 400 | 404 | 405,
    code: 'BAD_REQUEST' | 'NOT_FOUND' | 'METHOD_NOT_ALLOWED',
    message: string,
  ) {
    super(code, message);
  }
}

const IsoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,3})?)?Z)?$/, 'must be a date (yyyy-mm-dd) or a UTC timestamp')
  .refine((value) => {
    const parsed = new Date(value.length === 10 ? `${value}T00:00:00Z` : value);
    // Date rolls 2026-02-30 over to March; a real date survives the round trip.
    return !Number.isNaN(parsed.getTime()) && parsed.toISOString().startsWith(value.slice(0, 10));
  }, 'is not a real date');
// Digits only: `0x10`, `1e1` and ` 5` are not page sizes, though Number() would read them.
const Limit = z
  .string()
  .regex(/^\d{1,4}$/, 'must be a whole number from 1 to 200')
  .default('50')
  .transform(Number)
  .pipe(z.number().int().min(1).max(200))
  .describe('page size, 1-200 (default 50)');

/** The instant a `from`/`to` value stands for: a day's first or last millisecond. */
function instant(value: string, end: boolean): string {
  return value.length === 10 ? `${value}T${end ? '23:59:59.999' : '00:00:00.000'}Z` : value;
}

/** A range whose `from` comes after its `to` selects nothing: the caller meant something else. */
function ordered(query: { from?: string | undefined; to?: string | undefined }): boolean {
  return query.from === undefined || query.to === undefined || instant(query.from, false) <= instant(query.to, true);
}
const RANGE_ORDER = { message: 'must not be after to', path: ['from'] };
const Cursor = z.string().min(1).max(4000).optional().describe('nextCursor of the previous page (opaque, signed)');
const Format = z.enum(['json', 'csv']).default('json').describe('csv for spreadsheets');

/** The id of a document: SHA-256 of its bytes, hex. */
export const DocumentIdSchema = z.string().regex(/^[0-9a-f]{64}$/, 'must be a document id (64 hex characters)');

/** Query parameters of every route, validated with zod and published in `/openapi.json`. */
export const QUERY_SCHEMAS = {
  determinations: z
    .object({
      caseNumber: z.string().regex(/^CM\d{2}-\d{5,8}$/, 'must be a case number like CM14-0209876').optional(),
      outcome: OutcomeSchema.optional(),
      needsReview: z.enum(['true', 'false']).transform((value) => value === 'true').optional(),
      from: IsoDate.optional().describe('received on or after'),
      to: IsoDate.optional().describe('received on or before'),
      limit: Limit,
      cursor: Cursor,
    })
    .strict()
    .refine(ordered, RANGE_ORDER),
  determination: z.object({ format: Format }).strict(),
  items: z
    .object({
      category: z.enum(CATEGORIES as [string, ...string[]]).optional(),
      subcategory: z.enum(SUBCATEGORIES as [string, ...string[]]).optional(),
      decision: DecisionSchema.optional(),
      from: IsoDate.optional().describe('received on or after'),
      to: IsoDate.optional().describe('received on or before'),
      limit: Limit,
      cursor: Cursor,
      format: Format,
    })
    .strict()
    .refine(ordered, RANGE_ORDER),
  status: z.object({}).strict(),
  stats: z.object({ groupBy: z.enum(STATS_GROUPINGS) }).strict(),
  openapi: z.object({}).strict(),
} as const;

/** A request as the routes see it (from API Gateway v2 or the local server). */
export interface ApiRequest {
  readonly method: string;
  readonly path: string;
  readonly query: Record<string, string | undefined>;
}

/** A response: JSON (`body` serialised by the caller) or CSV text. */
export interface ApiResponse {
  readonly statusCode: number;
  readonly body: unknown;
  readonly contentType?: 'text/csv; charset=utf-8';
}

function parse<T>(schema: z.ZodType<T>, value: unknown, what = 'parameter'): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const name = issue.path.join('.') || what;
  const message = issue.code === 'unrecognized_keys' ? `unknown parameter: ${issue.keys.join(', ')}` : `${name}: ${issue.message}`;
  throw new ApiError(400, 'BAD_REQUEST', message);
}

function csv(text: string): ApiResponse {
  return { statusCode: 200, body: text, contentType: 'text/csv; charset=utf-8' };
}

/** Routes of the query API (spec section 4). */
export async function route(store: DeterminationStore, request: ApiRequest): Promise<ApiResponse> {
  const segments = request.path.split('/').filter(Boolean);
  const [first, second, third] = segments;
  if (request.method !== 'GET') {
    const known = (segments.length === 1 && ['determinations', 'items', 'stats', 'openapi.json'].includes(first!)) || (segments.length === 2 && first === 'determinations') || (segments.length === 3 && first === 'documents' && third === 'status');
    if (known) throw new ApiError(405, 'METHOD_NOT_ALLOWED', `${request.method} is not allowed on ${request.path}; the API is read with GET`);
    throw new ApiError(404, 'NOT_FOUND', `no route for ${request.method} ${request.path}`);
  }
  if (segments.length === 1 && first === 'determinations') {
    return { statusCode: 200, body: await store.listDeterminations(parse(QUERY_SCHEMAS.determinations, request.query)) };
  }
  if (segments.length === 2 && first === 'determinations') {
    const { format } = parse(QUERY_SCHEMAS.determination, request.query);
    const determination = await store.getDetermination(parse(DocumentIdSchema, second, 'id'));
    if (!determination) throw new ApiError(404, 'NOT_FOUND', 'no determination with this id');
    return format === 'csv' ? csv(determinationCsv(determination)) : { statusCode: 200, body: determination };
  }
  if (segments.length === 1 && first === 'items') {
    const { format, ...query } = parse(QUERY_SCHEMAS.items, request.query);
    const page = await store.listItems(query as Parameters<DeterminationStore['listItems']>[0]);
    return format === 'csv' ? csv(itemsCsv(page.data)) : { statusCode: 200, body: page };
  }
  if (segments.length === 3 && first === 'documents' && third === 'status') {
    parse(QUERY_SCHEMAS.status, request.query);
    const document = await store.getDocument(parse(DocumentIdSchema, second, 'id'));
    if (!document) throw new ApiError(404, 'NOT_FOUND', 'no document with this id');
    return { statusCode: 200, body: { id: document.id, status: document.status, reason: document.reason, updatedAt: document.updatedAt } };
  }
  if (segments.length === 1 && first === 'stats') {
    const { groupBy } = parse(QUERY_SCHEMAS.stats, request.query);
    return { statusCode: 200, body: { groupBy, data: await store.stats(groupBy) } };
  }
  if (segments.length === 1 && first === 'openapi.json') {
    parse(QUERY_SCHEMAS.openapi, request.query);
    return { statusCode: 200, body: openApiDocument() };
  }
  throw new ApiError(404, 'NOT_FOUND', `no route for GET ${request.path}`);
}
