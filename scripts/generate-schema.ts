/**
 * `npm run schema`: writes the JSON Schema of the Determination (generated from the one zod
 * schema) to `schema/determination.schema.json` for case-system integrators. A unit test
 * fails when the committed file is out of date.
 */
import { writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { determinationJsonSchema } from '../functions/domain/json-schema.ts';

const target = join(dirname(fileURLToPath(import.meta.url)), '..', 'schema', 'determination.schema.json');
mkdirSync(dirname(target), { recursive: true });
writeFileSync(target, `${JSON.stringify(determinationJsonSchema(), null, 2)}\n`);
console.log(`wrote ${target}`);
