import { z } from 'zod';
import { DeadlineSchema, DecisionSchema, DeterminationSchema, FlagSchema } from '../domain/index.ts';
import { AUDIT_ACTIONS, DOCUMENT_STATUSES, SERVICE_EVENT_TYPES, STATS_GROUPINGS } from '../service/ports.ts';

/**
 * The shapes of the API's answers, as zod schemas: published in `/openapi.json` (one source
 * for the document and the types) and checked against real answers in the tests.
 */

const Timestamp = z.iso.datetime().describe('UTC timestamp');
const Id = z
  .string()
  .regex(/^[0-9a-f]{64}$/)
  .describe('document id: SHA-256 of the bytes, hex');

/** What a store adds to a Determination (spec sections 4-6). */
export const StoredFieldsSchema = z.object({
  id: Id,
  receivedAt: Timestamp,
  needsReview: z.boolean().describe('a flag on the letter or an item, not yet confirmed by a person'),
  sourceKeys: z.array(z.string()).describe('every bucket/key that delivered these bytes'),
  revision: z.number().int().min(1).describe('1 when first read, +1 per change; send it as If-Match to correct'),
  reviewedBy: z.string().optional().describe('who confirmed the reading'),
  reviewedAt: Timestamp.optional(),
  receivedOn: z.iso.date().describe('the day received, in America/Los_Angeles, unless a person set it'),
  deadlines: z.array(DeadlineSchema),
  conclusions: z
    .array(z.object({ sentence: z.string(), necessary: z.boolean() }).nullable())
    .describe(
      "per item (in order): the rationale's own concluding sentence and whether it says the treatment is medically necessary; null where it states none",
    ),
  sameLetterAs: Id.optional().describe('the document first received of the same letter in another form; this one is not counted or announced again'),
});

/** A stored Determination: the Determination of spec section 3 plus the stored fields. */
export const StoredDeterminationSchema = z.intersection(DeterminationSchema, StoredFieldsSchema);

export const StoredItemSchema = z.object({
  documentId: Id,
  itemNumber: z.number().int().min(1),
  receivedAt: Timestamp,
  caseNumber: z.string().nullable(),
  request: z.string(),
  decision: DecisionSchema,
  category: z.string(),
  subcategory: z.string().nullable(),
  needsReview: z.boolean(),
  links: z.object({ determination: z.string() }),
});

/** Pages read of a document while it is read page by page (local OCR; Textract on AWS reads a scan as one job, with no pages in between). */
const PageProgressSchema = z
  .object({
    pagesRead: z.number().int().min(0),
    pages: z.number().int().min(1),
    startedAt: Timestamp.describe('when its reading started'),
    at: Timestamp.describe('when a page was last read'),
  })
  .describe('while it is being read by OCR on one machine: its pages read so far (none on AWS, where Textract reads a scan as one job)');

export const DocumentRecordSchema = z.object({
  id: Id,
  status: z.enum(DOCUMENT_STATUSES),
  reason: z.string().describe('why the document is in this state: for FAILED and UNRECOGNIZED the cause, for the others what the state means'),
  receivedAt: Timestamp,
  updatedAt: Timestamp,
  sourceKeys: z.array(z.string()),
  ocrJobId: z.string().optional().describe("the OCR service's job reading it, while OCR_PENDING"),
  split: z
    .object({
      letters: z
        .array(z.object({ id: Id, from: z.number().int().min(1), to: z.number().int().min(1) }))
        .describe('each letter it held, read and stored under its own id'),
      setAside: z
        .array(z.object({ page: z.number().int().min(1), role: z.string(), evidence: z.string() }))
        .describe('pages that belong to no letter (blank, a fax cover sheet, another document), with why'),
    })
    .optional()
    .describe('when SPLIT: the file held several letters'),
  source: z
    .object({
      channel: z.string().describe('how it came: email'),
      sender: z.string().optional(),
      subject: z.string().optional(),
      receivedAt: Timestamp.describe('when the channel received it: the day deadlines count from'),
      fileName: z.string().optional().describe('the file name as sent'),
    })
    .optional()
    .describe('how and when it came, where its channel said (spec section 7)'),
  dismissal: z
    .object({ by: z.string(), at: Timestamp, note: z.string() })
    .optional()
    .describe('a person took it off the Problems list: who, when and why (it is kept, and can be put back)'),
  progress: PageProgressSchema.optional(),
});

export const DocumentStatusSchema = DocumentRecordSchema.pick({ id: true, status: true, reason: true, updatedAt: true, progress: true });

/** One entry of the audit log. */
export const AuditEntrySchema = z.object({
  at: Timestamp,
  by: z.string().describe('who did it (the OS user, or the reviewer the service was started as)'),
  action: z.enum(AUDIT_ACTIONS),
  documentId: Id,
  sourceKeys: z.array(z.string()).describe('every bucket/key that had delivered it'),
  fileNames: z.array(z.string()),
  status: z.enum(DOCUMENT_STATUSES).describe('its status when it was acted on'),
  reasonCode: z.string().nullable().describe('the code its reason started with (BINARY, UNRECOGNIZED, ...)'),
  note: z.string().nullable().describe("the person's words: why"),
  objectsRemoved: z.number().int().min(0).optional().describe('deleted: how many stored objects went (originals, text and reading, page images)'),
});

export const AuditPageSchema = z.object({
  data: z.array(AuditEntrySchema).describe('newest first; never a word of a document'),
  nextCursor: z.string().nullable(),
});

export const DeletedSchema = z.object({ id: Id, deleted: z.literal(true), audit: AuditEntrySchema });

export const ActivitySchema = z.object({
  changes: z.string().describe('grows with every change the store commits: load the lists again when it is not what it was'),
  reading: z
    .array(
      z.object({
        id: Id,
        fileNames: z.array(z.string()),
        pagesRead: z.number().int().min(0),
        pages: z.number().int().min(1),
        startedAt: Timestamp,
        at: Timestamp,
      }),
    )
    .describe('documents being read by OCR now, with their pages read'),
  waiting: z.number().int().min(0).describe('documents received and not being read yet (counted up to 100)'),
  waitingMore: z.boolean().describe('more wait than were counted'),
});

export const HistorySchema = z.object({
  data: z.array(
    z.object({
      revision: z.number().int().min(1),
      at: Timestamp,
      by: z.string(),
      changes: z.array(z.object({ path: z.string(), from: z.unknown(), to: z.unknown() })),
      note: z.string().nullable(),
    }),
  ),
});

export const StatsSchema = z.object({
  groupBy: z.enum(STATS_GROUPINGS),
  data: z.array(z.object({ key: z.string(), upheld: z.number().int(), overturned: z.number().int(), total: z.number().int() })),
});

/** How long a link to an original stays good: long enough to start a download, too short to pass around. */
export const ORIGINAL_LINK_SECONDS = 300;

export const OriginalLinkSchema = z.object({ url: z.url().describe('a presigned GET, good for expiresInSeconds'), expiresInSeconds: z.number().int() });

/** The lines read on a page, each with its box on the page image (`GET /documents/{id}/pages/{n}/lines`). */
export const PageLinesSchema = z.object({
  page: z.number().int().min(1),
  lines: z.array(
    z.object({
      text: z.string(),
      box: z.array(z.number().min(0).max(1)).length(4).describe('left, top, right, bottom as fractions of the page image'),
    }),
  ),
});

export const ErrorSchema = z.object({ error: z.object({ code: z.string(), message: z.string() }) });

/** Every answer schema by the name it has under `components.schemas` (lists are pages of the first three). */
/** An event as webhooks deliver it (and EventBridge carries it as the detail): spec section 4. */
export const ServiceEventSchema = z.object({
  type: z.enum(SERVICE_EVENT_TYPES),
  timestamp: Timestamp,
  data: z.object({
    id: Id,
    caseNumber: z.string().nullable(),
    outcome: z.enum(['UPHELD', 'OVERTURNED', 'PARTIALLY_OVERTURNED']).nullable(),
    needsReview: z.boolean(),
    items: z.array(
      z.object({
        number: z.number().int().min(1).describe('the item as the console and the CSV number it, from 1'),
        index: z.number().int().min(0).describe("its place in the Determination's items, from 0 (what deadlines[].items name)"),
        request: z.string(),
        decision: DecisionSchema,
        category: z.string(),
        subcategory: z.string().nullable(),
        flags: z.array(FlagSchema),
      }),
    ),
    sourceKeys: z.array(z.string()).describe('every bucket/key that delivered the document'),
    fileNames: z.array(z.string()).describe('the file names of those keys'),
    receivedOn: z.iso.date().nullable(),
    decisionDate: z.iso.date().nullable().describe("the letter's date: the day the determination was mailed"),
    deadlines: z.array(DeadlineSchema),
    flags: z.array(FlagSchema).describe("the letter's and its items' flags: why a needs_review letter needs a person"),
    warnings: z.array(z.string()),
    reason: z.string().nullable().describe('why a document failed, or is not an IMR Final Determination'),
    pages: z
      .object({ from: z.number().int().min(1), to: z.number().int().min(1) })
      .optional()
      .describe('a letter of a file that held several: its pages'),
    sourceDocument: Id.optional().describe('a letter of a file that held several: the file'),
    revision: z.number().int().min(1).optional().describe('determination.reviewed: the revision the correction made'),
    changes: z
      .array(z.object({ path: z.string(), from: z.unknown(), to: z.unknown() }))
      .optional()
      .describe('determination.reviewed: what changed'),
    by: z.string().optional().describe('determination.reviewed: who corrected or confirmed it'),
    links: z.object({
      self: z
        .string()
        .describe(
          "the letter (or the failed document's status) in the API: an absolute URL under the service's public address when it has one (IMR_PUBLIC_URL locally; the API's URL on AWS), else the API's path",
        ),
      console: z.string().optional().describe("the letter's page in the review console (with a public address; not for a failed document)"),
    }),
  }),
});

export const ANSWER_SCHEMAS = {
  ServiceEvent: ServiceEventSchema,
  StoredDetermination: StoredDeterminationSchema,
  StoredItem: StoredItemSchema,
  DocumentRecord: DocumentRecordSchema,
  DocumentStatus: DocumentStatusSchema,
  AuditPage: AuditPageSchema,
  Deleted: DeletedSchema,
  Activity: ActivitySchema,
  History: HistorySchema,
  Stats: StatsSchema,
  OriginalLink: OriginalLinkSchema,
  PageLines: PageLinesSchema,
  Error: ErrorSchema,
} as const;
