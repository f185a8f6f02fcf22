/**
 * Turns Amazon Textract text-detection responses into the text of a letter: lines in reading
 * order per page, two-column passages read column by column, label/value pairs of header
 * grids kept on one line, running headers and footers dropped, pages separated by form feeds.
 * Pure: responses in, text out. Works on `DetectDocumentText`, `GetDocumentTextDetection`
 * (every `NextToken` page) and `AnalyzeDocument` responses alike (only LINE blocks are read).
 */
import { lineInFractions, pageLines as keptLines, wordInContext, type DoubtfulWord, type LayoutLine } from '../../domain/index.ts';
import { TextractError } from './errors.ts';

/** The parts of a Textract Block this module reads. */
export interface TextractBlock {
  readonly BlockType?: string;
  readonly Text?: string;
  readonly Page?: number;
  readonly Confidence?: number;
  readonly Id?: string;
  readonly Relationships?: ReadonlyArray<{ readonly Type?: string; readonly Ids?: readonly string[] }>;
  readonly Geometry?: {
    readonly BoundingBox?: { readonly Left?: number; readonly Top?: number; readonly Width?: number; readonly Height?: number };
    readonly Polygon?: ReadonlyArray<{ readonly X?: number; readonly Y?: number }>;
  };
}

/** The parts of a Textract response this module reads. */
export interface TextractResponse {
  readonly JobStatus?: string;
  readonly StatusMessage?: string;
  readonly DocumentMetadata?: { readonly Pages?: number };
  readonly Blocks?: readonly TextractBlock[];
}

/** The text of one page and Textract's mean line confidence on it (0..1). */
export interface TextractPage {
  readonly page: number;
  readonly text: string;
  readonly confidence: number | null;
  /** Words holding a digit that Textract read under {@link DOUBTFUL_WORD_CONFIDENCE}, as read, with their confidence (0..1). */
  readonly doubtful: readonly DoubtfulWord[];
  /** Each LINE with its bounding box on the page as Textract was given it (fractions of the page), as the page image shows it. */
  readonly lines: readonly LayoutLine[];
}

/**
 * Textract's word confidence (0-100) under which a word holding a digit is doubtful. Textract
 * reads clean print at 95-99; its misreads of a fax's figures fall well below.
 */
export const DOUBTFUL_WORD_CONFIDENCE = 85;

interface Line {
  readonly text: string;
  readonly top: number;
  readonly left: number;
  readonly width: number;
  readonly height: number;
  readonly confidence: number;
}

/**
 * Most pages a response may name: Textract reads documents of at most 3,000 pages, so a page
 * number past this is not Textract's, and would have the reader lay out that many pages.
 */
export const TEXTRACT_MAX_PAGES = 3000;

/**
 * Reads responses (one, or every page of a paged job) into per-page text. Linear in the
 * blocks but for the rows of one page; a response of the wrong shape is a
 * {@link TextractError} `UNREADABLE_RESPONSE`, never a TypeError.
 */
export function textractPages(responses: readonly TextractResponse[]): TextractPage[] {
  for (const response of responses) {
    if (typeof response !== 'object' || response === null || Array.isArray(response)) throw unreadable('a response is not a JSON object');
    if (response.JobStatus === 'FAILED') throw new TextractError('JOB_FAILED', `Textract job failed: ${response.StatusMessage ?? 'no reason given'}`);
    if (response.JobStatus === 'IN_PROGRESS') throw new TextractError('JOB_IN_PROGRESS', 'Textract job is still in progress; its results are not ready');
  }
  const { lines: blocksByPage, doubtful } = groupBlocks(responses);
  const linesByPage = new Map<number, Line[]>();
  const boxesByPage = new Map<number, LayoutLine[]>();
  for (const [page, blocks] of blocksByPage) {
    // Where each line lies on the page as received (Textract's own geometry, before any turn is undone): what the page image shows.
    boxesByPage.set(
      page,
      keptLines(
        blocks.map((block) => {
          const box = block.Geometry?.BoundingBox;
          const [left, top, width, height] = [box?.Left, box?.Top, box?.Width, box?.Height];
          if (typeof block.Text !== 'string' || typeof left !== 'number' || typeof top !== 'number' || typeof width !== 'number' || typeof height !== 'number')
            return null;
          return lineInFractions(block.Text, [left, top, left + width, top + height]);
        }),
      ),
    );
    const upright = uprightTransform(quarterTurn(blocks));
    linesByPage.set(
      page,
      blocks
        .filter((block) => block.Text)
        .map((block) => {
          const box = block.Geometry?.BoundingBox ?? {};
          const { left, top, width, height } = upright(box.Left ?? 0, box.Top ?? 0, box.Width ?? 0, box.Height ?? 0.01);
          return { text: block.Text!, top, left, width, height, confidence: (block.Confidence ?? 100) / 100 };
        }),
    );
  }
  // Not Math.max(...pages): spreading tens of thousands of arguments overflows the stack.
  let pageCount = 0;
  for (const response of responses) pageCount = Math.max(pageCount, pageNumber(response.DocumentMetadata?.Pages ?? 0, 'DocumentMetadata.Pages', 0));
  for (const page of linesByPage.keys()) pageCount = Math.max(pageCount, page);
  const pageLines = Array.from({ length: pageCount }, (_, i) => linesByPage.get(i + 1) ?? []);
  const furniture = runningFurniture(pageLines);
  return pageLines.map((all, i) => {
    const lines = all.filter((line) => !furniture.has(furnitureKey(line)));
    const confidence = all.length ? all.reduce((sum, line) => sum + line.confidence, 0) / all.length : null;
    const text = readingOrder(lines);
    return { page: i + 1, text, confidence, doubtful: doubtful.get(i + 1) ?? [], lines: boxesByPage.get(i + 1) ?? [] };
  });
}

function unreadable(what: string): TextractError {
  return new TextractError('UNREADABLE_RESPONSE', `not a Textract response: ${what}`);
}

/** A page number or count as Textract writes one: a whole number from `least` to {@link TEXTRACT_MAX_PAGES}. */
function pageNumber(value: unknown, field: string, least: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < least)
    throw unreadable(`${field} is ${JSON.stringify(value)?.slice(0, 20)}, not a page number`);
  if (value > TEXTRACT_MAX_PAGES) throw unreadable(`${field} is ${value}, past the ${TEXTRACT_MAX_PAGES} pages Textract reads`);
  return value;
}

/** The whole document's text, pages separated by form feeds. */
export function textractText(responses: readonly TextractResponse[]): string {
  return textractPages(responses)
    .map((page) => page.text)
    .join('\n\f\n');
}

/** The LINE blocks of each page, and the words holding a digit Textract was unsure of. */
function groupBlocks(responses: readonly TextractResponse[]): { lines: Map<number, TextractBlock[]>; doubtful: Map<number, DoubtfulWord[]> } {
  const groups = new Map<number, TextractBlock[]>();
  const unsure: Array<{ page: number; id: unknown; text: string; confidence: number }> = [];
  // Each WORD's line and place in it, from the LINE blocks' CHILD relationships.
  const lineOf = new Map<string, { words: string[]; index: number }>();
  for (const response of responses) {
    const blocks: unknown = response.Blocks ?? [];
    if (!Array.isArray(blocks)) throw unreadable('Blocks is not a list');
    for (const block of blocks as unknown[]) {
      if (typeof block !== 'object' || block === null) throw unreadable('a block is not a JSON object');
      const { BlockType, Text, Page, Confidence } = block as TextractBlock;
      if (BlockType === 'WORD' && typeof Text === 'string' && typeof Confidence === 'number' && Confidence < DOUBTFUL_WORD_CONFIDENCE && /\d/.test(Text)) {
        unsure.push({ page: pageNumber(Page ?? 1, "a block's Page", 1), id: (block as TextractBlock).Id, text: Text, confidence: Confidence / 100 });
      }
      if (BlockType !== 'LINE') continue;
      if (Text !== undefined && typeof Text !== 'string') throw unreadable("a LINE block's Text is not a string");
      const relationships: unknown = (block as TextractBlock).Relationships;
      if (typeof Text === 'string' && Array.isArray(relationships)) {
        const words = Text.split(/\s+/);
        const children = relationships.find((relationship: unknown) => (relationship as { Type?: unknown } | null)?.Type === 'CHILD') as
          { Ids?: unknown } | undefined;
        if (Array.isArray(children?.Ids) && children.Ids.length === words.length)
          children.Ids.forEach((id: unknown, index: number) => typeof id === 'string' && lineOf.set(id, { words, index }));
      }
      const page = pageNumber(Page ?? 1, "a block's Page", 1);
      // Pushed in place: copying the page's list for every block made a page of n lines cost n².
      const group = groups.get(page);
      if (group) group.push(block as TextractBlock);
      else groups.set(page, [block as TextractBlock]);
    }
  }
  const doubtful = new Map<number, DoubtfulWord[]>();
  for (const { page, id, text, confidence } of unsure) {
    const line = typeof id === 'string' ? lineOf.get(id) : undefined;
    const word = line ? { text, confidence, context: wordInContext(line.words, line.index) } : { text, confidence };
    const words = doubtful.get(page);
    if (words) words.push(word);
    else doubtful.set(page, [word]);
  }
  return { lines: groups, doubtful };
}

/**
 * How far a page is turned, to the nearest quarter: the direction its lines run, read from
 * each LINE polygon's first edge (Textract lists a polygon's points from the text's own
 * top-left, so that edge runs along the text whichever way the page lies). The median
 * direction over the page decides. 0 upright, 90 reading downwards (turned clockwise),
 * 180 upside down, 270 reading upwards.
 */
export function quarterTurn(blocks: readonly TextractBlock[]): 0 | 90 | 180 | 270 {
  const votes = [0, 0, 0, 0];
  for (const block of blocks) {
    const polygon: unknown = block.Geometry?.Polygon;
    if (!Array.isArray(polygon)) continue;
    const [a, b] = polygon as NonNullable<NonNullable<TextractBlock['Geometry']>['Polygon']>;
    if (!a || !b) continue;
    const angle = (Math.atan2((b.Y ?? 0) - (a.Y ?? 0), (b.X ?? 0) - (a.X ?? 0)) * 180) / Math.PI;
    votes[Math.round((angle + 360) / 90) % 4]! += 1;
  }
  const best = votes.indexOf(Math.max(...votes));
  return votes[best]! === 0 ? 0 : ((best * 90) as 0 | 90 | 180 | 270);
}

/** Maps a bounding box (page fractions) on a page turned by `quarter` to where it lies on the upright page. */
function uprightTransform(
  quarter: 0 | 90 | 180 | 270,
): (left: number, top: number, width: number, height: number) => { left: number; top: number; width: number; height: number } {
  const point: (x: number, y: number) => [number, number] =
    quarter === 90 ? (x, y) => [y, 1 - x] : quarter === 180 ? (x, y) => [1 - x, 1 - y] : quarter === 270 ? (x, y) => [1 - y, x] : (x, y) => [x, y];
  return (left, top, width, height) => {
    const corners = [point(left, top), point(left + width, top + height)];
    const xs = corners.map(([x]) => x);
    const ys = corners.map(([, y]) => y);
    return { left: Math.min(...xs), top: Math.min(...ys), width: Math.abs(xs[1]! - xs[0]!), height: Math.abs(ys[1]! - ys[0]!) };
  };
}

function furnitureKey(line: Line): string {
  return `${line.top < 0.5 ? 'top' : 'bottom'}:${line.text.replace(/\d+/g, '#').toLowerCase()}`;
}

/** Lines in the top or bottom 7% of the page that recur (digits aside) on more than one page. */
function runningFurniture(pages: readonly Line[][]): Set<string> {
  if (pages.length < 2) return new Set();
  const counts = new Map<string, number>();
  for (const lines of pages) {
    const seen = new Set<string>();
    for (const line of lines) {
      if (line.top > 0.07 && line.top + line.height < 0.93) continue;
      seen.add(furnitureKey(line));
    }
    for (const key of seen) counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return new Set([...counts].filter(([, count]) => count >= 2).map(([key]) => key));
}

/** Rows of lines sharing a baseline, each sorted left to right. */
function rows(lines: readonly Line[]): Line[][] {
  const sorted = [...lines].sort((a, b) => a.top - b.top || a.left - b.left);
  const out: Line[][] = [];
  // Each row's leftmost line is its anchor, kept as lines join rather than found by sorting the
  // row on every join (a row of n lines cost n² log n); rows are sorted once at the end.
  let anchor: Line | undefined;
  for (const line of sorted) {
    const row = out[out.length - 1];
    if (row && anchor && Math.abs(line.top + line.height / 2 - (anchor.top + anchor.height / 2)) < Math.min(line.height, anchor.height) * 0.6) {
      row.push(line);
      // Strictly left of it: the stable sort kept the earlier of two lines at the same left first.
      if (line.left < anchor.left) anchor = line;
    } else {
      out.push([line]);
      anchor = line;
    }
  }
  for (const row of out) row.sort((a, b) => a.left - b.left);
  return out;
}

/** The x position of a gutter no line of the row crosses, between two pieces, or null. */
function gutterOf(row: readonly Line[]): number | null {
  for (let i = 1; i < row.length; i++) {
    const gap = row[i]!.left - (row[i - 1]!.left + row[i - 1]!.width);
    if (gap > 0.02) return (row[i]!.left + row[i - 1]!.left + row[i - 1]!.width) / 2;
  }
  return null;
}

/**
 * Most rows a two-column run is looked for over, from each row. A page of text has under 150
 * rows (6-point type on a legal page). Without a bound, a page built of 125,000 narrow
 * two-piece rows that never qualify as columns was searched from every row: 15 billion row
 * checks; with it, 250,000 such lines read in under 2 s.
 */
const MAX_COLUMN_RUN_ROWS = 200;

/**
 * Reads a page: a run of at least three rows split by one gutter, with prose-wide pieces,
 * is two columns, read left column first; any other row is one line, its pieces joined
 * left to right (so header-grid label/value pairs stay together).
 */
function readingOrder(lines: readonly Line[]): string {
  const all = rows(lines);
  const out: string[] = [];
  let i = 0;
  while (i < all.length) {
    const gutter = gutterOf(all[i]!);
    if (gutter !== null) {
      let end = i;
      const pieces: Line[] = [];
      while (end < all.length && end - i < MAX_COLUMN_RUN_ROWS && all[end]!.every((line) => line.left + line.width < gutter || line.left > gutter)) {
        pieces.push(...all[end]!);
        end++;
      }
      const splitRows = all.slice(i, end).filter((row) => gutterOf(row) !== null).length;
      const meanWidth = pieces.reduce((sum, line) => sum + line.width, 0) / pieces.length;
      if (end - i >= 3 && splitRows >= 2 && meanWidth >= 0.25) {
        const left = pieces.filter((line) => line.left + line.width < gutter);
        const right = pieces.filter((line) => line.left > gutter);
        out.push(...left.map((line) => line.text), ...right.map((line) => line.text));
        i = end;
        continue;
      }
    }
    out.push(all[i]!.map((line) => line.text).join('   '));
    i++;
  }
  return out.join('\n');
}
