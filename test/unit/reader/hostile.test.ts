import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DocumentReader } from '../../../functions/reader/read-document.ts';
import { InputError } from '../../../functions/reader/errors.ts';
import { classifyLetter } from '../../../functions/domain/index.ts';
import { hostileFiles } from '../../fixtures/hostile.ts';
import { LETTERS_DIR } from '../../fixtures/golden.ts';
import { typesetPdf } from '../../fixtures/scans.ts';
import { printedLines } from '../../fixtures/variants.ts';

const built = performance.now();
const files = await hostileFiles();
const buildMs = performance.now() - built;

/** OCR is never needed to refuse a hostile file: the recognizer counts and fails any call. */
let ocrCalls = 0;
const reader = new DocumentReader(() => {
  ocrCalls++;
  throw new Error('OCR was asked for');
}, 2);
const timings: Array<{ name: string; megabytes: string; code: string; ms: number }> = [];

afterAll(async () => {
  await reader.close();
  console.log(`hostile files: ${files.length} built in ${Math.round(buildMs)} ms, read in ${Math.round(timings.reduce((sum, row) => sum + row.ms, 0))} ms`);
  console.table(timings);
});

describe('hostile files are refused one after another in one process, each with its reason', () => {
  it('the set is at least 20 distinct files, each under 60 MB', () => {
    expect(files.length).toBeGreaterThanOrEqual(20);
    expect(new Set(files.map((file) => file.name)).size).toBe(files.length);
    expect(new Set(files.map((file) => file.bytes.toString('base64'))).size).toBe(files.length);
    for (const file of files) expect(file.bytes.length, file.name).toBeLessThan(60 * 1024 * 1024);
  });

  it.each(files.map((file) => [file.name, file] as const))('%s', async (_, file) => {
    const started = performance.now();
    const error = await reader.read(file.bytes, 'document').then(
      () => new Error('read without an error'),
      (thrown: unknown) => thrown,
    );
    timings.push({
      name: file.name,
      megabytes: (file.bytes.length / 1048576).toFixed(2),
      code: (error as InputError).code,
      ms: Math.round(performance.now() - started),
    });
    expect(error).toBeInstanceOf(InputError);
    expect(error).toMatchObject({ code: file.expect });
    // What a person reads: one line, naming the document, with no stack trace in it.
    const { message } = error as InputError;
    expect(message).toMatch(/^document: \S/);
    expect(message).not.toContain('\n');
    expect(message).not.toMatch(/\bat .+:\d+:\d+/);
    expect(ocrCalls).toBe(0);
  });

  it('after them all, a real letter reads as text and as a PDF', async () => {
    const letter = readFileSync(join(LETTERS_DIR, '000_c23914438814b414.txt'));
    const asText = await reader.read(letter, 'letter.txt');
    expect(asText).toMatchObject({ kind: 'text', ocrPages: 0 });
    expect(classifyLetter(asText.text).status).toBe('CLASSIFIED');
    const asPdf = await reader.read(await typesetPdf(printedLines(letter.toString('utf8'))), 'letter.pdf');
    expect(asPdf).toMatchObject({ kind: 'pdf', ocrPages: 0 });
    expect(asPdf.text).toContain('HOW THE IMR FINAL DETERMINATION WAS MADE');
    expect(classifyLetter(asPdf.text).status).toBe('CLASSIFIED');
    expect(ocrCalls).toBe(0);
  });
});
