import type { DoubtfulWord, ReadingContext } from './engine.ts';
import type { DocumentLayout } from './page-layout.ts';

/** What a document's bytes are, by their first bytes (see the reader's `sniffKind`). */
export type DocumentKind = 'text' | 'pdf' | 'tiff' | 'png' | 'jpeg' | 'textract-json' | 'binary';

/** A document's text and how it was obtained. */
export interface DocumentText {
  readonly kind: DocumentKind;
  readonly text: string;
  readonly pageCount: number;
  /** Pages read by OCR (the rest had a text layer or were text). */
  readonly ocrPages: number;
  /** Mean OCR confidence 0..1 over the document, when any of it came from OCR. */
  readonly ocrConfidence?: number;
  /** The OCR engine used, when one was. */
  readonly engine?: string;
  /** Notes about the reading (low-confidence pages and such). */
  readonly warnings: string[];
  /** What is missing from the document as it arrived: a file cut short, a page that could not be read. */
  readonly incomplete?: string[];
  /** Each page's OCR confidence, null for a page read from its text layer; pages as the text's form feeds part them. */
  readonly pageConfidences?: Array<number | null>;
  /** Words holding a digit that the OCR engine was unsure of, as read (see `ReadingContext.doubtfulWords`). */
  readonly doubtfulWords?: DoubtfulWord[];
  /** Where each page's lines lie on its image, for pages read by OCR that gave boxes; absent when none did. */
  readonly layout?: DocumentLayout;
}

/** What the letter engine is told about how a document was read. */
export function readingContext(document: DocumentText): ReadingContext {
  return {
    ocrConfidence: document.ocrConfidence,
    warnings: document.warnings,
    pageCount: document.kind === 'text' ? undefined : document.pageCount,
    incomplete: document.incomplete,
    pageConfidences: document.pageConfidences,
    doubtfulWords: document.doubtfulWords,
  };
}
