import { mkdtempSync, mkdirSync, writeFileSync, copyFileSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync, spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main, EXIT, type Console } from '../../../functions/cli/main.ts';
import { DocumentReader } from '../../../functions/reader/read-document.ts';
import { FIXTURES_DIR, LETTERS_DIR, loadGoldenLetters } from '../../fixtures/golden.ts';
import { DeterminationSchema } from '../../../functions/domain/index.ts';
import { printedLines } from '../../fixtures/variants.ts';
import { renderScan, typesetPdf } from '../../fixtures/scans.ts';
import { coverSheet, letterPages, stackText } from '../../fixtures/stacks.ts';

interface Run {
  readonly code: number;
  readonly out: string;
  readonly err: string;
}

async function run(...argv: string[]): Promise<Run> {
  let out = '';
  let err = '';
  const io: Console = { out: (text) => void (out += text), err: (text) => void (err += text), interactive: false };
  const code = await main(argv, io);
  return { code, out, err };
}

const letters = loadGoldenLetters();
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'imr-cli-'));
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, content: string | Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

describe('imr classify FILE', () => {
  it('prints the Determination of a letter and exits 0', async () => {
    const result = await run('classify', join(LETTERS_DIR, letters[3]!.golden.letter));
    expect(result.code).toBe(EXIT.CLASSIFIED);
    const determination = DeterminationSchema.parse(JSON.parse(result.out));
    expect(determination.status === 'CLASSIFIED' && determination.items.map((item) => item.decision)).toEqual(['UPHELD', 'UPHELD', 'OVERTURNED', 'OVERTURNED']);
    expect(result.err).toBe('');
  });

  it('reads Latin-1 text with CRLF line ends', async () => {
    const text = letters[0]!.text.replace('The injured worker', 'The injured worker (Jos\u00e9)').replace(/\n/g, '\r\n');
    const result = await run('classify', file('latin1.txt', Buffer.from(text, 'latin1')));
    expect(result.code).toBe(EXIT.CLASSIFIED);
    expect(JSON.parse(result.out).items).toHaveLength(2);
  });

  it('sniffs the type from the bytes, not the name', async () => {
    const result = await run('classify', file('letter.pdf', letters[1]!.text));
    expect(result.code).toBe(EXIT.CLASSIFIED);
  });

  it('prints one JSON line per letter, each with its pages, for a file holding a cover sheet and two letters', async () => {
    const path = file('batch.txt', stackText([coverSheet(), letterPages(letters[0]!.text, 0), letterPages(letters[3]!.text, 3)]));
    const result = await run('classify', path);
    expect(result.code).toBe(EXIT.CLASSIFIED);
    const lines = result.out
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines.map((line) => [line.file, line.pages, (line.items as unknown[]).length])).toEqual([
      [path, { from: 2, to: 2 }, 2],
      [path, { from: 3, to: 3 }, 4],
    ]);
    for (const line of lines) DeterminationSchema.parse(line);
  });
});

describe('bad input: one clear line, exit 2 or 3, never a stack trace', () => {
  it.each([
    ['empty.txt', '', /empty\.txt: the file is empty/],
    ['blank.txt', '   \n\n  ', /blank\.txt: the file holds only whitespace/],
    ['binary.dat', Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 1, 2, 3, 0, 0, 9]), /binary\.dat: binary data/],
  ])('%s exits 2', async (name, content, message) => {
    const result = await run('classify', file(name, content));
    expect(result.code).toBe(EXIT.UNREADABLE);
    expect(result.err).toMatch(message);
    expect(result.err.trim().split('\n')).toHaveLength(1);
    expect(result.out).toBe('');
  });

  it('a missing file exits 2', async () => {
    const result = await run('classify', join(dir, 'nope.txt'));
    expect(result).toMatchObject({ code: EXIT.UNREADABLE, err: expect.stringMatching(/nope\.txt: no such file/) });
  });

  it('a UR notice exits 3 with UNRECOGNIZED and a reason on stdout', async () => {
    const notice =
      'UTILIZATION REVIEW DETERMINATION\nYour Request for Authorization for Norco 10/325mg #120 is non-certified.\nYou may apply for Independent Medical Review.\n';
    const result = await run('classify', file('ur.txt', notice));
    expect(result.code).toBe(EXIT.UNRECOGNIZED);
    expect(JSON.parse(result.out)).toMatchObject({ status: 'UNRECOGNIZED', reason: expect.stringMatching(/utilization review notice/) });
  });

  it('a letter truncated before its items exits 3', async () => {
    const text = letters[0]!.text;
    const result = await run('classify', file('truncated.txt', text.slice(0, text.indexOf('Flexeril 7.5mg one'))));
    expect(result.code).toBe(EXIT.UNRECOGNIZED);
    expect(JSON.parse(result.out).reason).toMatch(/truncated/);
  });

  it('an unknown command is a usage error', async () => {
    const result = await run('frobnicate');
    expect(result.code).toBe(EXIT.USAGE);
    expect(result.err).toMatch(/unknown command "frobnicate"/);
  });
});

describe('imr classify with several files or a folder', () => {
  it('prints one JSON line per file, folder contents sorted, and the worst exit code', async () => {
    const folder = join(dir, 'batch');
    mkdirSync(join(folder, 'nested'), { recursive: true });
    for (const letter of letters) copyFileSync(join(LETTERS_DIR, letter.golden.letter), join(folder, letter.golden.letter));
    writeFileSync(join(folder, 'nested', 'empty.txt'), '');
    writeFileSync(join(folder, '.hidden'), 'ignored');
    const result = await run('classify', folder);
    const lines = result.out
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(lines.map((line) => line.file.replace(folder, ''))).toEqual([...letters.map((letter) => `/${letter.golden.letter}`), '/nested/empty.txt']);
    expect(lines.slice(0, 4).every((line) => line.status === 'CLASSIFIED')).toBe(true);
    expect(lines[4]).toMatchObject({ status: 'UNREADABLE', error: { code: 'EMPTY' } });
    expect(result.code).toBe(EXIT.UNREADABLE);
  });
});

describe('scanned input', () => {
  it('classifies a fax TIFF through local OCR', async () => {
    const [tiff] = (await renderScan(printedLines(letters[0]!.text), 'fax-fine', 3)).files;
    const result = await run('classify', file('fax.tif', tiff!));
    expect(result.code).toBe(EXIT.CLASSIFIED);
    expect(JSON.parse(result.out).items.map((item: { decision: string }) => item.decision)).toEqual(['UPHELD', 'UPHELD']);
  });

  it('prints the text of a PDF text layer', async () => {
    const result = await run('text', file('letter-text.pdf', Buffer.from(await typesetPdf(printedLines(letters[2]!.text)))));
    expect(result.code).toBe(0);
    expect(result.out).toMatch(/^HOW THE IMR FINAL DETERMINATION WAS MADE/);
  });

  it('refuses an encrypted PDF with exit 2 and one line', async () => {
    const result = await run('classify', file('locked.pdf', readFileSync(join(FIXTURES_DIR, 'pdf', 'encrypted-aes256.pdf'))));
    expect(result.code).toBe(EXIT.UNREADABLE);
    expect(result.err).toMatch(/^imr: .*locked\.pdf: the PDF is password-protected; send it without a password\n$/);
  });
});

describe('imr text FILE', () => {
  it('prints the normalised text the parser reads', async () => {
    const result = await run('text', join(LETTERS_DIR, letters[2]!.golden.letter));
    expect(result.code).toBe(0);
    expect(result.out).toMatch(/^HOW THE IMR FINAL DETERMINATION WAS MADE\nMAXIMUS Federal Services/);
    expect(result.out).not.toMatch(/\n\n\n/);
  });
});

describe('the installed command (bin/imr.mjs)', () => {
  const bin = join(import.meta.dirname, '..', '..', '..', 'bin', 'imr.mjs');

  it('runs with node and classifies a letter', () => {
    const out = execFileSync(process.execPath, [bin, 'classify', join(LETTERS_DIR, letters[0]!.golden.letter)], { encoding: 'utf8' });
    expect(JSON.parse(out).outcome).toBe('UPHELD');
  });

  it('fails on a bad file with exit 2 and one line, no stack trace', () => {
    const result = spawnSync(process.execPath, [bin, 'classify', file('empty-for-bin.txt', '')], { encoding: 'utf8' });
    expect(result.status).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).not.toMatch(/\bat\s.+:\d+:\d+/);
  });

  it('prints its version', () => {
    expect(execFileSync(process.execPath, [bin, '--version'], { encoding: 'utf8' })).toMatch(/^imr \d+\.\d+\.\d+/);
  });
});

describe('a machine that refuses the reader a file', () => {
  it('says the machine is at fault, not the letter, and does not ask for the file', async () => {
    const [fax] = (await renderScan(printedLines(letters[0]!.text).slice(0, 20), 'fax-fine', 7)).files;
    const full = Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    const reader = new DocumentReader(
      () => ({
        name: 'full-disk',
        recognize: () => Promise.reject(full),
        close: () => Promise.resolve(),
      }),
      1,
    );
    let err = '';
    const code = await main(['text', file('full-disk.tif', fax!)], { out: () => undefined, err: (text) => void (err += text), interactive: false }, reader);
    expect(code).toBe(EXIT.UNREADABLE);
    expect(err).toBe(
      "imr: this machine refused a file the reader needed (ENOSPC): free disk space or check the temporary folder's permissions, then run it again\n",
    );
  });
});
