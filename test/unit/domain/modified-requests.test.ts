import { describe, expect, it } from 'vitest';
import { classifyLetter } from '../../../functions/domain/index.ts';
import { letterText } from '../../fixtures/factories.ts';
import { evaluateCorpus } from '../../fixtures/corpus-evaluation.ts';

/** The letter's text as a PDF's text layer lays it out: the heading paragraph wrapped at about 95 characters. */
function wrapped(paragraph: string, width = 95): string {
  const lines: string[] = [];
  let line = '';
  for (const word of paragraph.split(' ')) {
    if (line && line.length + word.length + 1 > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  return [...lines, line].join('\n');
}

describe('a modified request (spec section 1): what IMR decided, and the rest kept', () => {
  it('reads "X was the original request. Y was authorized ... The remaining IMR eligible portion of the original request, Z"', () => {
    const heading = wrapped(
      'Physical therapy to the lumbar spine 2 times a week for 6 weeks (12) was the original request. Physical therapy to the lumbar spine 2 times a week for 3 weeks (6) was authorized by the Claims Administrator. The remaining IMR eligible portion of the original request, Physical therapy to the lumbar spine 2 times a week for 3 weeks (6) is',
    );
    const determination = classifyLetter(
      letterText({
        items: [
          { request: 'Norco 10/325mg #60', decision: 'Upheld' },
          { request: heading, decision: 'Overturned' },
        ],
      }),
    );
    expect(determination.status).toBe('CLASSIFIED');
    if (determination.status !== 'CLASSIFIED') return;
    const item = determination.items[1]!;
    expect(item).toMatchObject({
      request: 'Physical therapy to the lumbar spine 2 times a week for 3 weeks (6)',
      originalRequest: 'Physical therapy to the lumbar spine 2 times a week for 6 weeks (12)',
      authorized: 'Physical therapy to the lumbar spine 2 times a week for 3 weeks (6)',
      decision: 'OVERTURNED',
      category: 'REHABILITATION',
      subcategory: 'PHYSICAL_THERAPY',
    });
    // Not flagged for being modified, and the item above keeps its own rationale, with none of the paragraph in it.
    expect(item.flags).toEqual([]);
    expect(determination.items[0]!.rationale).not.toContain('original request');
    expect(determination.items[0]!.originalRequest).toBeNull();
  });

  it('reads "The Claims Administrator authorized Y, leaving the original request IMR eligible. The original request, Z is"', () => {
    const heading = wrapped(
      'Purchase of a commode was the original request. The Claims Administrator authorized a commode for 1 month, leaving the original request IMR eligible. The original request, purchase of a commode is',
    );
    const determination = classifyLetter(letterText({ items: [{ request: heading, decision: 'Upheld' }] }));
    if (determination.status !== 'CLASSIFIED') throw new Error('not classified');
    expect(determination.items[0]).toMatchObject({
      request: 'purchase of a commode',
      originalRequest: 'Purchase of a commode',
      authorized: 'a commode for 1 month',
      flags: [],
      category: 'DMEPOS',
    });
  });
});

describe('the real published decisions of the corpus', () => {
  it('reads every item and decision, and nothing wrong without a flag, sending few letters to review', async () => {
    const report = await evaluateCorpus();
    expect(report.misses.filter((miss) => miss.includes('SILENT'))).toEqual([]);
    expect(report.silentErrors).toBe(0);
    expect(report.itemsFound).toBe(report.expectedItems);
    expect(report.fields['item.decision']).toMatchObject({ wrongFlagged: 0, wrongSilent: 0 });
    // Issue 18's bar: at most 5% of clean text-layer letters to review.
    expect(report.flaggedLetters / report.letters).toBeLessThanOrEqual(0.05);
  }, 120_000);
});
