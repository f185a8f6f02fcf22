/**
 * Text normalisation: turns the text of a letter as it arrives (published PDF text, OCR,
 * Textract, CRLF, fax banners, page furniture) into clean lines the parser can read.
 * Pure: string in, string out.
 */

/** Marks a page break inside normalised text (a form feed, as `pdftotext` writes). */
export const PAGE_BREAK = '\f';

const FAX_BANNER = [
  // JAN-28-2015 10:41 FROM:MAXIMUS TO:5551234 P.2/6
  /^\s*[A-Z]{3}[-\s]\d{1,2}[-\s]\d{2,4}\s+\d{1,2}:\d{2}.*P\s*(?:\.\s*)?\d+\s*\/\s*\d+(?:\s+\S{1,3}){0,6}\s*$/i,
  /^.*\b(?:FROM|TO)\s*:.*P(?:AGE)?\s*(?:\.\s*)?\d{1,3}\s*(?:\/|OF)\s*\d{1,3}(?:\s+\S{1,3}){0,6}\s*$/i,
  // 01/28/2015 10:41 5551234 MAXIMUS PAGE 02/06
  /^\s*\d{1,2}\/\d{1,2}\/\d{2,4}\s+\d{1,2}:\d{2}\b.+\bPAGE\s*\d+\s*(?:\/|OF)\s*\d+\s*$/i,
];

const PAGE_FOOTER = [
  /^\s*Page\s*[\dIl|!]{1,3}\s*(?:of|\/)\s*[\dIl|!]{1,3}(?:\s+\S{1,2}){0,6}\s*$/i,
  // The same footer as OCR reads it off a fax: 'of' lost or read as digits ("Page 4004"), a
  // letter for a digit, 'Pagc'. Left in the text, it would end the last rationale mid-sentence.
  /^\s*Pag[ec]\s*[\dIl|!o]{1,3}(?:\s*(?:of|0f|\/))?\s*[\dIl|!o]{1,4}(?:\s+\S{1,2}){0,6}\s*$/i,
  /^\s*P\s*\.\s*\d{1,3}\s*\/\s*\d{1,3}\s*$/i,
  /^\s*-\s*\d{1,3}\s*-\s*$/,
  /^\s*\d{1,3}\s*$/,
];

/** A case number alone on a line (a running header or footer). */
const CASE_NUMBER_LINE = /^\s*(?:(?:IMR\s+)?Case\s*(?:Number|No\.?|#)\s*(?::\s*)?)?C\s*M\s*\d{2}\s*-\s*\d{5,8}\s*$/i;

/** Compound prefixes whose hyphen is part of the word, not a line-end break. */
const KEPT_HYPHEN_PREFIX =
  /(?:^|[^A-Z])(?:\d|non|short|long|self|well|low|high|full|part|follow|first|second|third|co|anti|multi|mid|post|pre|x|re|in|on|up|off)$/i;

/**
 * Normalises a letter's text: line ends, the published every-other-line-blank form,
 * page furniture, hyphenation and OCR punctuation noise. Page breaks are kept as form feeds.
 */
export function normalizeText(raw: string): string {
  let text = raw.replace(/^\uFEFF/, '');
  text = text.replace(/\r\n?/g, '\n').replace(/[\u00A0\u2007\u202F\t]/g, ' ');
  text = text.replace(/[\u2018\u2019\u201A`´]/g, "'").replace(/[\u201C\u201D\u201E]/g, '"');
  text = text.replace(/[\u2010-\u2014\u00AD]/g, (c) => (c === '\u00AD' ? '' : '-'));
  // eslint-disable-next-line no-control-regex
  text = text.replace(/[\u0000-\u0008\v\u000E-\u001F\u007F]/g, '');
  let lines = collapseAlternateBlankLines(text.split('\n'));
  lines = lines.flatMap((line) => {
    if (!line.includes(PAGE_BREAK)) return [line];
    const parts = line.split(PAGE_BREAK).flatMap((part, i) => (i === 0 ? [part] : [PAGE_BREAK, part]));
    return parts.filter((part) => part === PAGE_BREAK || part.trim() !== '');
  });
  lines = lines.map(cleanLine);
  lines = removePageFurniture(lines);
  lines = joinHyphenatedWords(lines);
  return collapseBlankRuns(lines).join('\n').trim();
}

/**
 * The published text puts a blank line after every printed line (and prints a blank line
 * as a single space). Detect that form by its parity and keep only the printed lines.
 */
function collapseAlternateBlankLines(lines: string[]): string[] {
  if (lines.length < 8) return lines;
  for (const parity of [1, 0]) {
    let blank = 0;
    let total = 0;
    for (let i = parity; i < lines.length; i += 2) {
      total++;
      if (lines[i]!.length === 0) blank++;
    }
    if (total > 0 && blank / total >= 0.97) {
      return lines.filter((_, i) => i % 2 !== parity);
    }
  }
  return lines;
}

function cleanLine(line: string): string {
  if (line === PAGE_BREAK) return line;
  let cleaned = line.trimEnd();
  // OCR reads specks and rules as punctuation: a line with no letter or digit is noise.
  if (!/[A-Z0-9]/i.test(cleaned)) return '';
  cleaned = cleaned.replace(/^[\s|~_•·»«]+(?=\S)/, '').replace(/(?<![\s|~_•·»«])[\s|~_•·»«]+$/, '');
  // Specks OCR reads as punctuation standing alone at a line's ends (" : ,", "' week").
  cleaned = withoutTrailingSpecks(cleaned).replace(/^(?:[^\w\s(#$"]{1,2}\s+)+\b/, '');
  if (isOcrDebris(cleaned)) return '';
  // OCR reads a 5 as an S before a unit ("SMG" for "5MG").
  cleaned = cleaned.replace(/\b[Ss](?=\s?(?:mg|MG)\b)/g, '5');
  // OCR reads a 1 as a bar: next to digits, or as the count in "1 x 3".
  if (cleaned.includes('|')) cleaned = cleaned.replace(/\|(?=\d)|(?<=\d)\|/g, '1').replace(/(?<=\s)\|(?=\s+[x×]\s*\d)/gi, '1');
  return cleaned.replace(/ {2,}/g, (run) => (run.length >= 3 ? '   ' : '  '));
}

/**
 * A line OCR made of specks and page edges ("RN i _ _- ree"): no word of four letters, at
 * least three tokens, fewer than half of them words (two letters or more) or numbers.
 */
function isOcrDebris(line: string): boolean {
  let letters = 0;
  for (let i = 0; i < line.length; i++) {
    const code = line.charCodeAt(i) | 0x20;
    if (code >= 97 && code <= 122) letters++;
  }
  // Prose is mostly letters; only letter-poor lines are worth splitting into tokens.
  if (letters >= line.length * 0.6) return false;
  // A real word of four letters or more means content, however many specks surround it.
  if (/[A-Z]{4,}/i.test(line)) return false;
  const tokens = line.trim().split(/\s+/);
  if (tokens.length < 3) return false;
  const meaningful = tokens.filter((token) => /^["'(]?[A-Z]{2,}[.,:;)"']*$/i.test(token) || /\d/.test(token)).length;
  return meaningful * 2 < tokens.length;
}

function removePageFurniture(lines: string[]): string[] {
  return lines.map((line) => {
    // Furniture is short; long lines are content, and skipping them keeps the patterns linear.
    if (line === PAGE_BREAK || line === '' || line.length > 160) return line;
    // Every banner carries a time or a page fraction, so a line with neither skips the patterns.
    if ((line.includes(':') || line.includes('/')) && FAX_BANNER.some((pattern) => pattern.test(line))) return PAGE_BREAK;
    if (PAGE_FOOTER.some((pattern) => pattern.test(line))) return PAGE_BREAK;
    // A bare case number on its own line is a running header or footer; a labelled one is a field.
    if (CASE_NUMBER_LINE.test(line) && !/number\s*:/i.test(line)) return PAGE_BREAK;
    return line;
  });
}

/** Page numbers a letter's furniture prints: `Page 4 of 6`, a fax banner's `P.4/6` or `PAGE 04/06`. */
const PAGE_MARKER = /\bP(?:AGE|age)?[\s.]*(\d{1,3})\s*(?:\/|of|OF)\s*(\d{1,3})\b/;

/** What the page furniture says about the pages: the highest page number seen and the total it states. */
export interface PageEvidence {
  readonly highestPage: number;
  readonly statedTotal: number;
}

/**
 * Reads the page markers of the raw text's furniture lines (banners and footers, which
 * {@link normalizeText} removes): the highest page seen and the largest total stated. Null when
 * the letter carries no consistent marker. Totals under the highest page seen are OCR misreads
 * and are ignored.
 */
export function pageEvidence(raw: string): PageEvidence | null {
  let highestPage = 0;
  const totals = new Map<number, number>();
  const closing = new Set<number>();
  for (const line of raw.split(/\r?\n/)) {
    if (line.length > 160 || !/\d/.test(line)) continue;
    const isFurniture =
      PAGE_FOOTER.some((pattern) => pattern.test(line)) || ((line.includes(':') || line.includes('/')) && FAX_BANNER.some((pattern) => pattern.test(line)));
    if (!isFurniture) continue;
    const marker = PAGE_MARKER.exec(line);
    if (!marker) continue;
    const page = Number(marker[1]);
    const total = Number(marker[2]);
    if (page < 1 || total < page || total > 999) continue;
    highestPage = Math.max(highestPage, page);
    totals.set(total, (totals.get(total) ?? 0) + 1);
    if (page === total) closing.add(page);
  }
  if (highestPage === 0) return null;
  // The last page read says it is the last ("Page 4 of 4"): whatever other footers were misread
  // as ("of 44"), no page after it is missing.
  if (closing.has(highestPage)) return { highestPage, statedTotal: highestPage };
  // The total most pages agree on: one misread banner does not make pages missing.
  const statedTotal = [...totals].sort((a, b) => b[1] - a[1] || b[0] - a[0])[0]![0];
  return { highestPage, statedTotal };
}

/** Punctuation OCR reads from specks: anything but a letter, digit, space or `(#$&%`. */
function isSpeck(char: string): boolean {
  return !/[\w\s(#$&%]/.test(char);
}

/**
 * Drops specks standing alone at a line's end (" : ,", " ' ."): runs of one or two speck
 * characters, each after whitespace. Scanned from the end in one pass: the equivalent regex
 * takes time growing with the square of a line of specks.
 */
function withoutTrailingSpecks(line: string): string {
  let end = line.length;
  for (;;) {
    let start = end;
    while (start > 0 && isSpeck(line[start - 1]!)) start--;
    if (end - start < 1 || end - start > 2) return line.slice(0, end);
    let space = start;
    while (space > 0 && /\s/.test(line[space - 1]!)) space--;
    if (space === start) return line.slice(0, end);
    end = space;
  }
}

/**
 * Joins a word broken at a line end (`medi-` / `cally`) by moving the rest of the word up,
 * so headings and sentences read whole. Page breaks between the halves are skipped.
 */
function joinHyphenatedWords(lines: string[]): string[] {
  const out = [...lines];
  for (let i = 0; i < out.length - 1; i++) {
    const line = out[i]!;
    if (!line.endsWith('-')) continue;
    const match = /[A-Z0-9]-$/i.exec(line);
    if (!match) continue;
    let next = i + 1;
    while (next < out.length && out[next] === PAGE_BREAK) next++;
    const following = out[next];
    if (following === undefined) continue;
    const rest = /^([a-z][A-Za-z]*)([.,;:)]*)(?:\s+|$)/.exec(following);
    if (!rest) continue;
    const keepHyphen = KEPT_HYPHEN_PREFIX.test(line.slice(0, -1));
    out[i] = line.slice(0, keepHyphen ? line.length : -1) + rest[1] + rest[2];
    out[next] = following.slice(rest[0].length);
  }
  return out;
}

function collapseBlankRuns(lines: string[]): string[] {
  const out: string[] = [];
  for (const line of lines) {
    if (line === PAGE_BREAK) {
      if (out[out.length - 1] !== PAGE_BREAK) out.push(PAGE_BREAK);
      continue;
    }
    if (line === '' && (out.length === 0 || out[out.length - 1] === '')) continue;
    out.push(line);
  }
  return out;
}

/**
 * Lines of normalised text for the parsers, each page break read as a paragraph break:
 * prose joined across it reads as if the page never broke.
 */
export function contentLines(normalized: string): string[] {
  const lines = normalized.split('\n');
  // A page break ends a paragraph for the item parser (a heading never starts mid-rationale
  // on a new page), but must not leave two blank lines where the page had one.
  return lines.flatMap((line, i) => (line !== PAGE_BREAK ? [line] : lines[i - 1] === '' || lines[i + 1] === '' ? [] : ['']));
}

/** Joins wrapped lines of one paragraph into a single line of prose. */
export function joinProse(lines: readonly string[]): string {
  return lines
    .map((line) => line.trim())
    .filter((line) => line.length > 0)
    .join(' ')
    .replace(/\s{2,}/g, ' ')
    .trim();
}
