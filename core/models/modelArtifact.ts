// The rareflow model file: everything needed to score raw rows (feature order, the fitted model, the threshold,
// the label values), as one JSON-plain object with a schema version, checked on load.

import { sha256Hex } from '../contentHash.js';
import type { FeatureMatrix } from '../dataset.js';
import type { Standardiser } from './standardiser.js';
import { fillMissingValues } from '../features/missingValues.js';
import { IntegrityError } from '../integrityError.js';
import { InvalidInputError } from '../invalidInputError.js';
import type { OutOfBagSummary } from './forestOutOfBag.js';
import { parseGbdtModel } from './gbdtModel.js';
import { predictProbaModel, type FittedModel } from './predictModel.js';
import { parseRandomForestModel } from './randomForest.js';
import type { ThresholdPolicy } from './thresholdPolicy.js';
import type { ModelSelection } from './modelSelection.js';
import { voteModelProblem, type VoteMember } from './voteModel.js';

export const MODEL_FORMAT = 'rareflow-model';
export const MODEL_SCHEMA_VERSION = 1;

/** A raw input column and how it becomes model features. */
export type InputColumn =
  /**
   * `boolean`: the column held true/false, yes/no, t/f or 1/0 in training (read as a boolean) and is the 0/1
   * feature of it; scoring takes the same spellings (any case), JSON booleans, and 0/1.
   */
  | {
      name: string;
      kind: 'numeric';
      boolean?: true;
      /**
       * Two features: the value (missing scores as its fill) and `name=missing`, 1 where the input was missing
       * (core/features/missingIndicators.ts). Set by `fit` on a column with missing values in training.
       */
      missingIndicator?: true;
    }
  /** One-hot: feature `name=category` per known category; an unseen category sets none of them. */
  | { name: string; kind: 'categorical'; categories: string[] };

export interface ModelArtifact {
  format: typeof MODEL_FORMAT;
  schemaVersion: typeof MODEL_SCHEMA_VERSION;
  modelName: string;
  /** Feature columns, in the order the model reads them. */
  featureNames: string[];
  /** Raw columns the features come from (absent: every feature is a numeric column of that name). */
  inputColumns?: InputColumn[];
  labelName: string;
  /** The positive class value as the label column held it (`pred` of a positive prediction). */
  positiveLabel: string;
  /** The negative class value; several joined with `|` when a multi-valued label was trained with one positive. */
  negativeLabel: string;
  /**
   * The SQL predicate that defined positives (`input.positiveWhen`) instead of a label value: `positiveLabel` is then
   * "true" and `negativeLabel` "false", and an evaluation file without the label column is labelled by it. Absent in
   * files written before the field existed.
   */
  positiveWhen?: string;
  /** Predict positive when score ≥ threshold. */
  threshold: number;
  thresholdPolicy: ThresholdPolicy;
  thresholdReason: string;
  model: FittedModel;
  training: {
    rows: number;
    positives: number;
    /** Positive share of the rows the model was fitted on (after oversampling, when it ran); of their weight, when weighted. */
    fitPrevalence: number;
    /** The column of per-row weights the fit used (`sample_weight`); absent for an unweighted fit. */
    sampleWeight?: string;
    /**
     * Forests: G-mean (at `threshold`) and PR-AUC of the out-of-bag scores of the rows fitted on, each scored by the
     * trees that did not see it. After ADASYN those rows include the synthetic ones. Absent for other kinds and in
     * files written before the field existed.
     */
    outOfBag?: OutOfBagSummary;
    datasetSha256: string;
    seed: number;
    runId: string;
    codeVersion: string;
  };
  /**
   * Multi-class models: one one-vs-rest binary model per class, each with its own threshold. The predicted class
   * is the one whose score is highest relative to its threshold (argmax of score_c / threshold_c), so each class's
   * q*-rule (seed 002) carries over; `model` and `threshold` then hold the first class's.
   */
  multiClass?: { classes: string[]; models: FittedModel[]; thresholds: number[] };
  /**
   * Missing-value fill fitted on the training rows: a missing (NaN) input of feature j is scored as `fillValues[j]`.
   * Absent under the default policy 'reject' (and in every file written before the field existed): then a missing
   * input is an error, as before.
   */
  missingValues?: ModelMissingValues;
  /** How `model.kind: "auto"` chose this model: each candidate's inner-fold evidence and why the winner won. */
  selection?: ModelSelection;
  /** sha256 of the canonical JSON of every other field: a changed or damaged file fails to load. */
  contentSha256?: string;
}

/** The imputing policies a model can carry, with one fill value per feature in `featureNames` order. */
export interface ModelMissingValues {
  policy: 'mean' | 'median' | 'constant';
  fillValues: number[];
}

/** `x` with missing (NaN) inputs replaced by the model's fitted fill values; `x` itself for a model without them. */
export function fillMissingInputs(artifact: ModelArtifact, x: FeatureMatrix): FeatureMatrix {
  const mv = artifact.missingValues;
  if (mv === undefined) return x;
  return fillMissingValues({ missing: mv.policy, fillValues: mv.fillValues }, x).x;
}

/** Per-class scores (row-major rows × classes) and the predicted class index of each row, for a multi-class model. */
export function scoreMultiClass(
  artifact: ModelArtifact,
  x: FeatureMatrix,
): { scores: Float64Array; predicted: Int32Array; classes: string[] } {
  const mc = artifact.multiClass;
  if (!mc) throw new InvalidInputError('model', 'this model is binary; score it with scoreModel');
  x = fillMissingInputs(artifact, x);
  const k = mc.classes.length;
  const scores = new Float64Array(x.rows * k);
  mc.models.forEach((m, c) => {
    const s = predictProbaModel(m, x);
    for (let r = 0; r < x.rows; r++) scores[r * k + c] = s[r]!;
  });
  const predicted = new Int32Array(x.rows);
  for (let r = 0; r < x.rows; r++) {
    let best = 0;
    let bestValue = -Infinity;
    for (let c = 0; c < k; c++) {
      const v = scores[r * k + c]! / Math.max(mc.thresholds[c]!, 1e-12);
      if (v > bestValue) {
        bestValue = v;
        best = c;
      }
    }
    predicted[r] = best;
  }
  return { scores, predicted, classes: mc.classes };
}

/** Canonical JSON (sorted keys) of the artifact without its seal. */
function canonicalBody(artifact: ModelArtifact): string {
  const { contentSha256: _seal, ...body } = artifact;
  return JSON.stringify(body, (_k, v: unknown) => {
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
      return Object.fromEntries(
        Object.keys(v as object)
          .sort()
          .map((k) => [k, (v as Record<string, unknown>)[k]]),
      );
    }
    return v;
  });
}

/** The artifact with its content hash set. */
export function sealModelArtifact(artifact: ModelArtifact): ModelArtifact {
  return { ...artifact, contentSha256: sha256Hex(canonicalBody(artifact)) };
}

/** The raw columns a model reads, derived for models that predate `inputColumns`. */
export function inputColumnsOf(artifact: ModelArtifact): InputColumn[] {
  return artifact.inputColumns ?? artifact.featureNames.map((name) => ({ name, kind: 'numeric' as const }));
}

/** How many features raw input column `c` becomes. */
export function encodedWidth(c: InputColumn): number {
  return c.kind === 'numeric' ? (c.missingIndicator ? 2 : 1) : c.categories.length;
}

/** Whether every feature is a raw numeric column of its own name (no one-hot block, no missing-value indicator). */
export function readsPlainColumns(artifact: ModelArtifact): boolean {
  return inputColumnsOf(artifact).every((c) => encodedWidth(c) === 1 && c.kind === 'numeric');
}

/** The raw column each feature of the model reads, in feature order (one per feature). */
export function featureSourceColumns(artifact: ModelArtifact): string[] {
  return inputColumnsOf(artifact).flatMap((c) => new Array<string>(encodedWidth(c)).fill(c.name));
}

/** Positive-class probability of every row of `x` (columns in `artifact.featureNames` order). */
export function scoreModel(artifact: ModelArtifact, x: FeatureMatrix): Float64Array {
  if (x.cols !== artifact.featureNames.length) {
    throw new InvalidInputError('features', `the model reads ${artifact.featureNames.length} features; got ${x.cols} columns.`);
  }
  return predictProbaModel(artifact.model, fillMissingInputs(artifact, x));
}

const isSingleModel = (m: unknown): m is VoteMember['model'] =>
  typeof m === 'object' && m !== null && ['logreg', 'forest', 'gbdt'].includes((m as { kind?: unknown }).kind as string);

/** What is wrong with one (non-vote) fitted model of a file reading `features` features, or undefined. */
/** Whether `v` is a list of `n` finite numbers. */
function finiteList(v: unknown, n: number): boolean {
  return Array.isArray(v) && v.length === n && v.every((x) => typeof x === 'number' && Number.isFinite(x));
}

function singleModelProblem(model: VoteMember['model'], features: number, source: string, at = 'model'): string | undefined {
  if (model.kind === 'logreg') {
    if (!finiteList(model.weights, features)) return `"${at}.weights" must hold one finite number per feature (${features})`;
    if (typeof model.intercept !== 'number' || !Number.isFinite(model.intercept)) return `"${at}.intercept" must be a finite number`;
    const st = model.standardiser as Partial<Standardiser> | undefined;
    if (!st || !finiteList(st.mean, features) || !finiteList(st.scale, features) || st.scale!.some((v: number) => !(v > 0)))
      return `"${at}.standardiser" must hold a finite mean and a positive scale per feature (${features})`;
  }
  if (model.kind === 'forest') {
    parseRandomForestModel(model, source);
    if (model.featureCount !== features) return `the forest reads ${model.featureCount} features, the file lists ${features}`;
  }
  if (model.kind === 'gbdt') {
    parseGbdtModel(model, source);
    if (model.featureCount !== features) return `the boosted trees read ${model.featureCount} features, the file lists ${features}`;
  }
  return undefined;
}

/** Validates a parsed model file; `source` names the file in errors. */
export function parseModelArtifact(json: unknown, source: string): ModelArtifact {
  const fail = (what: string): never => {
    throw new InvalidInputError(source, `${source} is not a usable rareflow model: ${what}.`);
  };
  if (typeof json !== 'object' || json === null) return fail('expected a JSON object');
  const m = json as Partial<ModelArtifact>;
  if (m.format !== MODEL_FORMAT) return fail(`expected "format": "${MODEL_FORMAT}", got ${JSON.stringify(m.format)}`);
  if (m.schemaVersion !== MODEL_SCHEMA_VERSION) {
    return fail(
      `schema version ${String(m.schemaVersion)} is not supported by this rareflow (it reads version ${MODEL_SCHEMA_VERSION}); retrain the model`,
    );
  }
  if (!Array.isArray(m.featureNames) || m.featureNames.length === 0 || m.featureNames.some((f) => typeof f !== 'string'))
    return fail('"featureNames" must be a list of column names');
  const seen = new Set<string>();
  const repeated = m.featureNames.find((f) => seen.size === seen.add(f).size);
  if (repeated !== undefined) return fail(`"featureNames" lists ${JSON.stringify(repeated)} twice`);
  if (typeof m.threshold !== 'number' || !(m.threshold >= 0 && m.threshold <= 1)) return fail('"threshold" must be a number in [0, 1]');
  const model = m.model;
  if (!model || (model.kind !== 'logreg' && model.kind !== 'forest' && model.kind !== 'gbdt' && model.kind !== 'vote')) {
    return fail('"model.kind" must be "logreg", "forest", "gbdt" or "vote"');
  }
  const features = m.featureNames.length;
  const problem =
    model.kind === 'vote'
      ? voteModelProblem(model, (member, i) =>
          isSingleModel(member)
            ? singleModelProblem(member, features, source, `model.members[${i}].model`)
            : `"model.members[${i}].kind" must be "logreg", "forest" or "gbdt"`,
        )
      : singleModelProblem(model, features, source);
  if (problem) return fail(problem);
  if (m.inputColumns !== undefined) {
    if (!Array.isArray(m.inputColumns)) return fail('"inputColumns" must be a list');
    const width = m.inputColumns.reduce((n, c) => n + (c.kind === 'categorical' && !Array.isArray(c.categories) ? 0 : encodedWidth(c)), 0);
    if (width !== features) return fail(`its input columns make ${width} features, but "featureNames" lists ${features}`);
  }
  if (typeof m.positiveLabel !== 'string' || typeof m.negativeLabel !== 'string')
    return fail('"positiveLabel" and "negativeLabel" must be strings');
  if (m.positiveWhen !== undefined && (typeof m.positiveWhen !== 'string' || m.positiveWhen.trim() === ''))
    return fail('"positiveWhen" must be a non-empty SQL predicate');
  if (m.multiClass !== undefined) {
    const mc = m.multiClass;
    if (
      !Array.isArray(mc.classes) ||
      mc.classes.length < 3 ||
      mc.models?.length !== mc.classes.length ||
      mc.thresholds?.length !== mc.classes.length
    ) {
      return fail('"multiClass" must list classes, models and thresholds of equal length (at least 3)');
    }
    for (const [i, sub] of mc.models.entries()) {
      const at = `multiClass.models[${i}]`;
      const sane = isSingleModel(sub) ? singleModelProblem(sub, features, source, at) : `"${at}.kind" must be "logreg", "forest" or "gbdt"`;
      if (sane) return fail(sane);
    }
    if (mc.thresholds.some((t) => typeof t !== 'number' || !(t >= 0 && t <= 1)))
      return fail('"multiClass.thresholds" must be numbers in [0, 1], one per class');
  }
  if (m.missingValues !== undefined) {
    const mv = m.missingValues;
    if (typeof mv !== 'object' || mv === null || !['mean', 'median', 'constant'].includes(mv.policy)) {
      return fail('"missingValues.policy" must be "mean", "median" or "constant"');
    }
    if (
      !Array.isArray(mv.fillValues) ||
      mv.fillValues.length !== m.featureNames.length ||
      mv.fillValues.some((v) => typeof v !== 'number' || !Number.isFinite(v))
    ) {
      return fail(`"missingValues.fillValues" must hold one finite number per feature (${m.featureNames.length})`);
    }
  }
  if (typeof m.contentSha256 !== 'string') return fail('it has no "contentSha256" seal');
  const actual = sha256Hex(canonicalBody(m as ModelArtifact));
  if (actual !== m.contentSha256) {
    throw new IntegrityError(
      source,
      m.contentSha256,
      actual,
      'model',
      `${source} is not a usable rareflow model: its content sha256 is ${actual}, but the file says ${m.contentSha256}: it was changed or damaged after training.`,
    );
  }
  return m as ModelArtifact;
}
