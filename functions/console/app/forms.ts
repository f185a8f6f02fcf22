/**
 * Forms of one letter in the queue (issue 23): a letter received again in another form (a fax
 * of a letter first received as text) is shown right under the first form, not as a row of its
 * own somewhere else in the list.
 */

/** What the grouping needs of a row. */
export interface LetterForm {
  readonly id: string;
  /** The first form received of this letter, when this row is another form of it. */
  readonly sameLetterAs?: string;
}

/**
 * The rows in the same order, except that each other form of a letter follows its first form
 * (in the order they came), when that first form is among the rows; `under` names the rows so
 * placed. A form whose first form is not among the rows (filtered out, or not loaded yet) stays
 * where it was.
 */
export function groupForms<T extends LetterForm>(rows: readonly T[]): { rows: T[]; under: ReadonlySet<string> } {
  const present = new Set(rows.map((row) => row.id));
  const formsOf = new Map<string, T[]>();
  for (const row of rows) {
    if (!row.sameLetterAs || !present.has(row.sameLetterAs) || row.sameLetterAs === row.id) continue;
    formsOf.set(row.sameLetterAs, [...(formsOf.get(row.sameLetterAs) ?? []), row]);
  }
  const under = new Set([...formsOf.values()].flat().map((row) => row.id));
  const ordered: T[] = [];
  for (const row of rows) {
    if (under.has(row.id)) continue;
    ordered.push(row, ...(formsOf.get(row.id) ?? []));
  }
  return { rows: ordered, under };
}
