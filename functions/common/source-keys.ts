/**
 * The file name a source key ends with (`imr-inbox/2026/fax 12.pdf` -> `fax 12.pdf`), the key
 * itself when it ends in a slash. Pure: the API, the exports, the calendar and the console name
 * a letter's file the same way.
 */
export function fileNameOf(sourceKey: string): string {
  return sourceKey.slice(sourceKey.lastIndexOf('/') + 1) || sourceKey;
}

/** The distinct file names of a document's keys, in order: what a person knows the document by (the keys say where it lies). */
export function fileNamesOf(sourceKeys: readonly string[]): string[] {
  return [...new Set(sourceKeys.map(fileNameOf))];
}
