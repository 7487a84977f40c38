// Missing-value indicators: the 0/1 `column=missing` feature beside each numeric column with a gap in training,
// its layout, which columns get one, and the model file's check that its input columns make its features.

import { describe, expect, it } from 'vitest';
import { featureMatrix } from '../../core/dataset.js';
import { columnsWithMissing, indicateMissingNumbers, withMissingIndicators } from '../../core/features/missingIndicators.js';
import { featureSourceColumns, parseModelArtifact, sealModelArtifact } from '../../core/models/modelArtifact.js';
import { fitModelArtifact } from '../../stages/train.js';
import { twoFeatureFitOptions } from '../support/modelFileFixtures.js';

const N = Number.NaN;

describe('missing-value indicators', () => {
  it('puts each indicator right after its column, 1 where the value is NaN, and leaves the NaN for the fill', () => {
    const x = featureMatrix(3, 3, Float64Array.from([1, N, 5, N, 2, 6, 3, 4, N]));
    const out = withMissingIndicators(x, ['a', 'b', 'c'], [0, 2]);
    expect(out.featureNames).toEqual(['a', 'a=missing', 'b', 'c', 'c=missing']);
    expect(out.x.cols).toBe(5);
    expect(Array.from(out.x.values)).toEqual([1, 0, N, 5, 0, N, 1, 2, 6, 0, 3, 0, 4, N, 1]);
    expect(withMissingIndicators(x, ['a', 'b', 'c'], []).x).toBe(x);
  });

  it('gives one only to numeric columns with a gap, never to a one-hot column or where the name is taken', () => {
    const x = featureMatrix(2, 4, Float64Array.from([N, 1, 0, N, 2, 3, N, 7]));
    // colour=red is one-hot (its NaN is the reader's business, not a numeric gap); d=missing is already a column.
    expect(indicateMissingNumbers(x, ['a', 'b', 'colour=red', 'd'], { colour: ['red'] }).columns).toEqual(['a', 'd']);
    expect(columnsWithMissing(x, ['a', 'b', 'c', 'd'], new Set([0, 1, 2, 3]))).toEqual([0, 2, 3]);
    expect(columnsWithMissing(x, ['a', 'b', 'a=missing', 'd'], new Set([0, 1, 3]))).toEqual([3]);
    expect(indicateMissingNumbers(featureMatrix(1, 2, Float64Array.from([1, 2])), ['a', 'b'], {}).columns).toEqual([]);
  });

  it('the model file maps each feature to its raw column and refuses input columns that do not make its features', async () => {
    const data = {
      x: featureMatrix(
        40,
        3,
        Float64Array.from({ length: 120 }, (_, i) => ((i * 7) % 11) / 3),
      ),
      y: Uint8Array.from({ length: 40 }, (_, i) => (i % 4 === 0 ? 1 : 0)),
    };
    const base = twoFeatureFitOptions({ kind: 'logreg', threshold: 'prevalence' });
    const { artifact } = await fitModelArtifact(data, {
      ...base,
      featureNames: ['a', 'a=missing', 'b'],
      inputColumns: [
        { name: 'a', kind: 'numeric', missingIndicator: true },
        { name: 'b', kind: 'numeric' },
      ],
      missingValues: { policy: 'median', fillValues: [1, 0, 2] },
    });
    const loaded = parseModelArtifact(JSON.parse(JSON.stringify(artifact)), 'm.json');
    expect(featureSourceColumns(loaded)).toEqual(['a', 'a', 'b']);
    const dropped = sealModelArtifact({
      ...artifact,
      inputColumns: [
        { name: 'a', kind: 'numeric' },
        { name: 'b', kind: 'numeric' },
      ],
    });
    expect(() => parseModelArtifact(JSON.parse(JSON.stringify(dropped)), 'm.json')).toThrow(
      'm.json is not a usable rareflow model: its input columns make 2 features, but "featureNames" lists 3.',
    );
  });
});
