import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { classifyLetter } from '../../../functions/domain/index.ts';
import { determinationJsonSchema } from '../../../functions/domain/json-schema.ts';
import { loadGoldenLetters } from '../../fixtures/golden.ts';
import { variantsOf } from '../../fixtures/variants.ts';

const committed = JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', '..', 'schema', 'determination.schema.json'), 'utf8'));

describe('schema/determination.schema.json', () => {
  it('is the schema generated from the zod Determination (run `npm run schema` after changing it)', () => {
    expect(committed).toEqual(determinationJsonSchema());
  });

  it('accepts every output over every fixture and rejects a broken one', () => {
    const validate = new Ajv2020({ allErrors: true, strict: false }).compile(committed);
    const outputs = loadGoldenLetters()
      .flatMap(variantsOf)
      .map((variant) => classifyLetter(variant.text));
    outputs.push(classifyLetter('an invoice, not a letter'));
    for (const output of outputs) expect(validate(JSON.parse(JSON.stringify(output))), JSON.stringify(validate.errors)).toBe(true);
    const broken = JSON.parse(JSON.stringify(outputs[0]));
    broken.items[0].decision = 'MAYBE';
    expect(validate(broken)).toBe(false);
  });
});
