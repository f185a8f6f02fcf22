/**
 * `npm run scans -- [DIR]`: renders every letter of `../shared/letters` as realistic scans
 * (grey scanned PDF, fine and standard fax TIFF, phone photos) into DIR (default
 * `scans/`), to try `npx imr classify` on. The tests and `npm run eval` render the same
 * files themselves, deterministically, so none are committed.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadGoldenLetters } from '../test/fixtures/golden.ts';
import { printedLines } from '../test/fixtures/variants.ts';
import { renderScan, SCAN_KINDS } from '../test/fixtures/scans.ts';

const dir = process.argv[2] ?? 'scans';
mkdirSync(dir, { recursive: true });
for (const [index, letter] of loadGoldenLetters().entries()) {
  const id = letter.golden.letter.replace(/\.txt$/, '');
  for (const kind of SCAN_KINDS) {
    const scan = await renderScan(printedLines(letter.text), kind, index + 1);
    scan.files.forEach((file, page) => {
      const name = scan.files.length > 1 ? `${id}.${kind}.page${page + 1}.${scan.extension}` : `${id}.${kind}.${scan.extension}`;
      writeFileSync(join(dir, name), file);
      console.log(join(dir, name));
    });
  }
}
