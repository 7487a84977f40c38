// The soft vote's arithmetic (core/models/voteModel.ts): each member's score centred on its own threshold, the
// weighted mean of them, and the one-row scorer giving the batch scorer's numbers.

import { describe, expect, it } from 'vitest';
import { featureMatrix } from '../../core/dataset.js';
import { compileRowScorer, predictProbaModel } from '../../core/models/predictModel.js';
import { trainLogisticRegression } from '../../core/models/logisticRegression.js';
import { combineVoteScores, thresholdCentred, type VoteModel } from '../../core/models/voteModel.js';
import { shiftedTriples } from '../support/modelChoiceData.js';

describe('threshold-centred vote scale', () => {
  it('maps 0 to 0, the threshold to 1/2 and 1 to 1, linearly on each side', () => {
    expect(thresholdCentred(0, 0.2)).toBe(0);
    expect(thresholdCentred(0.2, 0.2)).toBe(0.5);
    expect(thresholdCentred(1, 0.2)).toBe(1);
    expect(thresholdCentred(0.1, 0.2)).toBeCloseTo(0.25, 12);
    expect(thresholdCentred(0.6, 0.2)).toBeCloseTo(0.75, 12);
    // A threshold at the edge does not divide by zero.
    expect(thresholdCentred(0, 0)).toBe(0);
    expect(thresholdCentred(0.5, 0)).toBeCloseTo(0.75, 6);
    expect(thresholdCentred(1, 1)).toBeCloseTo(1, 6);
    expect(thresholdCentred(0.5, 1)).toBeCloseTo(0.25, 6);
  });

  it('averages the centred scores by weight, so each member read against its own threshold counts the same', () => {
    // Member A (threshold 0.1) is just at its threshold, member B (threshold 0.5) clearly below its own.
    const scores = combineVoteScores(
      [Float64Array.of(0.1, 0.55), Float64Array.of(0.25, 0.75)],
      [
        { threshold: 0.1, weight: 1 },
        { threshold: 0.5, weight: 1 },
      ],
    );
    expect(scores[0]).toBeCloseTo((0.5 + 0.25) / 2, 12);
    expect(scores[1]).toBeCloseTo((0.75 + 0.75) / 2, 12);
    const weighted = combineVoteScores(
      [Float64Array.of(1), Float64Array.of(0)],
      [
        { threshold: 0.5, weight: 3 },
        { threshold: 0.5, weight: 1 },
      ],
    );
    expect(weighted[0]).toBeCloseTo(0.75, 12);
  });

  it('scores a row the same through the batch scorer and the one-row scorer a service uses', () => {
    const data = shiftedTriples(60, 15, 3);
    const vote: VoteModel = {
      kind: 'vote',
      combine: 'threshold-centred',
      members: [
        { model: trainLogisticRegression(data), threshold: 0.25, weight: 1 },
        { model: trainLogisticRegression(data, { classWeight: 'balanced' }), threshold: 0.5, weight: 2 },
      ],
    };
    const x = featureMatrix(3, 3, Float64Array.of(0, 0, 0, 1, -1, 0.5, -2, 3, 1));
    const batch = predictProbaModel(vote, x);
    const row = compileRowScorer(vote);
    for (let r = 0; r < 3; r++) expect(row(Float64Array.from(x.values.subarray(r * 3, r * 3 + 3)))).toBe(batch[r]);
    for (const v of batch) expect(v >= 0 && v <= 1).toBe(true);
  });
});
