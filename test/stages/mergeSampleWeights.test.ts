// The merged sample of a multi-class retrain checks its weights per class and names the class, as fit does: a class
// whose sampled rows all weigh 0 (or that carries almost none of the weight) is refused by its value, where the
// two-class check would have called class 0 "negative" and skipped classes 2 and up.

import { describe, expect, it } from 'vitest';
import { featureMatrix } from '../../core/dataset.js';
import { mergeSamplesStage } from '../../stages/sample.js';

const shard = (y: number[], weights: number[]) => ({
  data: { x: featureMatrix(y.length, 1, Float64Array.from(y.map((_, i) => i))), y: Uint8Array.from(y) },
  weights: Float64Array.from(weights),
});

describe('the merged sample of a multi-class retrain', () => {
  it('names the class whose rows all weigh 0', () => {
    const classes = ['bird', 'cat', 'eel'];
    expect(() => mergeSamplesStage([shard([0, 1, 2, 2], [1, 1, 0, 0]), shard([1, 0], [1, 1])], 7, ['a.csv'], classes)).toThrow(
      'weight column "sample_weight" of the sample of a.csv: every row of class "eel" has weight 0, so the class "eel" cannot be learned; expected at least one row of class "eel" with a weight > 0',
    );
    expect(mergeSamplesStage([shard([0, 1, 2, 2], [1, 1, 0, 2])], 7, ['a.csv'], classes).rows).toBe(4);
  });
});
