import {
  ENGINE_VERSION,
  SCHEMA_VERSION,
  type ClassifiedDetermination,
  type Determination,
  type DisputedItem,
  type Flag,
  type Outcome,
} from './determination.ts';
import { normalizeText, contentLines } from './normalize.ts';
import { parseLetter, type ParsedItem } from './layouts.ts';
import { readLetterFacts } from './letter-facts.ts';
import { classifyRequest } from './classify.ts';
import { readTreatment } from './treatment.ts';
import { readCitations } from './citations.ts';
import { rationaleConclusion } from './conclusion.ts';

/** Item confidence under which an item (and its letter) is flagged LOW_CONFIDENCE. */
export const LOW_CONFIDENCE_THRESHOLD = 0.7;

/** What the reader of the letter knows about how its text was obtained. */
export interface ReadingContext {
  /**
   * Mean OCR confidence of the pages (0..1); omitted for text read directly. Scales every
   * item's confidence.
   */
  readonly ocrConfidence?: number;
  /** Notes from reading the document (e.g. "page 3 OCR confidence 41%"), copied to `warnings`. */
  readonly warnings?: readonly string[];
}

/**
 * Reads a letter's text into its Determination: normalisation, layout detection, parsing,
 * classification and consistency checks. Pure: the same text always gives the same result.
 */
export function classifyLetter(text: string, context: ReadingContext = {}): Determination {
  const normalized = normalizeText(text);
  const lines = contentLines(normalized);
  const parsed = parseLetter(lines);
  if ('reason' in parsed) {
    return { schemaVersion: SCHEMA_VERSION, engineVersion: ENGINE_VERSION, status: 'UNRECOGNIZED', reason: parsed.reason };
  }
  const ocrFactor = context.ocrConfidence === undefined ? 1 : Math.max(0, Math.min(1, context.ocrConfidence / 0.9));
  const items = parsed.items.map((item) => readItem(item, ocrFactor));
  const outcome = outcomeOf(items);
  const warnings = [...(context.warnings ?? [])];
  const flags = new Set<Flag>(items.flatMap((item) => item.flags));
  if (parsed.listedItemCount !== null && parsed.listedItemCount !== items.length) {
    flags.add('ITEM_COUNT_MISMATCH');
    warnings.push(`the letter lists ${parsed.listedItemCount} disputed items but ${items.length} were read`);
  }
  if (parsed.statedOutcome !== null && parsed.statedOutcome !== outcome) {
    flags.add('LOW_CONFIDENCE');
    warnings.push(`the letter states the outcome ${parsed.statedOutcome} but its items give ${outcome}`);
  }
  const determination: ClassifiedDetermination = {
    schemaVersion: SCHEMA_VERSION,
    engineVersion: ENGINE_VERSION,
    status: 'CLASSIFIED',
    layout: parsed.layout,
    ...readLetterFacts(lines.join('\n'), text),
    outcome,
    items,
    flags: [...flags],
    warnings,
  };
  return determination;
}

function readItem(parsed: ParsedItem, ocrFactor: number): DisputedItem {
  const treatmentClass = classifyRequest(parsed.request);
  const medicallyNecessary = rationaleConclusion(parsed.rationale);
  const flags: Flag[] = [];
  let confidence = 1;
  if (!parsed.decisionExact) confidence -= 0.15;
  if (parsed.rationale.length === 0) confidence -= 0.3;
  else if (medicallyNecessary === null) confidence -= 0.05;
  if (!parsed.reviewerGuideline) confidence -= 0.05;
  if (treatmentClass.corrected) confidence -= 0.05;
  if (!treatmentClass.identified) {
    flags.push('UNKNOWN_TREATMENT');
    confidence -= 0.2;
  }
  if (medicallyNecessary !== null && medicallyNecessary !== (parsed.decision === 'OVERTURNED')) {
    flags.push('DECISION_CONFLICTS_WITH_RATIONALE');
  }
  confidence = Math.round(Math.max(0, confidence * ocrFactor) * 100) / 100;
  if (confidence < LOW_CONFIDENCE_THRESHOLD) flags.push('LOW_CONFIDENCE');
  return {
    request: parsed.request,
    decision: parsed.decision,
    medicallyNecessary,
    category: treatmentClass.classification.category,
    subcategory: treatmentClass.classification.subcategory,
    treatment: readTreatment(parsed.request, treatmentClass.name, treatmentClass.generic),
    guidelines: {
      claimsAdministrator: parsed.claimsAdministratorGuideline ? readCitations(parsed.claimsAdministratorGuideline) : [],
      reviewer: parsed.reviewerGuideline ? readCitations(parsed.reviewerGuideline) : [],
    },
    rationale: parsed.rationale,
    flags,
    confidence,
  };
}

/** The overall outcome of a letter's items. */
export function outcomeOf(items: ReadonlyArray<Pick<DisputedItem, 'decision'>>): Outcome {
  const overturned = items.filter((item) => item.decision === 'OVERTURNED').length;
  if (overturned === 0) return 'UPHELD';
  return overturned === items.length ? 'OVERTURNED' : 'PARTIALLY_OVERTURNED';
}

/** The text the parser reads: the normalised letter, page breaks as form feeds. */
export function readableText(text: string): string {
  return normalizeText(text);
}
