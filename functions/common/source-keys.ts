/**
 * The file name a source key ends with (`imr-inbox/2026/fax 12.pdf` -> `fax 12.pdf`), the key
 * itself when it ends in a slash. Pure: the API, the exports, the calendar and the console name
 * a letter's file the same way.
 */
export function fileNameOf(sourceKey: string): string {
  return sourceKey.slice(sourceKey.lastIndexOf('/') + 1) || sourceKey;
}
