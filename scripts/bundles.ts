/**
 * `npm run bundles`: bundles every Lambda handler as `cdk synth` does (esbuild, ESM, minified,
 * AWS SDK external) and prints each bundle's size, minified and gzipped. PDFium
 * (@hyzyla/pdfium, installed beside the ingest bundles) is counted separately; the review
 * console's browser files and their build time follow.
 */
import { build } from 'esbuild';
import { gzipSync } from 'node:zlib';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { buildConsole } from '../functions/console/build.ts';

const handlers = ['ingest', 'textract-complete', 'sweep', 'query', 'review', 'pages', 'webhook', 'console'];
const kb = (bytes: number) => `${(bytes / 1024).toFixed(0)} KB`;
for (const name of handlers) {
  const result = await build({
    entryPoints: [`functions/${name}/handler.ts`],
    bundle: true,
    write: false,
    platform: 'node',
    format: 'esm',
    target: 'node22',
    minify: true,
    mainFields: ['module', 'main'],
    external: ['@aws-sdk/*', 'sharp', 'tesseract.js', '@tesseract.js-data/eng', '@hyzyla/pdfium'],
    logLevel: 'error',
  });
  const code = result.outputFiles[0]!.contents;
  console.log(`${name.padEnd(18)} ${kb(code.length).padStart(8)} minified, ${kb(gzipSync(code).length).padStart(7)} gzipped`);
}
// The review console as the browser loads it (built as `npm start` and the console function serve it).
const started = performance.now();
const files = await buildConsole();
const buildMs = performance.now() - started;
for (const [path, file] of files)
  console.log(
    `${`browser ${path.replace('/console/', '')}`.padEnd(18)} ${kb(Buffer.byteLength(file.body)).padStart(8)} minified, ${kb(gzipSync(file.body).length).padStart(7)} gzipped`,
  );
console.log(`console build      ${buildMs.toFixed(0)} ms (esbuild, at npm start)`);
// What the ingest functions load of the package: its Node entry and the wasm beside it.
const pdfium = join('node_modules', '@hyzyla', 'pdfium', 'dist');
const pdfiumBytes = ['index.esm.js', 'pdfium.wasm'].reduce((sum, file) => sum + statSync(join(pdfium, file)).size, 0);
console.log(
  `${'PDFium (node_modules, ingest + textract-complete)'} ${kb(pdfiumBytes)} loaded; ${kb(gzipSync(readFileSync(join(pdfium, 'pdfium.wasm'))).length)} of it gzipped wasm`,
);
