// A soft vote of fitted models: each member's score put on one scale (its own threshold at 1/2), then averaged by
// weight, so the vote's score is again a number in [0, 1] to which a threshold policy applies.

import type { FeatureMatrix } from '../dataset.js';
import type { FittedModel } from './predictModel.js';

/** One member of a vote: a fitted model (never a vote), the threshold its own score is read against, its weight. */
export interface VoteMember {
  model: Exclude<FittedModel, VoteModel>;
  /** The member's q* threshold (π of the class mix it was fitted on): its score there maps to 1/2. */
  threshold: number;
  /** @default 1 */
  weight: number;
}

export interface VoteModel {
  kind: 'vote';
  /**
   * How member scores are put on one scale before averaging. `threshold-centred`: a score p of a member with
   * threshold t maps to p / (2t) below t and to 1/2 + (p − t) / (2(1 − t)) above it (see thresholdCentred).
   */
  combine: 'threshold-centred';
  members: VoteMember[];
}

/** Guards a threshold of exactly 0 or 1, where one side of the map would divide by zero. */
const EDGE = 1e-9;

/**
 * A member's score on the vote's scale: piecewise linear with its threshold at 1/2, 0 at 0 and 1 at 1. The members
 * are fitted on different class mixes (a balanced forest and a class-weighted logistic regression estimate P(positive)
 * under a 1:1 mix, a forest on ordinary bootstraps under the training prevalence), so their raw scores are not on
 * one scale: averaging them raw would let the member with the higher threshold decide. Centring each on its own
 * threshold makes "above its threshold" mean the same for every member, and the average of centred scores is
 * above 1/2 when the members lean positive on balance. A log-odds shift (logit p − logit t) would do the same for
 * calibrated members, but a forest's vote fraction is often exactly 0 or 1, whose log-odds are infinite and would
 * outvote every other member; the piecewise-linear map stays bounded.
 */
export function thresholdCentred(p: number, threshold: number): number {
  const t = Math.min(Math.max(threshold, EDGE), 1 - EDGE);
  return p < t ? p / (2 * t) : 0.5 + (p - t) / (2 * (1 - t));
}

/**
 * The vote's scores from its members' scores: the weighted mean of each member's threshold-centred score, row by
 * row. `memberScores[i]` holds member i's scores of the same rows.
 */
export function combineVoteScores(
  memberScores: readonly Float64Array[],
  members: readonly Pick<VoteMember, 'threshold' | 'weight'>[],
): Float64Array {
  const rows = memberScores[0]?.length ?? 0;
  const out = new Float64Array(rows);
  let total = 0;
  members.forEach((m, i) => {
    const s = memberScores[i]!;
    total += m.weight;
    for (let r = 0; r < rows; r++) out[r]! += m.weight * thresholdCentred(s[r]!, m.threshold);
  });
  for (let r = 0; r < rows; r++) out[r] = out[r]! / total;
  return out;
}

/** The vote's score of each row of `x`, given the one scoring function of every member kind. */
export function predictProbaVote(
  model: VoteModel,
  x: FeatureMatrix,
  predictMember: (m: VoteMember['model'], x: FeatureMatrix) => Float64Array,
): Float64Array {
  return combineVoteScores(
    model.members.map((m) => predictMember(m.model, x)),
    model.members,
  );
}

/** A one-row scorer of the vote from one-row scorers of its members (the same arithmetic as predictProbaVote). */
export function compileVoteRowScorer(
  model: VoteModel,
  compileMember: (m: VoteMember['model']) => (x: Float64Array) => number,
): (x: Float64Array) => number {
  const scorers = model.members.map((m) => compileMember(m.model));
  const thresholds = model.members.map((m) => m.threshold);
  const weights = model.members.map((m) => m.weight);
  const total = weights.reduce((a, b) => a + b, 0);
  return (x) => {
    let s = 0;
    for (let i = 0; i < scorers.length; i++) s += weights[i]! * thresholdCentred(scorers[i]!(x), thresholds[i]!);
    return s / total;
  };
}

/**
 * Checks the vote part of a model file: a known combine rule and at least two members, each with a threshold in
 * [0, 1] and a positive finite weight; `checkMember` checks each member's model. Returns the problem, or undefined.
 */
export function voteModelProblem(model: VoteModel, checkMember: (m: unknown, index: number) => string | undefined): string | undefined {
  if (model.combine !== 'threshold-centred') return `"model.combine" must be "threshold-centred", got ${JSON.stringify(model.combine)}`;
  if (!Array.isArray(model.members) || model.members.length < 2) return '"model.members" must list at least two models';
  for (const [i, m] of model.members.entries()) {
    if (typeof m !== 'object' || m === null) return `"model.members[${i}]" must be an object`;
    if (typeof m.threshold !== 'number' || !(m.threshold >= 0 && m.threshold <= 1))
      return `"model.members[${i}].threshold" must be a number in [0, 1]`;
    if (typeof m.weight !== 'number' || !(m.weight > 0 && Number.isFinite(m.weight)))
      return `"model.members[${i}].weight" must be a positive number`;
    const problem = checkMember(m.model, i);
    if (problem) return problem;
  }
  return undefined;
}
