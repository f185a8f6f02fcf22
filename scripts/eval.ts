/**
 * `npm run eval`: how right the engine is, and how honest about what it is unsure of.
 *
 * 1. Silent errors per fixture family (text variants, letters cut short, scans through local
 *    OCR): items read wrong without a flag, phantom items without a flag, items missing from a
 *    letter that carries no flag, and letters cut short that do not say so. Beside them the
 *    review rate (the share of letters flagged), so that flagging everything does not pass.
 * 2. Confidence calibration: per band, how many items and how many of them are right.
 * 3. Per-field precision and recall over the text variants; taxonomy accuracy over
 *    hand-labelled requests; per scan type items, decisions, categories, CER and speed.
 * 4. The real published decisions of test/fixtures/corpus: every field against a careful
 *    reader's labels, the review rate and the silent errors (any fails the eval).
 * 5. Files of several letters (test/fixtures/stack-evaluation.ts): split right, and the silent
 *    errors of their letters (two letters read as one counts as one); email messages
 *    (test/fixtures/email-evaluation.ts) through the email intake's reading.
 *
 * `--verbose` lists each field miss; `--json` prints everything as JSON; `--no-scans` skips OCR;
 * `--faxes-every N` makes faxes of every Nth corpus letter (4 by default; 1 for all 97).
 * Exits 1 on any silent error, any critical field miss, or an item at 0.9 or above right less
 * than 99% of the time.
 */
import './one-line-errors.ts';
import { parseArgs } from 'node:util';
import { classifyLetter, classifyRequest, compareLetters, DeterminationSchema, type ClassifiedDetermination } from '../functions/domain/index.ts';
import { LABELLED_REQUESTS } from '../test/fixtures/requests.ts';
import { evaluateScans } from '../test/fixtures/scan-evaluation.ts';
import { evaluateCorpus } from '../test/fixtures/corpus-evaluation.ts';
import { evaluateStacks } from '../test/fixtures/stack-evaluation.ts';
import { evaluateEmails } from '../test/fixtures/email-evaluation.ts';
import { corpusFax, CORPUS_FAX_KINDS } from '../test/fixtures/corpus-faxes.ts';
import { loadGoldenLetters } from '../test/fixtures/golden.ts';
import { CLEAN_KINDS, cutShortVariantsOf, stressVariantsOf, variantsOf, VARIANT_KINDS, type VariantKind } from '../test/fixtures/variants.ts';
import { CRITICAL_FIELDS, scoreDetermination, totals, type FieldScore } from '../test/fixtures/scoring.ts';
import { addToFamily, auditLetter, calibrate, emptyFamily, silentErrors, type FamilyAudit } from '../test/fixtures/audit.ts';

const { values } = parseArgs({
  options: { verbose: { type: 'boolean' }, json: { type: 'boolean' }, 'no-scans': { type: 'boolean' }, 'faxes-every': { type: 'string', default: '4' } },
});
// Faxes of every Nth corpus letter (4 by default: 25 letters, each kind of fax in turn; 1 for all 97).
const faxesEvery = Number(values['faxes-every']);
if (!Number.isInteger(faxesEvery) || faxesEvery < 1) throw new Error('--faxes-every takes a whole number of 1 or more');

const letters = loadGoldenLetters();
const all: FieldScore[] = [];
const byKind = new Map<string, FieldScore[]>();
const families = new Map<string, FamilyAudit>();
const calibrationItems: Array<{ confidence: number; right: boolean }> = [];
const misses: string[] = [];
let fixtures = 0;
let textFixtures = 0;
let invalid = 0;
const family = (name: string) => families.get(name) ?? families.set(name, emptyFamily(name)).get(name)!;

for (const letter of letters) {
  for (const variant of variantsOf(letter)) {
    fixtures++;
    textFixtures++;
    const determination = classifyLetter(variant.text);
    if (!DeterminationSchema.safeParse(determination).success) invalid++;
    const scores = scoreDetermination(variant.expected, determination);
    all.push(...scores);
    byKind.set(variant.kind, [...(byKind.get(variant.kind) ?? []), ...scores]);
    for (const score of scores) if (score.detail && (score.fp || score.fn)) misses.push(`${variant.name} ${score.field}: ${score.detail}`);
    const audit = auditLetter(variant.expected, determination);
    addToFamily(family(variant.kind), audit, false);
    calibrationItems.push(...audit.items);
  }
  // Audited for silent errors only: harsh OCR may read things wrong (flagged); a cut letter must say it is cut.
  for (const variant of stressVariantsOf(letter)) auditOnly(variant, false);
  for (const variant of cutShortVariantsOf(letter)) auditOnly(variant, true);
}

function auditOnly(variant: { kind: string; text: string; expected: Parameters<typeof auditLetter>[0] }, cutShort: boolean): void {
  fixtures++;
  const determination = classifyLetter(variant.text);
  if (!DeterminationSchema.safeParse(determination).success) invalid++;
  const audit = auditLetter(variant.expected, determination);
  addToFamily(family(variant.kind), audit, cutShort);
  calibrationItems.push(...audit.items);
}

const scanRows = values['no-scans'] ? [] : await evaluateScans();
for (const row of scanRows) {
  // Scan families are named apart from text families (a text fax and a scanned fax can both miss pages).
  families.set(`scan:${row.kind}`, { ...row.family, family: `scan ${row.kind}` });
  calibrationItems.push(...row.items);
}

// Files as intake makes them: several letters, cover sheets, blank backs, other documents, pages out of order.
const stackReport = await evaluateStacks({ scans: !values['no-scans'] });
for (const row of stackReport.families) families.set(`stack:${row.family}`, { ...row, family: `file: ${row.family}` });
// Faxes that arrive by email: real MIME messages through the email intake's own reading, then the reader and the engine.
const emailReport = await evaluateEmails({ scans: !values['no-scans'] });
families.set('email', { ...emailReport.family, family: 'email messages' });

const ratio = (numerator: number, denominator: number) => (denominator === 0 ? 1 : numerator / denominator);
const percent = (value: number) => `${(value * 100).toFixed(1)}%`.padStart(7);
const rows = [...totals(all)].map(([field, { tp, fp, fn }]) => ({ field, tp, fp, fn, precision: ratio(tp, tp + fp), recall: ratio(tp, tp + fn) }));
const familyRows = [...families.values()];
const totalSilent = familyRows.reduce((sum, row) => sum + silentErrors(row), 0);
const clean = familyRows.filter((row) => (CLEAN_KINDS as readonly string[]).includes(row.family));
const cleanFlagged = clean.reduce((sum, row) => sum + row.flaggedLetters, 0);
const cleanLetters = clean.reduce((sum, row) => sum + row.letters, 0);
const bands = calibrate(calibrationItems);
const topBand = bands[0]!;

if (values.json) {
  console.log(
    JSON.stringify(
      {
        fixtures,
        invalid,
        silentErrors: totalSilent,
        families: familyRows,
        reviewRateClean: ratio(cleanFlagged, cleanLetters),
        calibration: bands,
        fields: rows,
        scans: scanRows.map(({ items: _, family: __, ...row }) => row),
        stacks: { files: stackReport.stacks, splitRight: stackReport.splitRight, misses: stackReport.misses },
        emails: { messages: emailReport.messages, handledRight: emailReport.handledRight, misses: emailReport.misses },
      },
      null,
      2,
    ),
  );
} else {
  console.log(
    `Silent errors: ${totalSilent} over ${fixtures + scanRows.length * letters.length} fixtures (${letters.length} letters x ${VARIANT_KINDS.length} text variants, ${familyRows.length - VARIANT_KINDS.length - scanRows.length} cut-short and harsh-OCR families, ${scanRows.length} scan types)\n`,
  );
  console.log(`${'family'.padEnd(26)}letters  wrong  phantom  missing  cut-short  | silent  flagged letters  items read`);
  for (const row of familyRows) {
    const silent = silentErrors(row);
    console.log(
      `${row.family.padEnd(26)}${String(row.letters).padStart(7)}${String(row.wrongUnflagged).padStart(7)}${String(row.phantomUnflagged).padStart(9)}${String(row.missingUnflagged).padStart(9)}${String(row.cutShortSilent).padStart(11)}  | ${String(silent).padStart(6)}${silent > 0 ? ' !' : '  '}   ${`${row.flaggedLetters}/${row.letters}`.padStart(5)}        ${`${row.matchedItems}/${row.expectedItems}`.padStart(7)}`,
    );
  }
  console.log(
    `\n(wrong: decision or class wrong, no item flag; phantom: an item not in the letter, no flag; missing: an item not read from a letter with no flag; cut-short: a letter cut short not flagged INCOMPLETE)`,
  );
  console.log(
    `Review rate on clean letters (${CLEAN_KINDS.join(', ')}): ${cleanFlagged}/${cleanLetters} flagged (${percent(ratio(cleanFlagged, cleanLetters)).trim()})`,
  );
  console.log(
    `Review rate over everything: ${familyRows.reduce((sum, row) => sum + row.flaggedLetters, 0)}/${familyRows.reduce((sum, row) => sum + row.letters, 0)} letters flagged`,
  );

  console.log(`\nConfidence calibration (every item read, text and scans): band, items, right`);
  for (const band of bands) console.log(`  ${band.label}  ${String(band.items).padStart(5)}  ${percent(ratio(band.right, band.items))}`);

  console.log(`\nLetter engine fields over the text variants: ${textFixtures} fixtures; ${invalid} of all ${fixtures} failing the schema\n`);
  console.log(`${'field'.padEnd(44)}${'TP'.padStart(5)}${'FP'.padStart(5)}${'FN'.padStart(5)}  precision  recall`);
  for (const row of rows) {
    console.log(
      `${row.field.padEnd(44)}${String(row.tp).padStart(5)}${String(row.fp).padStart(5)}${String(row.fn).padStart(5)}    ${percent(row.precision)} ${percent(row.recall)}`,
    );
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
    console.log(
      `  ${(kind as VariantKind).padEnd(20)} items ${recall('items')}  decision ${recall('item.decision')}  category ${recall('item.category')}  all-fields F1 ${percent(ratio(2 * tp, 2 * tp + fp + fn))}`,
    );
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
  console.log(
    `\nTaxonomy over ${LABELLED_REQUESTS.length} hand-labelled requests: ${requestsRight} classified right (${percent(ratio(requestsRight, LABELLED_REQUESTS.length)).trim()})`,
  );
  for (const miss of requestMisses) console.log(miss);
}

if (!values.json && scanRows.length > 0) {
  console.log(`\nScans through local OCR (${letters.length} letters per type; CER = character error rate of the OCR text against the letter):`);
  console.log(`  ${'input type'.padEnd(18)} engine          items P   items R   decision  decision(read) category  flagged   CER     s/page`);
  for (const row of scanRows) {
    console.log(
      `  ${row.kind.padEnd(18)} ${row.engine.padEnd(15)} ${percent(row.itemPrecision)}   ${percent(row.itemRecall)}   ${percent(row.decisionAccuracy)}   ${percent(row.decisionAccuracyOnRead)}     ${percent(row.categoryAccuracy)}   ${`${row.family.flaggedLetters}/${row.family.letters}`.padStart(5)}  ${(row.cer * 100).toFixed(2).padStart(5)}%  ${row.secondsPerPage.toFixed(2).padStart(6)}`,
    );
  }
}

if (!values.json) {
  console.log(
    `\nFiles of several letters (${stackReport.stacks} files: 2-5 letters, cover sheets, blank backs, other documents, pages out of order, a lost start heading${values['no-scans'] ? '' : ', scanned'}):`,
  );
  console.log(
    `  split right (every letter found, on exactly its pages): ${stackReport.splitRight}/${stackReport.stacks} (${percent(ratio(stackReport.splitRight, stackReport.stacks)).trim()})`,
  );
  for (const miss of stackReport.misses) console.log(`  not split right: ${miss}`);
  console.log(
    `\nEmail messages (${emailReport.messages}: PDF and TIFF attachments, one declared application/octet-stream beside a Word file, two letters in one PDF, two attachments, a forwarded message, no attachment, a Word file alone):`,
  );
  console.log(`  handled right (the documents expected, or refused with the reason expected): ${emailReport.handledRight}/${emailReport.messages}`);
  for (const miss of emailReport.misses) console.log(`  not right: ${miss}`);
}

// One letter in two forms, and different letters: linked, flagged or kept apart. A wrong merge
// (two letters taken for one) is silent: the second is neither counted nor announced.
const dated = (text: string) => classifyLetter(`Decision Date: 01/21/2015\n\n${text}`);
const tally = { linked: 0, flagged: 0, apart: 0, pairs: 0, wrongMerges: 0, otherPairs: 0 };
const firsts: ClassifiedDetermination[] = [];
for (const letter of letters) {
  const [published, ...others] = variantsOf(letter).map((variant) => dated(variant.text));
  if (published?.status !== 'CLASSIFIED') continue;
  firsts.push(published);
  for (const other of others) {
    if (other.status !== 'CLASSIFIED') continue;
    tally.pairs++;
    const verdict = compareLetters(published, other);
    if (verdict === 'SAME') tally.linked++;
    else if (verdict === 'UNSURE') tally.flagged++;
    else tally.apart++;
  }
  // A near twin: the same letter but for one number in its first numbered request (#90 -> #100),
  // wherever the letter prints that request, is another letter.
  const numbered = published.items.find((item) => /\d/.test(item.request))?.request;
  const last = numbered ? [...numbered.matchAll(/\d+/g)].at(-1) : undefined;
  const changed = numbered && last ? `${numbered.slice(0, last.index)}${Number(last[0]) + 10}${numbered.slice(last.index + last[0].length)}` : null;
  const twin = numbered && changed ? dated(variantsOf(letter)[0]!.text.replaceAll(numbered, changed)) : null;
  if (twin?.status === 'CLASSIFIED') {
    tally.otherPairs++;
    if (compareLetters(published, twin) === 'SAME') tally.wrongMerges++;
  }
}
for (const [i, a] of firsts.entries()) {
  for (const b of firsts.slice(i + 1)) {
    tally.otherPairs++;
    if (compareLetters(a, b) === 'SAME') tally.wrongMerges++;
  }
}
if (!values.json) {
  console.log(`\nOne letter, one determination (each letter with a decision date, its published text against its ${VARIANT_KINDS.length - 1} other forms):`);
  console.log(`  same letter, two forms: ${tally.pairs} pairs: linked ${tally.linked}, kept apart and flagged ${tally.flagged}, kept apart ${tally.apart}`);
  console.log(
    `  different letters (near twins with one number changed, and every pair of letters): ${tally.otherPairs} pairs, wrongly merged ${tally.wrongMerges}`,
  );
}

// Real published decisions with a careful reader's labels (test/fixtures/corpus): every field, the review rate and the silent errors;
// then faxes and scans made from their own pages (every fourth letter, the kinds in turn), read through local OCR.
const corpus = await evaluateCorpus();
const corpusFaxes = values['no-scans'] ? null : await evaluateCorpusFaxes(faxesEvery);
const corpusSilent = corpus.silentErrors + (corpusFaxes?.silentErrors ?? 0);
for (const [title, report] of [
  ['Real published decisions', corpus],
  ['Faxes and scans of their own pages', corpusFaxes],
] as const) {
  if (!report || values.json) continue;
  console.log(`\n${title} (${report.letters} letters, ${report.expectedItems} items):`);
  printCorpus(report);
}
function printCorpus(report: Awaited<ReturnType<typeof evaluateCorpus>>): void {
  const corpus = report;
  console.log(
    `  classified ${corpus.classified}/${corpus.letters}, items found ${corpus.itemsFound}/${corpus.expectedItems}, letters sent to review ${corpus.flaggedLetters}/${corpus.letters} (${percent(ratio(corpus.flaggedLetters, corpus.letters)).trim()}), silent errors ${corpus.silentErrors}`,
  );
  console.log(
    `  ${'field'.padEnd(22)}${'right'.padStart(7)}${'wrong, flagged'.padStart(16)}${'wrong, SILENT'.padStart(15)}${'not read'.padStart(10)}   share right`,
  );
  for (const [name, t] of Object.entries(corpus.fields)) {
    const total = t.right + t.wrongFlagged + t.wrongSilent + t.missing;
    console.log(
      `  ${name.padEnd(22)}${String(t.right).padStart(7)}${String(t.wrongFlagged).padStart(16)}${String(t.wrongSilent).padStart(15)}${String(t.missing).padStart(10)}   ${percent(ratio(t.right, total))}`,
    );
  }
  if (values.verbose) for (const miss of corpus.misses) console.log(`  ${miss}`);
  else if (corpus.misses.length > 0) console.log(`  ${corpus.misses.length} misses; run with --verbose to list them.`);
}

/** The corpus as faxes and scans of its own pages, every `every`th letter, the kinds in turn. */
async function evaluateCorpusFaxes(every: number): Promise<Awaited<ReturnType<typeof evaluateCorpus>>> {
  const { DocumentReader, readingContext } = await import('../functions/reader/read-document.ts');
  const reader = new DocumentReader();
  try {
    return await evaluateCorpus({
      select: (index) => index % every === 0,
      read: async (bytes, name, index) => {
        const fax = await corpusFax(bytes, CORPUS_FAX_KINDS[(index / every) % CORPUS_FAX_KINDS.length]!, index);
        const document = await reader.read(fax, name);
        return classifyLetter(document.text, readingContext(document));
      },
    });
  } finally {
    await reader.close();
  }
}

const criticalMisses = rows.filter((row) => (CRITICAL_FIELDS as readonly string[]).includes(row.field) && (row.fp > 0 || row.fn > 0));
const calibrated = topBand.items === 0 || topBand.right / topBand.items >= 0.99;
process.exitCode =
  criticalMisses.length > 0 || invalid > 0 || requestMisses.length > 0 || totalSilent > 0 || tally.wrongMerges > 0 || corpusSilent > 0 || !calibrated ? 1 : 0;
