import { z } from 'zod';
import { CorrectionSchema, ENGINE_VERSION } from '../domain/index.ts';
import { QUERY_SCHEMAS, UploadRequestSchema } from './schemas.ts';
import { ANSWER_SCHEMAS, ORIGINAL_LINK_SECONDS } from './answers.ts';
import { exampleDetermination } from './example.ts';
import { ROUTES, type RouteName } from './route-table.ts';
import { SERVICE_EVENT_TYPES } from '../service/ports.ts';

type QuerySchema = (typeof QUERY_SCHEMAS)[keyof typeof QUERY_SCHEMAS];

/** JSON Schema (2020-12, as OpenAPI 3.1 uses) of a zod schema, without its `$schema` line. */
function jsonSchema(schema: z.ZodType, io: 'input' | 'output' = 'output'): Record<string, unknown> {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { target: 'draft-2020-12', io, unrepresentable: 'any' }) as Record<string, unknown>;
  return rest;
}

/** OpenAPI parameters from the zod schema that validates a route's query string. */
function parameters(schema: QuerySchema): unknown[] {
  const json = jsonSchema(schema, 'input') as { properties?: Record<string, { description?: string }>; required?: string[] };
  return Object.entries(json.properties ?? {}).map(([name, property]) => ({
    name,
    in: 'query',
    required: json.required?.includes(name) ?? false,
    description: property.description ?? name,
    schema: property,
  }));
}

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: unknown, example?: unknown) => ({ 'application/json': { schema, ...(example === undefined ? {} : { example }) } });
const page = (item: string) => ({
  type: 'object',
  required: ['data', 'nextCursor'],
  properties: {
    data: { type: 'array', items: ref(item) },
    nextCursor: { type: ['string', 'null'], description: 'pass as `cursor` for the next page; null on the last' },
  },
});
const idParameter = {
  name: 'id',
  in: 'path',
  required: true,
  schema: { type: 'string', pattern: '^[0-9a-f]{12,64}$' },
  description: 'document id (SHA-256 of the bytes, hex), or its first 12 or more characters',
};
const error = (description: string, code: string, message: string) => ({ description, content: json(ref('Error'), { error: { code, message } }) });
const BAD_REQUEST = error('a parameter is unknown or malformed; the message names it', 'BAD_REQUEST', 'limit: must be a whole number from 1 to 200');
const NOT_FOUND = error('no such document', 'NOT_FOUND', 'no determination with this id');
const AMBIGUOUS = error(
  'an id prefix fits more than one document',
  'AMBIGUOUS_ID',
  'more than one document has an id starting with this prefix; give more characters',
);
const UNAUTHORIZED = {
  description: 'no valid token or signature (API Gateway)',
  content: json({ type: 'object', properties: { message: { type: 'string' } } }, { message: 'Unauthorized' }),
};
const byId = { '400': BAD_REQUEST, '401': UNAUTHORIZED, '404': NOT_FOUND, '409': AMBIGUOUS };
const list = { '400': BAD_REQUEST, '401': UNAUTHORIZED };
const csvExport = {
  'text/csv': { schema: { type: 'string' }, example: '\ufefffile,sourceKeys,id,...\r\n' },
};
const exportHeaders = {
  'Content-Disposition': { description: 'attachment; the file name', schema: { type: 'string' } },
  Link: { description: 'with format=csv, when the export stopped at its size budget: <path?...&cursor=...>; rel="next"', schema: { type: 'string' } },
  'X-Next-Cursor': { description: 'the same cursor, on its own', schema: { type: 'string' } },
};

let cached: Record<string, unknown> | null = null;

/** Examples built from one real reading (see `example.ts`). */
function examples() {
  const letter = exampleDetermination();
  const item = letter.status === 'CLASSIFIED' ? letter.items[1]! : null;
  return {
    letter,
    page: { data: [letter], nextCursor: null },
    items: {
      data: item
        ? [
            {
              documentId: letter.id,
              itemNumber: 2,
              receivedAt: letter.receivedAt,
              caseNumber: 'CM15-0012345',
              request: item.request,
              decision: item.decision,
              category: item.category,
              subcategory: item.subcategory,
              needsReview: false,
              links: { determination: `/determinations/${letter.id}` },
            },
          ]
        : [],
      nextCursor: null,
    },
    documents: {
      data: [
        {
          id: letter.id,
          status: 'CLASSIFIED',
          reason: 'CLASSIFIED: read as an IMR Final Determination',
          receivedAt: letter.receivedAt,
          updatedAt: letter.receivedAt,
          sourceKeys: letter.sourceKeys,
        },
      ],
      nextCursor: null,
    },
    problem: {
      id: 'b'.repeat(64),
      status: 'FAILED',
      reason: 'BINARY: document: a Word document (.docx), not a PDF, TIFF, PNG or JPEG: save it as PDF and upload that',
      receivedAt: '2026-11-24T10:00:00.000Z',
      updatedAt: '2026-11-24T10:00:01.000Z',
      sourceKeys: ['imr-inbox/console/2026-11-24/100000-bbbbbbbb/letter.docx'],
    },
    deleted: {
      at: '2026-11-24T10:06:00.000Z',
      by: 'pat',
      action: 'deleted',
      documentId: 'b'.repeat(64),
      sourceKeys: ['imr-inbox/console/2026-11-24/100000-bbbbbbbb/letter.docx'],
      fileNames: ['letter.docx'],
      status: 'FAILED',
      reasonCode: 'BINARY',
      note: "uploaded by mistake: another firm's file",
      objectsRemoved: 1,
    },
    history: {
      data: [
        {
          revision: 2,
          at: '2015-01-26T16:00:00.000Z',
          by: 'pat@example.com',
          changes: [{ path: 'items[0].decision', from: 'UPHELD', to: 'OVERTURNED' }],
          note: 'checked against the fax',
        },
      ],
    },
  };
}

/**
 * The OpenAPI 3.1 description of the API, generated from the zod schemas that validate the
 * requests and describe the answers; Redocly's recommended rules pass on it (a test runs them)
 * and real answers validate against it (another test).
 */
/** What each event announces. */
const WEBHOOK_SUMMARIES: Record<(typeof SERVICE_EVENT_TYPES)[number], string> = {
  'determination.classified': 'A letter was read, with nothing a person must check',
  'determination.needs_review': 'A letter was read with flags or warnings a person must check (its flags and warnings say which)',
  'determination.unrecognized': 'A document was read but is not an IMR Final Determination (its reason says why)',
  'document.failed': 'A document could not be read (its reason says why and what to do)',
  'determination.reviewed': 'A person corrected or confirmed a letter (by, revision and changes say who and what)',
};

export function openApiDocument(): Record<string, unknown> {
  if (cached) return cached;
  const example = examples();
  // Each operation by its route's name; the paths come from the route table (functions/query/route-table.ts).
  const operations: Record<RouteName, Record<string, unknown>> = {
    listDeterminations: {
      tags: ['determinations'],
      summary: 'Determinations, newest first (or all of them as CSV)',
      parameters: parameters(QUERY_SCHEMAS.determinations),
      responses: {
        '200': {
          description: 'a page of Determinations; with format=csv every letter',
          headers: exportHeaders,
          content: { ...json(page('StoredDetermination'), example.page), ...csvExport },
        },
        ...list,
      },
    },
    searchLetters: {
      tags: ['determinations'],
      summary: 'Letters that hold every word of a search, best match first: their text as read, their requests (as corrected), case numbers and file names',
      description:
        'Full-text search over the letters read: every word must match (AND), case and accents aside; a word of 3 letters or more also finds the words it begins (`perco` finds Percocet). A word in a disputed request or the case number counts more than one in the running text; a rare word more than a common one; ties go to the newest letter. Very common words (the, and, of) and words of one character are left out. The answer is a page of the same rows as `GET /determinations`. Bounded: at most 200 characters and 8 words; the work for a word found in every letter is bounded too (letters are looked through 20,000 at a time, newest first, the cursor going on to older ones). The index follows each reading, re-reading and correction within a moment; a document that is not a letter, or another form of a letter already found, is not found. The search words are never logged.',
      parameters: parameters(QUERY_SCHEMAS.search),
      responses: {
        '200': {
          description: 'a page of Determinations, best match first',
          content: json(
            {
              ...page('StoredDetermination'),
              required: ['data', 'nextCursor', 'indexing'],
              properties: {
                ...page('StoredDetermination').properties,
                indexing: {
                  type: 'integer',
                  minimum: 0,
                  maximum: 100,
                  description:
                    'letters read but not yet in the index, counted up to 100 (100: that many or more): while it is above 0 a letter just read may be missing from the answer; ask again in a moment',
                },
              },
            },
            { ...example.page, indexing: 0 },
          ),
        },
        '400': error(
          'the search is too long, has too many words, or nothing to search for (QUERY_TOO_LONG, TOO_MANY_WORDS, NOTHING_TO_SEARCH); a parameter is unknown or malformed (BAD_REQUEST)',
          'TOO_MANY_WORDS',
          'q: a search is at most 8 words, and this one has 11 (very common words left out); leave out the least telling',
        ),
        '401': UNAUTHORIZED,
      },
    },
    getDetermination: {
      tags: ['determinations'],
      summary: 'One Determination (JSON, or CSV with one row per item)',
      parameters: [idParameter, ...parameters(QUERY_SCHEMAS.determination)],
      responses: {
        '200': { description: 'the stored Determination', content: { ...json(ref('StoredDetermination'), example.letter), ...csvExport } },
        ...byId,
      },
    },
    correctDetermination: {
      tags: ['determinations'],
      summary: 'A person corrects or confirms the reading (spec section 5)',
      parameters: [idParameter, { name: 'If-Match', in: 'header', required: true, schema: { type: 'string' }, description: 'the revision corrected' }],
      requestBody: {
        required: true,
        content: json(jsonSchema(CorrectionSchema, 'input'), {
          items: [{ index: 0, decision: 'OVERTURNED' }],
          receivedOn: '2015-01-23',
          reviewed: true,
          note: 'checked against the fax',
        }),
      },
      responses: {
        '200': { description: 'the stored Determination, revision +1', content: json(ref('StoredDetermination'), { ...example.letter, revision: 2 }) },
        ...byId,
        '409': error(
          'an unrecognized document has no reading to correct, or an id prefix fits two documents',
          'NOT_CORRECTABLE',
          'an unrecognized document has no reading to correct',
        ),
        '412': error(
          'If-Match names another revision than the stored one',
          'PRECONDITION_FAILED',
          'If-Match: the determination is at revision 3; reload it and correct that',
        ),
        '428': error('If-Match is missing', 'PRECONDITION_REQUIRED', 'If-Match: send the revision you corrected'),
      },
    },
    getHistory: {
      tags: ['determinations'],
      summary: 'Every correction, newest first',
      parameters: [idParameter],
      responses: { '200': { description: 'the history', content: json(ref('History'), example.history) }, ...byId },
    },
    listItems: {
      tags: ['items'],
      summary: 'Disputed items, newest first (or all of them as CSV)',
      parameters: parameters(QUERY_SCHEMAS.items),
      responses: {
        '200': {
          description: 'a page of items; with format=csv every item',
          headers: exportHeaders,
          content: { ...json(page('StoredItem'), example.items), ...csvExport },
        },
        ...list,
      },
    },
    listDocuments: {
      tags: ['documents'],
      summary: 'Documents newest first, by processing status',
      parameters: parameters(QUERY_SCHEMAS.documents),
      responses: { '200': { description: 'a page of documents', content: json(page('DocumentRecord'), example.documents) }, ...list },
    },
    uploadDocument: {
      tags: ['documents'],
      summary: 'Brings a file in (the service on one machine; on AWS, put it in the inbox bucket): read like any upload',
      description:
        'The body is the file as it is (application/octet-stream), its name URI-encoded in x-file-name; at most 100 MB. Locally a change needs the session token (x-imr-session) and our own origin.',
      parameters: [{ name: 'x-file-name', in: 'header', required: true, schema: { type: 'string' }, description: 'the file name, URI-encoded' }],
      requestBody: { required: true, content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } } },
      responses: {
        '202': {
          description: 'stored in the inbox; its status tells when it is read',
          content: json(
            {
              type: 'object',
              required: ['id', 'status', 'links'],
              properties: { id: { type: 'string' }, status: { const: 'RECEIVED' }, links: { type: 'object', properties: { status: { type: 'string' } } } },
            },
            { id: 'a'.repeat(64), status: 'RECEIVED', links: { status: `/documents/${'a'.repeat(64)}/status` } },
          ),
        },
        '400': error('no bytes, or a file name that is not URI-encoded', 'EMPTY', 'the upload has no bytes: choose a file'),
        '405': error(
          'uploads are not enabled on this deployment',
          'METHOD_NOT_ALLOWED',
          'uploads are not enabled on this API: put the file in the inbox bucket',
        ),
        '413': error('over 100 MB', 'PAYLOAD_TOO_LARGE', 'an upload is at most 100 MB'),
      },
    },
    createUpload: {
      tags: ['documents'],
      summary: 'A signed form to post one file into the inbox (AWS; the console uses it): the file goes to S3, never through the API',
      description:
        "The form (an S3 presigned POST, good for 15 minutes) takes exactly `size` bytes under a key of the inbox's `console/` prefix, with who asks and when fixed as the document's source. Post `fields` and then the file (field `file`) as multipart/form-data to `url`; follow the document at `links.status` (its id is the file's SHA-256). Locally, post the bytes to POST /documents instead (this answers 405).",
      requestBody: {
        required: true,
        content: json(jsonSchema(UploadRequestSchema, 'input'), { fileName: 'IMR letter.pdf', size: 184_231, sha256: 'a'.repeat(64) }),
      },
      responses: {
        '201': {
          description: 'the form to post, and where to follow the document',
          content: json(
            {
              type: 'object',
              required: ['id', 'upload', 'links'],
              properties: {
                id: { type: 'string' },
                upload: {
                  type: 'object',
                  required: ['url', 'fields', 'expiresInSeconds'],
                  properties: {
                    url: { type: 'string' },
                    fields: { type: 'object', additionalProperties: { type: 'string' } },
                    expiresInSeconds: { type: 'integer' },
                  },
                },
                links: { type: 'object', properties: { status: { type: 'string' } } },
              },
            },
            {
              id: 'a'.repeat(64),
              upload: {
                url: 'https://imr-inbox-bucket.s3.us-west-2.amazonaws.com/',
                fields: { key: `console/2026-11-30/160000-aaaaaaaa/IMR letter.pdf`, 'x-amz-meta-imr-channel': 'console', Policy: '…', 'X-Amz-Signature': '…' },
                expiresInSeconds: 900,
              },
              links: { status: `/documents/${'a'.repeat(64)}/status` },
            },
          ),
        },
        '400': error(
          'a body that is not a file name, size and SHA-256, or a file over 500 MB',
          'BAD_REQUEST',
          'size: Too big: expected number to be <=524288000',
        ),
        '405': error(
          'the service on one machine: post the bytes to POST /documents',
          'METHOD_NOT_ALLOWED',
          'this service takes uploads at POST /documents, the file as the body',
        ),
      },
    },
    getDocument: {
      tags: ['documents'],
      summary:
        'A document: its status and reason, the keys that delivered it, how it came, and for a file of several letters each letter and the pages set aside',
      parameters: [idParameter],
      responses: {
        '200': {
          description: 'the document',
          content: json(ref('DocumentRecord'), {
            id: 'a'.repeat(64),
            status: 'SPLIT',
            reason: `SPLIT: 2 letters, each read and stored as its own: ${'b'.repeat(12)} (pages 2-4), ${'c'.repeat(12)} (pages 5-7); pages 1 set aside`,
            receivedAt: '2026-11-24T09:59:58.000Z',
            updatedAt: '2026-11-24T10:00:00.000Z',
            sourceKeys: ['imr-inbox/email/2026-11-24/0123456789ab/1-fax.tif'],
            split: {
              letters: [
                { id: 'b'.repeat(64), from: 2, to: 4 },
                { id: 'c'.repeat(64), from: 5, to: 7 },
              ],
              setAside: [{ page: 1, role: 'COVER_SHEET', evidence: 'a fax cover sheet' }],
            },
            source: { channel: 'email', sender: 'fax@efax.example', receivedAt: '2026-11-24T09:59:58.000Z', fileName: 'fax.tif' },
          }),
        },
        ...byId,
      },
    },
    getDocumentStatus: {
      tags: ['documents'],
      summary: 'Processing status of a document, with its reason; while OCR reads it on one machine, its pages read',
      description:
        "Locally a scan is OCR'd page by page: while it is, `progress` says how many of its pages are read (kept in the service's memory, not the store: a reading cut off by a stop starts again from its first page) and the reason says it in words. On AWS Textract reads a scan as one asynchronous job: a document is OCR_PENDING until it is read, with no page progress.",
      parameters: [idParameter],
      responses: {
        '200': {
          description: 'the status',
          content: json(ref('DocumentStatus'), {
            id: 'a'.repeat(64),
            status: 'UNRECOGNIZED',
            reason: 'UNRECOGNIZED: the text has no readable sentences',
            updatedAt: '2026-11-24T10:00:00.000Z',
          }),
        },
        ...byId,
      },
    },
    retryDocument: {
      tags: ['documents'],
      summary: 'Read a FAILED document again from its stored original (one machine; locally a change needs the x-imr-session header)',
      parameters: [idParameter],
      responses: {
        '202': {
          description: 'reopened (status RECEIVED) and queued for reading',
          content: json(
            { type: 'object', required: ['id', 'status'], properties: { id: { type: 'string' }, status: { const: 'RECEIVED' } } },
            { id: 'a'.repeat(64), status: 'RECEIVED' },
          ),
        },
        ...byId,
        '405': error('retries are not enabled on this deployment', 'METHOD_NOT_ALLOWED', 'retries are not enabled on this API'),
        '409': error('the document is not FAILED, or has no stored original', 'NOT_FAILED', 'only a FAILED document can be retried; this one is CLASSIFIED'),
      },
    },
    dismissDocument: {
      tags: ['problems'],
      summary: 'Takes a FAILED or UNRECOGNIZED document off the Problems list, with a note (one machine)',
      description:
        'The document is kept (its original, its reading) and listed with `GET /documents?dismissed=true`; `DELETE /documents/{id}/dismissal` puts it back. Who, when and the note go in the audit log (`GET /audit`). A retry clears the dismissal. Locally a change needs the session token (x-imr-session) and our own origin. Not on AWS (see the README).',
      parameters: [idParameter],
      requestBody: {
        required: true,
        content: json(
          { type: 'object', required: ['note'], additionalProperties: false, properties: { note: { type: 'string', minLength: 1, maxLength: 500 } } },
          { note: 'an invoice scanned with the mail; nothing to do' },
        ),
      },
      responses: {
        '200': {
          description: 'dismissed: the document record with its dismissal',
          content: json(ref('DocumentRecord'), {
            ...example.problem,
            dismissal: { by: 'pat', at: '2026-11-24T10:05:00.000Z', note: 'an invoice scanned with the mail; nothing to do' },
          }),
        },
        ...byId,
        '400': error('no note, or a body that is not {"note": "..."}', 'BAD_REQUEST', 'note: say why, in a few words (it is kept in the audit log)'),
        '405': error('dismissing is not enabled on this deployment (AWS)', 'METHOD_NOT_ALLOWED', 'dismissing documents is not enabled on this API'),
        '409': error(
          'the document is not FAILED or UNRECOGNIZED (or changed meanwhile: MOVED)',
          'NOT_ALLOWED',
          'only a document that could not be read or is not an IMR Final Determination can be dismissed; this one is SPLIT',
        ),
      },
    },
    undismissDocument: {
      tags: ['problems'],
      summary: 'Puts a dismissed document back on the Problems list (one machine)',
      parameters: [idParameter],
      requestBody: {
        required: false,
        content: json(
          { type: 'object', additionalProperties: false, properties: { note: { type: 'string', maxLength: 500 } } },
          { note: 'dismissed by mistake' },
        ),
      },
      responses: {
        '200': { description: 'put back: the document record, no dismissal', content: json(ref('DocumentRecord'), example.problem) },
        ...byId,
        '405': error('dismissing is not enabled on this deployment (AWS)', 'METHOD_NOT_ALLOWED', 'dismissing documents is not enabled on this API'),
        '409': error('the document is not dismissed', 'NOT_ALLOWED', 'this document is not dismissed'),
      },
    },
    deleteDocument: {
      tags: ['problems'],
      summary: 'Deletes a FAILED or UNRECOGNIZED document: a wrong upload gone, kept in the audit log (one machine)',
      description:
        'Removes its original under every key that still holds its bytes (a key written again with other bytes keeps them), its text, reading and page images, and its records: it no longer shows in any list or count. The audit log (`GET /audit`) keeps who, when, why, its id, keys and file names, never its text. A read letter (CLASSIFIED) is not deleted: it was counted in the stats and announced to case systems; one letter of a file that held several neither (the file is kept for its other letters). Locally a change needs the session token (x-imr-session) and our own origin; the copy the watched folder moved to `failed/` or `done/` goes too. Not on AWS (see the README): there DELETE answers 404 from API Gateway.',
      parameters: [idParameter],
      requestBody: {
        required: true,
        content: json(
          { type: 'object', required: ['note'], additionalProperties: false, properties: { note: { type: 'string', minLength: 1, maxLength: 500 } } },
          { note: "uploaded by mistake: another firm's file" },
        ),
      },
      responses: {
        '200': { description: 'deleted, with its audit entry', content: json(ref('Deleted'), { id: 'b'.repeat(64), deleted: true, audit: example.deleted }) },
        ...byId,
        '400': error('no note, or a body that is not {"note": "..."}', 'BAD_REQUEST', 'note: say why, in a few words (it is kept in the audit log)'),
        '405': error('deleting is not enabled on this deployment', 'METHOD_NOT_ALLOWED', 'deleting documents is not enabled on this API'),
        '409': error(
          'the document is a read letter, one letter of a file, or changed meanwhile (MOVED)',
          'NOT_ALLOWED',
          'only a document that could not be read or is not an IMR Final Determination can be deleted; this one was read as a letter (counted in the stats and announced to case systems): correct it on its page instead',
        ),
      },
    },
    listAudit: {
      tags: ['problems'],
      summary: 'The audit log: every dismissal, undo and deletion, newest first (one machine)',
      description: 'Who, when, what, why (the note), the document id, keys and file names, its status and reason code; never a word of the document.',
      parameters: parameters(QUERY_SCHEMAS.audit),
      responses: { '200': { description: 'a page of the log', content: json(ref('AuditPage'), { data: [example.deleted], nextCursor: null }) }, ...list },
    },
    getActivity: {
      tags: ['meta'],
      summary: 'What a console polls to stay live: a change counter, the documents being read with their pages read, how many wait (one machine)',
      description:
        'Cheap to ask every few seconds: load the lists again only when `changes` is not what it was. Pages read come from local OCR; on AWS Textract reads a scan as one asynchronous job with no page progress, and this route is not served (the console there reloads its lists every 30 s).',
      responses: {
        '200': {
          description: 'the activity',
          content: json(ref('Activity'), {
            changes: '1842',
            reading: [
              {
                id: 'c'.repeat(64),
                fileNames: ['fax 0612.pdf'],
                pagesRead: 12,
                pages: 60,
                startedAt: '2026-11-24T10:00:00.000Z',
                at: '2026-11-24T10:00:31.000Z',
              },
            ],
            waiting: 3,
            waitingMore: false,
          }),
        },
        ...list,
      },
    },
    getDocumentText: {
      tags: ['documents'],
      summary: 'The text the parser read (after OCR or Textract)',
      parameters: [idParameter],
      responses: { '200': { description: 'plain text, pages separated by form feeds', content: { 'text/plain': { schema: { type: 'string' } } } }, ...byId },
    },
    getOriginal: {
      tags: ['documents'],
      summary: 'The document as uploaded: its bytes (locally) or a short-lived presigned link (AWS)',
      parameters: [idParameter],
      responses: {
        '200': {
          description: `the bytes with their type; on AWS with Accept: application/json, a link good for ${ORIGINAL_LINK_SECONDS} s`,
          content: {
            ...json(ref('OriginalLink'), {
              url: 'https://imr-inbox.s3.us-west-2.amazonaws.com/2015/letter.pdf?X-Amz-Expires=300&X-Amz-Signature=abc',
              expiresInSeconds: ORIGINAL_LINK_SECONDS,
            }),
            'application/octet-stream': { schema: { type: 'string', format: 'binary' } },
          },
        },
        '302': {
          description: `on AWS: redirect to a presigned link good for ${ORIGINAL_LINK_SECONDS} s`,
          headers: { Location: { description: 'the presigned link', schema: { type: 'string' } } },
        },
        ...byId,
      },
    },
    getPageImage: {
      tags: ['documents'],
      summary: 'Page n (from 1) of a PDF or image as PNG, rendered once and kept',
      parameters: [
        idParameter,
        { name: 'n', in: 'path', required: true, description: 'page number, from 1', schema: { type: 'integer', minimum: 1, maximum: 3000 } },
      ],
      responses: { '200': { description: 'the page', content: { 'image/png': { schema: { type: 'string', format: 'binary' } } } }, ...byId },
    },
    getPageLines: {
      tags: ['documents'],
      summary: 'The lines read on page n (from 1), each with its box on the page image as fractions of its width and height',
      description:
        "Kept for pages read by OCR (Tesseract or Textract) when the document was read: the console marks an item's heading with them. A page with a text layer, a letter sent as text, or a page read before boxes were kept has none (an empty list).",
      parameters: [
        idParameter,
        { name: 'n', in: 'path', required: true, description: 'page number, from 1', schema: { type: 'integer', minimum: 1, maximum: 3000 } },
      ],
      responses: {
        '200': {
          description: 'the lines in reading order; box is [left, top, right, bottom], each 0..1',
          content: json(ref('PageLines'), { page: 2, lines: [{ text: 'Percocet 10/325mg #90: Upheld', box: [0.118, 0.3121, 0.4263, 0.3245] }] }),
        },
        ...byId,
      },
    },
    getDeadlineCalendar: {
      tags: ['deadlines'],
      summary: 'The deadlines of every letter as an RFC 5545 calendar feed',
      parameters: parameters(QUERY_SCHEMAS.deadlines),
      responses: { '200': { description: 'one all-day event per deadline', content: { 'text/calendar': { schema: { type: 'string' } } } }, ...list },
    },
    getStats: {
      tags: ['meta'],
      summary: 'Item counts by decision, grouped (corrections applied, each letter once)',
      parameters: parameters(QUERY_SCHEMAS.stats),
      responses: {
        '200': { description: 'counts', content: json(ref('Stats'), { groupBy: 'decision', data: [{ key: 'UPHELD', upheld: 12, overturned: 0, total: 12 }] }) },
        ...list,
      },
    },
    getOpenApi: { tags: ['meta'], summary: 'This document', responses: { '200': { description: 'OpenAPI 3.1', content: json({ type: 'object' }) }, ...list } },
  };
  cached ??= {
    openapi: '3.1.0',
    info: {
      title: 'IMR determinations API',
      version: ENGINE_VERSION,
      description:
        'California IMR Final Determination letters read into Determinations (spec sections 4-6): query them, their items, documents and stats; correct and confirm them; diary their deadlines.',
      license: { name: 'Proprietary', url: 'https://imr-letters.example/licence' },
    },
    servers: [
      { url: 'http://127.0.0.1:3000', description: 'npm start on this machine (no login: loopback only)' },
      {
        url: 'https://{apiId}.execute-api.{region}.amazonaws.com',
        description: 'the AWS deployment (ApiUrl output)',
        variables: { apiId: { default: 'abcde12345' }, region: { default: 'us-west-2' } },
      },
    ],
    security: [{ cognito: [] }, { sigv4: [] }],
    tags: [
      { name: 'determinations', description: 'letters read, corrected and confirmed' },
      { name: 'items', description: 'disputed items across letters' },
      { name: 'documents', description: 'uploads: status (with pages read while OCR reads them), text, original, pages' },
      { name: 'problems', description: 'documents a person resolves: dismiss with a note, delete, and the audit log of both (one machine)' },
      { name: 'deadlines', description: 'what a letter sets in motion' },
      { name: 'meta', description: 'stats and this document' },
    ],
    paths: pathsOf(operations),
    // What the service sends to a webhook (Standard Webhooks: signed, retried), one entry per event type.
    webhooks: Object.fromEntries(
      SERVICE_EVENT_TYPES.map((type) => [
        type,
        {
          post: {
            // determination.needs_review -> determinationNeedsReview
            operationId: type.replace(/[._]([a-z])/g, (_, letter: string) => letter.toUpperCase()),
            summary: WEBHOOK_SUMMARIES[type],
            description:
              'Delivered as a Standard Webhooks request: the headers webhook-id, webhook-timestamp and webhook-signature (HMAC-SHA256 over id.timestamp.body with the shared secret) let the receiver check it came from this service and drop a replay. Answer 2xx to accept; anything else is retried with backoff.',
            requestBody: { required: true, content: { 'application/json': { schema: ref('ServiceEvent') } } },
            responses: { '200': { description: 'accepted' } },
          },
        },
      ]),
    ),
    components: {
      securitySchemes: {
        cognito: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description: "a Cognito token (the console's ID token, or an integration's client-credentials access token); the default deployment",
        },
        sigv4: { type: 'apiKey', in: 'header', name: 'Authorization', description: 'AWS Signature Version 4 for execute-api (deployments with -c auth=iam)' },
      },
      schemas: {
        ...Object.fromEntries(Object.entries(ANSWER_SCHEMAS).map(([name, schema]) => [name, jsonSchema(schema)])),
      },
    },
  };
  return cached;
}

/** The OpenAPI `paths` object: every route of the table, each with its operation. */
function pathsOf(operations: Record<RouteName, Record<string, unknown>>): Record<string, Record<string, unknown>> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of ROUTES)
    paths[route.path] = { ...paths[route.path], [route.method.toLowerCase()]: { operationId: route.name, ...operations[route.name] } };
  return paths;
}
