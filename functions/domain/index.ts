/**
 * The letter engine: pure TypeScript, text in, Determination out. No I/O, no clock, no
 * environment, no AWS.
 */
export * from './determination.ts';
export * from './taxonomy.ts';
export { needsReview, needsReviewOf, counterDeltas, replacementDeltas, deadlineView, withReason, type CounterDelta } from './projection.ts';
export { rationaleConclusions, type RationaleConclusion } from './conclusion.ts';
export { readingContext, type DocumentKind, type DocumentText } from './document-text.ts';
export {
  classifyLetter,
  readableText,
  outcomeOf,
  ocrReading,
  wordInContext,
  LOW_CONFIDENCE_THRESHOLD,
  HEADER_FIELD_DOUBT,
  type ReadingContext,
  type OcrPageReading,
  type DoubtfulWord,
} from './engine.ts';
export { normalizeText, PAGE_BREAK } from './normalize.ts';
export {
  layoutFrom,
  layoutOf,
  lineInFractions,
  lineInPixels,
  pageLines,
  parseLayout,
  LAYOUT_LIMITS,
  type DocumentLayout,
  type LayoutLine,
  type LineBox,
} from './page-layout.ts';
export { applyCorrection, CorrectionError, CorrectionSchema, type Change, type Correction } from './correction.ts';
export { classifyRequest, type TreatmentClass } from './classify.ts';
export {
  DEADLINE_KINDS,
  asOf,
  LATE_RECEIPT_DAYS,
  DeadlineSchema,
  deadlinesOf,
  earliestDue,
  receivedOnOf,
  addWorkingDays,
  addDays,
  isWorkingDay,
  californiaStateHolidays,
  type Deadline,
} from './deadlines.ts';
export { letterFingerprint, compareLetters } from './same-letter.ts';
export { classifyDocument, splitDocument, type DocumentSplit, type LetterPart, type LetterReading, type PageReading, type PageRole } from './stack.ts';
export {
  SEARCH_LIMITS,
  PREFIX_MATCH,
  STOP_WORDS,
  SearchQueryError,
  compareMatches,
  expansionsOf,
  foldForSearch,
  indexedWords,
  letterSearchTerms,
  matchWeight,
  matchWindow,
  rankingBasis,
  matchesTerm,
  pageOfMatches,
  parseSearchQuery,
  searchFingerprint,
  searchPage,
  searchPositionOf,
  termRarity,
  type PostingReader,
  type SearchAfter,
  type SearchMatch,
  type RankingBasis,
  type SearchPosition,
  type SearchQueryErrorCode,
  type SearchTerm,
  type SearchableLetter,
} from './search.ts';
