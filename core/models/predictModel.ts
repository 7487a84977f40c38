// One scoring entry for every fitted model kind, so the model file and the activities need not branch on it.

import type { FeatureMatrix } from '../dataset.js';
import { InvalidInputError } from '../invalidInputError.js';
import { predictProbaLogistic, type LogisticModel } from './logisticRegression.js';
import { predictProbaForest, type RandomForestModel } from './randomForest.js';

export type FittedModel = LogisticModel | RandomForestModel;

/** P(y = 1 | x) for each row of `x`, by the model's `kind`. */
export function predictProbaModel(model: FittedModel, x: FeatureMatrix): Float64Array {
  switch (model.kind) {
    case 'logreg':
      return predictProbaLogistic(model, x);
    case 'forest':
      return predictProbaForest(model, x);
    default: {
      const unknown: never = model;
      throw new InvalidInputError('model', `model: expected kind "logreg" or "forest", got ${JSON.stringify((unknown as { kind?: unknown }).kind)}`);
    }
  }
}
