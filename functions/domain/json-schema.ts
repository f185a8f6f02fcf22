import { z } from 'zod';
import { DeterminationSchema, SCHEMA_VERSION } from './determination.ts';

/** The JSON Schema (draft 2020-12) of the Determination, generated from its zod schema. */
export function determinationJsonSchema(): Record<string, unknown> {
  return {
    $id: `https://imr-letters.example/schema/determination.v${SCHEMA_VERSION}.json`,
    title: 'IMR Final Determination',
    description:
      "A California workers' compensation IMR Final Determination letter read into structured data (schema version 1). status CLASSIFIED carries the items; status UNRECOGNIZED carries the reason the document is not a determination.",
    ...z.toJSONSchema(DeterminationSchema, { target: 'draft-2020-12' }),
  };
}
