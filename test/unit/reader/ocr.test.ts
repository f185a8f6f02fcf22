import { afterAll, describe, expect, it } from 'vitest';
import { DocumentReader, readingContext } from '../../../functions/reader/read-document.ts';
import { classifyLetter, type ClassifiedDetermination } from '../../../functions/domain/index.ts';
import { loadGoldenLetters } from '../../fixtures/golden.ts';
import { printedLines } from '../../fixtures/variants.ts';
import { FIRST_SCAN_KINDS, renderScan, type ScanKind } from '../../fixtures/scans.ts';
import { auditLetter } from '../../fixtures/audit.ts';
import { similarText } from '../../fixtures/scoring.ts';

/** Real local OCR (Debian's tesseract, or tesseract.js when it is not installed) over rendered scans. */
const reader = new DocumentReader();
afterAll(() => reader.close());

const letter = loadGoldenLetters()[0]!;

/** The first renderer's scans, and the second's pages turned every way and skewed. */
const READABLE: readonly ScanKind[] = [...FIRST_SCAN_KINDS, 'upside-down-fax', 'sideways-photo', 'skewed-scan'];

describe.each(READABLE)('%s of a letter, through local OCR', (kind) => {
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

describe.each(['truncated-pdf', 'fax-missing-pages'] as const)('%s: a letter that arrived cut short', (kind) => {
  it('is flagged INCOMPLETE, and what it reads of it is right or flagged', async () => {
    const long = loadGoldenLetters()[3]!;
    const [file] = (await renderScan(printedLines(long.text), kind, 5)).files;
    const document = await reader.read(file!, `${kind}.bin`);
    const determination = classifyLetter(document.text, readingContext(document));
    expect(determination.status === 'UNRECOGNIZED' || determination.flags.includes('INCOMPLETE')).toBe(true);
    const audit = auditLetter(long.golden, determination);
    expect({ wrong: audit.wrongUnflagged, phantom: audit.phantomUnflagged, missing: audit.missingUnflagged }).toEqual({ wrong: 0, phantom: 0, missing: 0 });
  });
});
