// The rareflow model file: everything needed to score raw rows (feature order, the fitted model, the threshold,
// the label values), as one JSON-plain object with a schema version, checked on load.

import { sha256Hex } from '../contentHash.js';
import type { FeatureMatrix } from '../dataset.js';
import { InvalidInputError } from '../invalidInputError.js';
import { predictProbaModel, type FittedModel } from './predictModel.js';
import { parseRandomForestModel } from './randomForest.js';
import type { ThresholdPolicy } from './thresholdPolicy.js';

export const MODEL_FORMAT = 'rareflow-model';
export const MODEL_SCHEMA_VERSION = 1;

/** A raw input column and how it becomes model features. */
export type InputColumn =
  | { name: string; kind: 'numeric' }
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
  positiveLabel: string;
  negativeLabel: string;
  /** Predict positive when score ≥ threshold. */
  threshold: number;
  thresholdPolicy: ThresholdPolicy;
  thresholdReason: string;
  model: FittedModel;
  training: {
    rows: number;
    positives: number;
    /** Positive share of the rows the model was fitted on (after oversampling, when it ran). */
    fitPrevalence: number;
    datasetSha256: string;
    seed: number;
    runId: string;
    codeVersion: string;
  };
  /** sha256 of the canonical JSON of every other field: a changed or damaged file fails to load. */
  contentSha256?: string;
}

/** Canonical JSON (sorted keys) of the artifact without its seal. */
function canonicalBody(artifact: ModelArtifact): string {
  const { contentSha256: _seal, ...body } = artifact;
  return JSON.stringify(body, (_k, v: unknown) => {
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
      return Object.fromEntries(Object.keys(v as object).sort().map((k) => [k, (v as Record<string, unknown>)[k]]));
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

/** Positive-class probability of every row of `x` (columns in `artifact.featureNames` order). */
export function scoreModel(artifact: ModelArtifact, x: FeatureMatrix): Float64Array {
  if (x.cols !== artifact.featureNames.length) {
    throw new InvalidInputError('features', `the model reads ${artifact.featureNames.length} features; got ${x.cols} columns.`);
  }
  return predictProbaModel(artifact.model, x);
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
    return fail(`schema version ${String(m.schemaVersion)} is not supported by this rareflow (it reads version ${MODEL_SCHEMA_VERSION}); retrain the model`);
  }
  if (!Array.isArray(m.featureNames) || m.featureNames.some((f) => typeof f !== 'string')) return fail('"featureNames" must be a list of column names');
  if (typeof m.threshold !== 'number' || !(m.threshold >= 0 && m.threshold <= 1)) return fail('"threshold" must be a number in [0, 1]');
  const model = m.model;
  if (!model || (model.kind !== 'logreg' && model.kind !== 'forest')) return fail('"model.kind" must be "logreg" or "forest"');
  if (model.kind === 'logreg' && (!Array.isArray(model.weights) || model.weights.length !== m.featureNames.length)) {
    return fail(`"model.weights" must hold one weight per feature (${m.featureNames.length})`);
  }
  if (model.kind === 'forest') {
    parseRandomForestModel(model, source);
    if (model.featureCount !== m.featureNames.length) return fail(`the forest reads ${model.featureCount} features, the file lists ${m.featureNames.length}`);
  }
  if (typeof m.positiveLabel !== 'string' || typeof m.negativeLabel !== 'string') return fail('"positiveLabel" and "negativeLabel" must be strings');
  if (typeof m.contentSha256 !== 'string') return fail('it has no "contentSha256" seal');
  const actual = sha256Hex(canonicalBody(m as ModelArtifact));
  if (actual !== m.contentSha256) return fail(`its content sha256 is ${actual}, but the file says ${m.contentSha256}: it was changed or damaged after training`);
  return m as ModelArtifact;
}
