/**
 * Where the text lies on a document's page images: each line read, with its box as fractions
 * of the page (0..1 from its left and top edges), so a box found in the raster OCR read holds on
 * the page image a person is shown at any size. Kept beside the letter's text, written when the
 * document is read, and bounded: a page keeps at most {@link LAYOUT_LIMITS} lines of so many
 * characters. It holds the letter's words, as the text does: it is stored as the text is, and
 * never logged.
 */

/** A line's box: left, top, right, bottom, as fractions of the page's width and height. */
export type LineBox = readonly [left: number, top: number, right: number, bottom: number];

/** One line as read, and where it lies on its page. */
export interface LayoutLine {
  readonly text: string;
  readonly box: LineBox;
}

/**
 * The lines of each page of a document, in the order of the text's pages; null for a page
 * whose lines have no boxes (a text layer, a blank page, a page straightened before OCR).
 */
export interface DocumentLayout {
  readonly pages: ReadonlyArray<readonly LayoutLine[] | null>;
}

/** How much a layout keeps: a page of text has under 150 lines, a line under 150 characters. */
export const LAYOUT_LIMITS = {
  /** Lines kept of one page (the first, in reading order). */
  linesPerPage: 300,
  /** Characters kept of one line. */
  lineCharacters: 200,
  /** Pages kept (an OCR'd document has at most 100). */
  pages: 200,
  /** Characters of text kept in all, each line's box counted as 40 (about 1.5 MB as JSON): a letter's pages are a small part of it. */
  characters: 1_000_000,
} as const;

/** What a line costs of {@link LAYOUT_LIMITS.characters}: its text and its box. */
const LINE_COST = 40;

/** A fraction rounded to 1/10,000 of the page (a tenth of a pixel on a 1700-pixel page) and held to 0..1. */
function fraction(value: number): number {
  return Math.round(Math.min(1, Math.max(0, value)) * 10_000) / 10_000;
}

/**
 * A line whose box is given in pixels of a page `width` x `height` pixels, as a layout keeps it;
 * null when it has no text or no area (nothing to mark).
 */
export function lineInPixels(
  text: string,
  box: { left: number; top: number; right: number; bottom: number },
  width: number,
  height: number,
): LayoutLine | null {
  if (!(width > 0 && height > 0)) return null;
  return lineInFractions(text, [box.left / width, box.top / height, box.right / width, box.bottom / height]);
}

/** A line whose box is given as fractions of its page; null when it has no text or no area. */
export function lineInFractions(text: string, box: readonly number[]): LayoutLine | null {
  const words = text.replace(/\s+/g, ' ').trim().slice(0, LAYOUT_LIMITS.lineCharacters);
  if (!words || box.length !== 4 || !box.every((value) => Number.isFinite(value))) return null;
  const [left, top, right, bottom] = box.map(fraction) as [number, number, number, number];
  if (right <= left || bottom <= top) return null;
  return { text: words, box: [left, top, right, bottom] };
}

/** A page's lines as a layout keeps them: at most {@link LAYOUT_LIMITS.linesPerPage}. */
export function pageLines(lines: ReadonlyArray<LayoutLine | null>): LayoutLine[] {
  return lines.filter((line): line is LayoutLine => line !== null).slice(0, LAYOUT_LIMITS.linesPerPage);
}

/** A layout of these pages, or undefined when no page has a line with a box (nothing to keep). */
export function layoutOf(pages: ReadonlyArray<ReadonlyArray<LayoutLine | null> | null | undefined>): DocumentLayout | undefined {
  let spent = 0;
  const kept = pages.slice(0, LAYOUT_LIMITS.pages).map((lines) => {
    const page = lines ? pageLines(lines) : [];
    // Pages past the budget keep no lines (whole pages: a page's lines are all there or none are).
    spent += page.reduce((sum, line) => sum + line.text.length + LINE_COST, 0);
    return page.length > 0 && spent <= LAYOUT_LIMITS.characters ? page : null;
  });
  return kept.some((lines) => lines !== null) ? { pages: kept } : undefined;
}

/**
 * A stored layout as the service wrote it, checked: anything not of its shape (edited by hand,
 * written by another version) is left out rather than trusted, line by line; null when nothing is left.
 */
export function parseLayout(json: string): DocumentLayout | null {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return null;
  }
  return layoutFrom(value);
}

/** A layout as parsed from stored JSON, checked as {@link parseLayout} checks it; null when nothing of it is left. */
export function layoutFrom(value: unknown): DocumentLayout | null {
  const pages = (value as { pages?: unknown } | null)?.pages;
  if (!Array.isArray(pages)) return null;
  const layout = layoutOf(
    pages.map((lines: unknown) =>
      Array.isArray(lines)
        ? lines.map((line: unknown) => {
            const { text, box } = (line ?? {}) as { text?: unknown; box?: unknown };
            return typeof text === 'string' && Array.isArray(box) && box.every((value) => typeof value === 'number')
              ? lineInFractions(text, box as number[])
              : null;
          })
        : null,
    ),
  );
  return layout ?? null;
}
