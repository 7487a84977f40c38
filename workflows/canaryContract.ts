// The canary rollout's contract: how a challenger is rolled out (the spec's `canary`), the child workflow's input,
// status and result, and its pause, resume, abort and approval signals and status query. contract.ts re-exports all of
// it, so callers keep one import. Imports only @temporalio/workflow and types, safe in the workflow bundle.

import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { ArmSummary } from '../core/canary/canaryAnalysis.js';
import type { ApprovalDecision } from './contract.js';

/** How a challenger is rolled out to live traffic. Every field is optional. */
export interface CanarySpec {
  /** Challenger shares of traffic, strictly increasing, ending at 1. @default [0.05, 0.25, 0.5, 1] */
  steps?: number[];
  /** Observation window of each step, a durable timer (ms). @default 600_000 */
  windowMs?: number;
  /** How many times a window with too little evidence is extended by another windowMs. @default 3 */
  maxExtensions?: number;
  /** What happens when the evidence is still insufficient after the last extension. @default 'rollback' */
  onInsufficientEvidence?: 'rollback' | 'promote' | 'require-approval';
  /** Also wait for a human before the last step (100%). @default false */
  approveBeforeFull?: boolean;
  /** The analysis thresholds (core/canary/canaryCriteria.ts CanaryCriteria), JSON-plain. */
  criteria?: Record<string, unknown>;
}

export interface CanaryRolloutInput {
  modelName: string;
  /** The retrain that produced the challenger. */
  runId: string;
  challengerSha256: string;
  championSha256: string;
  canary: CanarySpec;
  /** How long an approval inside the rollout may wait (the spec's approvalTimeoutMs). @default 86_400_000 */
  approvalTimeoutMs?: number;
  /** A multi-class challenger's class values: every window is judged per class, each class needing its labels. */
  classes?: string[];
}

/** One arm's figures in a canary window (core/canary/canaryAnalysis.ts). */
export type CanaryArmSummary = ArmSummary;

/** One observation window of a rollout, as the analysis judged it. */
export interface CanaryWindow {
  step: number;
  weight: number;
  fromMs: number;
  toMs: number;
  extension: number;
  decision: 'promote' | 'rollback' | 'insufficient-evidence';
  reasons: string[];
  arms: { champion: CanaryArmSummary; challenger: CanaryArmSummary };
}

export type CanaryPhase = 'observing' | 'paused' | 'awaiting-approval' | 'promoted' | 'rolled-back';

export interface CanaryRolloutStatus {
  rolloutId: string;
  modelName: string;
  challengerSha256: string;
  championSha256: string;
  phase: CanaryPhase;
  steps: number[];
  step: number;
  weight: number;
  windows: CanaryWindow[];
  reason?: string;
  pausedBy?: string;
}

export interface CanaryRolloutResult {
  outcome: 'promoted' | 'rolled-back';
  reason: string;
  windows: CanaryWindow[];
  decidedBy?: string;
}

// The canary rollout's own controls (`canaryRollout`, a child of the retrain). Pause holds the current weight and
// stops the clock of the analysis; abort rolls back at once.
export const canaryPauseSignal = defineSignal<[string]>('canaryPause');
export const canaryResumeSignal = defineSignal<[string]>('canaryResume');
export const canaryAbortSignal = defineSignal<[string, string]>('canaryAbort');
export const canaryApprovalSignal = defineSignal<[ApprovalDecision]>('canaryApproval');
export const canaryStatusQuery = defineQuery<CanaryRolloutStatus>('canaryStatus');

export function canaryWorkflowId(runId: string): string {
  return `${runId}-canary`;
}
