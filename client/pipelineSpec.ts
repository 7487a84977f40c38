// The default pipeline and the one place its defaults live: PIPELINE.json files, `rareflow run`, the demo and
// `rareflow fit` all resolve their spec here, and every field is checked with an error naming it.

import { duplicateKeyText, firstDuplicateJsonKey } from '../core/spec/duplicateJsonKeys.js';
import { readFileSync } from 'node:fs';
import { resolveCanaryCriteria } from '../core/canary/canaryCriteria.js';
import { validateCanarySteps } from '../core/canary/canarySteps.js';
import { defaultGateSpec, parseGateSpec } from '../core/gates/gateSpec.js';
import { checkModelKeysForKind } from '../core/spec/modelSpecKeys.js';
import {
  DENOISE_METHODS_READING_K,
  checkDenoiseK,
  checkInputColumnLists,
  checkSamplingTarget,
  asksForApproval,
  checkApprovalTimeout,
  checkSettingsOfStagesOff,
} from '../core/spec/specCrossChecks.js';
import { describeGiven, specIssueError } from '../core/spec/specIssues.js';
import { MAX_SAMPLE_ROWS, pipelineJsonSchema, pipelineSpecSchema, type PipelineSpecJson } from '../core/spec/pipelineSpecSchema.js';
import { InvalidInputError } from '../core/invalidInputError.js';
import { jsonFileText } from './jsonFileText.js';
import { parseThresholdPolicy } from '../core/models/thresholdPolicy.js';
import type { CanarySpec, PipelineSpec } from '../workflows/contract.js';

/** A PIPELINE.json as a user writes it: only `modelName`, `input.paths` and `input.label` are required. */
export type PipelineSpecInput = Partial<Omit<PipelineSpec, 'input'>> & { input: Partial<PipelineSpec['input']> };

/**
 * The defaults: the model is chosen per dataset (`auto`) among balanced and bootstrap forests at their q* = π
 * thresholds, class-weighted logistic regressions (alone, after ENN, after ADASYN) and gradient-boosted trees, by
 * repeated stratified folds of the training rows only (stages/modelChoice.ts). No single recipe won everywhere
 * under 5-fold CV on 35 public imbalanced sets (bench/quality.ts): the balanced forest had the best median, plain
 * logistic regression won on wide or nearly linear sets, the bootstrap forest on small noisy ones. Noise filtering
 * and ADASYN stay off in front of the chosen model; `auto` tries them as candidates (the demo turns them on).
 */
export const DEFAULT_PIPELINE: Omit<PipelineSpec, 'modelName' | 'input' | 'gates' | 'seed'> = {
  sampling: { positivesPerParameter: 50, shards: 1 },
  split: { train: 0.6, validation: 0.2, test: 0.2 },
  // The neighbour counts and β of a stage are filled in only when it runs (STAGE_DEFAULTS): a resolved spec fed back
  // to `run --config` must not hold settings of a stage that is off, which are refused.
  denoise: { method: 'none' },
  adasyn: { enabled: false },
  model: { kind: 'auto', threshold: 'prevalence' },
  requireApproval: false,
  approvalTimeoutMs: 86_400_000,
};

/** The settings of the noise filter (one that reads k) and of ADASYN, filled in when they run. */
const STAGE_DEFAULTS = { denoiseK: 3, adasyn: { k: 5, beta: 1 } } as const;

/**
 * A forest asked for by name keeps the recipe that was the fixed default before `auto`: 100 trees on balanced
 * per-tree samples (Chen, Liaw & Breiman), thresholded at q* = π of that 1:1 mix.
 */
export const FOREST_DEFAULTS = { trees: 100, sampling: 'balanced' } as const;

/** Whether `v` is a JSON object (not null, not an array). */
export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

let specJsonSchema: object | undefined;

/** The refusal of `auto` behind ADASYN, naming the spec key or flag that asked for auto. */
export function autoAfterAdasyn(subject: string): InvalidInputError {
  return new InvalidInputError(
    subject,
    `${subject}: "auto" cannot follow ADASYN (adasyn.enabled: true): its inner folds would judge synthetic rows, which flatters every candidate; auto tries ADASYN as one of its candidates itself. Turn adasyn off to let auto choose, or name a model kind (forest, logreg, gbdt)`,
  );
}

/** The refusal of `auto` behind the noise filter, naming the spec key or flag that asked for auto. */
export function autoAfterDenoise(subject: string, method: string): InvalidInputError {
  return new InvalidInputError(
    subject,
    `${subject}: "auto" cannot follow the noise filter (denoise.method: "${method}"): its inner folds would judge only the rows the filter kept, the easy ones, which flatters every candidate (by 0.15 in PR-AUC on one file); auto tries ENN in front of its candidates itself. Set denoise.method to "none" to let auto choose, or name a model kind (forest, logreg, gbdt)`,
  );
}

/** Checks `raw` against the one pipeline schema; the first problem throws, naming the spec path. */
export function checkPipelineSpecShape(raw: unknown, source: string): PipelineSpecJson {
  if (!isObject(raw))
    throw new InvalidInputError(source, `${source}: expected a JSON object with "modelName" and "input", got ${describeGiven(raw)}`);
  const parsed = pipelineSpecSchema.safeParse(raw);
  if (!parsed.success) throw specIssueError(parsed.error.issues, raw, (specJsonSchema ??= pipelineJsonSchema()), source);
  return parsed.data;
}

/**
 * Fills defaults into a user's spec and checks every field; `source` names the file or flag in errors, and
 * `kindFrom` where `model.kind` came from when a flag set it (a model key of another kind is refused naming it).
 */
export function resolvePipelineSpec(raw: unknown, source: string, options: { kindFrom?: string } = {}): PipelineSpec {
  const checked = checkPipelineSpecShape(raw, source);
  const { modelName, input } = checked;
  const paths = typeof input.paths === 'string' ? [input.paths] : input.paths;

  checkInputColumnLists(input, source);
  checkDenoiseK(checked.denoise, source);
  checkSettingsOfStagesOff(checked.adasyn, checked.denoise, source);
  checkApprovalTimeout(checked, source);
  const sampling = { ...DEFAULT_PIPELINE.sampling, ...checked.sampling } as PipelineSpec['sampling'];
  if (sampling.params !== undefined && sampling.params * sampling.positivesPerParameter! > MAX_SAMPLE_ROWS) {
    throw new InvalidInputError(
      `${source}: sampling.params`,
      `${source}: sampling.params: expected positivesPerParameter × params ≤ ${MAX_SAMPLE_ROWS} (the positives a sample holds), got ${sampling.positivesPerParameter} × ${sampling.params}`,
    );
  }
  const split = { ...DEFAULT_PIPELINE.split, ...checked.split } as PipelineSpec['split'];
  if (Math.abs(split.train + split.validation + split.test - 1) > 1e-9) {
    throw new InvalidInputError(
      `${source}: split`,
      `${source}: split: expected train, validation and test fractions in (0, 1) that sum to 1, got ${JSON.stringify(split)}`,
    );
  }
  const denoiseAsked = { ...DEFAULT_PIPELINE.denoise, ...checked.denoise } as PipelineSpec['denoise'];
  const denoise = DENOISE_METHODS_READING_K.includes(denoiseAsked.method) ? { k: STAGE_DEFAULTS.denoiseK, ...denoiseAsked } : denoiseAsked;
  const adasynAsked = { ...DEFAULT_PIPELINE.adasyn, ...checked.adasyn } as PipelineSpec['adasyn'];
  const adasyn = adasynAsked.enabled ? { ...STAGE_DEFAULTS.adasyn, ...adasynAsked } : adasynAsked;
  const features = resolveFeatureSpec(checked.features, source);

  const userModel = checked.model ?? {};
  // auto judges its candidates on inner folds of the training rows; after ADASYN those hold synthetic rows, which
  // flatter every candidate (a synthetic row sits between two real ones), so ADASYN in front means the former
  // fixed default, the balanced forest, and an explicit auto there is refused.
  // The same holds for the noise filter in front: the folds would judge only the rows it kept.
  const kind = userModel.kind ?? (adasyn.enabled || denoise.method !== 'none' ? 'forest' : DEFAULT_PIPELINE.model.kind);
  if (kind === 'auto' && adasyn.enabled) throw autoAfterAdasyn(`${source}: model.kind`);
  if (kind === 'auto' && denoise.method !== 'none') throw autoAfterDenoise(`${source}: model.kind`, denoise.method);
  checkModelKeysForKind(userModel, kind, source, options.kindFrom ?? (userModel.kind === undefined ? 'the default' : undefined));
  const model = {
    ...DEFAULT_PIPELINE.model,
    ...(kind === 'forest' ? FOREST_DEFAULTS : {}),
    ...userModel,
    kind,
  } as PipelineSpec['model'];
  try {
    parseThresholdPolicy(String(model.threshold));
  } catch (err) {
    if (err instanceof InvalidInputError)
      throw new InvalidInputError(`${source}: model.threshold`, `${source}: model.threshold: ${err.message.replace(/^--threshold: /, '')}`);
    throw err;
  }
  if (model.threshold === 'gmean-oob' && model.kind !== 'forest') {
    // Under auto, "gmean" is refused as well (below): the advice there is the one auto takes.
    const instead =
      model.kind === 'auto'
        ? 'leave model.threshold out (under "auto" the G-mean-optimal threshold is one of the rules chosen on the inner folds), or set model.kind "forest"'
        : 'use "gmean"';
    throw new InvalidInputError(
      `${source}: model.threshold`,
      `${source}: model.threshold: "gmean-oob" needs a forest (it uses the trees' out-of-bag scores), got kind "${model.kind}"; ${instead}`,
    );
  }
  // Under auto the rule is chosen with the model on the inner folds (q* = π or G-mean-optimal); a cost rule given is
  // the winner's rule. "gmean" or "bayes" given there was dropped without a word; "prevalence" is the default's own
  // spelling (a resolved spec reads back as it was), and `fit` says what it means there.
  if (kind === 'auto' && (userModel.threshold === 'gmean' || userModel.threshold === 'bayes')) {
    throw new InvalidInputError(
      `${source}: model.threshold`,
      `${source}: model.threshold: "${String(userModel.threshold)}" fixes the threshold rule, but under model kind "auto" the rule is chosen with the model (the threshold at the positive share or the G-mean-optimal one, on the inner folds); leave model.threshold out, give a cost rule ("cost:L0,L1"), or name a model kind (model.kind) to fix the rule`,
    );
  }

  if (input.positive !== undefined && input.positiveWhen !== undefined) {
    throw new InvalidInputError(
      `${source}: input.positiveWhen`,
      `${source}: input.positive and input.positiveWhen both define the positive class; give one of them`,
    );
  }
  const gates = checked.gates === undefined ? defaultGateSpec() : parseGateSpec(checked.gates, `${source}: gates`);
  keepClassCodes(gates, checked.gates);
  const canary = checked.canary === undefined ? undefined : resolveCanarySpec(checked.canary, `${source}: canary`);

  return {
    modelName,
    input: {
      paths,
      label: input.label,
      ...(input.positive !== undefined ? { positive: String(input.positive) } : {}),
      ...(input.features ? { features: input.features } : {}),
      ...(input.exclude ? { exclude: input.exclude } : {}),
      ...(input.categorical?.length ? { categorical: input.categorical } : {}),
      ...(input.positiveWhen !== undefined ? { positiveWhen: input.positiveWhen } : {}),
    },
    sampling,
    split,
    denoise,
    adasyn,
    ...(features ? { features } : {}),
    model,
    gates: gates as unknown as PipelineSpec['gates'],
    ...(canary ? { canary } : {}),
    requireApproval: checked.requireApproval ?? DEFAULT_PIPELINE.requireApproval,
    // Filled in only where a retrain can ask for approval (as settings of a stage that is off are not).
    ...(asksForApproval(checked) ? { approvalTimeoutMs: checked.approvalTimeoutMs ?? DEFAULT_PIPELINE.approvalTimeoutMs } : {}),
    seed: checked.seed ?? 1,
  };
}

/** A spec's `features` block: `fillValue` is the fill of `"missing": "constant"` and means nothing without it. */
function resolveFeatureSpec(raw: PipelineSpecJson['features'], source: string): PipelineSpec['features'] {
  if (raw === undefined) return undefined;
  const { missing, fillValue } = raw;
  if (fillValue !== undefined && missing !== 'constant') {
    throw new InvalidInputError(
      `${source}: features.fillValue`,
      `${source}: features.fillValue is the fill of "missing": "constant"; set that, or drop fillValue`,
    );
  }
  return { ...(missing !== undefined ? { missing } : {}), ...(fillValue !== undefined ? { fillValue } : {}) };
}

/** A spec's `canary` block, `true` meaning every default: the steps' order and the criteria are checked here. */
function resolveCanarySpec(raw: NonNullable<PipelineSpecJson['canary']>, source: string): CanarySpec {
  if (raw === true) return {};
  const { steps, criteria, ...rest } = raw;
  const out: CanarySpec = { ...rest };
  if (steps !== undefined) out.steps = validateCanarySteps(steps, `${source}.steps`);
  if (criteria !== undefined) {
    resolveCanaryCriteria(criteria, `${source}.criteria`);
    out.criteria = criteria as Record<string, unknown>;
  }
  return out;
}

export function readPipelineSpecFile(path: string): PipelineSpec {
  const spec = resolvePipelineSpec(readPipelineConfigJson(path), path);
  // A two-class label (its positive class named) needs Nr positives in the sample; a label of three or more classes
  // plans its own per-class targets, and only the data says which it is, so the rest is checked when it is described.
  if (spec.input.positive !== undefined || spec.input.positiveWhen !== undefined) checkSamplingTarget(spec.sampling, path);
  return spec;
}

/** The parsed JSON of a PIPELINE.json, unchecked (errors name the file when it cannot be read or parsed). */
export function readPipelineConfigJson(path: string): Record<string, unknown> {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch {
    throw new InvalidInputError(`--config ${path}`, `--config: cannot read ${path}; expected a PIPELINE.json file`);
  }
  const text = jsonFileText(bytes, `--config ${path}`);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new InvalidInputError(`--config ${path}`, `--config: ${path} is not valid JSON (${(err as Error).message})`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json))
    throw new InvalidInputError(`--config ${path}`, `--config: ${path} must hold a JSON object`);
  const duplicate = firstDuplicateJsonKey(text);
  if (duplicate) throw new InvalidInputError(`--config ${path}`, `--config ${path}: ${duplicateKeyText(duplicate)}`);
  return json as Record<string, unknown>;
}

/**
 * A gate's class written as the label code "1" or "0" travels as written (each reader parses it to the class again):
 * the describe stage refuses a code that would judge another class than the one it spells (a multi-class label's
 * class 1, a rare class 0 taken as the positive), which it cannot tell once the code is rewritten "positive". Before,
 * a gate on class "1" of a five-class label was judged on every class, and the run promoted.
 */
function keepClassCodes(parsed: { gates: Array<{ class?: string }> }, raw: unknown): void {
  const written = (raw as { gates?: unknown } | undefined)?.gates;
  if (!Array.isArray(written)) return;
  parsed.gates.forEach((gate, i) => {
    const code = (written[i] as { class?: unknown } | null)?.class;
    if (code === 1 || code === 0 || code === '1' || code === '0') gate.class = String(code);
  });
}
