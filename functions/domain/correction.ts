import { z } from 'zod';
import { DecisionSchema, type ClassifiedDetermination } from './determination.ts';
import { CATEGORIES, SUBCATEGORIES, isSubcategoryOf, type Category } from './taxonomy.ts';
import { outcomeOf } from './engine.ts';

/**
 * A person's correction of a Determination (spec section 5, the body of `PATCH
 * /determinations/{id}`): any of item decisions, classes and requests, the case number and
 * dates, the day the letter was received, a confirmation and a note. Unknown fields are refused.
 */
export const CorrectionSchema = z
  .object({
    items: z
      .array(
        z
          .object({
            index: z.number().int().min(0),
            decision: DecisionSchema.optional(),
            category: z.enum(CATEGORIES as [Category, ...Category[]]).optional(),
            subcategory: z
              .enum(SUBCATEGORIES as [string, ...string[]])
              .nullable()
              .optional(),
            request: z.string().trim().min(1).max(500).optional(),
          })
          .strict(),
      )
      .max(200)
      .optional(),
    caseNumber: z
      .string()
      .regex(/^CM\d{2}-\d{5,8}$/, 'must be a case number like CM14-0209876')
      .nullable()
      .optional(),
    dates: z
      .object({
        injury: z.iso.date().nullable().optional(),
        urDecision: z.iso.date().nullable().optional(),
        received: z.iso.date().nullable().optional(),
        assigned: z.iso.date().nullable().optional(),
        decision: z.iso.date().nullable().optional(),
      })
      .strict()
      .optional(),
    receivedOn: z.iso.date().optional(),
    sameLetterAs: z.null().optional().describe('null: this document is not another form of the letter it was linked to; counted and listed on its own again'),
    reviewed: z.boolean().optional(),
    note: z.string().max(2000).optional(),
  })
  .strict();

/** A correction, as validated. */
export type Correction = z.infer<typeof CorrectionSchema>;

/** One changed value: where (`items[2].decision`), from what, to what. */
export interface Change {
  readonly path: string;
  readonly from: unknown;
  readonly to: unknown;
}

/** A correction that cannot apply to this Determination; `path` names the field. */
export class CorrectionError extends Error {
  override readonly name = 'CorrectionError';
  readonly code = 'INVALID_CORRECTION';
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(`${path}: ${message}`);
  }
}

/**
 * Applies a person's correction to a Determination: the corrected Determination (its outcome
 * recomputed from its items) and every value that changed. Pure; throws
 * {@link CorrectionError} naming the field for an index the letter does not have, an item
 * named twice or a subcategory outside its category. Values equal to the current ones are not changes.
 */
export function applyCorrection(determination: ClassifiedDetermination, correction: Correction): { determination: ClassifiedDetermination; changes: Change[] } {
  const changes: Change[] = [];
  const change = (path: string, from: unknown, to: unknown) => {
    if (JSON.stringify(from) !== JSON.stringify(to)) changes.push({ path, from, to });
  };
  const items = determination.items.map((item) => ({ ...item }));
  const named = new Set<number>();
  for (const [position, patch] of (correction.items ?? []).entries()) {
    const item = items[patch.index];
    if (!item) throw new CorrectionError(`items[${position}].index`, `the letter has ${items.length} items, numbered from 0`);
    // Two entries for one item would let the later silently undo the earlier (OVERTURNED, then UPHELD).
    if (named.has(patch.index)) throw new CorrectionError(`items[${position}].index`, `item ${patch.index} is named twice`);
    named.add(patch.index);
    const category = (patch.category ?? item.category) as Category;
    // A new category without a subcategory keeps none rather than one from another category.
    const subcategory =
      patch.subcategory !== undefined ? patch.subcategory : patch.category !== undefined && patch.category !== item.category ? null : item.subcategory;
    if (!isSubcategoryOf(category, subcategory))
      throw new CorrectionError(`items[${position}].subcategory`, `${subcategory} is not a subcategory of ${category}`);
    const at = `items[${patch.index}]`;
    if (patch.decision !== undefined) change(`${at}.decision`, item.decision, patch.decision);
    change(`${at}.category`, item.category, category);
    change(`${at}.subcategory`, item.subcategory, subcategory);
    if (patch.request !== undefined) change(`${at}.request`, item.request, patch.request);
    Object.assign(item, { decision: patch.decision ?? item.decision, category, subcategory, request: patch.request ?? item.request });
  }
  if (correction.caseNumber !== undefined) change('caseNumber', determination.caseNumber, correction.caseNumber);
  const dates = { ...determination.dates };
  for (const [field, value] of Object.entries(correction.dates ?? {}) as Array<[keyof typeof dates, string | null | undefined]>) {
    if (value === undefined) continue;
    change(`dates.${field}`, dates[field], value);
    dates[field] = value;
  }
  // The outcome follows the items; its change is recorded so the history shows what it meant.
  change('outcome', determination.outcome, outcomeOf(items));
  return {
    determination: {
      ...determination,
      caseNumber: correction.caseNumber !== undefined ? correction.caseNumber : determination.caseNumber,
      dates,
      items,
      outcome: outcomeOf(items),
    },
    changes,
  };
}
