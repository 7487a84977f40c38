// What the client, the worker and the workflows share: task queues, signals, queries, inputs, results, failure types.
// Imports only @temporalio/workflow, types and the plain core/pipelineTypes.ts, so it is safe in the workflow bundle
// and in Node code alike.

import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import { FailureType } from '../core/pipelineTypes.js';
import type { CanaryRolloutResult, CanarySpec } from './canaryContract.js';
import type {
  AdasynSpec,
  ArtifactRef,
  DenoiseSpec,
  FeatureSpec,
  GateSpecJson,
  InputSpec,
  ModelSpec,
  SampleCounts,
  SamplingSpec,
  SplitSpec,
  StageSummary,
  ValidationSummary,
} from '../core/pipelineTypes.js';

/** Shared with data/, stages/ and activities/: declared in core/pipelineTypes.ts, re-exported for the client. */
export { FailureType } from '../core/pipelineTypes.js';
export type {
  ArtifactRef,
  FailureTypeName,
  GateSpecJson,
  ModelSpec,
  NeighborSearch,
  PerClassSummary,
  SampleCounts,
  StageSummary,
  StageTiming,
  ThresholdPolicyName,
  ValidationSummary,
} from '../core/pipelineTypes.js';

/**
 * Workflow tasks only (lifecycles, retrains, monitors, canaries): kept off the compute queue so a query or a signal
 * is never queued behind heavy activities.
 */
export const WORKFLOWS_TASK_QUEUE = 'rareflow-workflows';
/**
 * Compute activities (sampling, filtering, ADASYN, training, validation). Scale out here. Workflows started before
 * they had their own queue live here too: a workflows worker also polls this queue's workflow tasks for them, and
 * lifecycles and monitors move to WORKFLOWS_TASK_QUEUE when they next continue as new.
 */
export const COMPUTE_TASK_QUEUE = 'rareflow-compute';
/** Registry activities: DuckDB has one writer, so exactly one worker serves this queue. */
export const REGISTRY_TASK_QUEUE = 'rareflow-registry';

export const NON_RETRYABLE_FAILURE_TYPES: string[] = Object.values(FailureType);
/** A full disk (ENOSPC): retried twice in case space is freed, then non-retryable (worker/diskFullFailure.ts). */
export const DISK_FULL_FAILURE_TYPE = 'DiskFull';

import type { SamplingOrder } from '../core/sampling/rowOrder.js';

/** Everything one retrain needs. JSON-plain: it travels in Temporal payloads and in PIPELINE.json files. */
export interface PipelineSpec {
  modelName: string;
  input: InputSpec;
  sampling: SamplingSpec;
  split: SplitSpec;
  denoise: DenoiseSpec;
  adasyn: AdasynSpec;
  /** Feature preparation shared by every distance user and the model (missing values); absent: reject them. */
  features?: FeatureSpec;
  model: ModelSpec;
  gates: GateSpecJson;
  /**
   * Canary promotion through `rareflow serve`: absent, a passing model becomes champion at once; present, it serves
   * a growing share of live traffic and is promoted or rolled back on per-class evidence (see CanarySpec).
   */
  canary?: CanarySpec;
  /** Hold the promotion (the canary's first step, when there is a canary) until a human approves it. @default false */
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
  /** Multi-class: the label values sampled as positives (kept whole). @default none */
  positiveValues?: string[];
  /** Multi-class: the class values; the sample's labels are class indices into them. @default none */
  classes?: string[];
  featureNames: string[];
  /** Categorical column → its categories: `featureNames` holds their `column=category` one-hot features. @default none */
  categorical?: Record<string, string[]>;
  /** The input's per-row weight column (`sample_weight`), fetched with the kept rows; absent when it has none. */
  sampleWeight?: string;
  /** Keep missing feature values as NaN (the spec declares an imputation, fitted after the split). @default false */
  keepMissing?: boolean;
  targetSize: number;
  positiveTarget: number;
  shards: number;
  /** Row order fed to the sampler; absent means auto. */
  order?: 'auto' | 'sequential' | 'random-blocks';
  seed: number;
}

/** The stats `rareflow sample --json` prints, plus the sample's artifact. */
export interface AdaptiveSamplingResult extends SampleCounts {
  sample: ArtifactRef;
  shards: number;
  warnings: string[];
  /** Said once when the input is simply smaller than the sampling target (every shard ran out of rows). */
  information?: string;
  seconds: number;
  resumedShards: number;
  /** The row order each shard was sampled in, and why (absent in results recorded before order-safe sampling). */
  order?: SamplingOrder[];
}

export type RetrainOutcome =
  | 'promoted'
  | 'rejected-by-gate'
  | 'insufficient-evidence'
  | 'rejected-by-human'
  | 'approval-timed-out'
  /** The canary failed on live traffic (or was aborted): weight 0, the challenger archived. */
  | 'rolled-back';

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
  /** The canary rollout, when the spec has one and there was a champion to compare with. */
  canary?: CanaryRolloutResult;
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
  kind: 'initial' | RetrainRequestKind;
  /** The coalesced signals' reasons joined with '; ': the first ten, then `and N more` (see omittedReasons). */
  reason: string;
  dataPaths?: string[];
  /** Numbers that came with drift signals (the newest signal's value wins per name). */
  metrics?: Record<string, number>;
  /** How many signals were coalesced into this retrain. */
  coalesced: number;
  /** Reasons of coalesced signals past the first ten, counted but not kept (absent when none). */
  omittedReasons?: number;
  /** Ids of the retrain requests this retrain serves (those sent with one), the newest REQUEST_IDS_KEPT. */
  requestIds?: string[];
  /** The request whose spec this retrain uses, when a request brought one; a later one replaces it. */
  specRequestId?: string;
}

/** What asked for a retrain: a drift signal, a Temporal Schedule, or a person (CLI, client library). */
export type RetrainRequestKind = 'drift' | 'schedule' | 'manual';

/**
 * The payload of `retrainNow`. The kind travels as a field; histories from before it carry a bare reason string,
 * whose kind the lifecycle reads from its text (`schedule ...` or manual).
 */
export interface RetrainRequest {
  trigger: Exclude<RetrainRequestKind, 'drift'>;
  reason: string;
  /** Replaces the lifecycle's spec for this and later retrains (`rareflow run --config` on a running lifecycle). */
  spec?: PipelineSpec;
  /** The sender's id for this request, so it can find the retrain that served it (and whose spec that used). */
  requestId?: string;
}

export interface RetrainInput {
  spec: PipelineSpec;
  trigger: RetrainTrigger;
}

// Signals and queries of the lifecycle entity (`modelLifecycle`).
export const driftSignal = defineSignal<[DriftEvidence]>('drift');
/** A retrain on request. The `[reason, spec?]` form is the one old histories hold; senders use a RetrainRequest. */
export const retrainNowSignal = defineSignal<[RetrainRequest | string, PipelineSpec?]>('retrainNow');
export const approveSignal = defineSignal<[string, string]>('approve');
export const rejectSignal = defineSignal<[string, string, string]>('reject');
export const statusQuery = defineQuery<LifecycleStatus>('status');

// The pipeline's own approval signals; the lifecycle relays approve/reject to its running child.
export const pipelineApprovalSignal = defineSignal<[ApprovalDecision]>('pipelineApproval');
export const pipelineStageQuery = defineQuery<string>('stage');
/** Sent by a retrain to its lifecycle parent when it starts waiting for a human decision. */
export const awaitingApprovalSignal = defineSignal<[string]>('awaitingApproval');
/**
 * Sent by `rareflow canary abort` to the lifecycle before the abort reaches a canary that waits for a decision: the
 * run no longer awaits one, so an approval sent after it is refused instead of answered as taken and dropped.
 */
export const approvalWithdrawnSignal = defineSignal<[string]>('approvalWithdrawn');

export interface ApprovalDecision {
  approved: boolean;
  by: string;
  why?: string;
}

/** An approval sent as an Update: the validator rejects a run that is not awaiting approval, so the caller knows. */
export interface ApprovalRequest {
  runId: string;
  approved: boolean;
  by: string;
  why?: string;
}

export interface ApprovalReceipt {
  runId: string;
  approved: boolean;
  by: string;
  /** Workflow time of the decision, ISO 8601. */
  at: string;
}

export const approvalUpdate = defineUpdate<ApprovalReceipt, [ApprovalRequest]>('approval');

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

/** One retrain of the lifecycle: what triggered it, how many signals it served, and how it ended. */
export interface LifecycleHistoryEntry {
  runId: string;
  /** `cancelled`: stopped by `rareflow cancel` (or Temporal's UI) before it ended. */
  outcome: RetrainOutcome | 'failed' | 'cancelled';
  trigger: RetrainTrigger['kind'];
  modelSha256: string;
  /** The trigger's reason (coalesced reasons joined with '; '). */
  reason?: string;
  /** Signals served by this one retrain. */
  coalesced?: number;
  startedAt?: string;
  finishedAt?: string;
  /** Why it ended so, when it did not promote (gate reasons, canary analysis, a human's reason). */
  outcomeReason?: string;
  /** Ids of the retrain requests it served (RetrainTrigger.requestIds). */
  requestIds?: string[];
  /** The request whose spec it used (RetrainTrigger.specRequestId). */
  specRequestId?: string;
  /** That spec was refused as bad input and not kept: the lifecycle went back to its spec from before. */
  specNotKept?: boolean;
  /** It failed as bad input (its spec or data refused before any work), so its spec never ran. */
  inputRefused?: boolean;
  /** The files it read instead of its spec's input paths (a drift signal's new data). */
  dataPaths?: string[];
}

export interface LifecycleState {
  retrainCount: number;
  championSha256?: string;
  history: LifecycleHistoryEntry[];
  /** When the last retrain finished, ISO 8601 (workflow time). */
  lastRetrainAt?: string;
  pending?: RetrainTrigger;
  /** approve/reject signals that named no run awaiting approval. */
  ignoredDecisions: number;
  /** How many times the entity has continued as new. */
  generation: number;
  /** The latest messages the entity refused (bad payload, no run to relay to), newest last (absent in old state). */
  refused?: RefusedMessage[];
  /**
   * The spec in force before a run request replaced it, kept until a retrain with the request's spec gets past its
   * input checks: a spec refused as bad input is not kept, and the model's next retrains use this one again.
   */
  specBeforeRequest?: PipelineSpec;
}

/** A signal the lifecycle recorded and ignored: a signal handler never fails the workflow. */
export interface RefusedMessage {
  /** The signal's name, e.g. `drift`. */
  message: string;
  /** Why it was refused, e.g. `drift: reason must be a string, got 42`. */
  reason: string;
  /** Workflow time, ISO 8601. */
  at: string;
}

export interface LifecycleStatus {
  modelName: string;
  phase: 'idle' | 'retraining' | 'awaiting-approval';
  currentRunId?: string;
  pending?: RetrainTrigger;
  retrainCount: number;
  championSha256?: string;
  history: LifecycleState['history'];
  lastRetrainAt?: string;
  continuedAsNewTimes: number;
  /** The latest refused messages, newest last (at most 20). */
  refused: RefusedMessage[];
  /** Approve/reject signals that named no run awaiting approval, over the entity's life. */
  ignoredDecisions: number;
}

/** The drift monitor's input, state, signals and queries: declared beside its workflow's contract, exported here too. */
export * from './driftMonitorContract.js';
/** The canary rollout's spec, input, status, result, signals and query: in their own file, exported here too. */
export * from './canaryContract.js';

export function lifecycleWorkflowId(modelName: string): string {
  return `rareflow-lifecycle-${modelName}`;
}
