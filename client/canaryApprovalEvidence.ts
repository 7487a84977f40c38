// The evidence of a canary that waits for a human before 100% traffic (`approveBeforeFull`), or before going on
// after insufficient evidence: read from its status query (windows so far, per-class recall of both arms), for
// `status`, `approve` and `reject`. The decision itself goes the same way as the retrain's own approval.

import type { CanaryArmSummary, CanaryRolloutStatus, CanaryWindow } from '../workflows/contract.js';

export interface CanaryArmEvidence {
  requests: number;
  labelled: number;
  /** Recall per class value (a binary model: `positive` and `negative`); null where no labelled request had it. */
  recall: Record<string, number | null>;
  gMean: number | null;
}

export interface CanaryApprovalEvidence {
  runId: string;
  rolloutId: string;
  /** What is asked: `full-traffic` (before 100%), or `insufficient-evidence-step-N` (go on after step N). */
  stage: string;
  championSha256: string;
  challengerSha256: string;
  /** The challenger's share of traffic now, and the share it gets once approved. */
  weight: number;
  nextWeight: number;
  windows: Array<
    Pick<CanaryWindow, 'step' | 'weight' | 'fromMs' | 'toMs' | 'decision' | 'reasons'> & {
      champion: CanaryArmEvidence;
      challenger: CanaryArmEvidence;
    }
  >;
}

/** Each class's recall of one arm: the multi-class recalls when the window has them, else the binary pair. */
export function armEvidence(arm: CanaryArmSummary): CanaryArmEvidence {
  const recall = arm.classRecall ?? { positive: arm.positiveRecall, negative: arm.negativeRecall };
  return { requests: arm.requests, labelled: arm.labelled, recall, gMean: arm.macroGMean ?? arm.gMean };
}

/**
 * The canary's approval evidence from its status query, or undefined when it is not waiting for a decision. The
 * step it waits at has no window yet when it waits before 100%; it has its windows when the evidence was too thin.
 */
export function canaryApprovalEvidence(runId: string, s: CanaryRolloutStatus): CanaryApprovalEvidence | undefined {
  if (s.phase !== 'awaiting-approval') return undefined;
  const observed = s.windows.some((w) => w.step === s.step);
  const stage = observed ? `insufficient-evidence-step-${s.step + 1}` : 'full-traffic';
  return {
    runId,
    rolloutId: s.rolloutId,
    stage,
    championSha256: s.championSha256,
    challengerSha256: s.challengerSha256,
    weight: s.weight,
    nextWeight: observed ? (s.steps[s.step + 1] ?? s.weight) : (s.steps[s.step] ?? 1),
    windows: s.windows.map((w) => ({
      step: w.step,
      weight: w.weight,
      fromMs: w.fromMs,
      toMs: w.toMs,
      decision: w.decision,
      reasons: w.reasons,
      champion: armEvidence(w.arms.champion),
      challenger: armEvidence(w.arms.challenger),
    })),
  };
}
