import { describe, expect, it } from 'vitest';
import { practiceLetter, practicePage } from '../../../functions/reader/practice.ts';
import { practiseReading } from '../../../functions/reader/worker.ts';
import { classifyLetter } from '../../../functions/domain/index.ts';
import { DocumentReader } from '../../../functions/reader/read-document.ts';
import { isBilevel } from '../../../functions/reader/raster.ts';
import { removeRules } from '../../../functions/reader/rules.ts';
import { uprightRaster } from '../../../functions/reader/upright.ts';
import { BLANK_PAGE_INK } from '../../../functions/reader/orientation.ts';

describe('the practice page a reading process cleans before its first scan', () => {
  it('is a black-and-white fax page with lines of print, read as upright and straight, whose ruling is removed', async () => {
    const page = practicePage();
    expect([page.width, page.height]).toEqual([1728, 2156]);
    expect(isBilevel(page)).toBe(true);
    // The same page every time: what is practised does not depend on the run.
    expect(Buffer.from(practicePage().data).equals(Buffer.from(page.data))).toBe(true);
    const { turn, ink } = await uprightRaster(page);
    expect(ink).toBeGreaterThan(100 * BLANK_PAGE_INK);
    expect([turn.quarter, turn.skew]).toEqual([0, 0]);
    // Its header rule is long enough to be found and removed, as a published header's are.
    expect(removeRules(page)).toBe(true);
  });

  it('is put through the page clean-up by a reader without reaching its OCR engine', async () => {
    let recognized = 0;
    const reader = new DocumentReader(
      () => ({
        name: 'counting',
        readsFaxTiff: true,
        recognize: async () => {
          recognized++;
          return { text: '', confidence: 1 };
        },
        close: async () => undefined,
      }),
      1,
    );
    await expect(reader.practise()).resolves.toBeUndefined();
    expect(recognized).toBe(0);
  });
});

describe('the practice letter a fast-lane reading process reads before its first letter', () => {
  it('is read as a whole letter, every field the engine reads found and nothing doubted: it takes the path real letters take', () => {
    const determination = classifyLetter(practiceLetter());
    expect(determination.status).toBe('CLASSIFIED');
    if (determination.status !== 'CLASSIFIED') return;
    expect(determination).toMatchObject({ caseNumber: 'CM15-0000000', layout: '2014', flags: [], warnings: [] });
    expect(determination.dates).toMatchObject({ injury: '2012-03-04', received: '2014-12-22', decision: '2015-02-02' });
    expect(determination.items.map((item) => [item.decision, item.category, item.flags])).toEqual([
      ['UPHELD', 'PHARMACEUTICAL', []],
      ['OVERTURNED', 'REHABILITATION', []],
      ['UPHELD', 'DIAGNOSTIC_TESTING', []],
    ]);
  });

  it('is read the number of times asked, and no more once a real document has come', async () => {
    const reader = new DocumentReader(undefined, 1);
    expect(await practiseReading(reader, 3, () => false)).toBe(3);
    let asked = 0;
    // The real document comes while the second practice reading is under way: that one ends, no other starts.
    expect(await practiseReading(reader, 30, () => ++asked > 2)).toBe(2);
    await reader.close();
  });
});
