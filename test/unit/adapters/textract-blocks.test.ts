import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { textractPages, textractText, type TextractResponse } from '../../../functions/adapters/textract/blocks.ts';
import { TextractError } from '../../../functions/adapters/textract/errors.ts';
import { TEXTRACT_DIR } from '../../fixtures/golden.ts';

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

  it("keeps Textract's own order on a page rotated 90 degrees", () => {
    const response = fixture('gib__90_degrees.json');
    const textractOrder = (response.Blocks ?? []).filter((block) => block.BlockType === 'LINE').map((block) => block.Text);
    expect(textractText([response]).split('\n')).toEqual(textractOrder);
  });

  it('reports mean line confidence per page', () => {
    const [page] = textractPages([fixture('little_women_page_1.json')]);
    expect(page!.confidence).toBeGreaterThan(0.9);
    expect(page!.confidence).toBeLessThanOrEqual(1);
  });

  it('drops a running header or footer that recurs on several pages', () => {
    const line = (text: string, page: number, top: number) => ({ BlockType: 'LINE', Text: text, Page: page, Geometry: { BoundingBox: { Left: 0.1, Top: top, Width: 0.5, Height: 0.01 } } });
    const response: TextractResponse = {
      DocumentMetadata: { Pages: 2 },
      Blocks: [line('JAN-28-2015 FROM:MAXIMUS P.1/2', 1, 0.02), line('First page body', 1, 0.3), line('JAN-28-2015 FROM:MAXIMUS P.2/2', 2, 0.02), line('Second page body', 2, 0.3)],
    };
    expect(textractText([response])).toBe('First page body\n\f\nSecond page body');
  });

  it('refuses failed and unfinished jobs with a clear error', () => {
    expect(() => textractPages([fixture('test-failed-response.json')])).toThrow(new TextractError('JOB_FAILED', 'Textract job failed: Dummy Status Message'));
    expect(() => textractPages([fixture('test-inprogress-response.json')])).toThrow(/still in progress/);
  });
});
