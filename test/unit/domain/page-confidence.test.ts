import { describe, expect, it } from 'vitest';
import { classifyLetter, type ClassifiedDetermination } from '../../../functions/domain/index.ts';
import { letterText } from '../../fixtures/factories.ts';

const letter = letterText({
  items: [
    { request: 'Norco 10/325mg #120', decision: 'Upheld' },
    { request: 'Physical therapy 2x6 for the lumbar spine', decision: 'Overturned' },
  ],
});
// Two pages: the first item's heading on the first, the second's on the second.
const split = letter.indexOf('Physical therapy 2x6');
const pages = `${letter.slice(0, split)}\f${letter.slice(split)}`;

describe('an item is as sure as the page it is printed on', () => {
  it('flags the item on a poorly read page, not the one on a good page', () => {
    const determination = classifyLetter(pages, { ocrConfidence: 0.8, pageConfidences: [0.95, 0.45], pageCount: 2 }) as ClassifiedDetermination;
    expect(determination.items[0]!.flags).not.toContain('LOW_CONFIDENCE');
    expect(determination.items[1]!.flags).toContain('LOW_CONFIDENCE');
  });

  it('takes the worst page when the request is printed on several (a good page never vouches for a bad one)', () => {
    const quoted = pages.replace('\f', '\nThe request for Physical therapy 2x6 for the lumbar spine was modified.\n\f');
    const determination = classifyLetter(quoted, { ocrConfidence: 0.8, pageConfidences: [0.95, 0.45], pageCount: 2 }) as ClassifiedDetermination;
    expect(determination.items[1]!.flags).toContain('LOW_CONFIDENCE');
  });
});
