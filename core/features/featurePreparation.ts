// Feature preparation shared by every distance user (ENN, typing, ADASYN): a missing-value policy and standardisation,
// both fitted on the training rows only and replayed unchanged on any other split.

import type { FeatureMatrix } from '../dataset.js';
import { InvalidInputError } from '../invalidInputError.js';
import { fillMissingValues, fitMissingValueFill, type MissingValueFill, type MissingValueOptions } from './missingValues.js';
import { applyStandardiser, fitStandardiser, type Standardiser } from '../models/standardiser.js';

export interface FeaturePreparationOptions extends MissingValueOptions {
  /**
   * Reject a column that is constant over the training rows: it carries no distance and cannot be standardised.
   * @default true
   */
  rejectConstant?: boolean;
}

/** Fitted preparation: JSON-plain, so it travels with the model and through Temporal. */
export interface FeaturePreparation extends MissingValueFill {
  standardiser: Standardiser;
}

/** Fit the missing-value fill and the standardiser on training rows only. */
export function fitFeaturePreparation(train: FeatureMatrix, opts: FeaturePreparationOptions = {}): FeaturePreparation {
  const rejectConstant = opts.rejectConstant ?? true;
  const { missing, fillValues } = fitMissingValueFill(train, opts);
  const { rows, cols } = train;
  const filled = fillMissingValues({ missing, fillValues }, train).x;
  const standardiser = fitStandardiser(filled);
  if (rejectConstant) {
    for (let c = 0; c < cols; c++) {
      let constant = true;
      const first = filled.values[c]!;
      for (let r = 1; r < rows && constant; r++) if (filled.values[r * cols + c] !== first) constant = false;
      if (constant) {
        throw new InvalidInputError(
          `feature column ${c}`,
          `feature column ${c}: expected a feature that varies over the training rows, got the constant ${first} in all ${rows}; drop it.`,
        );
      }
    }
  }
  return { missing, fillValues, standardiser };
}

/** Impute and standardise any split (training, validation, live) with parameters fitted on the training rows. */
export function applyFeaturePreparation(prep: FeaturePreparation, x: FeatureMatrix): FeatureMatrix {
  if (prep.standardiser.mean.length !== x.cols) {
    throw new InvalidInputError('feature matrix', `expected ${prep.standardiser.mean.length} feature columns (as fitted), got ${x.cols}.`);
  }
  const filled = fillMissingValues(prep, x).x;
  return applyStandardiser(prep.standardiser, filled, { inPlace: filled !== x });
}
