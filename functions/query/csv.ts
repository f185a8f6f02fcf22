import { stringify } from 'csv-stringify/sync';
import type { Deadline } from '../domain/index.ts';
import type { StoredDetermination, StoredItem } from '../service/ports.ts';
import { fileNamesOf } from '../common/source-keys.ts';

/**
 * CSV for spreadsheets: UTF-8 with a byte-order mark and CRLF line ends, so Excel opens names
 * with accents and line breaks in cells as they are; a cell a spreadsheet would run as a
 * formula (`=`, `+`, `-`, `@`) is prefixed with a quote.
 */
function cell(value: unknown): string {
  const text = value === null || value === undefined ? '' : Array.isArray(value) ? value.join('; ') : String(value);
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}

/** The byte-order mark Excel needs to read a CSV file as UTF-8. */
export const CSV_BOM = '\ufeff';

/** Rows as CSV text, the header first when asked (a whole export renders page after page). */
export function csvRows(header: readonly string[] | null, rows: unknown[][]): string {
  return stringify([...(header ? [header] : []), ...rows.map((row) => row.map(cell))], { record_delimiter: 'windows' });
}

function due(deadlines: readonly Deadline[], kind: Deadline['kind'], item?: number): string | null {
  const deadline = deadlines.find((candidate) => candidate.kind === kind);
  if (!deadline) return null;
  return item === undefined || kind === 'APPEAL' || deadline.items.includes(item) ? deadline.due : null;
}

/** Columns of the letters export: one row per letter. */
export const DETERMINATION_COLUMNS = [
  'file',
  'sourceKeys',
  'id',
  'status',
  'caseNumber',
  'receivedAt',
  'receivedOn',
  'decided',
  'outcome',
  'items',
  'overturned',
  'needsReview',
  'reviewedBy',
  'reviewedAt',
  'revision',
  'authorizeBy',
  'reimburseBy',
  'appealBy',
  'sameLetterAs',
] as const;

/** One row per letter. */
export function determinationRows(determinations: readonly StoredDetermination[]): unknown[][] {
  return determinations.map((determination) => {
    const classified = determination.status === 'CLASSIFIED' ? determination : null;
    return [
      fileNamesOf(determination.sourceKeys),
      determination.sourceKeys,
      determination.id,
      determination.status,
      classified?.caseNumber,
      determination.receivedAt,
      determination.receivedOn,
      classified?.dates.decision,
      classified?.outcome,
      classified?.items.length,
      classified?.items.filter((item) => item.decision === 'OVERTURNED').length,
      determination.needsReview,
      determination.reviewedBy,
      determination.reviewedAt,
      determination.revision,
      due(determination.deadlines, 'AUTHORIZE'),
      due(determination.deadlines, 'REIMBURSE'),
      due(determination.deadlines, 'APPEAL'),
      determination.sameLetterAs,
    ];
  });
}

/** Columns of the items exports: one row per disputed item. */
export const ITEM_COLUMNS = [
  'file',
  'sourceKeys',
  'documentId',
  'item',
  'caseNumber',
  'receivedAt',
  'receivedOn',
  'decided',
  'request',
  'decision',
  'category',
  'subcategory',
  'needsReview',
  'authorizeBy',
  'reimburseBy',
  'appealBy',
] as const;

/** One row per listed item, with its letter's files, dates and deadlines (`letters` by document id). */
export function itemRows(items: readonly StoredItem[], letters: ReadonlyMap<string, StoredDetermination | null>): unknown[][] {
  return items.map((item) => {
    const letter = letters.get(item.documentId) ?? null;
    const index = item.itemNumber - 1;
    const deadlines = letter?.deadlines ?? [];
    return [
      fileNamesOf(letter?.sourceKeys ?? []),
      letter?.sourceKeys ?? [],
      item.documentId,
      item.itemNumber,
      item.caseNumber,
      item.receivedAt,
      letter?.receivedOn,
      letter?.status === 'CLASSIFIED' ? letter.dates.decision : null,
      item.request,
      item.decision,
      item.category,
      item.subcategory,
      item.needsReview,
      due(deadlines, 'AUTHORIZE', index),
      due(deadlines, 'REIMBURSE', index),
      due(deadlines, 'APPEAL', index),
    ];
  });
}

/** One row per disputed item of one Determination (`GET /determinations/{id}?format=csv`). */
export function determinationItemsCsv(determination: StoredDetermination): string {
  const items: StoredItem[] =
    determination.status === 'CLASSIFIED'
      ? determination.items.map((item, index) => ({
          documentId: determination.id,
          itemNumber: index + 1,
          receivedAt: determination.receivedAt,
          caseNumber: determination.caseNumber,
          request: item.request,
          decision: item.decision,
          category: item.category,
          subcategory: item.subcategory,
          needsReview: item.flags.length > 0,
          links: { determination: `/determinations/${determination.id}` },
        }))
      : [];
  return CSV_BOM + csvRows(ITEM_COLUMNS, itemRows(items, new Map([[determination.id, determination]])));
}
