import { z } from 'zod';
import { CATEGORIES, SUBCATEGORIES, isSubcategoryOf } from './taxonomy.ts';

/** Version of the Determination JSON shape (spec section 3). */
export const SCHEMA_VERSION = 1;

/** Release of the parser and classifier; recorded in every Determination. */
export const ENGINE_VERSION = '1.0.0';

/** ISO calendar date `yyyy-mm-dd`. */
const IsoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);

/** The two decisions an IMR reviewer can reach on a disputed item. */
export const DecisionSchema = z.enum(['UPHELD', 'OVERTURNED']).describe('UPHELD: the UR denial stands. OVERTURNED: the treatment must be authorized.');
/** Upheld or Overturned. */
export type Decision = z.infer<typeof DecisionSchema>;

/** The letter's overall outcome, derived from its items. */
export const OutcomeSchema = z.enum(['UPHELD', 'OVERTURNED', 'PARTIALLY_OVERTURNED']);
/** Overall outcome of a letter. */
export type Outcome = z.infer<typeof OutcomeSchema>;

/** Which published letter layout was recognised (spec section 1). */
export const LayoutSchema = z.enum(['2014', '2013', '2013_NOTICE', 'EARLIEST']);
/** A recognised layout. */
export type Layout = z.infer<typeof LayoutSchema>;

/** Flags raised on an item or a whole determination; any flag means a human should look. */
export const FlagSchema = z.enum(['DECISION_CONFLICTS_WITH_RATIONALE', 'LOW_CONFIDENCE', 'ITEM_COUNT_MISMATCH', 'UNKNOWN_TREATMENT', 'INCOMPLETE']);
/** A review flag. */
export type Flag = z.infer<typeof FlagSchema>;

/** Guideline families a citation can come from; NONE when the party cited nothing. */
export const CitationSourceSchema = z.enum(['MTUS', 'ACOEM', 'ODG', 'PDR', 'OTHER', 'NONE']);
/** A guideline family. */
export type CitationSource = z.infer<typeof CitationSourceSchema>;

/** One guideline cited by the claims administrator or by the reviewer. */
export const CitationSchema = z.object({
  source: CitationSourceSchema,
  title: z.string().nullable(),
  topic: z.string().nullable(),
  pages: z.string().nullable(),
  text: z.string().describe('The citation as printed'),
});
/** A cited guideline. */
export type Citation = z.infer<typeof CitationSchema>;

/** What was requested, read from the item heading. */
export const TreatmentSchema = z.object({
  name: z.string().nullable(),
  generic: z.string().nullable(),
  strength: z.string().nullable(),
  quantity: z.number().int().nonnegative().nullable(),
  frequency: z.string().nullable(),
  sessions: z.number().int().nonnegative().nullable(),
  bodyPart: z.string().nullable(),
});
/** Treatment details of a disputed item. */
export type Treatment = z.infer<typeof TreatmentSchema>;

/** One disputed item and the reviewer's decision on it. */
export const DisputedItemSchema = z
  .object({
    request: z.string().min(1),
    decision: DecisionSchema,
    medicallyNecessary: z.boolean().nullable(),
    category: z.enum(CATEGORIES as [string, ...string[]]),
    subcategory: z.enum(SUBCATEGORIES as [string, ...string[]]).nullable(),
    treatment: TreatmentSchema,
    guidelines: z.object({
      claimsAdministrator: z.array(CitationSchema),
      reviewer: z.array(CitationSchema),
    }),
    /** For a modified request (utilization review authorized part of it): the request as first made; null otherwise. */
    originalRequest: z.string().nullable().optional(),
    /** For a modified request: what the claims administrator authorized; null otherwise. */
    authorized: z.string().nullable().optional(),
    rationale: z.string(),
    flags: z.array(FlagSchema),
    confidence: z.number().min(0).max(1),
  })
  .refine((item) => isSubcategoryOf(item.category as never, item.subcategory), {
    message: 'subcategory does not belong to category',
    path: ['subcategory'],
  });
/** A disputed item. */
export type DisputedItem = z.infer<typeof DisputedItemSchema>;

/** Present only on `imr classify`'s JSON Lines output: which input file the line is about. */
const SourceFile = z.string().optional().describe("The input file (only in imr classify's JSON Lines output)");

/** Where in its file a letter is, when the file held more than one letter or pages that are no part of it (spec section 1). */
const LetterPagesSchema = z
  .object({ from: z.number().int().min(1), to: z.number().int().min(1) })
  .optional()
  .describe('the pages of the file this letter is, as numbered in the file (only when the file held more than this letter)');
/** The id of the file a letter came from, when the file held several letters (each letter has its own id). */
const SourceDocumentSchema = z
  .string()
  .regex(/^[0-9a-f]{64}$/)
  .optional()
  .describe('the id (SHA-256) of the file this letter came from, when the file held more than one letter');

/** A letter that was read and classified. */
export const ClassifiedDeterminationSchema = z.object({
  file: SourceFile,
  pages: LetterPagesSchema,
  sourceDocument: SourceDocumentSchema,
  schemaVersion: z.literal(SCHEMA_VERSION),
  engineVersion: z.string(),
  status: z.literal('CLASSIFIED'),
  layout: LayoutSchema,
  caseNumber: z.string().nullable(),
  dates: z.object({
    injury: IsoDate.nullable(),
    urDecision: IsoDate.nullable(),
    received: IsoDate.nullable(),
    assigned: IsoDate.nullable(),
    decision: IsoDate.nullable(),
  }),
  reviewer: z.object({
    licensure: z.array(z.string()),
    specialties: z.array(z.string()),
    subspecialties: z.array(z.string()),
  }),
  employee: z.object({
    age: z.number().int().positive().nullable(),
    sex: z.enum(['male', 'female']).nullable(),
  }),
  outcome: OutcomeSchema,
  items: z.array(DisputedItemSchema).min(1),
  flags: z.array(FlagSchema),
  warnings: z.array(z.string()),
  receiptStamp: IsoDate.optional().describe('the day a receipt stamp on the letter ("RECEIVED DEC 03 2014") says it was received, when it bears one'),
});
/** A classified Determination (spec section 3). */
export type ClassifiedDetermination = z.infer<typeof ClassifiedDeterminationSchema>;

/** A document that was read but is not an IMR Final Determination. */
export const UnrecognizedDeterminationSchema = z.object({
  file: SourceFile,
  pages: LetterPagesSchema,
  sourceDocument: SourceDocumentSchema,
  schemaVersion: z.literal(SCHEMA_VERSION),
  engineVersion: z.string(),
  status: z.literal('UNRECOGNIZED'),
  reason: z.string(),
});
/** An unrecognized document. */
export type UnrecognizedDetermination = z.infer<typeof UnrecognizedDeterminationSchema>;

/** The Determination JSON: one schema for integrators, tests and the CLI alike. */
export const DeterminationSchema = z.discriminatedUnion('status', [ClassifiedDeterminationSchema, UnrecognizedDeterminationSchema]);
/** Either a classified or an unrecognized Determination. */
export type Determination = z.infer<typeof DeterminationSchema>;
