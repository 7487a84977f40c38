// The spec check that workflow code can run: zod and the issue formatter are pure, so a retrain started by any
// client refuses a spec the schema refuses, with the same message the CLI gives.

import type { InvalidInputError } from '../invalidInputError.js';
import { pipelineJsonSchema, pipelineSpecSchema } from './pipelineSpecSchema.js';
import { specIssueError } from './specIssues.js';

/** The first problem of `spec` against the pipeline schema, or undefined when it is valid. */
export function pipelineSpecProblem(spec: unknown, source: string): InvalidInputError | undefined {
  const parsed = pipelineSpecSchema.safeParse(spec);
  return parsed.success ? undefined : specIssueError(parsed.error.issues, spec, pipelineJsonSchema(), source);
}
