// `model.kind: "auto"`: the model chosen among the candidates of stages/modelCandidates.ts by repeated stratified
// inner folds of the training rows only, under a time budget (successive halving), then fitted on all of them.

import { takeRows, type LabelledData } from '../core/dataset.js';
import { bestPolicy, foldPrAucs, policyGMeans, rankCandidates, spreadOf, type FoldScores } from '../core/models/candidateRanking.js';
import { scoreModel, sealModelArtifact, type ModelArtifact } from '../core/models/modelArtifact.js';
import type { CandidateResult, ModelSelection } from '../core/models/modelSelection.js';
import { chooseThreshold, parseThresholdPolicy } from '../core/models/thresholdPolicy.js';
import { deriveSeed } from '../core/random.js';
import { takeSampleWeights } from '../core/sampling/sampleWeights.js';
import { planFolds, stratifiedFolds } from '../core/sampling/stratifiedFolds.js';
import { fitCandidate, MODEL_CANDIDATES, type CandidateFit, type FitModel, type ModelCandidate } from './modelCandidates.js';
import type { StageProgress } from './stageProgress.js';
import type { FitModelOptions } from './train.js';

/** Inner folds per repeat. */
export const DEFAULT_INNER_FOLDS = 3;
/** Repeats of the inner folds, each with its own shuffle. */
export const DEFAULT_INNER_REPEATS = 2;
/** Seconds the choice may spend on the inner folds. */
export const DEFAULT_BUDGET_SECONDS = 60;

export interface ModelChoiceOptions extends CandidateFit {
  seed: number;
  /** @default 3 */
  folds?: number;
  /** @default 2 */
  repeats?: number;
  /** Seconds for the inner folds; the choice stops halving early when the next round would not fit. @default 60 */
  budgetSeconds?: number;
  /** The user's `cost:L0,L1` threshold, tried as a third policy beside q* = π and G-mean-optimal. */
  costThreshold?: number;
  sampleWeights?: Float64Array;
  /** @default MODEL_CANDIDATES */
  candidates?: readonly ModelCandidate[];
  progress?: StageProgress;
}

interface CandidateState {
  c: ModelCandidate;
  folds: FoldScores[];
  seconds: number;
  /** Seconds of its last repeat: the estimate of its next. */
  repeatSeconds?: number;
  dropped?: string;
}

export interface ModelChoice {
  winner: ModelCandidate;
  /** `prevalence`, `gmean` or `cost`. */
  thresholdPolicy: string;
  /** Out-of-fold scores of the winner, for the gmean threshold of the final model. */
  winnerFolds: FoldScores[];
  selection: ModelSelection;
}

const elapsedSeconds = (startMs: number) => (performance.now() - startMs) / 1000;
const round = (v: number, digits = 4) => Number(v.toFixed(digits));

/** Fits and scores candidate `s` on every fold of one repeat. */
async function scoreRepeat(s: CandidateState, data: LabelledData, repeat: number, o: ModelChoiceOptions, folds: number) {
  const started = performance.now();
  for (const fold of stratifiedFolds(data.y, folds, repeat, o.seed)) {
    o.progress?.({ stage: 'choosing model', candidate: s.c.name, repeat, fold: fold.fold });
    const train = takeRows(data, fold.train);
    const weights = o.sampleWeights ? takeSampleWeights(o.sampleWeights, fold.train) : undefined;
    const seed = deriveSeed(o.seed, `inner ${repeat}.${fold.fold}`);
    const { artifact } = await fitCandidate(s.c, train, weights, seed, o);
    const validation = takeRows(data, fold.validation);
    s.folds.push({ repeat, scores: scoreModel(artifact, validation.x), labels: validation.y, qStarThreshold: artifact.threshold });
  }
  s.repeatSeconds = elapsedSeconds(started);
  s.seconds += s.repeatSeconds;
}

function evidenceOf(s: CandidateState, costThreshold: number | undefined) {
  const perPolicy = policyGMeans(s.folds, costThreshold);
  const policy = bestPolicy(perPolicy);
  return { perPolicy, policy, gMeans: perPolicy[policy]!, prAucs: foldPrAucs(s.folds) };
}

function resultOf(s: CandidateState, costThreshold: number | undefined): CandidateResult {
  const base = { name: s.c.name, fits: s.c.fits, relativeCost: s.c.relativeCost, seconds: round(s.seconds, 2) };
  const dropped = s.dropped ? { dropped: s.dropped } : {};
  if (s.folds.length === 0) return { ...base, ...dropped };
  const e = evidenceOf(s, costThreshold);
  const spread = (values: number[]) => {
    const m = spreadOf(values);
    return { mean: round(m.mean), sd: round(m.sd), standardError: round(m.standardError), folds: m.folds };
  };
  return {
    ...base,
    gMean: spread(e.gMeans),
    prAuc: spread(e.prAucs),
    thresholdPolicy: e.policy,
    policyGMeans: Object.fromEntries(Object.entries(e.perPolicy).map(([k, v]) => [k, round(spreadOf(v).mean)])),
    ...dropped,
  };
}

/**
 * Chooses the candidate by mean inner-fold G-mean (ties within one standard error go to the cheaper, then the better
 * PR-AUC; core/models/candidateRanking.ts). Successive halving: every candidate is scored on the first repeat of the
 * folds, the better half goes on to the next, and so on. A candidate whose estimated time no longer fits the budget
 * is dropped; when the first candidate alone overruns it, it is chosen unopposed. The same seed gives the same
 * choice as long as the budget does not cut the rounds.
 */
export async function chooseModel(data: LabelledData, o: ModelChoiceOptions): Promise<ModelChoice> {
  const started = performance.now();
  const candidates = o.candidates ?? MODEL_CANDIDATES;
  const budget = o.budgetSeconds ?? DEFAULT_BUDGET_SECONDS;
  const requested = { folds: o.folds ?? DEFAULT_INNER_FOLDS, repeats: o.repeats ?? DEFAULT_INNER_REPEATS };
  const plan = planFolds(data.y, requested.folds, requested.repeats);
  const states: CandidateState[] = candidates.map((c) => ({ c, folds: [], seconds: 0 }));
  const warnings: string[] = [];
  const finish = (winner: CandidateState, policy: string, reason: string): ModelChoice => ({
    winner: winner.c,
    thresholdPolicy: policy,
    winnerFolds: winner.folds,
    selection: {
      method: 'inner stratified cross-validation',
      folds: plan?.folds ?? 0,
      repeats: plan?.repeats ?? 0,
      ...(plan?.note ? { foldNote: plan.note } : {}),
      seed: o.seed,
      budgetSeconds: budget,
      chosen: winner.c.name,
      thresholdPolicy: policy,
      reason,
      candidates: states.map((s) => resultOf(s, o.costThreshold)),
      ...(warnings.length ? { warnings } : {}),
      seconds: round(elapsedSeconds(started), 2),
    },
  });
  const first = states[0]!;
  if (!plan) {
    warnings.push('a class has fewer than 2 training rows, too few for any inner fold: the first candidate was kept unscored');
    for (const s of states.slice(1)) s.dropped = 'not scored: too few rows for inner folds';
    return finish(first, 'prevalence', `too few rows to compare candidates; ${first.c.name} is the default`);
  }
  let alive = states;
  for (let repeat = 0; repeat < plan.repeats && alive.length > 0; repeat++) {
    const reference = first.repeatSeconds !== undefined ? first.repeatSeconds / first.c.relativeCost : undefined;
    for (const s of alive) {
      const estimate = s.repeatSeconds ?? (reference !== undefined ? reference * s.c.relativeCost : 0);
      if (s !== first && elapsedSeconds(started) + estimate > budget) {
        s.dropped = `budget: ${budget}s would be exceeded by repeat ${repeat + 1} (estimated ${estimate.toFixed(1)}s)`;
        continue;
      }
      await scoreRepeat(s, data, repeat, o, plan.folds);
      if (repeat === 0 && s === first && elapsedSeconds(started) > budget) {
        warnings.push(
          `the budget of ${budget}s is below what one candidate needs (${first.c.name} took ${first.seconds.toFixed(1)}s ` +
            `on one repeat of ${plan.folds} inner folds): ${first.c.name} was chosen without comparing others`,
        );
        for (const other of states.slice(1)) other.dropped = 'not scored: budget';
        return finish(first, 'prevalence', `budget too small to compare; ${first.c.name} is the default`);
      }
    }
    const scored = alive.filter((s) => !s.dropped);
    if (scored.length < alive.length) warnings.push(`the budget of ${budget}s cut repeat ${repeat + 1}: some candidates were dropped`);
    const ranked = rankCandidates(
      scored.map((s) => ({ name: s.c.name, relativeCost: s.c.relativeCost, ...evidenceOf(s, o.costThreshold) })),
    );
    const keep = repeat + 1 < plan.repeats ? Math.ceil(ranked.order.length / 2) : ranked.order.length;
    alive = ranked.order.map((name) => scored.find((s) => s.c.name === name)!);
    for (const [rank, s] of alive.slice(keep).entries())
      s.dropped = `halved after repeat ${repeat + 1} (rank ${keep + rank + 1} of ${ranked.order.length})`;
    alive = alive.slice(0, keep);
    if (alive.length === 1) break;
  }
  const finalists = alive.filter((s) => !s.dropped);
  if (finalists.length === 0) return finish(first, 'prevalence', `no candidate finished within the budget; ${first.c.name} is the default`);
  const ranked = rankCandidates(
    finalists.map((s) => ({ name: s.c.name, relativeCost: s.c.relativeCost, ...evidenceOf(s, o.costThreshold) })),
  );
  const winner = finalists.find((s) => s.c.name === ranked.order[0])!;
  return finish(winner, evidenceOf(winner, o.costThreshold).policy, ranked.reason);
}

/**
 * `fitModelArtifact` for `model.kind: "auto"`: chooses on `train` alone, fits the winner on all of `train` and
 * records the evidence as the model's `selection`. A G-mean-optimal threshold is taken on the winner's pooled
 * out-of-fold scores, never on rows outside `train`.
 */
export async function fitChosenModel(
  train: LabelledData,
  o: FitModelOptions,
  fit: FitModel,
  progress?: StageProgress,
): Promise<{ artifact: ModelArtifact; note: string }> {
  const { model, sampleWeights, validation: _validation, ...base } = o;
  const policy = parseThresholdPolicy(model.threshold);
  const costThreshold = policy.kind === 'cost' ? chooseThreshold(policy, { prevalence: 0.5 }).threshold : undefined;
  const shared: CandidateFit = {
    fit,
    base,
    ...(model.trees !== undefined ? { trees: model.trees } : {}),
    ...(o.categoricalGroups ? { categoricalGroups: o.categoricalGroups } : {}),
  };
  const choice = await chooseModel(train, {
    ...shared,
    seed: o.seed,
    ...(model.budgetSeconds !== undefined ? { budgetSeconds: model.budgetSeconds } : {}),
    ...(costThreshold !== undefined ? { costThreshold } : {}),
    ...(sampleWeights ? { sampleWeights } : {}),
    ...(progress ? { progress } : {}),
  });
  progress?.({ stage: 'fitting', candidate: choice.winner.name });
  const threshold = choice.thresholdPolicy === 'cost' ? model.threshold : 'prevalence';
  const fitted = await fitCandidate(choice.winner, train, sampleWeights, o.seed, shared, threshold);
  let artifact: ModelArtifact = fitted.artifact;
  let thresholdNote = '';
  if (choice.thresholdPolicy === 'gmean') {
    const scores = Float64Array.from(choice.winnerFolds.flatMap((f) => Array.from(f.scores)));
    const labels = Uint8Array.from(choice.winnerFolds.flatMap((f) => Array.from(f.labels)));
    const t = chooseThreshold({ kind: 'gmean' }, { prevalence: 0.5, validationScores: scores, validationLabels: labels });
    const reason = `${t.reason.replace('validation rows', 'out-of-fold scores of the inner folds')}`;
    artifact = { ...artifact, threshold: t.threshold, thresholdPolicy: { kind: 'gmean' }, thresholdReason: reason };
    thresholdNote = `; threshold ${t.threshold.toFixed(4)}: ${reason}`;
  }
  artifact = sealModelArtifact({ ...artifact, selection: choice.selection });
  return { artifact, note: `auto chose ${choice.winner.name} (${choice.selection.reason}): ${fitted.note}${thresholdNote}` };
}
