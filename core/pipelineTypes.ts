// The plain types every layer shares (artifact references, sample counts, failure type names, stage summaries and
// the stage settings of a pipeline spec), kept below data/ so no layer imports upward. JSON-plain throughout.

import type { SelectionTimes } from './models/modelSelection.js';

/** A stored artifact, addressed by the sha256 of its bytes; JSON-plain so it crosses Temporal as is. */
export interface ArtifactRef {
  sha256: string;
  /** file:// URI of the stored file (absolute). */
  uri: string;
  bytes: number;
  kind: string;
}

/** `type` strings of the ApplicationFailures rareflow raises. Input errors are never retried. */
export const FailureType = {
  invalidInput: 'InvalidInput',
  insufficientData: 'InsufficientData',
  modelArtifactInvalid: 'ModelArtifactInvalid',
  /** A stored artifact or model file no longer matches its sha256 and cannot be recomputed where it was found. */
  integrity: 'IntegrityError',
  /**
   * Storage refused as configured (RAREFLOW_ARTIFACTS or RAREFLOW_SERVING names a missing bucket, the credentials are
   * refused): retrying cannot help, and the spec is not at fault.
   */
  storageSettings: 'StorageSettings',
} as const;
export type FailureTypeName = (typeof FailureType)[keyof typeof FailureType];

/** What a sampling scan reports, per shard and (summed) for a whole sample. */
export interface SampleCounts {
  positives: number;
  negatives: number;
  /** Rows Algorithm 1 consumed (it stops at the first positive after the sample is full). */
  scannedRows: number;
  /** Positives the scan met. */
  positivesSeen: number;
  totalRows: number;
  earlyStop: boolean;
}

/**
 * When one stage of a retrain ran, in workflow time (the time of the workflow task that entered and left it, so a
 * replay gives the same values): from `describing input` to `promoting`, including waits for approval.
 */
export interface StageTiming {
  stage: string;
  /** ISO 8601. */
  startedAt: string;
  /** ISO 8601. */
  finishedAt: string;
  durationMs: number;
}

/** One pipeline step's row and positive counts, time and a one-line note of what it did. */
export interface StageSummary {
  stage: string;
  rowsIn: number;
  rowsOut: number;
  positivesIn: number;
  positivesOut: number;
  seconds: number;
  note?: string;
  /** The train stage of `model.kind: "auto"`: the seconds of its choice (the model file's selection holds none). */
  selectionTimes?: SelectionTimes;
}

/** Neighbour search of a stage: chosen by estimated cost (`auto`), or forced. */
export type NeighborSearch = 'auto' | 'exact' | 'ivf' | 'hnsw';

export type ThresholdPolicyName = 'bayes' | 'prevalence' | 'gmean' | 'gmean-oob' | `cost:${number},${number}`;

/**
 * The model of a pipeline: L2 logistic regression, a random forest (RFQ with the prevalence threshold), or
 * histogram gradient-boosted trees.
 */
export interface ModelSpec {
  /** `auto`: chosen among candidates by inner cross-validation on the training rows (stages/modelChoice.ts). */
  kind: 'logreg' | 'forest' | 'gbdt' | 'auto';
  threshold: ThresholdPolicyName;
  /** logreg: `balanced` weighs each class by n / (2 · n_class), so π of the fit is 1/2. @default none */
  classWeight?: 'balanced';
  /** auto: seconds the choice may spend on inner folds (the final fit comes on top). @default 60 */
  budgetSeconds?: number;
  /** logreg: L2 penalty per row. @default 1e-4 */
  l2?: number;
  /** forest: trees. @default 100 */
  trees?: number;
  /** forest: per-tree rows: bootstrap, subsample without replacement, or balanced (equal rows per class). @default 'balanced' */
  sampling?: 'bootstrap' | 'subsample' | 'balanced';
  /** forest: `random` draws one cut per tried feature (extremely randomised trees). @default 'best' */
  splitter?: 'best' | 'random';
  /** forest: features tried per split. @default floor(√features) */
  mtry?: number;
  /** forest: smallest node that is still split. @default 1 */
  minNodeSize?: number;
  /** forest: deepest level. @default unlimited */
  maxDepth?: number;
  /** gbdt: shrinkage of each tree, in (0, 1]. @default 0.1 */
  learningRate?: number;
  /** gbdt: most boosting iterations (early stopping may end sooner on ≥ 10,000 rows). @default 200 */
  maxIterations?: number;
  /** gbdt: most leaves per tree. @default 31 */
  maxLeafNodes?: number;
  /** gbdt: stop on a stratified 10% inner validation split: 'auto' from 10,000 training rows. @default 'auto' */
  earlyStopping?: 'auto' | 'on' | 'off';
}

/** One gate in a gate spec (see core/gates). Kept JSON-plain here; core/gates validates it. */
export interface GateSpecJson {
  minPositiveSupport?: number;
  minNegativeSupport?: number;
  useLowerConfidenceBound?: boolean;
  /** What to do on an insufficient-evidence verdict. @default 'reject' */
  onInsufficientEvidence?: 'reject' | 'require-approval' | 'promote';
  gates: Array<Record<string, unknown>>;
}

/** The input block of a pipeline spec. */
export interface InputSpec {
  /** CSV or Parquet files or globs. */
  paths: string[];
  label: string;
  /** The label value of the positive (rare) class; default 1/true, or the rarer class. */
  positive?: string;
  /** Feature columns to use; default: every column but the label and `exclude`. */
  features?: string[];
  /** Columns to leave out of the features (ids, timestamps). */
  exclude?: string[];
  /** Feature columns of categories: one-hot encoded (`column=category` features) with the categories of the input. */
  categorical?: string[];
  /** A SQL predicate that defines positives instead of the label value, e.g. `revenue >= 1000`. */
  positiveWhen?: string;
}

/** The sampling block of a pipeline spec (Algorithm 1's N, M and Nr). */
export interface SamplingSpec {
  /** N of Algorithm 1: the sample size to collect. Default: max(20 000, 2·Nr). */
  targetSize?: number;
  /** M of Algorithm 1: model parameters; default: feature count + 1. */
  params?: number;
  /** Positives wanted per model parameter (Nr = perParameter · M). @default 50 */
  positivesPerParameter?: number;
  /** Shards sampled in parallel activities, then merged. @default 1 */
  shards?: number;
  /** Row order fed to the sampler (auto: test the order, seeded random row blocks when it is not random). @default 'auto' */
  order?: 'auto' | 'sequential' | 'random-blocks';
}

/** Shares of the train, validation and test splits. */
export interface SplitSpec {
  train: number;
  validation: number;
  test: number;
}

export interface DenoiseSpec {
  method: 'enn' | 'renn' | 'tomek' | 'confident' | 'none';
  k?: number;
  neighbors?: NeighborSearch;
}

export interface AdasynSpec {
  enabled: boolean;
  k?: number;
  beta?: number;
  neighbors?: NeighborSearch;
  maxSyntheticRatio?: number;
}

/**
 * Feature preparation shared by every distance user and the model. `missing`: what a missing numeric feature value
 * (null, empty, NaN) does: `'reject'` fails naming it; `'mean'` / `'median'` fill each column with its value over
 * the training rows; `'constant'` fills with `fillValue`. Absent: `'reject'`.
 */
export interface FeatureSpec {
  missing?: 'reject' | 'mean' | 'median' | 'constant';
  fillValue?: number;
}

export interface PerClassSummary {
  recall: number | null;
  precision: number | null;
  support: number;
}

/** The validate step's verdict and headline figures, as a retrain's result carries them. */
export interface ValidationSummary {
  verdict: 'pass' | 'fail' | 'insufficient-evidence';
  reasons: string[];
  positive: PerClassSummary;
  negative: PerClassSummary;
  gMean: number | null;
  prAucNormalised: number | null;
  brier: number | null;
  threshold: number;
  /**
   * The champion's figures beside this model's. `rows` names the rows compared on when they are not the whole test
   * split (the champion's training rows left out), with this model's G-mean on those rows (`challengerGMean`).
   */
  champion?: { modelSha256: string; positiveRecall: number | null; gMean: number | null; rows?: string; challengerGMean?: number | null };
  /** Why the champion was compared on fewer rows, or could not be compared at all. */
  championNote?: string;
  /**
   * Multi-class models: each class's test figures. `positive` is then the rarest class of the test split, `negative`
   * its largest, `gMean` the macro G-mean.
   */
  classes?: Array<PerClassSummary & { class: string }>;
}
