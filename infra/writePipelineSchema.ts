// Regenerates schema/pipeline.schema.json and schema/gates.schema.json from their zod schemas (npm run schema).

import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gateSpecJsonSchema } from '../core/gates/gateSpecSchema.js';
import { pipelineJsonSchemaText } from '../core/spec/pipelineSpecSchema.js';

const schemaDir = import.meta.url.includes('/dist/') ? '../../schema/' : '../schema/';

/** Where the shipped JSON Schemas live, from the source or the built file alike. */
export const PIPELINE_SCHEMA_FILE = fileURLToPath(new URL(`${schemaDir}pipeline.schema.json`, import.meta.url));
export const GATES_SCHEMA_FILE = fileURLToPath(new URL(`${schemaDir}gates.schema.json`, import.meta.url));

/** schema/gates.schema.json as shipped. */
export function gatesJsonSchemaText(): string {
  return `${JSON.stringify(gateSpecJsonSchema(), null, 2)}\n`;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  writeFileSync(PIPELINE_SCHEMA_FILE, pipelineJsonSchemaText());
  writeFileSync(GATES_SCHEMA_FILE, gatesJsonSchemaText());
  console.log(`wrote ${PIPELINE_SCHEMA_FILE} and ${GATES_SCHEMA_FILE}`);
}
