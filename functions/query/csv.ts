import { stringify } from 'csv-stringify/sync';
import type { StoredDetermination, StoredItem } from '../service/ports.ts';

/** A cell a spreadsheet would run as a formula (`=`, `+`, `-`, `@`) is prefixed with a quote. */
function cell(value: unknown): string {
  const text = value === null || value === undefined ? '' : Array.isArray(value) ? value.join('; ') : String(value);
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}

function table(header: string[], rows: unknown[][]): string {
  return stringify([header, ...rows.map((row) => row.map(cell))], { record_delimiter: 'windows' });
}

/** One row per disputed item of a Determination, for spreadsheet users. */
export function determinationCsv(determination: StoredDetermination): string {
  const header = ['id', 'caseNumber', 'receivedAt', 'outcome', 'item', 'request', 'decision', 'medicallyNecessary', 'category', 'subcategory', 'generic', 'strength', 'quantity', 'frequency', 'sessions', 'bodyPart', 'confidence', 'flags'];
  if (determination.status !== 'CLASSIFIED') return table(header, []);
  return table(
    header,
    determination.items.map((item, i) => [
      determination.id,
      determination.caseNumber,
      determination.receivedAt,
      determination.outcome,
      i + 1,
      item.request,
      item.decision,
      item.medicallyNecessary,
      item.category,
      item.subcategory,
      item.treatment.generic,
      item.treatment.strength,
      item.treatment.quantity,
      item.treatment.frequency,
      item.treatment.sessions,
      item.treatment.bodyPart,
      item.confidence,
      item.flags,
    ]),
  );
}

/** One row per listed item. */
export function itemsCsv(items: readonly StoredItem[]): string {
  return table(
    ['documentId', 'item', 'receivedAt', 'caseNumber', 'request', 'decision', 'category', 'subcategory', 'needsReview'],
    items.map((item) => [item.documentId, item.itemNumber, item.receivedAt, item.caseNumber, item.request, item.decision, item.category, item.subcategory, item.needsReview]),
  );
}
