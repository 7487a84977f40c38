// What the client, the worker and the workflows share: task queues, signals, queries, inputs, results, failure types.
// Imports only @temporalio/workflow and types, so it is safe in the workflow bundle and in Node code alike.

import { defineQuery, defineSignal } from '@temporalio/workflow';

/** Workflows and compute activities (sampling, filtering, ADASYN, training, validation). Scale out here. */
export const COMPUTE_TASK_QUEUE = 'rareflow-compute';
/** Registry activities: DuckDB has one writer, so exactly one worker serves this queue. */
export const REGISTRY_TASK_QUEUE = 'rareflow-registry';

/** `type` strings of the ApplicationFailures rareflow raises. Input errors are never retried. */
export const FailureType = {
  invalidInput: 'InvalidInput',
  insufficientData: 'InsufficientData',
  modelArtifactInvalid: 'ModelArtifactInvalid',
} as const;
export type FailureTypeName = (typeof FailureType)[keyof typeof FailureType];
export const NON_RETRYABLE_FAILURE_TYPES: string[] = Object.values(FailureType);

/** A file in the artifact store, addressed by the sha256 of its bytes (declared in data/, shared as a type). */
export type { ArtifactRef } from '../data/artifactStore.js';
import type { ArtifactRef } from '../data/artifactStore.js';
import type { SampleCounts } from '../data/shardSampling.js';

/** The model of a pipeline: L2 logistic regression, or a random forest (RFQ with the prevalence threshold). */
export interface ModelSpec {
  kind: 'logreg' | 'forest';
  threshold: ThresholdPolicyName;
  /** logreg: L2 penalty per row. @default 1e-4 */
  l2?: number;
  /** forest: trees. @default 100 */
  trees?: number;
  /** forest: per-tree rows: bootstrap, subsample without replacement, or balanced (equal rows per class). @default 'balanced' */
  sampling?: 'bootstrap' | 'subsample' | 'balanced';
  /** forest: features tried per split. @default floor(√features) */
  mtry?: number;
  /** forest: smallest node that is still split. @default 1 */
  minNodeSize?: number;
  /** forest: deepest level. @default unlimited */
  maxDepth?: number;
}

/** Neighbour search of a stage: chosen by estimated cost (`auto`), or forced. */
export type NeighborSearch = 'auto' | 'exact' | 'hnsw';

export type ThresholdPolicyName = 'bayes' | 'prevalence' | 'gmean' | `cost:${number},${number}`;

/** One gate in a gate spec (see core/gates). Kept JSON-plain here; core/gates validates it. */
export interface GateSpecJson {
  minPositiveSupport?: number;
  minNegativeSupport?: number;
  useLowerConfidenceBound?: boolean;
  /** What to do on an insufficient-evidence verdict. @default 'reject' */
  onInsufficientEvidence?: 'reject' | 'require-approval' | 'promote';
  gates: Array<Record<string, unknown>>;
}

/** Everything one retrain needs. JSON-plain: it travels in Temporal payloads and in PIPELINE.json files. */
export interface PipelineSpec {
  modelName: string;
  input: {
    /** CSV or Parquet files or globs. */
    paths: string[];
    label: string;
    /** The label value of the positive (rare) class; default 1/true, or the rarer class. */
    positive?: string;
    /** Feature columns to use; default: every column but the label and `exclude`. */
    features?: string[];
    /** Columns to leave out of the features (ids, timestamps). */
    exclude?: string[];
    /** A SQL predicate that defines positives instead of the label value, e.g. `revenue >= 1000`. */
    positiveWhen?: string;
  };
  sampling: {
    /** N of Algorithm 1: the sample size to collect. Default: max(20 000, 2·Nr). */
    targetSize?: number;
    /** M of Algorithm 1: model parameters; default: feature count + 1. */
    params?: number;
    /** Positives wanted per model parameter (Nr = perParameter · M). @default 50 */
    positivesPerParameter?: number;
    /** Shards sampled in parallel activities, then merged. @default 1 */
    shards?: number;
  };
  split: { train: number; validation: number; test: number };
  denoise: { method: 'enn' | 'renn' | 'tomek' | 'confident' | 'none'; k?: number; neighbors?: NeighborSearch };
  adasyn: { enabled: boolean; k?: number; beta?: number; neighbors?: NeighborSearch; maxSyntheticRatio?: number };
  model: ModelSpec;
  gates: GateSpecJson;
  /** Hold the promotion until a human approves it. @default false */
  requireApproval?: boolean;
  /** How long to wait for approval before rejecting. @default 86_400_000 (one day) */
  approvalTimeoutMs?: number;
  seed: number;
}

/** Input of the `adaptiveSampling` child workflow (seed 003's cluster mode). */
export interface AdaptiveSamplingInput {
  files: string[];
  fileSha256s: string[];
  label: string;
  positiveLabel: string;
  predicate?: string;
  featureNames: string[];
  targetSize: number;
  positiveTarget: number;
  shards: number;
  seed: number;
}

/** The stats `rareflow sample --json` prints, plus the sample's artifact. */
export interface AdaptiveSamplingResult extends SampleCounts {
  sample: ArtifactRef;
  shards: number;
  warnings: string[];
  seconds: number;
  resumedShards: number;
}

export type RetrainOutcome = 'promoted' | 'rejected-by-gate' | 'insufficient-evidence' | 'rejected-by-human' | 'approval-timed-out';

export interface StageSummary {
  stage: string;
  rowsIn: number;
  rowsOut: number;
  positivesIn: number;
  positivesOut: number;
  seconds: number;
  note?: string;
}

export interface PerClassSummary {
  recall: number | null;
  precision: number | null;
  support: number;
}

export interface ValidationSummary {
  verdict: 'pass' | 'fail' | 'insufficient-evidence';
  reasons: string[];
  positive: PerClassSummary;
  negative: PerClassSummary;
  gMean: number | null;
  prAucNormalised: number | null;
  brier: number | null;
  threshold: number;
  champion?: { modelSha256: string; positiveRecall: number | null; gMean: number | null };
}

export interface RetrainResult {
  runId: string;
  modelName: string;
  outcome: RetrainOutcome;
  modelSha256: string;
  reportUri: string;
  /** The self-contained HTML run report. */
  reportHtmlUri?: string;
  validation: ValidationSummary;
  stages: StageSummary[];
  trigger: RetrainTrigger;
  decidedBy?: string;
  reason?: string;
}

export interface DriftEvidence {
  /** Where the evidence came from: `cli`, `driftMonitor`, a dashboard... */
  source: string;
  reason: string;
  /** New data to retrain on; default: the lifecycle's pipeline input. */
  dataPaths?: string[];
  /** Numbers behind the signal, e.g. {psi: 0.31}. */
  metrics?: Record<string, number>;
}

export interface RetrainTrigger {
  kind: 'initial' | 'drift' | 'manual' | 'schedule';
  reason: string;
  dataPaths?: string[];
  /** How many signals were coalesced into this retrain. */
  coalesced: number;
}

export interface RetrainInput {
  spec: PipelineSpec;
  trigger: RetrainTrigger;
}

// Signals and queries of the lifecycle entity (`modelLifecycle`).
export const driftSignal = defineSignal<[DriftEvidence]>('drift');
export const retrainNowSignal = defineSignal<[string]>('retrainNow');
export const approveSignal = defineSignal<[string, string]>('approve');
export const rejectSignal = defineSignal<[string, string, string]>('reject');
export const statusQuery = defineQuery<LifecycleStatus>('status');

// The pipeline's own approval signals; the lifecycle relays approve/reject to its running child.
export const pipelineApprovalSignal = defineSignal<[ApprovalDecision]>('pipelineApproval');
export const pipelineStageQuery = defineQuery<string>('stage');
/** Sent by a retrain to its lifecycle parent when it starts waiting for a human decision. */
export const awaitingApprovalSignal = defineSignal<[string]>('awaitingApproval');

export interface ApprovalDecision {
  approved: boolean;
  by: string;
  why?: string;
}

export interface LifecycleInput {
  modelName: string;
  spec: PipelineSpec;
  /** Retrain right away on start. @default true */
  retrainOnStart?: boolean;
  /** Retrains per workflow run before continueAsNew (Temporal may suggest it sooner). @default 50 */
  maxRetrainsPerRun?: number;
  /** Carried across continueAsNew. */
  state?: LifecycleState;
}

export interface LifecycleState {
  retrainCount: number;
  championSha256?: string;
  history: Array<{ runId: string; outcome: RetrainOutcome | 'failed'; trigger: RetrainTrigger['kind']; modelSha256: string }>;
  pending?: RetrainTrigger;
  /** approve/reject signals that named no run awaiting approval. */
  ignoredDecisions: number;
  /** How many times the entity has continued as new. */
  generation: number;
}

export interface LifecycleStatus {
  modelName: string;
  phase: 'idle' | 'retraining' | 'awaiting-approval';
  currentRunId?: string;
  pending?: RetrainTrigger;
  retrainCount: number;
  championSha256?: string;
  history: LifecycleState['history'];
  continuedAsNewTimes: number;
}

export function lifecycleWorkflowId(modelName: string): string {
  return `rareflow-lifecycle-${modelName}`;
}
