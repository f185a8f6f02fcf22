import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** What a reading process is started from: the script, and the Node options it needs. */
export interface ReadingProcessEntry {
  readonly script: string;
  readonly execArgv: readonly string[];
}

/** The part of a bundled entry's name that tells a reading process from any other (see {@link isReadingProcess}). */
const BUNDLE_PREFIX = 'imr-reading-process-';
/** Bundles of other versions of the code not used for this long are removed when a new one is written. */
const OLD_BUNDLE_MS = 24 * 60 * 60 * 1000;

let entry: ReadingProcessEntry | undefined;

/**
 * The reading process's entry, made once per service process: `worker.ts` and its imports from
 * this project bundled into one ES module by esbuild (already how `npm start` builds the console;
 * about 20 ms), packages left to Node to load. A reading process started from it was ready in
 * about 0.15 s of CPU, where one started from the TypeScript sources through tsx's loader took
 * 0.6 s; a backlog starts one per core, and a letter waits for one after a start or an idle minute.
 *
 * The bundle is named by its content and kept under `node_modules/.cache/imr/` (where Node finds
 * the project's packages from it), written whole and renamed into place, so services started
 * together or from other versions never run each other's code; one not used for a day is removed. Where it cannot be built or
 * written (a read-only install), the sources are run through tsx as before.
 */
export function readingProcessEntry(): ReadingProcessEntry {
  // Another version's start removes bundles not used for a day: each use marks this one used, and one removed all the same is written again.
  if (entry && entry.execArgv.length === 0) {
    try {
      const now = new Date();
      utimesSync(entry.script, now, now);
    } catch {
      entry = undefined;
    }
  }
  entry ??= bundledEntry() ?? {
    script: fileURLToPath(new URL('./worker.ts', import.meta.url)),
    // The TypeScript loader by its own path (the process may start where `tsx` does not resolve).
    execArgv: ['--import', import.meta.resolve('tsx')],
  };
  return entry;
}

/** Whether a process's command line is that of a reading process (from the sources or a bundle). */
export function isReadingProcess(commandLine: string): boolean {
  return commandLine.includes('reader/worker.ts') || commandLine.includes(BUNDLE_PREFIX);
}

function bundledEntry(): ReadingProcessEntry | null {
  const source = fileURLToPath(new URL('./worker.ts', import.meta.url));
  // Only from the sources: a service itself bundled (or run from elsewhere) keeps the tsx path.
  if (!source.endsWith('.ts')) return null;
  try {
    const require = createRequire(import.meta.url);
    const esbuild = require('esbuild') as typeof import('esbuild');
    const result = esbuild.buildSync({
      entryPoints: [source],
      bundle: true,
      write: false,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      packages: 'external',
      logLevel: 'silent',
    });
    const code = result.outputFiles[0]!.contents;
    const folder = join(projectRoot(source), 'node_modules', '.cache', 'imr');
    mkdirSync(folder, { recursive: true });
    const name = `${BUNDLE_PREFIX}${createHash('sha256').update(code).digest('hex').slice(0, 16)}.mjs`;
    const script = join(folder, name);
    const temporary = `${script}.${process.pid}.tmp`;
    writeFileSync(temporary, code, { mode: 0o644 });
    renameSync(temporary, script);
    removeOldBundles(folder, name);
    return { script, execArgv: [] };
  } catch {
    return null;
  }
}

/** The folder holding `node_modules` above the sources. */
function projectRoot(source: string): string {
  // functions/reader/worker.ts -> the project folder
  return dirname(dirname(dirname(source)));
}

function removeOldBundles(folder: string, keep: string): void {
  for (const name of readdirSync(folder)) {
    if (name === keep || !name.startsWith(BUNDLE_PREFIX)) continue;
    const file = join(folder, name);
    try {
      if (Date.now() - statSync(file).mtimeMs > OLD_BUNDLE_MS) rmSync(file, { force: true });
    } catch {
      // Removed by another start meanwhile.
    }
  }
}
