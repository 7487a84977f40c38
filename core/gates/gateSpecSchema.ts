// The schema of a gate spec (a GATES.json for `evaluate --gates`, or a pipeline spec's `gates`), with zod: strict
// objects, typed and finite limits. parseGateSpec checks it first, then the rules between fields.

import * as z from 'zod';
import { GATE_METRICS } from './gateMetrics.js';

const metricNames = GATE_METRICS as readonly string[];
const gateSchema = z.strictObject({
  metric: z
    .string()
    .refine((m) => metricNames.some((n) => n.toLowerCase() === m.toLowerCase()))
    .meta({ description: `one of ${GATE_METRICS.join(', ')}` }),
  // Which class a per-class metric is about; parseGateSpec checks the value against the metric.
  class: z
    .union([z.string(), z.number()])
    .optional()
    .meta({ description: '"positive", "negative", "1" or "0" (per-class metrics only)', examples: ['positive', 'negative'] }),
  min: z.number().optional(),
  max: z.number().optional(),
  maxDropVsChampion: z.number().min(0).optional(),
  vsChampion: z.literal('noWorseThan').optional(),
  by: z.number().min(0).optional(),
  use: z.enum(['value', 'lower95']).optional(),
  name: z.string().regex(/\S/).optional(),
});

/** A gate spec as a user writes it (short forms included: class "1"/"0", vsChampion/by). */
export const gateSpecSchema = z.strictObject({
  $schema: z.string().optional(),
  description: z.string().optional(),
  minPositiveSupport: z.int().min(0).optional(),
  minNegativeSupport: z.int().min(0).optional(),
  useLowerConfidenceBound: z.boolean().optional(),
  onInsufficientEvidence: z.enum(['reject', 'require-approval', 'promote']).optional(),
  gates: z.array(gateSchema).meta({ description: 'an array of gates' }),
});

let jsonSchema: object | undefined;

/** The JSON Schema of a gate spec, shipped as schema/gates.schema.json. */
export function gateSpecJsonSchema(): object {
  return (jsonSchema ??= z.toJSONSchema(gateSpecSchema, { io: 'input', target: 'draft-2020-12' }));
}
