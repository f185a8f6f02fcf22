/**
 * `npm run eval`: per-field precision and recall of the letter engine over every golden
 * letter and every variant derived from it. `--verbose` lists each miss; `--json` prints
 * the table as JSON. Exits 1 when a critical field (items, decision, category) is not perfect.
 */
import './one-line-errors.ts';
import { parseArgs } from 'node:util';
import { classifyLetter, classifyRequest, DeterminationSchema } from '../functions/domain/index.ts';
import { LABELLED_REQUESTS } from '../test/fixtures/requests.ts';
import { evaluateScans } from '../test/fixtures/scan-evaluation.ts';
import { loadGoldenLetters } from '../test/fixtures/golden.ts';
import { variantsOf, VARIANT_KINDS } from '../test/fixtures/variants.ts';
import { CRITICAL_FIELDS, scoreDetermination, totals, type FieldScore } from '../test/fixtures/scoring.ts';

const { values } = parseArgs({ options: { verbose: { type: 'boolean' }, json: { type: 'boolean' }, 'no-scans': { type: 'boolean' } } });

const all: FieldScore[] = [];
const byKind = new Map<string, FieldScore[]>();
const misses: string[] = [];
let fixtures = 0;
let invalid = 0;
for (const letter of loadGoldenLetters()) {
  for (const variant of variantsOf(letter)) {
    fixtures++;
    const determination = classifyLetter(variant.text);
    if (!DeterminationSchema.safeParse(determination).success) invalid++;
    const scores = scoreDetermination(variant.expected, determination);
    all.push(...scores);
    byKind.set(variant.kind, [...(byKind.get(variant.kind) ?? []), ...scores]);
    for (const score of scores) if (score.detail && (score.fp || score.fn)) misses.push(`${variant.name} ${score.field}: ${score.detail}`);
  }
}

const ratio = (numerator: number, denominator: number) => (denominator === 0 ? 1 : numerator / denominator);
const percent = (value: number) => `${(value * 100).toFixed(1)}%`.padStart(7);
const rows = [...totals(all)].map(([field, { tp, fp, fn }]) => ({ field, tp, fp, fn, precision: ratio(tp, tp + fp), recall: ratio(tp, tp + fn) }));

if (values.json) {
  console.log(JSON.stringify({ fixtures, invalid, fields: rows }, null, 2));
} else {
  console.log(`Letter engine evaluation: ${fixtures} fixtures (${loadGoldenLetters().length} letters x ${VARIANT_KINDS.length} variants), ${invalid} failing the schema\n`);
  console.log(`${'field'.padEnd(44)}${'TP'.padStart(5)}${'FP'.padStart(5)}${'FN'.padStart(5)}  precision  recall`);
  for (const row of rows) {
    console.log(`${row.field.padEnd(44)}${String(row.tp).padStart(5)}${String(row.fp).padStart(5)}${String(row.fn).padStart(5)}    ${percent(row.precision)} ${percent(row.recall)}`);
  }
  console.log(`\nBy variant (items found / decisions / categories right, and all fields F1):`);
  for (const [kind, scores] of byKind) {
    const sums = totals(scores);
    const recall = (field: string) => {
      const sum = sums.get(field)!;
      return percent(ratio(sum.tp, sum.tp + sum.fn));
    };
    let tp = 0;
    let fp = 0;
    let fn = 0;
    for (const sum of sums.values()) {
      tp += sum.tp;
      fp += sum.fp;
      fn += sum.fn;
    }
    const f1 = ratio(2 * tp, 2 * tp + fp + fn);
    console.log(`  ${kind.padEnd(16)} items ${recall('items')}  decision ${recall('item.decision')}  category ${recall('item.category')}  all-fields F1 ${percent(f1)}`);
  }
  if (values.verbose) {
    console.log(`\nMisses (${misses.length}):`);
    for (const miss of misses) console.log(`  ${miss}`);
  } else if (misses.length > 0) {
    console.log(`\n${misses.length} field misses; run with --verbose to list them.`);
  }
}

let requestsRight = 0;
const requestMisses: string[] = [];
for (const labelled of LABELLED_REQUESTS) {
  const read = classifyRequest(labelled.request);
  const right =
    read.classification.category === labelled.category &&
    read.classification.subcategory === labelled.subcategory &&
    (labelled.generic === undefined || read.generic === labelled.generic) &&
    read.identified === !labelled.unknown;
  if (right) requestsRight++;
  else requestMisses.push(`  "${labelled.request}": read ${read.classification.category}/${read.classification.subcategory} (${read.generic ?? 'no generic'})`);
}
if (!values.json) {
  console.log(`\nTaxonomy over ${LABELLED_REQUESTS.length} hand-labelled requests: ${requestsRight} classified right (${percent(ratio(requestsRight, LABELLED_REQUESTS.length)).trim()})`);
  for (const miss of requestMisses) console.log(miss);
}

const scanRows = values['no-scans'] ? [] : await evaluateScans();
if (!values.json && scanRows.length > 0) {
  console.log(`\nScans through local OCR (${loadGoldenLetters().length} letters per type; CER = character error rate of the OCR text against the letter):`);
  console.log(`  ${'input type'.padEnd(14)} engine          items P     items R   decision  category  wrong+unflagged   CER     s/page`);
  for (const row of scanRows) {
    console.log(
      `  ${row.kind.padEnd(14)} ${row.engine.padEnd(15)} ${percent(row.itemPrecision)}    ${percent(row.itemRecall)}   ${percent(row.decisionAccuracy)}   ${percent(row.categoryAccuracy)}   ${String(row.silentlyWrong).padStart(8)}         ${(row.cer * 100).toFixed(2).padStart(5)}%  ${row.secondsPerPage.toFixed(2).padStart(6)}`,
    );
  }
}
if (values.json) console.log(JSON.stringify({ scans: scanRows }, null, 2));

const criticalMisses = rows.filter((row) => (CRITICAL_FIELDS as readonly string[]).includes(row.field) && (row.fp > 0 || row.fn > 0));
process.exitCode = criticalMisses.length > 0 || invalid > 0 || requestMisses.length > 0 ? 1 : 0;
