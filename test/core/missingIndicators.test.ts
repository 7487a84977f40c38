// Missing-value indicators: the 0/1 `column=missing` feature beside each numeric column with a gap in training,
// its layout, which columns get one, and the model file's check that its input columns make its features.

import { describe, expect, it } from 'vitest';
import { featureMatrix } from '../../core/dataset.js';
import {
  columnsWithMissing,
  indicateMissingNumbers,
  missingClassTest,
  withMissingIndicators,
} from '../../core/features/missingIndicators.js';
import { fisherExactTwoSided } from '../../core/fisherExact.js';
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

  it('gives one only to numeric columns with a gap, never to a one-hot column, and refuses a gapped column whose indicator name is taken', () => {
    const x = featureMatrix(2, 4, Float64Array.from([N, 1, 0, N, 2, 3, N, 7]));
    // colour=red is one-hot (its NaN is the reader's business, not a numeric gap); d=missing is already a column.
    expect(indicateMissingNumbers(x, ['a', 'b', 'colour=red', 'd'], { colour: ['red'] }).columns).toEqual(['a', 'd']);
    expect(columnsWithMissing(x, ['a', 'b', 'c', 'd'], new Set([0, 1, 2, 3]))).toEqual([0, 2, 3]);
    // A gapped column whose indicator name is another column's is refused when it would get an indicator (it got
    // none without a word); a column without gaps needs none, so the name is free for the file's column.
    expect(() => indicateMissingNumbers(x, ['a', 'b', 'a=missing', 'd'], {})).toThrow(
      'column "a" has missing values, and its missing-value feature would be named "a=missing", the name of another column of the input; expected distinct feature names: rename the column "a=missing", or turn missing-value indicators off (--missing-indicators off)',
    );
    expect(indicateMissingNumbers(x, ['a', 'b', 'b=missing', 'd'], {}).columns).toEqual(['a', 'b=missing', 'd']);
    expect(indicateMissingNumbers(featureMatrix(1, 2, Float64Array.from([1, 2])), ['a', 'b'], {}).columns).toEqual([]);
  });

  it("Fisher's exact test gives scipy.stats.fisher_exact's two-sided p-values", () => {
    // Values from scipy 1.x: fisher_exact([[a, b], [c, d]]).pvalue.
    const cases: Array<[number, number, number, number, number]> = [
      [3, 1, 1, 3, 0.48571428571428565],
      [1, 29, 81, 189, 0.0008721039407976929],
      [0, 30, 12, 258, 0.617174007132001],
      [10, 0, 0, 10, 1.082508822446903e-5],
      [2, 15, 40, 157, 0.5349754295919422],
    ];
    for (const [a, b, c, d, p] of cases) expect(fisherExactTwoSided(a, b, c, d), `${a} ${b} ${c} ${d}`).toBeCloseTo(p, 12);
    expect(fisherExactTwoSided(500, 1500, 20000, 30000) / 1.31243431647921e-43).toBeCloseTo(1, 6);
    expect(fisherExactTwoSided(0, 0, 4, 9)).toBe(1);
    expect(() => fisherExactTwoSided(1.5, 2, 3, 4)).toThrow(/a: expected a count \(an integer ≥ 0\), got 1\.5/);
  });

  it("given the rows' classes, indicates only the columns whose gaps are related to the class", () => {
    // 300 rows, 30 positives: a is missing on 81 negatives and 1 positive (a test not ordered for the healthy),
    // b on 12 rows spread over both classes as chance would (p about 0.6), c never.
    const rows = 300;
    const y = Uint8Array.from({ length: rows }, (_, i) => (i % 10 === 0 ? 1 : 0));
    const values = new Float64Array(rows * 3);
    let negativesMissing = 0;
    for (let r = 0; r < rows; r++) {
      const negativeGap = y[r] === 0 && negativesMissing < 81;
      if (negativeGap) negativesMissing++;
      values[r * 3] = negativeGap || r === 0 ? N : r / 7;
      values[r * 3 + 1] = r % 25 === 3 ? N : (r * 13) % 17;
      values[r * 3 + 2] = r % 5;
    }
    const x = featureMatrix(rows, 3, values);
    const classes = { classOf: y, classes: ['no', 'yes'] };
    const out = indicateMissingNumbers(x, ['a', 'b', 'c'], {}, classes);
    expect(out.columns).toEqual(['a']);
    expect(out.featureNames).toEqual(['a', 'a=missing', 'b', 'c']);
    expect(out.tests).toEqual([
      { column: 'a', missing: 82, missingByClass: { no: 81, yes: 1 }, pValue: 0.000872, indicator: true },
      { column: 'b', missing: 12, missingByClass: { no: 12, yes: 0 }, pValue: 0.617, indicator: false },
    ]);
    // Without the class, every gapped column gets one (--missing-indicators on).
    expect(indicateMissingNumbers(x, ['a', 'b', 'c'], {}).columns).toEqual(['a', 'b']);
    // Three classes: each class against the rest, the smallest p times three.
    const three = { classOf: Int32Array.from(y, (v, r) => (v === 1 ? 2 : r % 2)), classes: ['p', 'q', 'r'] };
    const t = missingClassTest(x, 0, three);
    expect(t.missingByClass.r).toBe(1);
    expect(t.missingByClass.p! + t.missingByClass.q!).toBe(81);
    expect(t.pValue).toBeCloseTo(Math.min(1, 3 * Math.min(...[0, 1, 2].map((k) => classPValue(x, three.classOf, k)))), 12);
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

/** Column 0's gaps in class k against the rest, by Fisher's exact test. */
function classPValue(x: { rows: number; cols: number; values: Float64Array }, classOf: Int32Array, k: number): number {
  const table = [0, 0, 0, 0]; // [gap in k, value in k, gap elsewhere, value elsewhere]
  for (let r = 0; r < x.rows; r++) table[(classOf[r] === k ? 0 : 2) + (Number.isNaN(x.values[r * x.cols]!) ? 0 : 1)]!++;
  const [a, b, c, d] = table as [number, number, number, number];
  return fisherExactTwoSided(a, b, c, d);
}
