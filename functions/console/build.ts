/**
 * Builds the console with esbuild: one ES module and one stylesheet, everything bundled (no
 * CDN: the console works with no network), minified. Locally it is built in memory when the
 * service starts (about 100 ms); for AWS the CDK app builds it into the console function's bundle.
 */
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import type { ConsoleFiles } from './site.ts';

const ENTRY = fileURLToPath(new URL('./app/main.ts', import.meta.url));
const STYLES = fileURLToPath(new URL('./app/styles.css', import.meta.url));

/** The tab's icon: a folded letter with a check mark. */
export const ICON =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect x="4" y="3" width="24" height="26" rx="3" fill="#132238"/><path d="M10 17l4 4 8-9" stroke="#fff" stroke-width="3" fill="none"/></svg>';

/** The console's files (`/console/app.js`, `/console/app.css`). */
export async function buildConsole(): Promise<ConsoleFiles> {
  const [script, styles] = await Promise.all([
    build({
      entryPoints: [ENTRY],
      bundle: true,
      format: 'esm',
      platform: 'browser',
      target: ['chrome110', 'firefox110', 'safari16'],
      minify: true,
      write: false,
      legalComments: 'none',
      logLevel: 'silent',
    }),
    build({ entryPoints: [STYLES], bundle: true, minify: true, write: false, logLevel: 'silent' }),
  ]);
  return new Map([
    ['/console/icon.svg', { contentType: 'image/svg+xml', body: ICON }],
    ['/console/app.js', { contentType: 'text/javascript; charset=utf-8', body: script.outputFiles[0]!.text }],
    ['/console/app.css', { contentType: 'text/css; charset=utf-8', body: styles.outputFiles[0]!.text }],
  ]);
}
