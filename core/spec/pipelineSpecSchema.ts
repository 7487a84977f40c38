// The one schema of a pipeline spec (PIPELINE.json), written with zod: `rareflow run`, `fit --config`, the demo and
// the lifecycle all check a spec against it, and schema/pipeline.schema.json is generated from it for editors.
// Every object is strict (an unknown key is an error), every number has a type, a range and is finite. Defaults are
// not here: client/pipelineSpec.ts fills them in, so a spec that omits a field stays valid against this schema.

import * as z from 'zod';
import { gateSpecSchema } from '../gates/gateSpecSchema.js';
import { MISSING_VALUE_POLICIES } from '../features/missingValues.js';
import { RESOURCE_NAME_PATTERN, RESOURCE_NAME_RULE } from '../resourceName.js';
import { MAX_BOOSTING_ITERATIONS, MAX_L2, MAX_LEAF_NODES, MAX_TREES } from './modelKeyBounds.js';

/** Largest `sampling.targetSize`: a sample is held in memory as typed arrays, and 10⁸ rows is far beyond one process. */
export const MAX_SAMPLE_ROWS = 100_000_000;
const MAX_NEIGHBOURS = 1_000;
const MAX_SHARDS = 1_024;
const ONE_YEAR_MS = 365 * 86_400_000;
/** The most time `auto` may be given for its inner folds: a day. */
export const MAX_BUDGET_SECONDS = 86_400;
const MAX_SYNTHETIC_RATIO = 1_000;

const count = (min: number, max: number) => z.int().min(min).max(max);
const fraction = () => z.number().gt(0).lt(1);

export const resourceNameSchema = z.string().regex(RESOURCE_NAME_PATTERN).meta({ description: RESOURCE_NAME_RULE });

const neighbourSearchSchema = z.enum(['auto', 'exact', 'ivf', 'hnsw']);

const thresholdSchema = z
  .union([
    z.enum(['bayes', 'prevalence', 'gmean', 'gmean-oob']),
    z
      .string()
      .regex(/^cost:\s*[0-9.eE+]+\s*,\s*[0-9.eE+]+\s*$/)
      .meta({ description: 'cost:L0,L1 with two positive numbers, e.g. cost:1,9' }),
  ])
  .meta({
    description:
      '"bayes", "prevalence", "gmean" or cost:L0,L1 (false-positive and false-negative costs, e.g. cost:1,9), or "gmean-oob" for a forest (G-mean-optimal on its out-of-bag scores, no held-out split)',
  });

const inputSchema = z.strictObject({
  paths: z
    .union([z.string().min(1), z.array(z.string().min(1)).min(1)])
    .meta({ description: 'a CSV or Parquet path or glob, or a non-empty list of them' }),
  label: z.string().min(1).meta({ description: 'the label column' }),
  positive: z.union([z.string(), z.number()]).optional().meta({ description: 'the label value of the positive (rare) class' }),
  features: z.array(z.string()).optional().meta({ description: 'feature columns to use; default: every column but the label and exclude' }),
  exclude: z.array(z.string()).optional().meta({ description: 'columns to leave out of the features (ids, timestamps)' }),
  categorical: z.array(z.string().min(1)).optional().meta({
    description:
      'feature columns of categories (text): one-hot encoded with the categories seen in the input, never interpolated by ADASYN; the encoding goes into the model file',
  }),
  positiveWhen: z
    .string()
    .regex(/\S/)
    .optional()
    .meta({ description: 'a SQL predicate that defines positives, such as "revenue >= 1000"' }),
});

const samplingSchema = z.strictObject({
  targetSize: count(1, MAX_SAMPLE_ROWS).optional().meta({ description: 'rows to sample (N of the adaptive sampler)' }),
  params: count(1, 1_000_000).optional().meta({ description: 'model parameters (M); default: feature count + 1' }),
  positivesPerParameter: count(1, 1_000_000).optional(),
  shards: count(1, MAX_SHARDS).optional(),
  order: z.enum(['auto', 'sequential', 'random-blocks']).optional().meta({
    description:
      'row order fed to the sampler: auto tests whether rows are in random order and reads seeded random row blocks when they are not; sequential trusts file order; random-blocks always shuffles blocks',
  }),
});

const splitSchema = z.strictObject({ train: fraction(), validation: fraction(), test: fraction() });

const denoiseSchema = z.strictObject({
  method: z.enum(['enn', 'renn', 'tomek', 'confident', 'none']).optional(),
  k: count(1, MAX_NEIGHBOURS).optional(),
  neighbors: neighbourSearchSchema.optional(),
});

const adasynSchema = z.strictObject({
  enabled: z.boolean().optional(),
  k: count(1, MAX_NEIGHBOURS).optional(),
  beta: z.number().gt(0).max(1).optional(),
  neighbors: neighbourSearchSchema.optional(),
  maxSyntheticRatio: z
    .number()
    .gt(0)
    .max(MAX_SYNTHETIC_RATIO)
    .optional()
    .meta({ description: 'at most this many synthetic rows per input row' }),
});

const featuresSchema = z.strictObject({
  missing: z.enum(MISSING_VALUE_POLICIES).optional(),
  fillValue: z.number().optional().meta({ description: 'the fill value of "missing": "constant"' }),
});

const modelSchema = z.strictObject({
  kind: z.enum(['logreg', 'forest', 'gbdt', 'auto']).optional().meta({
    description:
      'the model (default auto: chosen among forests, logistic regressions and gradient-boosted trees by inner cross-validation on the training rows; forest: 100 trees on balanced samples)',
  }),
  budgetSeconds: z
    .number()
    .gt(0)
    .max(MAX_BUDGET_SECONDS)
    .optional()
    .meta({ description: 'auto: seconds the choice may spend on its inner folds (default 60)' }),
  threshold: thresholdSchema.optional(),
  l2: z.number().min(0).max(MAX_L2).optional(),
  trees: count(1, MAX_TREES).optional(),
  sampling: z.enum(['bootstrap', 'subsample', 'balanced']).optional(),
  splitter: z
    .enum(['best', 'random'])
    .optional()
    .meta({ description: 'forest: best cut of each tried feature, or one random cut each (extremely randomised trees; default best)' }),
  mtry: count(1, 1_000_000).optional(),
  minNodeSize: count(1, MAX_SAMPLE_ROWS).optional(),
  maxDepth: count(1, 1_000).optional(),
  learningRate: z.number().gt(0).max(1).optional().meta({ description: 'gbdt: shrinkage of each tree (default 0.1)' }),
  maxIterations: count(1, MAX_BOOSTING_ITERATIONS).optional().meta({ description: 'gbdt: most boosting iterations (default 200)' }),
  maxLeafNodes: count(2, MAX_LEAF_NODES).optional().meta({ description: 'gbdt: most leaves per tree (default 31)' }),
  earlyStopping: z
    .enum(['auto', 'on', 'off'])
    .optional()
    .meta({ description: 'gbdt: stop on a stratified 10% inner validation split (default auto: from 10,000 training rows)' }),
});

const unitInterval = () => z.number().min(0).max(1);
const canaryCriteriaSchema = z.strictObject({
  minRequestsForGuards: count(1, 1_000_000_000).optional(),
  maxErrorRate: unitInterval().optional(),
  maxErrorRateIncrease: unitInterval().optional(),
  maxLatencyP99Ms: z.number().gt(0).max(3_600_000).optional(),
  maxLatencyRatio: z.number().min(1).max(1_000).optional(),
  minLabelledPositives: count(1, 1_000_000_000).optional(),
  minLabelledNegatives: count(1, 1_000_000_000).optional(),
  alpha: z.number().gt(0).lt(0.5).optional(),
  maxRecallDrop: unitInterval().optional(),
  maxSpecificityDrop: unitInterval().optional(),
  maxPrecisionDrop: unitInterval().optional(),
  gMeanTolerance: unitInterval().optional(),
});

const canarySchema = z.union([
  z.literal(true),
  z.strictObject({
    steps: z
      .array(z.number().gt(0).max(1))
      .min(1)
      .optional()
      .meta({ description: 'challenger shares of traffic, strictly increasing, ending at 1' }),
    windowMs: count(1, ONE_YEAR_MS).optional(),
    maxExtensions: count(0, 1_000).optional(),
    onInsufficientEvidence: z.enum(['rollback', 'promote', 'require-approval']).optional(),
    approveBeforeFull: z.boolean().optional(),
    criteria: canaryCriteriaSchema.optional(),
  }),
]);

/** A PIPELINE.json as a user writes it: `modelName`, `input.paths` and `input.label` are required. */
export const pipelineSpecSchema = z
  .strictObject({
    $schema: z.string().optional().meta({ description: 'the JSON Schema of this file, for editors' }),
    description: z.string().optional(),
    modelName: resourceNameSchema,
    input: inputSchema,
    sampling: samplingSchema.optional(),
    split: splitSchema.optional(),
    denoise: denoiseSchema.optional(),
    adasyn: adasynSchema.optional(),
    features: featuresSchema.optional(),
    model: modelSchema.optional(),
    gates: gateSpecSchema.optional(),
    canary: canarySchema.optional(),
    requireApproval: z.boolean().optional(),
    approvalTimeoutMs: count(1, ONE_YEAR_MS).optional(),
    seed: z.int().optional(),
  })
  .meta({
    title: 'rareflow pipeline spec',
    description: 'One retrain of a rare-event classifier: input, sampling, denoising, oversampling, model, gates and canary.',
  });

export type PipelineSpecJson = z.input<typeof pipelineSpecSchema>;

/** The JSON Schema shipped as schema/pipeline.schema.json. */
export function pipelineJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(pipelineSpecSchema, { io: 'input', target: 'draft-2020-12' }) as Record<string, unknown>;
}

/** schema/pipeline.schema.json as shipped: the JSON Schema, two-space indented, with a final newline. */
export function pipelineJsonSchemaText(): string {
  return `${JSON.stringify(pipelineJsonSchema(), null, 2)}\n`;
}
