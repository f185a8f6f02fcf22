import {
  ENGINE_VERSION,
  SCHEMA_VERSION,
  type ClassifiedDetermination,
  type Determination,
  type DisputedItem,
  type Flag,
  type Outcome,
} from './determination.ts';
import { layoutOf, type DocumentLayout, type LayoutLine } from './page-layout.ts';
import { receiptStampOf } from './receipt-stamp.ts';
import { normalizeText, contentLines, pageEvidence } from './normalize.ts';
import { parseLetter, type ParsedItem, type ParsedLetter } from './layouts/index.ts';
import { readLetterFacts, type LetterFacts } from './letter-facts.ts';
import { topicEvidence } from './guideline-topics.ts';
import { classifyRequest } from './classify.ts';
import { readTreatment } from './treatment.ts';
import { readCitations } from './citations.ts';
import { cutAfterVerdict, rationaleConclusion } from './conclusion.ts';

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
  /** Pages that arrived (PDF, TIFF, Textract); unknown for text. */
  readonly pageCount?: number;
  /**
   * OCR confidence of each page (null for a page read from its text layer), in the order of
   * the text's form-feed-separated pages. An item is as sure as the page its heading is on.
   */
  readonly pageConfidences?: ReadonlyArray<number | null>;
  /** What the reader found missing: pages it could not read, a file cut short. Each makes the letter INCOMPLETE. */
  readonly incomplete?: readonly string[];
  /**
   * Words holding a digit that the OCR engine itself was unsure of (its word confidence under
   * its own bar), as read. A quantity, strength or session count read through one of them
   * carries the doubt (a fax's "#60" read as "#40" is otherwise clean); a date or case number
   * in the header does when the engine was very unsure ({@link HEADER_FIELD_DOUBT}).
   */
  readonly doubtfulWords?: readonly DoubtfulWord[];
}

/** A word holding a digit that OCR read under its engine's bar, with the engine's confidence (0..1). */
export interface DoubtfulWord {
  readonly text: string;
  readonly confidence: number;
  /** The confidence (0..1) of its weakest character, where the engine gives one (tesseract does; Textract gives words only). */
  readonly weakest?: number;
  /**
   * The word with its neighbours on its line, as read (`1 PRESCRIPTION`, `5MG #60`): a request
   * takes the doubt only when it holds them too, so a "1" doubted in a list elsewhere on the
   * page does not doubt every request that starts with 1. Absent, the word alone is matched.
   */
  readonly context?: string;
}

/** A word with its neighbours on its line, as read: what ties a doubtful word to the request it is in. */
export function wordInContext(words: readonly string[], index: number): string {
  return words.slice(Math.max(0, index - 1), index + 2).join(' ');
}

/**
 * Confidence under which a header field's word is doubtful. Lower than a request's: the
 * header's values are read in a ruled table, and the remnants of its ruling beside a value
 * lower the whole word's confidence. Measured on faxes of the published decisions (standard and
 * fine): of 100 header dates and case numbers read right, 30 were under 0.70, 4 under 0.30 and
 * 1 under 0.25.
 */
export const HEADER_FIELD_DOUBT = 0.25;

/**
 * Character confidence under which a header value is doubtful, where the engine gives one:
 * read right, a fax's header values had every character at 0.99 or more even where the word
 * was under 0.50; the one misread among 97 faxes (10/15 read 10/18) had its 8 at 0.94.
 */
export const HEADER_CHARACTER_DOUBT = 0.97;

/** One page as an OCR service read it: its text, mean confidence (0..1) and doubtful words. */
export interface OcrPageReading {
  readonly text: string;
  readonly confidence: number | null;
  readonly doubtful?: readonly DoubtfulWord[];
  /** The page's lines with their boxes on the page, where the engine gives them. */
  readonly lines?: readonly LayoutLine[];
}

/**
 * A letter read page by page by an OCR service: its text, pages parted by form feeds, and what
 * the engine is told of the reading (mean and per-page confidence, doubtful words, page count),
 * and where its lines lie on the pages, when the engine said.
 */
export function ocrReading(pages: readonly OcrPageReading[]): { text: string; context: ReadingContext; layout?: DocumentLayout } {
  const layout = layoutOf(pages.map((page) => page.lines));
  const confidences = pages.map((page) => page.confidence).filter((value): value is number => value !== null);
  return {
    text: pages.map((page) => page.text).join('\n\f\n'),
    context: {
      ocrConfidence: confidences.length ? confidences.reduce((a, b) => a + b, 0) / confidences.length : undefined,
      pageCount: pages.length,
      pageConfidences: pages.map((page) => page.confidence),
      doubtfulWords: pages.flatMap((page) => page.doubtful ?? []),
    },
    ...(layout ? { layout } : {}),
  };
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
  const factor = (confidence: number | null | undefined) => (confidence === undefined || confidence === null ? 1 : Math.max(0, Math.min(1, confidence / 0.9)));
  const letterFactor = factor(context.ocrConfidence);
  const pageOf = itemPageConfidences(text, parsed.items, context.pageConfidences);
  const warnings = [...(context.warnings ?? [])];
  const unsure = unsureWords(context.doubtfulWords);
  const items = parsed.items.map((item, index) => {
    const page = pageOf[index];
    // The item's own page when it is known (one bad page of a good fax), the letter's mean otherwise.
    const ocrFactor = page === undefined ? letterFactor : Math.min(letterFactor + 0.05, factor(page));
    return readItem(item, ocrFactor, unsure, (note) => warnings.push(`item ${index + 1}: ${note}`));
  });
  const outcome = outcomeOf(items);
  const flags = new Set<Flag>(items.flatMap((item) => item.flags));
  if (parsed.listedItemCount !== null && parsed.listedItemCount !== items.length) {
    flags.add('ITEM_COUNT_MISMATCH');
    warnings.push(`the letter lists ${parsed.listedItemCount} disputed items but ${items.length} were read`);
  }
  const missing = [...(context.incomplete ?? []), ...missingFromLetter(text, parsed, items, context.pageCount)];
  if (missing.length > 0) {
    flags.add('INCOMPLETE');
    warnings.push(...missing.map((note) => `incomplete: ${note}`));
  }
  if (parsed.statedOutcome !== null && parsed.statedOutcome !== outcome) {
    flags.add('LOW_CONFIDENCE');
    warnings.push(`the letter states the outcome ${parsed.statedOutcome} but its items give ${outcome}`);
  }
  const facts = readLetterFacts(lines.join('\n'), text);
  const stamp = receiptStampOf(lines);
  const doubt = caseNumberDoubt(facts.caseNumber, facts.dates.assigned, facts.dates.received);
  if (doubt) {
    flags.add('LOW_CONFIDENCE');
    warnings.push(doubt);
  }
  for (const field of unsureFacts(facts, unsure)) {
    flags.add('LOW_CONFIDENCE');
    warnings.push(`the ${field} was read through characters OCR was unsure of: check it against the letter`);
  }
  const determination: ClassifiedDetermination = {
    schemaVersion: SCHEMA_VERSION,
    engineVersion: ENGINE_VERSION,
    status: 'CLASSIFIED',
    layout: parsed.layout,
    ...facts,
    outcome,
    items,
    flags: [...flags],
    warnings,
    ...(stamp ? { receiptStamp: stamp } : {}),
  };
  return determination;
}

/**
 * Why a case number read may be wrong, or null: its form is `CMyy-nnnnnnn` (seven digits), and
 * `yy` is the year the case was assigned. A digit misread by OCR shows as a form or year that
 * does not hold; the number is kept as read and flagged, never guessed at.
 */
function caseNumberDoubt(caseNumber: string | null, assigned: string | null, received: string | null): string | null {
  if (caseNumber === null) return null;
  const form = /^CM(\d{2})-(\d+)$/.exec(caseNumber);
  if (!form || form[2]!.length !== 7) return `the case number ${caseNumber} is not of the form CMyy-nnnnnnn: check it against the letter`;
  if (assigned === null) return null;
  // A case opened in December is often assigned in January or February (CM16-... assigned 2017-01-04, in the published decisions).
  const year = Number(assigned.slice(2, 4));
  const years = new Set([year, ...(Number(assigned.slice(5, 7)) <= 2 ? [year - 1] : []), ...(received ? [Number(received.slice(2, 4))] : [])]);
  if (!years.has(Number(form[1])))
    return `the case number ${caseNumber} names the year 20${form[1]} but the case was assigned on ${assigned}: check both against the letter`;
  return null;
}

/**
 * The OCR confidence of the page each item's request is printed on, where it can be found. A
 * request printed on several pages (the case summary may quote it) takes the worst of them:
 * a good page never vouches for an item on a bad one.
 */
function itemPageConfidences(raw: string, items: readonly ParsedItem[], confidences: ReadonlyArray<number | null> | undefined): Array<number | undefined> {
  if (!confidences || confidences.length < 2) return items.map(() => undefined);
  const pages = raw.split('\f').map((page) => page.replace(/\s+/g, ' '));
  if (pages.length !== confidences.length) return items.map(() => undefined);
  return items.map((item) => {
    const probe = item.request.replace(/\s+/g, ' ').slice(0, 24);
    if (probe.length < 6) return undefined;
    const found = pages.flatMap((page, index) => (page.includes(probe) ? [confidences[index] ?? 1] : []));
    return found.length > 0 ? Math.min(...found) : undefined;
  });
}

/**
 * What the letter itself shows is missing: pages its furniture numbers that did not arrive,
 * a heading with nothing after it, fewer items than it lists, a last rationale that stops
 * mid-sentence.
 */
function missingFromLetter(raw: string, parsed: ParsedLetter, items: readonly DisputedItem[], pageCount: number | undefined): string[] {
  const missing = [...(parsed.missing ?? [])];
  const pages = pageEvidence(raw);
  if (pages && pages.highestPage < pages.statedTotal && (pageCount === undefined || pageCount < pages.statedTotal)) {
    const first = pages.highestPage + 1;
    missing.push(
      `${first === pages.statedTotal ? `page ${first}` : `pages ${first}-${pages.statedTotal}`} of ${pages.statedTotal} did not arrive (the last page read is marked ${pages.highestPage} of ${pages.statedTotal})`,
    );
  }
  if (parsed.listedItemCount !== null && parsed.listedItemCount > items.length) {
    missing.push(`the letter lists ${parsed.listedItemCount} disputed items; ${parsed.listedItemCount - items.length} of them were not found`);
  }
  const last = items[items.length - 1];
  if (last && last.rationale.length === 0) missing.push(`the last item ("${last.request.slice(0, 60)}") has no rationale`);
  else if (last && !ENDS_SENTENCE.test(last.rationale)) missing.push(`the last item's rationale stops mid-sentence ("...${last.rationale.slice(-40)}")`);
  // Every rationale ends in its verdict; a last one that reaches none was cut between sentences.
  else if (last && last.medicallyNecessary === null) missing.push(`the last item's rationale stops before its conclusion ("...${last.rationale.slice(-40)}")`);
  return missing;
}

/** How a complete rationale ends: a sentence's end, perhaps inside quotes or brackets. */
const ENDS_SENTENCE = /[.!?]["')\]]?\s*$/;

/**
 * Numbers read through OCR junk: a digit against a letter OCR confuses with one (`1O`, `l0`),
 * or an unbalanced bracket against a digit (`#12(`). The number may be wrong.
 */
function doubtfulNumbers(request: string): string | null {
  const glued = /(?<![A-Za-z])[lIoO|]\d|\d[lIoO|](?![A-Za-z])/.exec(request);
  if (glued) return `"${glued[0]}" may be a misread number`;
  const opens = (request.match(/\(/g) ?? []).length;
  const closes = (request.match(/\)/g) ?? []).length;
  if (opens !== closes && /\d[()]|[()]\d/.test(request)) return 'a bracket against a number may be a misread digit';
  return null;
}

/** A word as compared for doubt: without the punctuation around it, lower case. */
export function wordKey(word: string): string {
  let start = 0;
  let end = word.length;
  while (start < end && !/[\w#$]/.test(word[start]!)) start++;
  while (end > start && !/[\w%]/.test(word[end - 1]!)) end--;
  return word.slice(start, end).toLowerCase();
}

/** The OCR engine's doubtful words holding a digit, keyed by {@link wordKey}: the lowest confidence each was read at, and the contexts it was read in. */
type UnsureWords = ReadonlyMap<string, { readonly inHeader: boolean; readonly contexts: ReadonlyArray<string | undefined> }>;

/** Whether a word doubted by OCR is doubtful as a header value: by its weakest character where the engine gives it, else by a very low word confidence. */
function doubtfulInHeader(word: DoubtfulWord): boolean {
  return word.weakest !== undefined ? word.weakest < HEADER_CHARACTER_DOUBT : word.confidence < HEADER_FIELD_DOUBT;
}

function unsureWords(words: readonly DoubtfulWord[] | undefined): UnsureWords {
  const unsure = new Map<string, { inHeader: boolean; contexts: Array<string | undefined> }>();
  for (const word of words ?? []) {
    const key = wordKey(word.text);
    if (!/\d/.test(key)) continue;
    const entry = unsure.get(key) ?? { inHeader: false, contexts: [] };
    entry.inHeader ||= doubtfulInHeader(word);
    entry.contexts.push(word.context);
    unsure.set(key, entry);
  }
  return unsure;
}

/** Text as compared for context: lower case, words without the punctuation around them. */
function squashed(text: string): string {
  return text.split(/\s+/).map(wordKey).filter(Boolean).join(' ');
}

/**
 * Whether `text` (squashed) holds the doubtful word where OCR read it: between the same
 * neighbours it had on its line, or ending at it (a heading's line goes on with its decision,
 * `5MG #60: Upheld`); beside its one neighbour at a line's start or end; anywhere when it stood
 * alone or its context is unknown.
 */
function standsIn(whole: string, key: string, context: string | undefined): boolean {
  if (context === undefined) return true;
  const words = squashed(context).split(' ');
  const at = words.indexOf(key);
  if (at < 0) return true;
  const before = at > 0 ? words[at - 1] : undefined;
  const after = at < words.length - 1 ? words[at + 1] : undefined;
  const padded = ` ${whole} `;
  if (before !== undefined && after !== undefined) return padded.includes(` ${before} ${key} ${after} `) || padded.endsWith(` ${before} ${key} `);
  if (before !== undefined) return padded.includes(` ${before} ${key} `);
  if (after !== undefined) return padded.includes(` ${key} ${after} `);
  return true;
}

/** The words of `text` holding a digit that OCR was unsure of where they stand in `text`, as printed. */
function unsureIn(text: string, unsure: UnsureWords): string[] {
  if (unsure.size === 0) return [];
  const whole = squashed(text);
  return text.split(/\s+/).filter((word) => {
    const key = wordKey(word);
    const entry = /\d/.test(word) ? unsure.get(key) : undefined;
    return entry !== undefined && entry.contexts.some((context) => standsIn(whole, key, context));
  });
}

/** A day as letters print it in figures: 03/05/2016, 3/5/2016, 03/05/16. */
function dayInFigures(iso: string): string[] {
  const [year, month, day] = iso.split('-');
  if (!year || !month || !day) return [];
  return [`${month}/${day}/${year}`, `${Number(month)}/${Number(day)}/${year}`, `${month}/${day}/${year.slice(2)}`].map((form) => form.toLowerCase());
}

/** The header fields read through a word OCR was very unsure of: the case number and the dates printed in figures. */
function unsureFacts(facts: LetterFacts, unsure: UnsureWords): string[] {
  const veryUnsure = [...unsure].filter(([, entry]) => entry.inHeader).map(([word]) => word);
  if (veryUnsure.length === 0) return [];
  const fields: string[] = [];
  const caseNumber = facts.caseNumber?.toLowerCase();
  if (caseNumber && veryUnsure.some((word) => word.includes(caseNumber) || (word.length >= 6 && caseNumber.includes(word)))) fields.push('case number');
  for (const [name, iso] of Object.entries(facts.dates) as Array<[keyof LetterFacts['dates'], string | null]>) {
    if (iso !== null && dayInFigures(iso).some((form) => veryUnsure.includes(form))) fields.push(DATE_NAMES[name]);
  }
  return fields;
}

/** The header's dates as a reader names them. */
const DATE_NAMES: Readonly<Record<keyof LetterFacts['dates'], string>> = {
  injury: 'date of injury',
  urDecision: 'UR decision date',
  received: 'date the application was received',
  assigned: 'date assigned',
  decision: 'decision date',
};

/** How a category is named in a reader's note. */
function categoryWords(category: string): string {
  return category.toLowerCase().replace(/_/g, ' ');
}

/**
 * Longest rationale kept as read: real ones run 150 to 4,200 characters (the 207 items of the 97
 * published letters). One far longer has run on past its letter, mostly a file of records filed
 * with it; kept whole, every list holding the letter carried megabytes.
 */
export const RATIONALE_MAX_CHARS = 20_000;

function readItem(parsed: ParsedItem, ocrFactor: number, unsure: UnsureWords, note: (text: string) => void): DisputedItem {
  const reviewerCitations = parsed.reviewerGuideline ? readCitations(parsed.reviewerGuideline) : [];
  const topics = topicEvidence(reviewerCitations.map((citation) => citation.topic));
  const fromRequest = classifyRequest(parsed.request);
  // The request's words place the item; where they cannot, the topic of the guideline the reviewer cited may.
  const treatmentClass = !fromRequest.identified && topics.places ? { ...fromRequest, classification: topics.places, identified: true } : fromRequest;
  const runsOn = parsed.rationale.length > RATIONALE_MAX_CHARS;
  const rationale = runsOn ? cutAfterVerdict(parsed.rationale, RATIONALE_MAX_CHARS) : parsed.rationale;
  const medicallyNecessary = rationaleConclusion(rationale);
  const flags: Flag[] = [];
  let confidence = 1;
  if (runsOn) {
    // Where the letter ends is a guess: a person checks it.
    confidence = Math.min(confidence, 0.5);
    note(
      `its rationale ran on for ${parsed.rationale.length.toLocaleString('en-US')} characters (a letter's run under 5,000): it was cut after its last conclusion in the first ${RATIONALE_MAX_CHARS.toLocaleString('en-US')}; what followed (records filed with the letter?) is in the document's text, not in the rationale`,
    );
  }
  if (!parsed.decisionExact) confidence -= 0.15;
  if (parsed.headingRead === false) {
    // No heading was read: the decision is the rationale's conclusion, and the request a guess.
    confidence = Math.min(confidence, 0.4);
    note('its heading was not read; the decision is taken from the rationale and must be checked');
  }
  if (parsed.requestRepaired) {
    confidence -= 0.35;
    note('its heading was merged with the text above it; the request was cut out of it and must be checked');
  }
  if (parsed.conflict) {
    confidence = Math.min(confidence, 0.5);
    note(`${parsed.conflict}; a person must decide`);
  }
  const doubt = doubtfulNumbers(parsed.request);
  if (doubt) {
    confidence -= 0.35;
    note(`${doubt} in the request`);
  }
  // A number is the point of a request (#60, 8 sessions): one OCR was unsure of is checked by a person.
  const unsureNumbers = unsureIn(parsed.request, unsure);
  if (unsureNumbers.length > 0) {
    confidence = Math.min(confidence, 0.6);
    note(
      `${unsureNumbers.map((word) => `"${word}"`).join(', ')} in the request ${unsureNumbers.length > 1 ? 'were' : 'was'} read through characters OCR was unsure of: check the number against the page`,
    );
  }
  if (rationale.length === 0) confidence -= 0.3;
  else if (medicallyNecessary === null) confidence -= 0.05;
  if (!parsed.reviewerGuideline) confidence -= 0.05;
  if (treatmentClass.corrected) confidence -= 0.05;
  if (treatmentClass !== fromRequest) {
    // Placed by the cited guideline alone: a person confirms it until the topic table has been measured on more letters.
    confidence = Math.min(confidence, 0.6);
    note(
      `classed ${categoryWords(treatmentClass.classification.category)} by the guideline the reviewer cited ("${topics.topics[0]}"); the request's words name no known treatment`,
    );
  } else if (fromRequest.identified && topics.categories.size > 0 && !topics.categories.has(fromRequest.classification.category)) {
    // The request's words and the reviewer's guideline disagree on the kind of treatment: one of them was misread.
    confidence = Math.min(confidence, 0.6);
    note(
      `classed ${categoryWords(fromRequest.classification.category)} from the request, but the guideline the reviewer cited ("${topics.topics[0]}") is about ${[...topics.categories].map(categoryWords).join(' or ')}: check the category`,
    );
  }
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
      reviewer: reviewerCitations,
    },
    originalRequest: parsed.originalRequest ?? null,
    authorized: parsed.authorized ?? null,
    rationale,
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
