// `model.kind: "auto"`: the model chosen among the candidates of stages/modelCandidates.ts, or a weighted soft vote
// of the finalists (stages/voteCandidate.ts), on the training rows only (forests by their out-of-bag scores, the rest
// by repeated stratified inner folds), under a time budget (successive halving). stages/chosenModelFit.ts fits it.

import { takeRows, type LabelledData } from '../core/dataset.js';
import { InvalidInputError } from '../core/invalidInputError.js';
import { bestPolicy, foldPrAucs, outOfBagFoldScores, policyGMeans, spreadOf, type FoldScores } from '../core/models/candidateRanking.js';
import type { ForestOutOfBag } from '../core/models/forestOutOfBag.js';
import { scoreModel } from '../core/models/modelArtifact.js';
import type { CandidateResult, ModelSelection } from '../core/models/modelSelection.js';
import type { CostThresholdAt } from '../core/models/thresholdPolicy.js';
import { deriveSeed } from '../core/random.js';
import { takeSampleWeights } from '../core/sampling/sampleWeights.js';
import { planFolds, steadyFoldPlan, stratifiedFolds } from '../core/sampling/stratifiedFolds.js';
import { fitCandidate, MODEL_CANDIDATES, scoredOutOfBag, type CandidateFit, type ModelCandidate } from './modelCandidates.js';
import type { StageProgress } from './stageProgress.js';
import type { FittedArtifact } from './train.js';
import { halvesAfter, keepBetterHalf, rankFinalists } from './successiveHalving.js';
import { proposeVote } from './voteCandidate.js';

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
  /** Given: exactly this many. @default 2, more on a small class (core/sampling/stratifiedFolds.ts steadyFoldPlan) */
  repeats?: number;
  /** Seconds for the inner folds; the choice stops halving early when the next round would not fit. @default 60 */
  budgetSeconds?: number;
  /** The user's `cost:L0,L1` rule, tried as a third policy beside q* = π and G-mean-optimal, on each model's scale. */
  costAt?: CostThresholdAt;
  sampleWeights?: Float64Array;
  /** @default MODEL_CANDIDATES */
  candidates?: readonly ModelCandidate[];
  progress?: StageProgress;
}

interface CandidateState {
  c: ModelCandidate;
  folds: FoldScores[];
  seconds: number;
  /** The one fit on all training rows of a candidate scored out of bag (modelCandidates.ts `scoredOutOfBag`). */
  outOfBagFit?: FittedArtifact & { outOfBag: ForestOutOfBag };
  /** Seconds of its last repeat: the estimate of its next. */
  repeatSeconds?: number;
  dropped?: string;
  /** A soft vote's: scored by its members' out-of-fold scores. */
  scoredBy?: 'members';
}

export interface ModelChoice {
  winner: ModelCandidate;
  /** `prevalence`, `gmean` or `cost`. */
  thresholdPolicy: string;
  /** Out-of-fold scores of the winner, for the gmean threshold of the final model. */
  winnerFolds: FoldScores[];
  /** The winner's fit on all training rows (q* = π threshold), when it was scored out of bag: no refit needed. */
  winnerFit?: FittedArtifact & { outOfBag: ForestOutOfBag };
  /** When a soft vote won: its name and members (`winner` is then the best single candidate, its first member). */
  vote?: { name: string; members: { c: ModelCandidate; weight: number; fit?: FittedArtifact & { outOfBag: ForestOutOfBag } }[] };
  /** The selection, with each candidate's seconds (fitChosenModel keeps them out of the model file). */
  selection: ModelSelection;
}

/** The selection block's account of how the two kinds of estimate are put on the same footing. */
const SCORING_NOTE =
  'forests without a step in front are fitted once on all training rows and scored by their out-of-bag scores, ' +
  'read on the same stratified inner folds and repeats as the other candidates (each fold: the out-of-bag scores of ' +
  'its rows); the others are fitted on each inner fold. Every candidate is judged by the same G-mean per fold, the ' +
  'same gmean threshold cross-fitted on the other folds of its repeat, and the same spread over the same folds';

const elapsedSeconds = (startMs: number) => (performance.now() - startMs) / 1000;
const round = (v: number, digits = 4) => Number(v.toFixed(digits));

/**
 * Fits and scores candidate `s` on every fold of one repeat. A candidate scored out of bag is fitted once, on all
 * rows with the choice's seed (so it is the final model should it win), and each repeat reads its out-of-bag scores
 * on that repeat's folds.
 */
async function scoreRepeat(s: CandidateState, data: LabelledData, repeat: number, o: ModelChoiceOptions, folds: number) {
  const started = performance.now();
  if (scoredOutOfBag(s.c)) {
    if (!s.outOfBagFit) {
      o.progress?.({ stage: 'choosing model', candidate: s.c.name, repeat, outOfBag: true });
      const fitted = await fitCandidate(s.c, data, o.sampleWeights, o.seed, o);
      if (!fitted.outOfBag) throw new Error(`model choice: ${s.c.name} returned no out-of-bag scores; this is a bug`);
      s.outOfBagFit = { ...fitted, outOfBag: fitted.outOfBag };
    }
    const { artifact, outOfBag } = s.outOfBagFit;
    s.folds.push(...outOfBagFoldScores(outOfBag, data.y, artifact.threshold, stratifiedFolds(data.y, folds, repeat, o.seed)));
    s.repeatSeconds = elapsedSeconds(started);
    s.seconds += s.repeatSeconds;
    return;
  }
  for (const fold of stratifiedFolds(data.y, folds, repeat, o.seed)) {
    o.progress?.({ stage: 'choosing model', candidate: s.c.name, repeat, fold: fold.fold });
    const train = takeRows(data, fold.train);
    const weights = o.sampleWeights ? takeSampleWeights(o.sampleWeights, fold.train) : undefined;
    const seed = deriveSeed(o.seed, `inner ${repeat}.${fold.fold}`);
    const { artifact } = await fitCandidate(s.c, train, weights, seed, o);
    const validation = takeRows(data, fold.validation);
    s.folds.push({
      repeat,
      scores: scoreModel(artifact, validation.x),
      labels: validation.y,
      qStarThreshold: artifact.threshold,
      rows: fold.validation,
    });
  }
  s.repeatSeconds = elapsedSeconds(started);
  s.seconds += s.repeatSeconds;
}

function evidenceOf(s: { folds: FoldScores[] }, costAt: CostThresholdAt | undefined) {
  const perPolicy = policyGMeans(s.folds, costAt);
  const policy = bestPolicy(perPolicy);
  return { perPolicy, policy, gMeans: perPolicy[policy]!, prAucs: foldPrAucs(s.folds) };
}

function resultOf(s: CandidateState, costAt: CostThresholdAt | undefined, independentFolds?: number): CandidateResult {
  const base = {
    name: s.c.name,
    fits: s.c.fits,
    relativeCost: s.c.relativeCost,
    scoredBy: s.scoredBy ?? (scoredOutOfBag(s.c) ? ('out-of-bag' as const) : ('inner folds' as const)),
    seconds: round(s.seconds, 2),
  };
  const dropped = s.dropped ? { dropped: s.dropped } : {};
  if (s.folds.length === 0) return { ...base, ...dropped };
  const e = evidenceOf(s, costAt);
  const spread = (values: number[]) => {
    const m = spreadOf(values, independentFolds);
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
 * Seconds an inner-fold repeat of `s` takes or would take: a candidate scored out of bag made one fit on all rows,
 * about as costly as one of k fits on (k − 1)/k of them each, so its repeat counts k − 1 times.
 */
function innerRepeatSeconds(s: CandidateState, folds: number): number {
  const seconds = s.outOfBagFit ? s.seconds : s.repeatSeconds!;
  return scoredOutOfBag(s.c) ? seconds * (folds - 1) : seconds;
}

/** The share of an inner-fold repeat's time a candidate's first repeat takes (its one fit, when scored out of bag). */
const repeatShare = (c: ModelCandidate, folds: number) => (scoredOutOfBag(c) ? 1 / (folds - 1) : 1);

/**
 * Chooses the candidate by mean inner-fold G-mean (ties within one standard error go to the cheaper, then the better
 * PR-AUC; core/models/candidateRanking.ts). Successive halving: every candidate is scored on the first round of
 * repeats of the folds, the better half goes on to the next (stages/successiveHalving.ts). A small class gets more
 * repeats (steadyFoldPlan); they steady the means, and the standard errors still count only the folds of the repeats
 * asked for. A candidate whose estimated time no longer fits the budget is dropped; when the first candidate alone
 * overruns it, it is chosen unopposed. Then greedy ensemble selection over the finalists' out-of-fold scores weighs
 * them into a soft vote; when it keeps two or more of them, the vote is the model (at its prevalence threshold, or
 * the cost threshold). The same seed gives the same choice as long as the budget does not cut the rounds.
 */
export async function chooseModel(data: LabelledData, o: ModelChoiceOptions): Promise<ModelChoice> {
  const started = performance.now();
  const candidates = o.candidates ?? MODEL_CANDIDATES;
  const budget = o.budgetSeconds ?? DEFAULT_BUDGET_SECONDS;
  const requested = { folds: o.folds ?? DEFAULT_INNER_FOLDS, repeats: o.repeats ?? DEFAULT_INNER_REPEATS };
  const plan =
    o.repeats === undefined
      ? steadyFoldPlan(data.y, requested.folds, requested.repeats)
      : planFolds(data.y, requested.folds, requested.repeats);
  const states: CandidateState[] = candidates.map((c) => ({ c, folds: [], seconds: 0 }));
  const warnings: string[] = [];
  let vote: { state: CandidateState; members: CandidateState[]; weights: number[] } | undefined;
  // A cost rule the user gave is the winner's rule whatever ranked best by G-mean: their costs, not the G-mean, say
  // what a mistake is worth (before, it lost to the prevalence rule on G-mean and was dropped without a word). Else
  // the rule its evidence ranks best, the one its row in the selection shows, also when the budget left it unopposed
  // (before, that winner took the prevalence rule, a cost rule given was dropped, and its row showed another).
  const ruleOf = (s: CandidateState) =>
    o.costAt !== undefined ? 'cost' : s.folds.length > 0 ? evidenceOf(s, o.costAt).policy : 'prevalence';
  const finish = (winner: CandidateState, policy: string, reason: string, won?: typeof vote): ModelChoice => ({
    winner: (won?.members[0] ?? winner).c,
    thresholdPolicy: policy,
    winnerFolds: winner.folds,
    ...(winner.outOfBagFit ? { winnerFit: winner.outOfBagFit } : {}),
    ...(won
      ? {
          vote: {
            name: won.state.c.name,
            members: won.members.map((m, i) => ({ c: m.c, weight: won.weights[i]!, ...(m.outOfBagFit ? { fit: m.outOfBagFit } : {}) })),
          },
        }
      : {}),
    selection: {
      method: 'inner stratified cross-validation',
      scoring: SCORING_NOTE,
      folds: plan?.folds ?? 0,
      repeats: plan?.repeats ?? 0,
      ...(plan?.note ? { foldNote: plan.note } : {}),
      seed: o.seed,
      budgetSeconds: budget,
      chosen: winner.c.name,
      thresholdPolicy: policy,
      reason,
      candidates: [...states, ...(vote ? [vote.state] : [])].map((s) =>
        resultOf(s, o.costAt, plan ? plan.folds * requested.repeats : undefined),
      ),
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
    if (repeat >= requested.repeats && extraRepeatOverruns(alive, elapsedSeconds(started), budget)) {
      // A small class's extra repeats are cheap by design; when they are not, they stop without dropping anyone.
      warnings.push(`the budget of ${budget}s stopped the extra repeats of a small class after repeat ${repeat} of ${plan.repeats}`);
      plan.note = `${plan.note}; the budget stopped them after repeat ${repeat}`;
      plan.repeats = repeat;
      break;
    }
    for (const s of alive) {
      if (s.dropped) continue;
      // Seconds per unit of relative cost, from the first candidate as soon as it has been scored (in repeat 0 too).
      const reference = first.repeatSeconds !== undefined ? innerRepeatSeconds(first, plan.folds) / first.c.relativeCost : undefined;
      const estimate = s.outOfBagFit
        ? 0
        : (s.repeatSeconds ?? (reference !== undefined ? reference * s.c.relativeCost * repeatShare(s.c, plan.folds) : 0));
      if (s !== first && elapsedSeconds(started) + estimate > budget) {
        // No estimate in the text: it varies from run to run, and the model file must not.
        s.dropped = `budget: ${budget}s would be exceeded by repeat ${repeat + 1}`;
        continue;
      }
      if (!(await scoredOrLeftOut(s, data, repeat, o, plan.folds, warnings))) continue;
      if (repeat === 0 && s === first && elapsedSeconds(started) > budget) {
        const what = scoredOutOfBag(first.c) ? 'on one fit scored out of bag' : `on one repeat of ${plan.folds} inner folds`;
        warnings.push(
          `the budget of ${budget}s is below what one candidate needs (${first.c.name} took ${first.seconds.toFixed(1)}s ` +
            `${what}): ${first.c.name} was chosen without comparing others`,
        );
        for (const other of states.slice(1)) other.dropped = 'not scored: budget';
        return finish(first, ruleOf(first), `budget too small to compare; ${first.c.name} is the default`);
      }
    }
    if (alive.some((s) => s.dropped?.startsWith('budget') && s.folds.length > 0)) {
      // The budget stopped this round part-way: rank everyone on the rounds they all finished, and stop.
      alive = rankedDespiteBudget(alive, warnings, budget);
      break;
    }
    if (!halvesAfter(repeat, plan.repeats)) continue;
    const evidence = (s: CandidateState) => evidenceOf(s, o.costAt);
    alive = keepBetterHalf(alive, repeat, plan.repeats, budget, warnings, evidence, plan.folds * requested.repeats);
    if (alive.length === 1) break;
  }
  // Extra repeats of a small class steady the means; the standard errors count only the folds asked for.
  const independentFolds = plan.folds * requested.repeats;
  const final = rankFinalists(alive, (s) => evidenceOf(s, o.costAt), independentFolds, states);
  if (!final) return finish(first, ruleOf(first), `no candidate finished within the budget; ${first.c.name} is the default`);
  const { winner, order, ranked } = final;
  const proposal = proposeVote(order, o.costAt);
  if (proposal) {
    vote = {
      state: { c: proposal.candidate, folds: proposal.folds, seconds: 0, scoredBy: 'members' },
      members: proposal.members.map((m) => m.s),
      weights: proposal.members.map((m) => m.weight),
    };
    return finish(vote.state, o.costAt !== undefined ? 'cost' : 'prevalence', proposal.reason, vote);
  }
  return finish(winner, ruleOf(winner), ranked.reason);
}

/**
 * The candidates the final ranking compares. When the budget stopped a round part-way, the candidates it left out of
 * that round still hold the evidence of the rounds before it, as much as the others of the round: all of them are
 * ranked on the repeats every one of them finished (the later folds of the others set aside), instead of the choice
 * falling to the default because no candidate finished every round, or to a candidate because it was scored first.
 */
function rankedDespiteBudget(alive: CandidateState[], warnings: string[], budget: number): CandidateState[] {
  const cut = alive.filter((s) => s.dropped?.startsWith('budget') && s.folds.length > 0);
  const contenders = alive.filter((s) => !s.dropped || cut.includes(s));
  const repeatsOf = (s: CandidateState) => new Set(s.folds.map((f) => f.repeat)).size;
  const common = Math.min(...contenders.map(repeatsOf));
  for (const s of contenders) {
    s.folds = s.folds.filter((f) => f.repeat < common);
    delete s.dropped;
  }
  warnings.push(
    `the budget of ${budget}s stopped repeat ${common + 1} part-way: ${contenders.map((s) => s.c.name).join(', ')} ` +
      `are ranked on the ${common} repeat${common === 1 ? '' : 's'} all of them finished`,
  );
  return contenders;
}

/**
 * Scores one repeat of `s`; a candidate whose step in front (ENN, ADASYN) refuses an inner fold's rows (ENN would
 * empty a class, say) is left out of the choice with the reason, instead of failing the whole fit. Other errors,
 * and any error of a candidate without such a step, are the data's or a bug and still fail it.
 */
async function scoredOrLeftOut(
  s: CandidateState,
  data: LabelledData,
  repeat: number,
  o: ModelChoiceOptions,
  folds: number,
  warnings: string[],
): Promise<boolean> {
  try {
    await scoreRepeat(s, data, repeat, o, folds);
    return true;
  } catch (e) {
    if (!(e instanceof InvalidInputError) || !(s.c.enn || s.c.adasyn)) throw e;
    s.folds = [];
    // The candidate's row says what happened; the warning, once, says why.
    s.dropped = `left out: its ${s.c.enn ? 'noise filter' : 'oversampling'} could not run on an inner fold`;
    warnings.push(`${s.c.name} ${s.dropped} (${e.message})`);
    return false;
  }
}

/** Whether one more repeat of the candidates still in the running would overrun the budget (by their last repeat). */
function extraRepeatOverruns(alive: readonly CandidateState[], elapsed: number, budget: number): boolean {
  const next = alive.filter((s) => !s.dropped).reduce((a, s) => a + (s.outOfBagFit ? 0 : (s.repeatSeconds ?? 0)), 0);
  return elapsed + next > budget;
}
