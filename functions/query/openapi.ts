import { z } from 'zod';
import { determinationJsonSchema } from '../domain/json-schema.ts';
import { CorrectionSchema, ENGINE_VERSION } from '../domain/index.ts';
import { QUERY_SCHEMAS } from './schemas.ts';

type QuerySchema = (typeof QUERY_SCHEMAS)[keyof typeof QUERY_SCHEMAS];

/** OpenAPI parameters from the zod schema that validates a route's query string. */
function parameters(schema: QuerySchema): unknown[] {
  const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as { properties?: Record<string, { description?: string }>; required?: string[] };
  return Object.entries(json.properties ?? {}).map(([name, property]) => ({
    name,
    in: 'query',
    required: json.required?.includes(name) ?? false,
    description: property.description,
    schema: property,
  }));
}

const idParameter = { name: 'id', in: 'path', required: true, schema: { type: 'string', pattern: '^[0-9a-f]{64}$' }, description: 'document id: SHA-256 of the bytes, hex' };
const errors = {
  '400': { description: 'a parameter is unknown or malformed; the message names it', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } },
  '404': { description: 'no such id or route', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } },
};

let cached: Record<string, unknown> | null = null;

/** The OpenAPI 3.1 description of the query API, generated from the same zod schemas that validate requests. */
export function openApiDocument(): Record<string, unknown> {
  cached ??= {
    openapi: '3.1.0',
    info: { title: 'IMR determinations API', version: ENGINE_VERSION, description: 'Query California IMR Final Determinations read from letters (spec section 4).' },
    paths: {
      '/determinations': { get: { summary: 'Determinations, newest first', parameters: parameters(QUERY_SCHEMAS.determinations), responses: { '200': { description: '{ data, nextCursor }' }, ...errors } } },
      '/determinations/{id}': {
        get: {
          summary: 'One Determination (JSON, or CSV with one row per item)',
          parameters: [idParameter, ...parameters(QUERY_SCHEMAS.determination)],
          responses: { '200': { description: 'the Determination plus id, receivedAt, needsReview, sourceKeys', content: { 'application/json': { schema: { $ref: '#/components/schemas/Determination' } }, 'text/csv': {} } }, ...errors },
        },
        patch: {
          summary: 'A person corrects or confirms the reading (spec section 5); If-Match names the revision corrected',
          parameters: [idParameter, { name: 'If-Match', in: 'header', required: true, schema: { type: 'string' }, description: 'the revision corrected' }],
          requestBody: { required: true, content: { 'application/json': { schema: z.toJSONSchema(CorrectionSchema, { io: 'input', unrepresentable: 'any' }) } } },
          responses: {
            '200': { description: 'the stored Determination, revision +1', content: { 'application/json': { schema: { $ref: '#/components/schemas/Determination' } } } },
            '409': { description: 'an unrecognized document has no reading to correct', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } },
            '412': { description: 'If-Match names another revision than the stored one', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } },
            '428': { description: 'If-Match is missing', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } },
            ...errors,
          },
        },
      },
      '/determinations/{id}/history': { get: { summary: 'Every revision, newest first: { data: [{ revision, at, by, changes, note }] }', parameters: [idParameter], responses: { '200': { description: '{ data }' }, ...errors } } },
      '/items': { get: { summary: 'Disputed items, newest first', parameters: parameters(QUERY_SCHEMAS.items), responses: { '200': { description: '{ data, nextCursor } or CSV' }, ...errors } } },
      '/documents': { get: { summary: 'Documents newest first, by processing status (FAILED and UNRECOGNIZED with their reasons)', parameters: parameters(QUERY_SCHEMAS.documents), responses: { '200': { description: '{ data: [{ id, status, reason, receivedAt, updatedAt, sourceKeys }], nextCursor }' }, ...errors } } },
      '/documents/{id}/original': { get: { summary: 'The document as uploaded (served locally)', parameters: [idParameter], responses: { '200': { description: 'the bytes, with their type' }, ...errors } } },
      '/documents/{id}/pages/{n}': { get: { summary: 'Page n (from 1) as a PNG (served locally)', parameters: [idParameter, { name: 'n', in: 'path', required: true, schema: { type: 'integer', minimum: 1 } }], responses: { '200': { description: 'image/png', content: { 'image/png': {} } }, ...errors } } },
      '/documents/{id}/status': { get: { summary: 'Processing status of a document', parameters: [idParameter], responses: { '200': { description: '{ id, status, reason, updatedAt }' }, ...errors } } },
      '/documents/{id}/text': { get: { summary: 'The text the parser read (after OCR or Textract)', parameters: [idParameter], responses: { '200': { description: 'plain text, pages separated by form feeds', content: { 'text/plain': {} } }, ...errors } } },
      '/stats': { get: { summary: 'Item counts by decision, grouped', parameters: parameters(QUERY_SCHEMAS.stats), responses: { '200': { description: '{ groupBy, data: [{ key, upheld, overturned, total }] }' }, ...errors } } },
      '/openapi.json': { get: { summary: 'This document', responses: { '200': { description: 'OpenAPI 3.1' } } } },
    },
    components: {
      schemas: {
        Determination: determinationJsonSchema(),
        Error: { type: 'object', properties: { error: { type: 'object', properties: { code: { type: 'string' }, message: { type: 'string' } }, required: ['code', 'message'] } }, required: ['error'] },
      },
    },
  };
  return cached;
}
