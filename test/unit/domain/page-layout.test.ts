import { describe, expect, it } from 'vitest';
import { LAYOUT_LIMITS, layoutOf, lineInFractions, lineInPixels, parseLayout } from '../../../functions/domain/page-layout.ts';
import { ocrReading } from '../../../functions/domain/engine.ts';

describe("a document's layout", () => {
  it('keeps a line in pixels as fractions of its page, rounded to a tenth of a pixel of a wide page', () => {
    expect(lineInPixels('Percocet  10/325mg #90: Upheld\n', { left: 154, top: 1348, right: 538, bottom: 1376 }, 1728, 2244)).toEqual({
      text: 'Percocet 10/325mg #90: Upheld',
      box: [0.0891, 0.6007, 0.3113, 0.6132],
    });
  });

  it('keeps no line without text or area, or of a page with no size, and holds boxes to the page', () => {
    expect(lineInPixels('  ', { left: 0, top: 0, right: 10, bottom: 10 }, 100, 100)).toBeNull();
    expect(lineInPixels('a', { left: 10, top: 0, right: 10, bottom: 10 }, 100, 100)).toBeNull();
    expect(lineInPixels('a', { left: 0, top: 0, right: 10, bottom: 10 }, 0, 100)).toBeNull();
    expect(lineInFractions('a', [0, 0, 1])).toBeNull();
    expect(lineInFractions('a', [0, 0, Number.NaN, 1])).toBeNull();
    expect(lineInFractions('a', [-0.2, 0.5, 1.4, 0.6])).toEqual({ text: 'a', box: [0, 0.5, 1, 0.6] });
    expect(lineInFractions('x'.repeat(500), [0, 0, 1, 1])!.text).toHaveLength(LAYOUT_LIMITS.lineCharacters);
  });

  it('is kept only when some page has lines, each page bounded', () => {
    expect(layoutOf([null, undefined, []])).toBeUndefined();
    const line = lineInFractions('a line', [0.1, 0.1, 0.5, 0.12])!;
    const layout = layoutOf([null, Array.from({ length: 500 }, () => line)])!;
    expect(layout.pages[0]).toBeNull();
    expect(layout.pages[1]).toHaveLength(LAYOUT_LIMITS.linesPerPage);
    expect(layoutOf(Array.from({ length: 300 }, () => [line]))!.pages).toHaveLength(LAYOUT_LIMITS.pages);
    // 200 pages of 300 long lines are more than a layout keeps: the pages past its budget keep none.
    const long = lineInFractions('x'.repeat(200), [0.1, 0.1, 0.9, 0.12])!;
    const dense = layoutOf(Array.from({ length: 200 }, () => Array.from({ length: 300 }, () => long)))!;
    const keptPages = dense.pages.filter((page) => page !== null);
    expect(keptPages.length).toBeGreaterThan(5);
    expect(keptPages.length).toBeLessThan(200);
    expect(dense.pages[0]).toHaveLength(300);
    expect(JSON.stringify(dense).length).toBeLessThan(2_000_000);
  });

  it('is read back as written, and anything not of its shape is left out rather than trusted', () => {
    const layout = layoutOf([[lineInFractions('Flexeril 7.5mg #60: Upheld', [0.09, 0.25, 0.28, 0.27])], null])!;
    expect(parseLayout(JSON.stringify(layout))).toEqual(layout);
    expect(parseLayout('not json')).toBeNull();
    expect(parseLayout('{"pages": 3}')).toBeNull();
    expect(parseLayout('{"pages": [[{"text": 1, "box": [0,0,1,1]}], "x"]}')).toBeNull();
    expect(parseLayout('{"pages": [[{"text": "kept", "box": [0,0,1,1]}, {"text": "no box"}, {"text": "a box of text", "box": ["0",0,1,1]}, null]]}')).toEqual({
      pages: [[{ text: 'kept', box: [0, 0, 1, 1] }]],
    });
  });

  it("travels with an OCR service's reading of pages, when the service gave boxes", () => {
    const line = lineInFractions('a line', [0.1, 0.1, 0.5, 0.12])!;
    expect(
      ocrReading([
        { text: 'a line', confidence: 0.9, lines: [line] },
        { text: '', confidence: null },
      ]).layout,
    ).toEqual({ pages: [[line], null] });
    expect(ocrReading([{ text: 'a line', confidence: 0.9 }])).not.toHaveProperty('layout');
  });
});
