// The `selection` block a model file carries when `model.kind: "auto"` chose it: the inner-validation plan, each
// candidate's evidence (G-mean and PR-AUC over the inner folds, with spread) and the winner's reason. Its seconds are
// kept apart (SelectionTimes), so the same data and seed give the same model file bytes.

import type { MetricSpread } from './candidateRanking.js';

export interface CandidateResult {
  name: string;
  /** What the candidate fits, in words. */
  fits: string;
  relativeCost: number;
  /**
   * How it was scored: one fit's out-of-bag scores read on the inner folds, a fit on each inner fold, or (a soft
   * vote) its members' out-of-fold scores averaged row by row.
   */
  scoredBy?: 'out-of-bag' | 'inner folds' | 'members';
  /** Inner-fold G-mean under the candidate's best threshold policy; absent when it was never scored. */
  gMean?: MetricSpread;
  prAuc?: MetricSpread;
  /** The threshold policy that gave the best mean G-mean on its out-of-fold scores. */
  thresholdPolicy?: string;
  /** Mean inner-fold G-mean of every policy tried. */
  policyGMeans?: Record<string, number>;
  /**
   * Seconds spent fitting and scoring it on the inner folds: in `fit --json` and the run report; absent in the
   * model file (present in files written before that).
   */
  seconds?: number;
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
  /** Seconds of the whole choice: as `CandidateResult.seconds`, absent in the model file. */
  seconds?: number;
}

/** What became of candidate `c` in the choice: chosen, a finalist that was not, or why it was dropped. */
export function candidateOutcome(c: CandidateResult, chosen: string): string {
  return c.name === chosen ? 'chosen' : (c.dropped ?? (c.gMean ? 'finalist' : ''));
}

/** The run-specific seconds of a selection, kept out of the model file: the whole choice and each candidate's. */
export interface SelectionTimes {
  seconds: number;
  candidates: Record<string, number>;
}

/** The selection without its seconds (what the model file holds), and the seconds. */
export function splitSelectionTimes(selection: ModelSelection): { selection: ModelSelection; times: SelectionTimes } {
  const { seconds, candidates, ...rest } = selection;
  const times: SelectionTimes = { seconds: seconds ?? 0, candidates: {} };
  const timeless = candidates.map(({ seconds: s, ...c }) => {
    if (s !== undefined) times.candidates[c.name] = s;
    return c;
  });
  return { selection: { ...rest, candidates: timeless }, times };
}

/** The selection with its seconds put back, for `fit --json` and the run report; as it is without `times`. */
export function withSelectionTimes(selection: ModelSelection, times: SelectionTimes | undefined): ModelSelection {
  if (!times) return selection;
  return {
    ...selection,
    candidates: selection.candidates.map((c) => {
      const s = times.candidates[c.name];
      return s === undefined ? c : { ...c, seconds: s };
    }),
    seconds: times.seconds,
  };
}
