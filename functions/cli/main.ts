import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { SingleBar, Presets } from 'cli-progress';
import { classifyDocument, readableText, ENGINE_VERSION, type Determination } from '../domain/index.ts';
import { DocumentReader, MACHINE_ERROR_CODES, readingContext } from '../reader/read-document.ts';
import { InputError } from '../reader/errors.ts';
import { UsageError } from './errors.ts';

/** Exit codes of the `imr` command (spec section 2). */
export const EXIT = { CLASSIFIED: 0, USAGE: 1, UNREADABLE: 2, UNRECOGNIZED: 3 } as const;

const USAGE = `Usage:
  imr classify FILE...|FOLDER   print the Determination of each letter as JSON
                                (one file: pretty JSON; several, a folder, or a file holding
                                several letters: JSON Lines, each letter with its pages)
  imr text FILE                 print the text the parser reads
  imr --version | --help

Exit codes: 0 classified, 2 cannot be read, 3 not an IMR determination, 1 usage.`;

/** Where the command writes; injected so tests can capture it. */
export interface Console {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  /** Whether stderr is a terminal (a progress bar is shown only then). */
  readonly interactive: boolean;
}

const processConsole: Console = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
  interactive: Boolean(process.stderr.isTTY),
};

/** Runs the `imr` command line and returns its exit code. */
export async function main(argv: readonly string[], io: Console = processConsole, reader = new DocumentReader()): Promise<number> {
  try {
    const { values, positionals } = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: { help: { type: 'boolean', short: 'h' }, version: { type: 'boolean', short: 'v' } },
    });
    if (values.version) {
      io.out(`imr ${ENGINE_VERSION}\n`);
      return EXIT.CLASSIFIED;
    }
    const [command, ...files] = positionals;
    if (values.help || command === undefined) {
      io.out(`${USAGE}\n`);
      return values.help ? EXIT.CLASSIFIED : EXIT.USAGE;
    }
    if (command === 'text') return await printText(files, io, reader);
    if (command === 'classify') return await classifyFiles(files, io, reader);
    throw new UsageError(`unknown command "${command}"`);
  } catch (error) {
    if (error instanceof InputError) {
      io.err(`imr: ${(error as InputError).message}\n`);
      return EXIT.UNREADABLE;
    }
    if (error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      io.err(`imr: ${(error as Error).message}\n${USAGE}\n`);
      return EXIT.USAGE;
    }
    // The machine's fault (a full disk, a temporary folder it may not write), not the file's: said so, and the file is not asked for.
    const code = (error as { code?: unknown })?.code;
    if (typeof code === 'string' && MACHINE_ERROR_CODES.has(code)) {
      io.err(`imr: this machine refused a file the reader needed (${code}): free disk space or check the temporary folder's permissions, then run it again\n`);
      return EXIT.UNREADABLE;
    }
    io.err(`imr: unexpected failure (${(error as Error).name}); please report it with the file that caused it\n`);
    return EXIT.UNREADABLE;
  } finally {
    await reader.close();
  }
}

async function printText(files: readonly string[], io: Console, reader: DocumentReader): Promise<number> {
  if (files.length !== 1) throw new UsageError('imr text takes exactly one FILE');
  const document = await reader.readFile(files[0]!);
  io.out(`${readableText(document.text)}\n`);
  return EXIT.CLASSIFIED;
}

function exitCodeOf(determination: Determination): number {
  return determination.status === 'CLASSIFIED' ? EXIT.CLASSIFIED : EXIT.UNRECOGNIZED;
}

/** Every letter of a file: one Determination, or one per letter when the file holds several (each with its `pages`). */
async function classifyOne(path: string, reader: DocumentReader): Promise<Determination[]> {
  const document = await reader.readFile(path);
  return classifyDocument(document.text, readingContext(document)).map((letter) => letter.determination);
}

async function classifyFiles(args: readonly string[], io: Console, reader: DocumentReader): Promise<number> {
  if (args.length === 0) throw new UsageError('imr classify needs a FILE or FOLDER');
  const single = args.length === 1 && !(await isDirectory(args[0]!));
  if (single) {
    const determinations = await classifyOne(args[0]!, reader);
    // A file of several letters prints one JSON line per letter (as a folder does), each with its pages.
    if (determinations.length > 1) {
      for (const determination of determinations) io.out(`${JSON.stringify({ file: args[0]!, ...determination })}\n`);
      return Math.max(...determinations.map(exitCodeOf));
    }
    io.out(`${JSON.stringify(determinations[0], null, 2)}\n`);
    return exitCodeOf(determinations[0]!);
  }
  const files = (await Promise.all(args.map(expand))).flat();
  const bar = io.interactive
    ? new SingleBar({ stream: process.stderr, format: 'classifying [{bar}] {value}/{total} {file}', hideCursor: true }, Presets.shades_classic)
    : null;
  bar?.start(files.length, 0, { file: '' });
  let worst: number = EXIT.CLASSIFIED;
  for (const file of files) {
    bar?.increment(0, { file });
    try {
      for (const determination of await classifyOne(file, reader)) {
        io.out(`${JSON.stringify({ file, ...determination })}\n`);
        if (worst === EXIT.CLASSIFIED) worst = exitCodeOf(determination);
      }
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      const { code, message } = error;
      io.out(`${JSON.stringify({ file, status: 'UNREADABLE', error: { code, message } })}\n`);
      worst = EXIT.UNREADABLE;
    }
    bar?.increment(1);
  }
  bar?.stop();
  return worst;
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}

/** A folder becomes its files (recursively, sorted, hidden files skipped); a file stays itself. */
async function expand(path: string): Promise<string[]> {
  if (!(await isDirectory(path))) return [path];
  const entries = await readdir(path, { withFileTypes: true });
  const sorted = entries.filter((entry) => !entry.name.startsWith('.')).sort((a, b) => a.name.localeCompare(b.name));
  const nested = await Promise.all(sorted.map((entry) => (entry.isDirectory() ? expand(join(path, entry.name)) : [join(path, entry.name)])));
  return nested.flat();
}
