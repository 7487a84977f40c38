// One scoring entry for every fitted model kind, so the model file and the activities need not branch on it.

import type { FeatureMatrix } from '../dataset.js';
import { InvalidInputError } from '../invalidInputError.js';
import { compileGbdtRowScorer, predictProbaGbdt, type GbdtModel } from './gbdtModel.js';
import { foldedLogisticWeights, predictProbaLogistic, sigmoid, type LogisticModel } from './logisticRegression.js';
import { compileForest, compiledForestRowScorer } from './forestScoring.js';
import { predictProbaForest, type RandomForestModel } from './randomForest.js';
import { compileVoteRowScorer, predictProbaVote, type VoteModel } from './voteModel.js';

export type FittedModel = LogisticModel | RandomForestModel | GbdtModel | VoteModel;

/** P(y = 1 | x) for each row of `x`, by the model's `kind`. */
export function predictProbaModel(model: FittedModel, x: FeatureMatrix): Float64Array {
  switch (model.kind) {
    case 'logreg':
      return predictProbaLogistic(model, x);
    case 'forest':
      return predictProbaForest(model, x);
    case 'gbdt':
      return predictProbaGbdt(model, x);
    case 'vote':
      return predictProbaVote(model, x, predictProbaModel);
    default: {
      const unknown: never = model;
      throw new InvalidInputError(
        'model',
        `model: expected kind "logreg", "forest", "gbdt" or "vote", got ${JSON.stringify((unknown as { kind?: unknown }).kind)}`,
      );
    }
  }
}

/**
 * A scorer of one row at a time (a service's request), with the model's arrays prepared once: the same arithmetic
 * in the same order as predictProbaModel, so the scores are identical to the batch path's.
 */
export function compileRowScorer(model: FittedModel): (x: Float64Array) => number {
  if (model.kind === 'vote') return compileVoteRowScorer(model, compileRowScorer);
  if (model.kind === 'gbdt') return compileGbdtRowScorer(model);
  if (model.kind === 'forest') return compiledForestRowScorer(compileForest(model));
  const { effective, offset } = foldedLogisticWeights(model);
  const d = effective.length;
  return (x) => {
    let s = offset;
    for (let j = 0; j < d; j++) s += x[j]! * effective[j]!;
    return sigmoid(s);
  };
}
