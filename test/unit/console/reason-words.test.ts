/**
 * Every code the service can record as a FAILED or UNRECOGNIZED document's reason has words a
 * person reads on the Problems page, with what to do: the codes are gathered from where they are
 * made (the reader's, the reading processes', Textract's, and every `CODE: ...` reason the
 * service writes), so a new code without words fails here.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { INPUT_ERROR_CODES } from '../../../functions/reader/errors.ts';
import { READING_LIMIT_CODES, ReadingProcessError } from '../../../functions/reader/pool.ts';
import { TEXTRACT_ERROR_CODES } from '../../../functions/adapters/textract/errors.ts';
import { RETRYABLE_FAILURES } from '../../../functions/service/retry.ts';
import { PROBLEM_STATUSES } from '../../../functions/service/problems.ts';
import { DOCUMENT_STATUSES } from '../../../functions/service/ports.ts';
import { REASON_WORDS, reasonInWords } from '../../../functions/console/app/words.ts';

/** Every string a `.ts` file under `folder` writes that starts like a reason (`CODE: ...`): literals and template heads, comments left out. */
function reasonCodesWritten(folder: string): Set<string> {
  const codes = new Set<string>();
  for (const name of readdirSync(folder, { recursive: true }) as string[]) {
    if (!name.endsWith('.ts')) continue;
    const file = join(folder, name);
    const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
    const visit = (node: ts.Node): void => {
      if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node) || ts.isTemplateHead(node)) {
        const code = /^([A-Z][A-Z0-9_]{2,}): /.exec(node.text)?.[1];
        if (code) codes.add(code);
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return codes;
}

/** The statuses whose reason is no problem (what they mean, or where the letters of a file went). */
const NOT_PROBLEMS = new Set(DOCUMENT_STATUSES.filter((status) => !PROBLEM_STATUSES.includes(status)));

describe("a problem's reason in words", () => {
  const recorded = new Set<string>([
    ...INPUT_ERROR_CODES,
    ...READING_LIMIT_CODES,
    new ReadingProcessError('').code,
    ...TEXTRACT_ERROR_CODES,
    ...RETRYABLE_FAILURES,
    ...PROBLEM_STATUSES,
    ...[...reasonCodesWritten('functions/service'), ...reasonCodesWritten('functions/reader')].filter((code) => !NOT_PROBLEMS.has(code as never)),
  ]);

  it('finds the codes where the service writes them (the gathering itself works)', () => {
    for (const code of ['DISK_FULL', 'PROCESSING_FAILED', 'TOO_MANY_LETTERS', 'OCR_LOST', 'OCR_TIMEOUT', 'TEXTRACT_FAILED', 'TOO_LARGE', 'UNRECOGNIZED'])
      expect(recorded).toContain(code);
  });

  it('has words, and what to do, for every code the service can record', () => {
    const missing = [...recorded].filter((code) => !REASON_WORDS[code]);
    expect(missing).toEqual([]);
  });

  it('reads as words: no code, no underscore, a sentence each', () => {
    for (const [code, words] of Object.entries(REASON_WORDS)) {
      for (const text of [words.what, words.todo]) {
        expect(text, code).toMatch(/^[A-Z].*\.$/s);
        expect(
          text.split(/\s+/).filter((word) => word.includes('_')),
          code,
        ).toEqual([]);
      }
    }
  });

  it('tells a Word document to be saved as PDF, by its words or its file name', () => {
    const fromWords = reasonInWords('BINARY: document: a Word document (.docx), not a PDF or a scan: open it, save or print it as PDF, and upload the PDF');
    expect(fromWords.what).toMatch(/Word document/);
    expect(fromWords.todo).toMatch(/save it as PDF, and upload the PDF/);
    // Recorded before the reader named it (a reason of an older version): the file's name says it.
    const fromName = reasonInWords('BINARY: document: binary data that is not a PDF, TIFF, PNG or JPEG; expected a letter', ['letter to Pat.DOCX']);
    expect(fromName.what).toMatch(/Word document/);
    expect(reasonInWords('BINARY: document: binary data that is not a PDF, TIFF, PNG or JPEG', ['blob.bin']).what).toMatch(/^This kind of file is not read/);
  });

  it('keeps the detail the reason gave, without its code, and tells the particular cases of a foreign document', () => {
    expect(reasonInWords('ENCRYPTED: document: the PDF is password-protected; send it without a password')).toEqual({
      what: 'The PDF is locked with a password.',
      todo: 'Open it with its password, save a copy without one (Print, then Save as PDF), and upload that.',
      detail: 'the PDF is password-protected; send it without a password',
    });
    expect(reasonInWords('UNRECOGNIZED: looks like a utilization review notice, not an IMR Final Determination').what).toMatch(/utilization review/);
    expect(reasonInWords('UNRECOGNIZED: the text has no readable sentences (OCR garbage or not a letter)').what).toMatch(/Too little of it reads as a letter/);
    expect(
      reasonInWords('UNRECOGNIZED: IMR DECISION(S) AND RATIONALE(S) found but no numbered item with a decision: the letter may be truncated').what,
    ).toMatch(/cut short/);
    // A code with no words yet says what was recorded rather than nothing.
    expect(reasonInWords('SOMETHING_NEW: document: it broke')).toMatchObject({ what: 'It could not be read.', detail: 'SOMETHING_NEW: document: it broke' });
    expect(reasonInWords(null).what).toBe('It could not be read.');
  });
});
