/**
 * A receipt stamp on a letter ("RECEIVED DEC 03 2014", as a firm's mail room stamps paper):
 * evidence of the day the letter was received, beside the day the service received the file.
 * Only a stamp: the word RECEIVED in capitals with a date in a month's name, on its own line
 * or the next; never the header table's "Application Received: 01/29/2015", which is the
 * IMR application's date.
 */

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
/** A stamp's date: `DEC 03 2014`, `DEC 3, 2014`, `DECEMBER 03 2014`, `03 DEC 2014`. */
const STAMP_DATE = /\b(?:([A-Z]{3})[A-Z]{0,6}\.?[ \t]{0,3}(\d{1,2}),?[ \t]{1,3}(\d{4})|(\d{1,2})[ \t]{1,3}([A-Z]{3})[A-Z]{0,6}\.?,?[ \t]{1,3}(\d{4}))\b/;
/** The stamp's word: in capitals, not a label of the header table. */
const STAMP_WORD = /(?:^|[^A-Za-z])RECEIVED(?![a-z])/;

/** The ISO day of a stamp's date, or null when it is not a calendar date. */
function isoDay(month: string, day: string, year: string): string | null {
  const index = MONTHS.indexOf(month.toUpperCase());
  const d = Number(day);
  const y = Number(year);
  if (index < 0 || d < 1 || d > 31 || y < 2000 || y > 2100) return null;
  const date = new Date(Date.UTC(y, index, d));
  if (date.getUTCDate() !== d) return null;
  return date.toISOString().slice(0, 10);
}

/** The day a receipt stamp on the letter gives, or null when the letter bears none. */
export function receiptStampOf(lines: readonly string[]): string | null {
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (!STAMP_WORD.test(line) || /application/i.test(line)) continue;
    // The date on the stamp's line, after the word, or on the line under it.
    for (const candidate of [line.slice(line.indexOf('RECEIVED') + 'RECEIVED'.length), lines[i + 1] ?? '']) {
      const match = STAMP_DATE.exec(candidate.toUpperCase());
      if (!match) continue;
      const day = match[1] ? isoDay(match[1], match[2]!, match[3]!) : isoDay(match[5]!, match[4]!, match[6]!);
      if (day) return day;
    }
  }
  return null;
}
