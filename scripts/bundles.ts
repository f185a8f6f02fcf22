/**
 * `npm run bundles`: bundles every Lambda handler as `cdk synth` does (esbuild, ESM, minified,
 * AWS SDK external) and prints each bundle's size, minified and gzipped. mupdf, installed
 * beside the ingest bundles, is counted separately.
 */
import { build } from 'esbuild';
import { gzipSync } from 'node:zlib';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const handlers = ['ingest', 'textract-complete', 'query', 'webhook'];
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
    external: ['@aws-sdk/*', 'sharp', 'tesseract.js', '@tesseract.js-data/eng', ...(name === 'ingest' || name === 'textract-complete' ? ['mupdf'] : [])],
    logLevel: 'error',
  });
  const code = result.outputFiles[0]!.contents;
  console.log(`${name.padEnd(18)} ${kb(code.length).padStart(8)} minified, ${kb(gzipSync(code).length).padStart(7)} gzipped`);
}
const mupdf = join('node_modules', 'mupdf', 'dist');
const mupdfBytes = readdirSync(mupdf).filter((file) => !file.endsWith('.br')).reduce((sum, file) => sum + statSync(join(mupdf, file)).size, 0);
console.log(`${'mupdf (node_modules, ingest + textract-complete)'} ${kb(mupdfBytes)}`);
