/**
 * Treatment taxonomy, version 1 (spec section 3): the broad categories the DWC and CWCI
 * use in their IMR reports, each with its subcategories.
 */
export const TAXONOMY = {
  PHARMACEUTICAL: [
    'OPIOID',
    'MUSCLE_RELAXANT',
    'NSAID',
    'ANTICONVULSANT',
    'ANTIDEPRESSANT',
    'BENZODIAZEPINE',
    'SLEEP_AID',
    'TOPICAL_ANALGESIC',
    'COMPOUND',
    'GASTROINTESTINAL',
    'MEDICAL_FOOD',
    'OTHER',
  ],
  REHABILITATION: ['PHYSICAL_THERAPY', 'OCCUPATIONAL_THERAPY', 'AQUATIC_THERAPY', 'CHIROPRACTIC', 'ACUPUNCTURE', 'MASSAGE', 'OTHER'],
  INJECTION: ['EPIDURAL', 'TRIGGER_POINT', 'FACET', 'JOINT', 'NERVE_BLOCK', 'OTHER'],
  SURGERY: ['SPINE', 'JOINT', 'OTHER'],
  DIAGNOSTIC_TESTING: ['IMAGING', 'ELECTRODIAGNOSTIC', 'LAB', 'OTHER'],
  DMEPOS: ['TENS', 'BRACE', 'OTHER'],
  EVALUATION_AND_MANAGEMENT: ['CONSULTATION', 'FOLLOW_UP', 'OTHER'],
  BEHAVIORAL_HEALTH: ['PSYCHOTHERAPY', 'EVALUATION', 'OTHER'],
  PROGRAM: ['FUNCTIONAL_RESTORATION', 'WORK_CONDITIONING', 'WEIGHT_LOSS', 'OTHER'],
  HOME_HEALTH: [],
  OTHER: [],
} as const satisfies Record<string, readonly string[]>;

/** A top-level treatment category. */
export type Category = keyof typeof TAXONOMY;

/** Every subcategory of every category (the same name may appear under several). */
export type Subcategory = (typeof TAXONOMY)[Category][number];

/** A category paired with one of its own subcategories (null where it has none). */
export type Classification = {
  [C in Category]: { category: C; subcategory: (typeof TAXONOMY)[C][number] | null };
}[Category];

/** The category names, in taxonomy order. */
export const CATEGORIES = Object.keys(TAXONOMY) as Category[];

/** Every distinct subcategory name, in taxonomy order. */
export const SUBCATEGORIES = [...new Set(Object.values(TAXONOMY).flat())] as Subcategory[];

/** Pharmaceutical subcategories, by which the drug lexicon classes each ingredient. */
export type DrugClass = (typeof TAXONOMY)['PHARMACEUTICAL'][number];

/** Whether `subcategory` belongs to `category` in the taxonomy. */
export function isSubcategoryOf(category: Category, subcategory: string | null): boolean {
  if (subcategory === null) return true;
  return (TAXONOMY[category] as readonly string[]).includes(subcategory);
}
