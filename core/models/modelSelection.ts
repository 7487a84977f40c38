// The `selection` block a model file carries when `model.kind: "auto"` chose it: the inner-validation plan, each
// candidate's evidence (G-mean and PR-AUC over the inner folds, with spread, and its seconds) and the winner's reason.

import type { MetricSpread } from './candidateRanking.js';

export interface CandidateResult {
  name: string;
  /** What the candidate fits, in words. */
  fits: string;
  relativeCost: number;
  /** How it was scored: one fit's out-of-bag scores read on the inner folds, or a fit on each inner fold. */
  scoredBy?: 'out-of-bag' | 'inner folds';
  /** Inner-fold G-mean under the candidate's best threshold policy; absent when it was never scored. */
  gMean?: MetricSpread;
  prAuc?: MetricSpread;
  /** The threshold policy that gave the best mean G-mean on its out-of-fold scores. */
  thresholdPolicy?: string;
  /** Mean inner-fold G-mean of every policy tried. */
  policyGMeans?: Record<string, number>;
  /** Seconds spent fitting and scoring it on the inner folds. */
  seconds: number;
  /** Why it is out of the running (halved away, or the budget ran out before it), when it is. */
  dropped?: string;
}

export interface ModelSelection {
  method: 'inner stratified cross-validation';
  /** How out-of-bag and inner-fold estimates are put on the same footing. */
  scoring?: string;
  folds: number;
  repeats: number;
  /** Why the folds differ from those asked for, when they do. */
  foldNote?: string;
  seed: number;
  budgetSeconds: number;
  chosen: string;
  thresholdPolicy: string;
  reason: string;
  candidates: CandidateResult[];
  /** Budget and data problems that limited the choice. */
  warnings?: string[];
  seconds: number;
}
