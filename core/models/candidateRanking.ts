// The statistics of model choice by inner validation: per-fold G-mean under each threshold policy (the gmean
// threshold cross-fitted on the other folds), mean and spread, and the ranking rule with its one-sentence reason.

import { averagePrecision } from '../metrics/rankingMetrics.js';
import { confusionAtThreshold } from '../metrics/confusion.js';
import type { InnerFold } from '../sampling/stratifiedFolds.js';
import type { ForestOutOfBag } from './forestOutOfBag.js';
import { chooseThreshold, type CostThresholdAt } from './thresholdPolicy.js';

/** Out-of-fold scores of one fitted fold model. */
export interface FoldScores {
  repeat: number;
  scores: Float64Array;
  labels: Uint8Array;
  /** The fold model's q*-rule threshold (π of the rows it was fitted on). */
  qStarThreshold: number;
  /** The training row of each score, ascending: a soft vote averages its members' scores of the same rows. */
  rows?: Int32Array;
  /** A soft vote's cost-rule threshold on its scale: its members' own cost thresholds, centred and averaged. */
  costThreshold?: number;
}

/** The cost rule's threshold on a fold model's scale: a vote's own, or the rule moved to the share it was fitted at. */
export function foldCostThreshold(f: FoldScores, costAt: CostThresholdAt): number {
  return f.costThreshold ?? costAt(f.qStarThreshold);
}

/** Mean, sample standard deviation and standard error of the mean over the folds scored. */
export interface MetricSpread {
  mean: number;
  sd: number;
  standardError: number;
  folds: number;
}

/** One candidate's evidence as ranked: per-fold G-mean (under its best policy) and PR-AUC, and its cost. */
export interface CandidateEvidence {
  name: string;
  relativeCost: number;
  gMeans: number[];
  prAucs: number[];
}

/**
 * Mean and spread of per-fold values. `independentFolds` caps the n of the standard error sd/√n: extra repeats of the
 * folds reshuffle the same rows, so they steady the mean but are not new evidence, and the standard error (the
 * ranking's tie margin) must not shrink with them as if they were. @default values.length
 */
export function spreadOf(values: readonly number[], independentFolds?: number): MetricSpread {
  const n = values.length;
  if (n === 0) return { mean: Number.NaN, sd: Number.NaN, standardError: Number.NaN, folds: 0 };
  const mean = values.reduce((a, b) => a + b, 0) / n;
  const sd = n > 1 ? Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / (n - 1)) : 0;
  return { mean, sd, standardError: sd / Math.sqrt(Math.min(n, independentFolds ?? n)), folds: n };
}

/**
 * A forest's out-of-bag scores read on the inner folds the other candidates are scored on: one `FoldScores` per
 * validation fold, holding the out-of-bag scores of that fold's rows (rows no tree left out are skipped). Every
 * candidate's G-mean, PR-AUC, spread and cross-fitted gmean threshold are then taken by the same code on the same
 * row groups. The groups of a repeat are disjoint, but all come from one fit: their spread holds the row-to-row
 * variation and the variation among the trees that score each row, not the refit-to-refit variation inner folds
 * also hold, so it can be a little smaller; the ranking's bar is the best candidate's own standard error.
 */
export function outOfBagFoldScores(
  outOfBag: ForestOutOfBag,
  y: Uint8Array,
  qStarThreshold: number,
  folds: readonly InnerFold[],
): FoldScores[] {
  return folds.map((f) => {
    let covered = 0;
    for (const r of f.validation) if (outOfBag.treeCounts[r]! > 0) covered++;
    const scores = new Float64Array(covered);
    const labels = new Uint8Array(covered);
    const rows = new Int32Array(covered);
    let at = 0;
    for (const r of f.validation) {
      if (outOfBag.treeCounts[r]! === 0) continue;
      scores[at] = outOfBag.scores[r]!;
      rows[at] = r;
      labels[at++] = y[r]!;
    }
    return { repeat: f.repeat, scores, labels, qStarThreshold, rows };
  });
}

export function gMeanAt(labels: Uint8Array, scores: Float64Array, threshold: number): number {
  const { tp, fp, tn, fn } = confusionAtThreshold(labels, scores, threshold);
  const tpr = tp + fn === 0 ? 0 : tp / (tp + fn);
  const tnr = tn + fp === 0 ? 0 : tn / (tn + fp);
  return Math.sqrt(tpr * tnr);
}

/** PR-AUC (average precision) of each fold; a fold without positives counts 0. */
export function foldPrAucs(folds: readonly FoldScores[]): number[] {
  return folds.map((f) => averagePrecision(f.labels, f.scores) ?? 0);
}

/**
 * Per-fold G-mean under each threshold policy: `prevalence` uses each fold model's q*, `cost` the weighted-Bayes
 * threshold moved to each fold model's scale (when a cost rule is given), `gmean` the G-mean-optimal threshold of the *other* folds of the same repeat, so the
 * threshold is never tuned on the rows it is judged on. `gmean` is left out when a repeat has a single fold.
 */
export function policyGMeans(folds: readonly FoldScores[], costAt?: CostThresholdAt): Record<string, number[]> {
  const out: Record<string, number[]> = { prevalence: folds.map((f) => gMeanAt(f.labels, f.scores, f.qStarThreshold)) };
  if (costAt !== undefined) out.cost = folds.map((f) => gMeanAt(f.labels, f.scores, foldCostThreshold(f, costAt)));
  const crossFitted: number[] = [];
  for (const f of folds) {
    const others = folds.filter((o) => o !== f && o.repeat === f.repeat);
    const n = others.reduce((a, o) => a + o.labels.length, 0);
    const scores = new Float64Array(n);
    const labels = new Uint8Array(n);
    let at = 0;
    for (const o of others) {
      scores.set(o.scores, at);
      labels.set(o.labels, at);
      at += o.labels.length;
    }
    const positives = labels.reduce((a, v) => a + v, 0);
    if (positives === 0 || positives === n) return out;
    const t = chooseThreshold({ kind: 'gmean' }, { prevalence: 0.5, validationScores: scores, validationLabels: labels }).threshold;
    crossFitted.push(gMeanAt(f.labels, f.scores, t));
  }
  out.gmean = crossFitted;
  return out;
}

/** The policy with the best mean G-mean; on equal means the simpler one (prevalence, then cost, then gmean). */
export function bestPolicy(perPolicy: Record<string, number[]>): string {
  let best = 'prevalence';
  for (const name of ['cost', 'gmean']) {
    const values = perPolicy[name];
    if (values && spreadOf(values).mean > spreadOf(perPolicy[best]!).mean) best = name;
  }
  return best;
}

/**
 * Whether `other` ties with `top`: both were scored on the same folds, so the comparison is paired, fold by fold, and
 * `other` ties when top's mean lead is within one standard error of the per-fold differences. Shared fold difficulty
 * (a fold whose few positives are hard for every model) cancels in the differences, so a candidate that is steadily
 * a little worse does not tie just because the folds vary a lot. Folds that do not line up (different counts) fall
 * back to top's own standard error. `independentFolds`: as spreadOf's.
 */
export function tiesWith(
  top: { gMeans: readonly number[] },
  other: { gMeans: readonly number[] },
  independentFolds?: number,
): { ties: boolean; lead: number; standardError: number } {
  const paired = top.gMeans.length === other.gMeans.length;
  const lead = spreadOf(top.gMeans).mean - spreadOf(other.gMeans).mean;
  const standardError = paired
    ? spreadOf(
        top.gMeans.map((g, i) => g - other.gMeans[i]!),
        independentFolds,
      ).standardError
    : spreadOf(top.gMeans, independentFolds).standardError;
  return { ties: lead <= standardError, lead, standardError };
}

/**
 * Candidates best first, and why the first won. The best mean G-mean leads; a candidate whose per-fold G-means trail
 * it by no more than one standard error of the paired differences ties (tiesWith), and a tie goes to the better mean
 * PR-AUC (the better ranking of the rows, a steadier figure than a G-mean at one threshold on few positives), then
 * the lower relative cost, then table order. The rest follow by mean G-mean.
 */
export function rankCandidates(evidence: readonly CandidateEvidence[], independentFolds?: number): { order: string[]; reason: string } {
  const scored = evidence.map((e, index) => ({ e, index, g: spreadOf(e.gMeans, independentFolds), pr: spreadOf(e.prAucs) }));
  if (scored.length === 0) return { order: [], reason: 'no candidate was scored' };
  const byGMean = [...scored].sort((a, b) => b.g.mean - a.g.mean || a.index - b.index);
  const top = byGMean[0]!;
  const tied = byGMean.filter((s) => s === top || tiesWith(top.e, s.e, independentFolds).ties);
  tied.sort((a, b) => b.pr.mean - a.pr.mean || a.e.relativeCost - b.e.relativeCost || a.index - b.index);
  const winner = tied[0]!;
  const order = [winner, ...byGMean.filter((s) => s !== winner)].map((s) => s.e.name);
  const g = (v: number) => v.toFixed(4);
  let reason: string;
  if (scored.length === 1) reason = `the only candidate scored (mean G-mean ${g(winner.g.mean)})`;
  else if (winner === top && tied.length === 1) {
    const runnerUp = byGMean[1]!;
    const t = tiesWith(top.e, runnerUp.e, independentFolds);
    reason =
      `highest mean inner-fold G-mean (${g(top.g.mean)}); it leads the next, ${runnerUp.e.name}, by ${g(t.lead)}, ` +
      `more than the standard error of their fold-by-fold difference (${g(t.standardError)})`;
  } else {
    const rivals = tied.filter((s) => s !== winner);
    const byRanking = rivals.every((s) => s.pr.mean < winner.pr.mean);
    const why = byRanking ? 'the best mean PR-AUC of them' : 'the cheapest of those with the best mean PR-AUC';
    const lead = winner === top ? `highest mean inner-fold G-mean (${g(top.g.mean)})` : `mean G-mean ${g(winner.g.mean)}`;
    reason =
      `${lead}, tied with ${rivals.map((s) => s.e.name).join(', ')} (the best, ${top.e.name}, ${g(top.g.mean)}, leads ` +
      `each by no more than one standard error of their fold-by-fold difference); ${why} ` +
      `(PR-AUC ${g(winner.pr.mean)}, relative cost ${winner.e.relativeCost})`;
  }
  return { order, reason };
}
