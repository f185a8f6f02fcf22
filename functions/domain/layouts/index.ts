/**
 * The layouts a letter may be printed in, and the one way a letter is read: every spec tried in
 * `priority` order, the first whose anchor is found reads the items. Adding a layout is one spec
 * file (see `notice-2013.ts`), its line here, and its name in the Determination's `layout` enum.
 */
import { EARLIEST } from './earliest.ts';
import { LAYOUT_2013 } from './layout-2013.ts';
import { LAYOUT_2014, LAYOUT_2014_UNHEADED } from './layout-2014.ts';
import { NOTICE_2013 } from './notice-2013.ts';
import type { LayoutSpec, NotADetermination, ParsedLetter } from './spec.ts';

export type { LayoutSpec, NotADetermination, ParsedItem, ParsedLetter } from './spec.ts';

/** Every layout, in the order they are tried. */
export const LAYOUT_SPECS: readonly LayoutSpec[] = [LAYOUT_2014, LAYOUT_2013, NOTICE_2013, EARLIEST, LAYOUT_2014_UNHEADED].sort(
  (a, b) => a.priority - b.priority,
);

/**
 * Detects the layout and reads its items. Returns why not when the text is not an IMR
 * Final Determination or its items cannot be found.
 */
export function parseLetter(lines: readonly string[]): ParsedLetter | NotADetermination {
  for (const spec of LAYOUT_SPECS) {
    const anchor = spec.detect(lines);
    if (anchor) return spec.read(lines, anchor);
  }
  return { reason: foreignReason(lines) };
}

function foreignReason(lines: readonly string[]): string {
  const text = lines.join(' ');
  if (text.trim().length === 0) return 'the document has no text';
  if (/utilization\s+review/i.test(text) && /non-?certif|denied|modif|request\s+for\s+authorization/i.test(text)) {
    return 'looks like a utilization review notice, not an IMR Final Determination';
  }
  if (!/(?<![A-Z])[A-Z]{3,}(?:\s+[A-Z]{3,}){3}/i.test(text)) return 'the text has no readable sentences (OCR garbage or not a letter)';
  return 'no IMR Final Determination headings found (HOW THE IMR FINAL DETERMINATION WAS MADE, IMR ISSUES, DECISIONS AND RATIONALES, ...)';
}
