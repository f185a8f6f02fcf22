import { afterAll, describe, expect, it } from 'vitest';
import { DocumentReader } from '../../../functions/reader/read-document.ts';
import { classifyLetter, type ClassifiedDetermination } from '../../../functions/domain/index.ts';
import { loadGoldenLetters } from '../../fixtures/golden.ts';
import { printedLines } from '../../fixtures/variants.ts';
import { renderScan, SCAN_KINDS } from '../../fixtures/scans.ts';
import { similarText } from '../../fixtures/scoring.ts';

/** Real local OCR (Debian's tesseract, or tesseract.js when it is not installed) over rendered scans. */
const reader = new DocumentReader();
afterAll(() => reader.close());

const letter = loadGoldenLetters()[0]!;

describe.each(SCAN_KINDS)('%s of a letter, through local OCR', (kind) => {
  it('reads every item with its decision and category', async () => {
    const scan = await renderScan(printedLines(letter.text), kind, 11);
    const documents = await Promise.all(scan.files.map((file, i) => reader.read(file, `${kind}-${i}.${scan.extension}`)));
    expect(documents.every((document) => document.ocrPages > 0 && document.engine !== undefined)).toBe(true);
    const text = documents.map((document) => document.text).join('\n\f\n');
    const ocrConfidence = documents.reduce((sum, document) => sum + (document.ocrConfidence ?? 0), 0) / documents.length;
    const determination = classifyLetter(text, { ocrConfidence }) as ClassifiedDetermination;
    expect(determination.status).toBe('CLASSIFIED');
    expect(determination.items).toHaveLength(letter.golden.items.length);
    letter.golden.items.forEach((expected, i) => {
      const item = determination.items[i]!;
      expect(item.decision).toBe(expected.decision);
      if (kind === 'fax-poor') {
        // A bad fax may garble a name beyond recognition; then the item must say so, never guess silently.
        const right = item.category === expected.category && item.subcategory === expected.subcategory;
        expect(right || item.flags.includes('LOW_CONFIDENCE'), `${item.request}: ${item.category}/${item.subcategory}`).toBe(true);
      } else {
        expect(similarText(expected.request, item.request), item.request).toBe(true);
        expect([item.category, item.subcategory]).toEqual([expected.category, expected.subcategory]);
      }
    });
    expect(ocrConfidence).toBeGreaterThan(kind === 'fax-poor' ? 0.6 : 0.8);
  });
});
