/**
 * Writes the review console's built files into a folder: `tsx scripts/build-console.ts DIR`.
 * The CDK app runs it after bundling the console function, so the files travel in its bundle.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildConsole } from '../functions/console/build.ts';

const folder = process.argv[2];
if (!folder) {
  console.error('usage: tsx scripts/build-console.ts OUT_DIR');
  process.exit(2);
}
mkdirSync(folder, { recursive: true });
for (const [path, file] of await buildConsole()) writeFileSync(join(folder, path.replace(/^\/console\//, '')), file.body);
console.log(`console built into ${folder}`);
