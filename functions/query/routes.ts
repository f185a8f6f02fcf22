import { z } from 'zod';
import type { DeterminationStore } from '../service/ports.ts';
import { CodedError } from '../shared/coded-error.ts';

/** An API error with its HTTP status; the message names the parameter, never letter text. */
export class ApiError extends CodedError<'BAD_REQUEST' | 'NOT_FOUND'> {
  override readonly name = 'ApiError';
  constructor(
    readonly statusCode: 400 | 404,
    code: 'BAD_REQUEST' | 'NOT_FOUND',
    message: string,
  ) {
    super(code, message);
  }
}

const DocumentId = z.string().regex(/^[0-9a-f]{64}$/, 'must be a document id (64 hex characters)');
const ListQuery = z
  .object({
    limit: z.coerce.number().int().min(1).max(200).default(50),
    cursor: z.string().min(1).max(2000).optional(),
  })
  .strict();

/** A request as the routes see it (from API Gateway v2 or the local server). */
export interface ApiRequest {
  readonly method: string;
  readonly path: string;
  readonly query: Record<string, string | undefined>;
}

/** A JSON response. */
export interface ApiResponse {
  readonly statusCode: number;
  readonly body: unknown;
}

function parse<T>(schema: z.ZodType<T>, value: unknown): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const name = issue.path.join('.') || 'parameter';
  const message = issue.code === 'unrecognized_keys' ? `unknown parameter: ${issue.keys.join(', ')}` : `${name}: ${issue.message}`;
  throw new ApiError(400, 'BAD_REQUEST', message);
}

/** Routes of the query API (spec section 4) served here. */
export async function route(store: DeterminationStore, request: ApiRequest): Promise<ApiResponse> {
  if (request.method !== 'GET') throw new ApiError(404, 'NOT_FOUND', `no route for ${request.method} ${request.path}`);
  const segments = request.path.split('/').filter(Boolean);
  if (segments.length === 1 && segments[0] === 'determinations') {
    const query = parse(ListQuery, request.query);
    return { statusCode: 200, body: await store.listDeterminations(query) };
  }
  if (segments.length === 2 && segments[0] === 'determinations') {
    parse(z.object({}).strict(), request.query);
    const id = parse(DocumentId, segments[1]);
    const determination = await store.getDetermination(id);
    if (!determination) throw new ApiError(404, 'NOT_FOUND', 'no determination with this id');
    return { statusCode: 200, body: determination };
  }
  if (segments.length === 3 && segments[0] === 'documents' && segments[2] === 'status') {
    parse(z.object({}).strict(), request.query);
    const id = parse(DocumentId, segments[1]);
    const document = await store.getDocument(id);
    if (!document) throw new ApiError(404, 'NOT_FOUND', 'no document with this id');
    return { statusCode: 200, body: { id: document.id, status: document.status, reason: document.reason, updatedAt: document.updatedAt } };
  }
  throw new ApiError(404, 'NOT_FOUND', `no route for GET ${request.path}`);
}
