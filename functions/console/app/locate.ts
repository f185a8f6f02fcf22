/**
 * Where an item sits in the letter's text: its rationale's opening words are unique to it
 * (the request itself is also quoted in the summary list), found with whitespace and case
 * folded, so a line break in the letter does not hide them.
 */

/** The text's pages, as the reader joined them (a form feed between pages). */
export function pagesOf(text: string): string[] {
  return text.split('\f');
}

/** A passage: the page it is on (from 1) and its offsets in that page's text. */
export interface Passage {
  readonly page: number;
  readonly start: number;
  readonly end: number;
  /** Which of the needles was found (0: the first; an item's rationale). */
  readonly needle?: number;
}

/** Text with whitespace runs as one space and letters in lower case; `offsets[i]` is where folded character i was in the text. */
export function folded(text: string): { chars: string; offsets: number[] } {
  let chars = '';
  const offsets: number[] = [];
  let space = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (/\s/.test(c)) {
      if (!space && chars.length > 0) {
        chars += ' ';
        offsets.push(i);
      }
      space = true;
      continue;
    }
    space = false;
    chars += c.toLowerCase();
    offsets.push(i);
  }
  return { chars, offsets };
}

/**
 * Finds the first of `needles` (tried in order, each at least 12 characters) in the pages, at or
 * after `after` when given: items follow one another, and two rationales may open alike.
 */
export function locate(pages: readonly string[], needles: ReadonlyArray<string | null | undefined>, after: Passage | null = null): Passage | null {
  for (const [index, raw] of needles.entries()) {
    // Up to 60 characters: long enough to be unique, short enough to survive an OCR slip later on.
    const needle = folded((raw ?? '').trim())
      .chars.slice(0, 60)
      .trim();
    if (needle.length < 12) continue;
    for (let p = after ? after.page - 1 : 0; p < pages.length; p++) {
      const page = folded(pages[p]!);
      const from = after && p === after.page - 1 ? page.offsets.findIndex((offset) => offset >= after.end) : 0;
      if (from < 0) continue;
      const at = page.chars.indexOf(needle, from);
      if (at >= 0) return { page: p + 1, start: page.offsets[at]!, end: page.offsets[at + needle.length - 1]! + 1, needle: index };
    }
  }
  return null;
}

/** Each item's passage in turn, each searched after the one before (from the start when that fails). */
export function locateItems(pages: readonly string[], items: ReadonlyArray<{ readonly rationale: string; readonly request: string }>): Array<Passage | null> {
  const found: Array<Passage | null> = [];
  let last: Passage | null = null;
  for (const item of items) {
    const passage: Passage | null = locate(pages, [item.rationale, item.request], last) ?? locate(pages, [item.rationale, item.request]);
    found.push(passage);
    if (passage) last = passage;
  }
  return found;
}
