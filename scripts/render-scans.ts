/**
 * `npm run scans -- [IN_DIR] [OUT_DIR]`: renders every text letter (`*.txt`) of IN_DIR
 * (default `samples/`) as realistic scans (grey scanned PDF, fine, standard and poor fax
 * TIFF, phone photos) into OUT_DIR (default `scans/`), to try `npx imr classify` on. A
 * letter in the published form (a blank line after every printed line) and a plain text
 * letter are both set line for line. The tests and `npm run eval` render the same files
 * themselves, deterministically, so none are committed.
 */
import './one-line-errors.ts';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { decodeText } from '../functions/reader/sniff.ts';
import { printableLines } from '../test/fixtures/variants.ts';
import { renderScan, SCAN_KINDS } from '../test/fixtures/scans.ts';

const [inDir = 'samples', outDir = 'scans'] = process.argv.slice(2);
let letters: string[];
try {
  if (!statSync(inDir).isDirectory()) throw new Error('not a folder');
  letters = readdirSync(inDir)
    .filter((name) => name.toLowerCase().endsWith('.txt'))
    .sort();
} catch {
  console.error(`scans: ${inDir} is not a readable folder; usage: npm run scans -- [IN_DIR] [OUT_DIR]`);
  process.exit(1);
}
if (letters.length === 0) {
  console.error(`scans: ${inDir} holds no .txt letters to render`);
  process.exit(1);
}
mkdirSync(outDir, { recursive: true, mode: 0o700 });
for (const [index, file] of letters.entries()) {
  const id = basename(file).replace(/\.txt$/i, '');
  const lines = printableLines(decodeText(readFileSync(join(inDir, file))));
  for (const kind of SCAN_KINDS) {
    const scan = await renderScan(lines, kind, index + 1);
    scan.files.forEach((data, page) => {
      const name = scan.files.length > 1 ? `${id}.${kind}.page${page + 1}.${scan.extension}` : `${id}.${kind}.${scan.extension}`;
      writeFileSync(join(outDir, name), data, { mode: 0o600 });
      console.log(join(outDir, name));
    });
  }
}
