// Regenerates schema/pipeline.schema.json from the zod schema of the pipeline spec (npm run schema).

import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { pipelineJsonSchemaText } from '../core/spec/pipelineSpecSchema.js';

/** Where the shipped JSON Schema lives, from the source or the built file alike. */
export const PIPELINE_SCHEMA_FILE = fileURLToPath(new URL(import.meta.url.includes('/dist/') ? '../../schema/pipeline.schema.json' : '../schema/pipeline.schema.json', import.meta.url));

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  writeFileSync(PIPELINE_SCHEMA_FILE, pipelineJsonSchemaText());
  console.log(`wrote ${PIPELINE_SCHEMA_FILE}`);
}
