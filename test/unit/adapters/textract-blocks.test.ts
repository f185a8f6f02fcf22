import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { quarterTurn, textractPages, textractText, type TextractResponse } from '../../../functions/adapters/textract/blocks.ts';
import { TextractError } from '../../../functions/adapters/textract/errors.ts';
import { TEXTRACT_DIR } from '../../fixtures/golden.ts';
import { textractResponseFor } from '../../fixtures/textract-factory.ts';

const fixture = (name: string) => JSON.parse(readFileSync(join(TEXTRACT_DIR, name), 'utf8')) as TextractResponse;

/** Where in the read text of a fixture the line starting with `start` stands. */
function positionsIn(name: string): (start: string) => number {
  const lines = textractText([fixture(name)]).split('\n');
  return (start) => lines.findIndex((line) => line.startsWith(start));
}

describe('Textract blocks to text', () => {
  it('reads a single-column page in order', () => {
    const text = textractText([fixture('little_women_page_1.json')]);
    expect(text.split('\n').slice(0, 2)).toEqual([
      'The Project Gutenberg EBook of Little Women, by Louisa M. Alcott',
      'This eBook is for the use of anyone anywhere at no cost and with',
    ]);
  });

  it('reads a two-column section left column first, then the right, then the single-column footer', () => {
    const at = positionsIn('test-multicol-response.json');
    expect(at('This section has two columns')).toBeLessThan(at('with the intention to read the left'));
    expect(at('within one paragraph.')).toBeLessThan(at('A horizontally separate right'));
    expect(at("it after the left column's content.")).toBeLessThan(at('A final footer section'));
  });

  it('reads the columns of a page with headers and footers in order', () => {
    const at = positionsIn('test-twocol-header-footer-response.json');
    expect(at('When a section of (LTR) text')).toBeLessThan(at('columns, the intended reading order'));
    expect(at('ML model-based approaches')).toBeLessThan(at('The Amazon Textract Response Parser aims to'));
    expect(at('After a two-column section')).toBeGreaterThan(at('The included sample test documents'));
  });

  it('keeps label/value pairs of a form grid on one line and pages apart', () => {
    const pages = textractPages([fixture('multi-page-forms-samples-2-page.json')]);
    expect(pages).toHaveLength(2);
    expect(pages[0]!.text).toMatch(/^Sex: M\s+Marital Status: MARRIED$/m);
    expect(pages[1]!.text).toMatch(/^Full Name: Jane Doe$/m);
    expect(textractText([fixture('multi-page-forms-samples-2-page.json')])).toContain('\n\f\n');
  });

  it.each([90, 180, 270] as const)('reads a page turned %i degrees in the order of the upright page', (quarter) => {
    for (const name of ['little_women_page_1.json', 'test-twocol-header-footer-response.json', 'multi-page-forms-samples-2-page.json']) {
      const upright = fixture(name);
      expect(quarterTurn(upright.Blocks!.filter((block) => block.Page === undefined || block.Page === 1))).toBe(0);
      const turned = turnPage(upright, quarter);
      expect(quarterTurn(turned.Blocks!.filter((block) => block.Page === undefined || block.Page === 1))).toBe(quarter);
      expect(textractText([turned])).toBe(textractText([upright]));
    }
  });

  it('reads the real response of a page scanned sideways with its table rows whole, top to bottom', () => {
    const response = fixture('gib__90_degrees.json');
    expect(quarterTurn(response.Blocks!)).toBe(90);
    const lines = textractText([response]).split('\n');
    const rowOf = (cell: string) => lines.findIndex((line) => line.includes(cell));
    // The cells of one printed row share a line; rows come top to bottom.
    expect(rowOf('Value 1.1.1')).toBe(rowOf('Value 1.1.3'));
    expect(rowOf('Value 1.1.1')).toBeLessThan(rowOf('Value 1.2.1'));
    expect(rowOf('Value 1.2.1')).toBeLessThan(rowOf('Value 1.3.1'));
  });

  it('reports mean line confidence per page', () => {
    const [page] = textractPages([fixture('little_women_page_1.json')]);
    expect(page!.confidence).toBeGreaterThan(0.9);
    expect(page!.confidence).toBeLessThanOrEqual(1);
  });

  it('drops a running header or footer that recurs on several pages', () => {
    const line = (text: string, page: number, top: number) => ({
      BlockType: 'LINE',
      Text: text,
      Page: page,
      Geometry: { BoundingBox: { Left: 0.1, Top: top, Width: 0.5, Height: 0.01 } },
    });
    const response: TextractResponse = {
      DocumentMetadata: { Pages: 2 },
      Blocks: [
        line('JAN-28-2015 FROM:MAXIMUS P.1/2', 1, 0.02),
        line('First page body', 1, 0.3),
        line('JAN-28-2015 FROM:MAXIMUS P.2/2', 2, 0.02),
        line('Second page body', 2, 0.3),
      ],
    };
    expect(textractText([response])).toBe('First page body\n\f\nSecond page body');
  });

  it('refuses failed and unfinished jobs with a clear error', () => {
    expect(() => textractPages([fixture('test-failed-response.json')])).toThrow(new TextractError('JOB_FAILED', 'Textract job failed: Dummy Status Message'));
    expect(() => textractPages([fixture('test-inprogress-response.json')])).toThrow(/still in progress/);
  });

  it('names the words holding a digit that Textract read under its bar, page by page', () => {
    const response = textractResponseFor([['Norco 10/325mg #40 is not medically necessary'], ['8 sessions of physical therapy']], 99, {
      '#40': 62.5,
      medically: 40,
      '8': 84.9,
    });
    const pages = textractPages([response]);
    expect(pages.map((page) => page.doubtful.map((word) => [word.text, Math.round(word.confidence * 1000)]))).toEqual([[['#40', 625]], [['8', 849]]]);
    expect(pages[0]!.text).toBe('Norco 10/325mg #40 is not medically necessary');
  });
});

type Point = { X?: number; Y?: number };

/** The same response as if its page had been scanned turned `quarter` degrees clockwise. */
function turnPage(response: TextractResponse, quarter: 90 | 180 | 270): TextractResponse {
  const move = (x: number, y: number): [number, number] => (quarter === 90 ? [1 - y, x] : quarter === 180 ? [1 - x, 1 - y] : [y, 1 - x]);
  return {
    ...response,
    Blocks: response.Blocks!.map((block) => {
      const box = block.Geometry?.BoundingBox;
      const polygon = block.Geometry?.Polygon;
      if (!box || !polygon) return block;
      const corners = [move(box.Left!, box.Top!), move(box.Left! + box.Width!, box.Top! + box.Height!)];
      return {
        ...block,
        Geometry: {
          BoundingBox: {
            Left: Math.min(corners[0]![0], corners[1]![0]),
            Top: Math.min(corners[0]![1], corners[1]![1]),
            Width: Math.abs(corners[1]![0] - corners[0]![0]),
            Height: Math.abs(corners[1]![1] - corners[0]![1]),
          },
          Polygon: polygon.map((point: Point) => {
            const [X, Y] = move(point.X!, point.Y!);
            return { X, Y };
          }),
        },
      };
    }),
  };
}

describe("Textract's line boxes", () => {
  it('keeps each LINE with its bounding box as fractions of the page, in the order Textract gave them', () => {
    const [page] = textractPages([fixture('test-multicol-response.json')]);
    const blocks = fixture('test-multicol-response.json').Blocks!.filter((block) => block.BlockType === 'LINE' && block.Page === 1);
    expect(page!.lines).toHaveLength(blocks.length);
    for (const [index, block] of blocks.entries()) {
      const { Left = 0, Top = 0, Width = 0, Height = 0 } = block.Geometry!.BoundingBox!;
      expect(page!.lines[index]!.text).toBe(block.Text!.replace(/\s+/g, ' ').trim());
      const box = page!.lines[index]!.box;
      expect(box[0]).toBeCloseTo(Left, 3);
      expect(box[1]).toBeCloseTo(Top, 3);
      expect(box[2]).toBeCloseTo(Left + Width, 3);
      expect(box[3]).toBeCloseTo(Top + Height, 3);
    }
  });

  it("keeps a sideways page's boxes where they lie on the page as it was received (the image a person is shown), not turned upright", () => {
    const response = fixture('gib__90_degrees.json');
    const [page] = textractPages([response]);
    const first = response.Blocks!.find((block) => block.BlockType === 'LINE')!;
    const { Left = 0, Top = 0, Width = 0, Height = 0 } = first.Geometry!.BoundingBox!;
    expect(page!.lines[0]!.box).toEqual([Left, Top, Left + Width, Top + Height].map((value) => Math.round(value * 10_000) / 10_000));
    // Read sideways: its lines are taller than they are wide on the page as received.
    const tall = page!.lines.filter((line) => line.box[3] - line.box[1] > line.box[2] - line.box[0]).length;
    expect(tall).toBeGreaterThan(page!.lines.length / 2);
  });

  it('leaves out a LINE with no geometry or no area, and is bounded per page', () => {
    const response = textractResponseFor([['Percocet 10/325mg #90: Upheld', 'Decision rationale: the request']]);
    const blocks = response.Blocks!.map((block) =>
      block.Id === 'line-1-1'
        ? { ...block, Geometry: undefined }
        : block.Id === 'line-1-0'
          ? { ...block, Geometry: { BoundingBox: { Left: 0.1, Top: 0.2, Width: 0, Height: 0.01 } } }
          : block,
    );
    expect(textractPages([{ ...response, Blocks: blocks }])[0]!.lines).toEqual([]);
    // 400 lines, each a thin band of the page: the first 300 kept.
    const many = textractResponseFor([Array.from({ length: 400 }, (_, i) => `line ${i}`)]);
    const thin = many.Blocks!.map((block) =>
      block.BlockType === 'LINE'
        ? { ...block, Geometry: { BoundingBox: { Left: 0.1, Top: Number(block.Id!.split('-')[2]) * 0.002, Width: 0.5, Height: 0.0015 } } }
        : block,
    );
    const kept = textractPages([{ ...many, Blocks: thin }])[0]!.lines;
    expect(kept).toHaveLength(300);
    expect(kept[299]!.text).toBe('line 299');
  });
});
