// The seconds of auto's choice (core/models/modelSelection.ts) are kept apart from the model file's selection and put
// back for fit --json and the run report.

import { describe, expect, it } from 'vitest';
import { splitSelectionTimes, withSelectionTimes, type ModelSelection } from '../../core/models/modelSelection.js';

const timed: ModelSelection = {
  method: 'inner stratified cross-validation',
  folds: 3,
  repeats: 2,
  seed: 1,
  budgetSeconds: 60,
  chosen: 'logreg-weighted',
  thresholdPolicy: 'prevalence',
  reason: 'r',
  candidates: [
    { name: 'balanced-forest', fits: 'f', relativeCost: 1, seconds: 1.25 },
    { name: 'logreg-weighted', fits: 'l', relativeCost: 0.1, seconds: 0.5 },
  ],
  seconds: 2.5,
};

describe('selection times', () => {
  it('splits the seconds off the selection and puts them back', () => {
    const { selection, times } = splitSelectionTimes(timed);
    expect(selection.seconds).toBeUndefined();
    expect(selection.candidates.map((c) => 'seconds' in c)).toEqual([false, false]);
    expect(times).toEqual({ seconds: 2.5, candidates: { 'balanced-forest': 1.25, 'logreg-weighted': 0.5 } });
    expect(withSelectionTimes(selection, times)).toEqual(timed);
    // Without times (a model file read on its own) the selection is shown as it is.
    expect(withSelectionTimes(selection, undefined)).toBe(selection);
  });
});
