import { z } from 'zod';
import { CATEGORIES, SUBCATEGORIES, OutcomeSchema, DecisionSchema } from '../domain/index.ts';
import { DOCUMENT_STATUSES, STATS_GROUPINGS } from '../service/ports.ts';
import { LIMITS } from '../common/limits.ts';

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

/** A calendar day, `yyyy-mm-dd`. */
const Day = z.iso.date('must be a date (yyyy-mm-dd)');

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

/** A document id or its first 12 or more characters (as the console and the logs print them). */
export const DocumentIdPrefixSchema = z.string().regex(/^[0-9a-f]{12,64}$/, 'must be a document id, or its first 12 or more hex characters');

/** The received-date range and paging every list route shares. */
const PAGING = {
  from: IsoDate.optional().describe('received on or after'),
  to: IsoDate.optional().describe('received on or before'),
  limit: Limit,
  cursor: Cursor,
};

/** The body of `POST /uploads`: the file a person is about to post to the inbox. */
export const UploadRequestSchema = z
  .object({
    fileName: z.string().min(1).max(1000).describe('the file name as the person knows it'),
    size: z.number().int().min(1).max(LIMITS.documentBytes).describe('its size in bytes: the form takes exactly this many'),
    sha256: z
      .string()
      .regex(/^[0-9a-f]{64}$/, 'must be the SHA-256 of the file, 64 lower-case hex characters')
      .describe('the SHA-256 of the file: its document id, to follow its status'),
  })
  .strict();

/** Query parameters of every route, validated with zod and published in `/openapi.json`. */
export const QUERY_SCHEMAS = {
  determinations: z
    .object({
      caseNumber: z
        .string()
        .regex(/^CM\d{2}-\d{5,8}$/, 'must be a case number like CM14-0209876')
        .optional(),
      outcome: OutcomeSchema.optional(),
      needsReview: z
        .enum(['true', 'false'])
        .transform((value) => value === 'true')
        .optional(),
      dueBefore: Day.optional().describe('letters with a deadline due on or before this day'),
      ...PAGING,
      format: Format.describe('csv: every letter (all pages) as one CSV file, or as much as fits with a Link header to the rest'),
    })
    .strict()
    .refine(ordered, RANGE_ORDER),
  search: z
    .object({
      q: z
        .string({ error: 'the words to search for are required, as in /search?q=percocet' })
        .describe(
          'the words to find, every one of them (AND), case and accents aside: a drug, a treatment, a name, a case number; a word of 3 letters or more also finds the words it begins (perco finds Percocet); at most 200 characters and 8 words, very common words (the, and, of) left out',
        ),
      limit: Limit,
      cursor: Cursor,
    })
    .strict(),
  determination: z.object({ format: Format }).strict(),
  deadlines: z
    .object({
      dueBefore: Day.optional().describe('deadlines due on or before this day'),
      dueAfter: Day.optional().describe('deadlines due on or after this day'),
    })
    .strict(),
  items: z
    .object({
      category: z.enum(CATEGORIES as [string, ...string[]]).optional(),
      subcategory: z.enum(SUBCATEGORIES as [string, ...string[]]).optional(),
      decision: DecisionSchema.optional(),
      ...PAGING,
      format: Format.describe('csv: every item (all pages) as one CSV file, or as much as fits with a Link header to the rest'),
    })
    .strict()
    .refine(ordered, RANGE_ORDER),
  documents: z
    .object({
      status: z.enum(DOCUMENT_STATUSES).optional(),
      dismissed: z
        .enum(['true', 'false'])
        .transform((value) => value === 'true')
        .optional()
        .describe('true: only those a person dismissed (with their notes); false: only those not dismissed (the Problems list)'),
      ...PAGING,
    })
    .strict()
    .refine(ordered, RANGE_ORDER),
  audit: z.object({ limit: Limit, cursor: Cursor }).strict(),
  status: z.object({}).strict(),
  stats: z.object({ groupBy: z.enum(STATS_GROUPINGS) }).strict(),
  openapi: z.object({}).strict(),
} as const;
