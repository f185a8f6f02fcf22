/**
 * Calibrates the word confidence under which tesseract's reading of a number is doubtful
 * (`DOUBTFUL_WORD_CONFIDENCE`): faxes are made from corpus letters' own pages (standard and
 * fine resolution), read the way the reader reads them (set upright, ruled lines whitened,
 * tesseract TSV), and each word holding a digit is checked against the words of the letter's
 * text layer. A word not found there was misread. Prints, for each bar, how many misread
 * numbers it catches and how many rightly read numbers it doubts.
 *
 * Usage: npx tsx scripts/word-doubt.ts [--every N]   (every Nth corpus letter; 8 by default)
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DocumentReader } from '../functions/reader/read-document.ts';
import { wordKey as key } from '../functions/domain/engine.ts';
import { uprightPage } from '../functions/reader/upright.ts';
import { withoutRules } from '../functions/reader/rules.ts';
import { CORPUS_DIR } from '../test/fixtures/corpus-evaluation.ts';
import { faxPage, rasterise } from '../test/fixtures/scans.ts';

const every = Number(process.argv[process.argv.indexOf('--every') + 1] || 8);
const reader = new DocumentReader();

const words: Array<{ confidence: number; right: boolean; word: string }> = [];
const pdfs = readdirSync(join(CORPUS_DIR, 'pdf'))
  .filter((name) => name.endsWith('.pdf'))
  .sort();
for (const [index, name] of pdfs.entries()) {
  if (index % every !== 0) continue;
  const bytes = readFileSync(join(CORPUS_DIR, 'pdf', name));
  const source = await reader.read(new Uint8Array(bytes), name);
  const known = new Set(source.text.split(/\s+/).map(key));
  const pages = await rasterise(new Uint8Array(bytes), 204);
  for (const [kind, dpi] of [
    ['standard', 98],
    ['fine', 196],
  ] as const) {
    for (const [p, png] of pages.entries()) {
      const image = await withoutRules((await uprightPage(await faxPage(png, dpi, index + p))).png);
      const run = spawnSync('tesseract', ['stdin', 'stdout', '--psm', '6', '-l', 'eng', 'tsv'], {
        input: image,
        env: { ...process.env, OMP_THREAD_LIMIT: '1' },
        maxBuffer: 64 << 20,
      });
      for (const row of run.stdout.toString('utf8').split('\n').slice(1)) {
        const cells = row.split('\t');
        const word = cells[11]?.trim() ?? '';
        if (cells[0] !== '5' || !/\d/.test(word)) continue;
        words.push({ confidence: Number(cells[10]), right: known.has(key(word)), word });
      }
    }
    process.stderr.write(`${name} ${kind}\n`);
  }
}

await reader.close();

const misread = words.filter((word) => !word.right);
console.log(`numbers read: ${words.length}, misread (not in the text layer): ${misread.length}`);
console.log('bar   misread caught   right numbers doubted');
for (const bar of [40, 50, 60, 65, 70, 75, 80, 85, 90]) {
  const caught = misread.filter((word) => word.confidence < bar).length;
  const doubted = words.filter((word) => word.right && word.confidence < bar).length;
  console.log(
    `${String(bar).padEnd(5)} ${`${caught}/${misread.length} (${((100 * caught) / Math.max(1, misread.length)).toFixed(0)}%)`.padEnd(16)} ${doubted}/${words.length - misread.length} (${((100 * doubted) / Math.max(1, words.length - misread.length)).toFixed(1)}%)`,
  );
}
console.log(
  'misread numbers tesseract was sure of (>= 70):',
  misread
    .filter((word) => word.confidence >= 70)
    .slice(0, 30)
    .map((word) => `${word.word}@${Math.round(word.confidence)}`)
    .join(' '),
);
