// `model.kind: "auto"` for a label of three or more classes: one candidate recipe for every one-vs-rest model, chosen
// by the macro G-mean (the geometric mean of the per-class recalls) of the combined prediction on stratified inner
// folds of the training rows, under the same time budget and tie rule as the binary choice.

import { takeRows, type FeatureMatrix } from '../core/dataset.js';
import { averagePrecision } from '../core/metrics/rankingMetrics.js';
import { spreadOf } from '../core/models/candidateRanking.js';
import { scoreModel } from '../core/models/modelArtifact.js';
import type { CandidateResult, ModelSelection } from '../core/models/modelSelection.js';
import { deriveSeed } from '../core/random.js';
import { takeSampleWeights } from '../core/sampling/sampleWeights.js';
import { stratifiedFolds } from '../core/sampling/stratifiedFolds.js';
import { DEFAULT_BUDGET_SECONDS, DEFAULT_INNER_FOLDS, DEFAULT_INNER_REPEATS } from './modelChoice.js';
import { keepBetterHalf, rankFinalists } from './successiveHalving.js';
import { fitCandidate, MODEL_CANDIDATES, type CandidateFit, type ModelCandidate } from './modelCandidates.js';
import type { StageProgress } from './stageProgress.js';

export interface MultiClassChoiceOptions extends CandidateFit {
  seed: number;
  /** @default 3 */
  folds?: number;
  /** @default 2 */
  repeats?: number;
  /** @default 60 */
  budgetSeconds?: number;
  sampleWeights?: Float64Array;
  /** @default MODEL_CANDIDATES */
  candidates?: readonly ModelCandidate[];
  progress?: StageProgress;
}

interface State {
  c: ModelCandidate;
  gMeans: number[];
  prAucs: number[];
  seconds: number;
  repeatSeconds?: number;
  dropped?: string;
}

/**
 * Macro G-mean and mean per-class average precision of one-vs-rest scores (row-major rows × K) on true class
 * indices `y`, predicting each row's class as the one whose score is highest relative to its threshold (the rule
 * of a multi-class model file).
 */
export function macroScores(scores: Float64Array, thresholds: readonly number[], y: Uint8Array): { gMean: number; prAuc: number } {
  const k = thresholds.length;
  const hits = new Float64Array(k);
  const counts = new Float64Array(k);
  for (let r = 0; r < y.length; r++) {
    let best = 0;
    let bestValue = -Infinity;
    for (let c = 0; c < k; c++) {
      const v = scores[r * k + c]! / Math.max(thresholds[c]!, 1e-12);
      if (v > bestValue) {
        bestValue = v;
        best = c;
      }
    }
    counts[y[r]!]++;
    if (best === y[r]) hits[y[r]!]++;
  }
  let logSum = 0;
  let prSum = 0;
  for (let c = 0; c < k; c++) {
    logSum += Math.log(counts[c]! > 0 ? hits[c]! / counts[c]! : 1);
    const labels = Uint8Array.from(y, (v) => (v === c ? 1 : 0));
    const classScores = Float64Array.from({ length: y.length }, (_, r) => scores[r * k + c]!);
    prSum += averagePrecision(labels, classScores) ?? 0;
  }
  return { gMean: Math.exp(logSum / k), prAuc: prSum / k };
}

const elapsed = (startMs: number) => (performance.now() - startMs) / 1000;
const round = (v: number, digits = 4) => Number(v.toFixed(digits));

/** Fits candidate `s` for every class on each inner fold of one repeat and scores the combined prediction. */
async function scoreRepeat(
  s: State,
  x: FeatureMatrix,
  y: Uint8Array,
  classes: number,
  folds: number,
  repeat: number,
  o: MultiClassChoiceOptions,
) {
  const started = performance.now();
  for (const fold of stratifiedFolds(y, folds, repeat, o.seed)) {
    const validation = takeRows({ x, y }, fold.validation);
    const scores = new Float64Array(validation.y.length * classes);
    const thresholds: number[] = [];
    const weights = o.sampleWeights ? takeSampleWeights(o.sampleWeights, fold.train) : undefined;
    for (let c = 0; c < classes; c++) {
      o.progress?.({ stage: 'choosing model', candidate: s.c.name, repeat, fold: fold.fold, class: c });
      const train = takeRows({ x, y: Uint8Array.from(y, (v) => (v === c ? 1 : 0)) }, fold.train);
      const { artifact } = await fitCandidate(s.c, train, weights, deriveSeed(o.seed, `inner ${repeat}.${fold.fold}.${c}`), o);
      const classScores = scoreModel(artifact, validation.x);
      for (let r = 0; r < classScores.length; r++) scores[r * classes + c] = classScores[r]!;
      thresholds.push(artifact.threshold);
    }
    const m = macroScores(scores, thresholds, validation.y);
    s.gMeans.push(m.gMean);
    s.prAucs.push(m.prAuc);
  }
  s.repeatSeconds = elapsed(started);
  s.seconds += s.repeatSeconds;
}

function resultOf(s: State): CandidateResult {
  const spread = (values: number[]) => {
    const m = spreadOf(values);
    return { mean: round(m.mean), sd: round(m.sd), standardError: round(m.standardError), folds: m.folds };
  };
  return {
    name: s.c.name,
    fits: s.c.fits,
    relativeCost: s.c.relativeCost,
    scoredBy: 'inner folds',
    ...(s.gMeans.length ? { gMean: spread(s.gMeans), prAuc: spread(s.prAucs), thresholdPolicy: 'prevalence' } : {}),
    seconds: round(s.seconds, 2),
    ...(s.dropped ? { dropped: s.dropped } : {}),
  };
}

/**
 * Chooses one candidate for all one-vs-rest models of `y` (class indices 0..K−1) by mean macro G-mean over
 * repeated stratified inner folds; ties within one standard error go to the cheaper, then the better mean PR-AUC.
 * Successive halving within the budget, as for a binary label; each model keeps its q* = π threshold.
 */
export async function chooseMultiClassModel(
  x: FeatureMatrix,
  y: Uint8Array,
  classNames: readonly string[],
  o: MultiClassChoiceOptions,
): Promise<{ winner: ModelCandidate; selection: ModelSelection }> {
  const started = performance.now();
  const budget = o.budgetSeconds ?? DEFAULT_BUDGET_SECONDS;
  const classes = classNames.length;
  const counts = new Array<number>(classes).fill(0);
  for (let i = 0; i < y.length; i++) counts[y[i]!]++;
  const smallest = Math.min(...counts);
  const requestedFolds = o.folds ?? DEFAULT_INNER_FOLDS;
  const folds = Math.min(requestedFolds, smallest);
  const repeats = o.repeats ?? DEFAULT_INNER_REPEATS;
  const states: State[] = (o.candidates ?? MODEL_CANDIDATES).map((c) => ({ c, gMeans: [], prAucs: [], seconds: 0 }));
  const first = states[0]!;
  const warnings: string[] = [];
  const finish = (winner: State, reason: string) => ({
    winner: winner.c,
    selection: {
      method: 'inner stratified cross-validation' as const,
      scoring: `one fit per class and inner fold; each fold judged by the macro G-mean (geometric mean of the ${classes} per-class recalls) of the combined prediction, each class at its prevalence threshold (the positive share of the rows it was fitted on)`,
      folds: folds >= 2 ? folds : 0,
      repeats: folds >= 2 ? repeats : 0,
      ...(folds < requestedFolds && folds >= 2
        ? { foldNote: `${folds}-fold instead of ${requestedFolds}-fold: the smallest class has only ${smallest} rows` }
        : {}),
      seed: o.seed,
      budgetSeconds: budget,
      chosen: winner.c.name,
      thresholdPolicy: 'prevalence',
      reason,
      candidates: states.map(resultOf),
      ...(warnings.length ? { warnings } : {}),
      seconds: round(elapsed(started), 2),
    } satisfies ModelSelection,
  });
  if (folds < 2) {
    warnings.push(
      `class "${classNames[counts.indexOf(smallest)]}" has fewer than 2 rows, too few for inner folds: the first candidate was kept unscored`,
    );
    for (const s of states.slice(1)) s.dropped = 'not scored: too few rows for inner folds';
    return finish(first, `too few rows to compare candidates; ${first.c.name} is the default`);
  }
  let alive = states;
  for (let repeat = 0; repeat < repeats && alive.length > 0; repeat++) {
    const reference = first.repeatSeconds !== undefined ? first.repeatSeconds / first.c.relativeCost : undefined;
    for (const s of alive) {
      const estimate = s.repeatSeconds ?? (reference !== undefined ? reference * s.c.relativeCost : 0);
      if (s !== first && elapsed(started) + estimate > budget) {
        // No estimate in the text: it varies from run to run, and the model file must not.
        s.dropped = `budget: ${budget}s would be exceeded by repeat ${repeat + 1}`;
        continue;
      }
      await scoreRepeat(s, x, y, classes, folds, repeat, o);
      if (repeat === 0 && s === first && elapsed(started) > budget) {
        warnings.push(
          `the budget of ${budget}s is below what one candidate needs (${first.c.name} took ${first.seconds.toFixed(1)}s on one repeat of ${folds} inner folds): ${first.c.name} was chosen without comparing others`,
        );
        for (const other of states.slice(1)) other.dropped = 'not scored: budget';
        return finish(first, `budget too small to compare; ${first.c.name} is the default`);
      }
    }
    alive = keepBetterHalf(alive, repeat, repeats, budget, warnings, (s) => s);
    if (alive.length === 1) break;
  }
  const final = rankFinalists(alive, (s) => s, undefined, states);
  if (!final) return finish(first, `no candidate finished within the budget; ${first.c.name} is the default`);
  return finish(final.winner, final.ranked.reason);
}
