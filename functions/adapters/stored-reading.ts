import { layoutFrom, type DocumentLayout, type DoubtfulWord, type ReadingContext } from '../domain/index.ts';
import type { StoredReading } from '../service/ports.ts';
import { StoredReadingCorruptError } from './errors.ts';

/**
 * How a reading is kept, wherever it is kept (an object in S3's text bucket, a value in the
 * embedded store): one JSON document, the text and what the reader knew of it, and where its
 * lines lie on its pages when OCR or a text layer gave boxes. Written at once, never a text
 * without its context.
 */
export function readingJson(reading: StoredReading): string {
  return JSON.stringify({ text: reading.text, context: reading.context, ...(reading.layout ? { layout: reading.layout } : {}) });
}

/**
 * A stored reading context, as the service wrote it; anything else in the object (it was
 * edited, or written by another version) is left out rather than trusted: only the fields of
 * the right types are kept.
 */
export function readingContextOf(json: string): ReadingContext {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return {};
  }
  if (typeof value !== 'object' || value === null) return {};
  const stored = value as Record<string, unknown>;
  const strings = (field: unknown) => (Array.isArray(field) && field.every((entry) => typeof entry === 'string') ? (field as string[]) : undefined);
  const doubtful =
    Array.isArray(stored.doubtfulWords) &&
    stored.doubtfulWords.every(
      (word) =>
        typeof word === 'object' && word !== null && typeof (word as DoubtfulWord).text === 'string' && typeof (word as DoubtfulWord).confidence === 'number',
    )
      ? (stored.doubtfulWords as DoubtfulWord[])
      : undefined;
  const confidences =
    Array.isArray(stored.pageConfidences) && stored.pageConfidences.every((entry) => entry === null || typeof entry === 'number')
      ? (stored.pageConfidences as Array<number | null>)
      : undefined;
  return {
    ...(typeof stored.ocrConfidence === 'number' ? { ocrConfidence: stored.ocrConfidence } : {}),
    ...(typeof stored.pageCount === 'number' ? { pageCount: stored.pageCount } : {}),
    ...(confidences ? { pageConfidences: confidences } : {}),
    ...(strings(stored.warnings) ? { warnings: strings(stored.warnings) } : {}),
    ...(strings(stored.incomplete) ? { incomplete: strings(stored.incomplete) } : {}),
    ...(doubtful ? { doubtfulWords: doubtful } : {}),
  };
}

/**
 * A stored reading, from its JSON. One that is not what this service writes (edited by hand, cut
 * short) is reported as broken ({@link StoredReadingCorruptError}), never read as an empty letter.
 */
export function readingFromJson(json: string): { text: string; context: ReadingContext | null } {
  const stored = storedOf(json);
  return { text: stored.text, context: stored.context === null || stored.context === undefined ? null : readingContextOf(JSON.stringify(stored.context)) };
}

/** The text alone of a stored reading, checked as {@link readingFromJson} checks it (the search indexer's read: its context is not needed). */
export function textFromJson(json: string): string {
  return storedOf(json).text;
}

function storedOf(json: string): { text: string; context?: unknown } {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (error) {
    throw new StoredReadingCorruptError({ cause: error });
  }
  const stored = value as { text?: unknown; context?: unknown } | null;
  if (typeof stored !== 'object' || stored === null || typeof stored.text !== 'string') throw new StoredReadingCorruptError();
  return stored as { text: string; context?: unknown };
}

/** The line boxes of a stored reading; null when it kept none (a reading from an earlier version) or they are not of their shape (left out, not trusted). */
export function layoutFromJson(json: string): DocumentLayout | null {
  try {
    return layoutFrom((JSON.parse(json) as { layout?: unknown } | null)?.layout);
  } catch {
    return null;
  }
}
