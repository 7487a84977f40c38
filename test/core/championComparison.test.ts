// The champion is judged only on test rows it was not trained on, beside the challenger on the same rows; a champion
// that cannot be scored on this split leaves its gates not judged and the verdict insufficient evidence, never a pass
// that reads as if there were no champion.

import { describe, expect, it } from 'vitest';
import { rowsNotSeen } from '../../core/gates/championRows.js';
import { evaluateGates } from '../../core/gates/evaluateGates.js';
import { parseGateSpec } from '../../core/gates/gateSpec.js';
import { classificationReport, type ClassificationReport } from '../../core/metrics/classMetrics.js';

/** A report with `tp, fn` positives and `tn, fp` negatives. */
function reportFor(tp: number, fn: number, tn: number, fp: number): ClassificationReport {
  const y = [...Array(tp + fn).fill(1), ...Array(tn + fp).fill(0)];
  const s = [...Array(tp).fill(0.9), ...Array(fn).fill(0.1), ...Array(tn).fill(0.2), ...Array(fp).fill(0.8)];
  return classificationReport(Uint8Array.from(y), Float64Array.from(s), 0.5);
}

const spec = parseGateSpec(
  {
    minPositiveSupport: 20,
    minNegativeSupport: 20,
    gates: [
      { metric: 'recall', class: 'positive', min: 0.6 },
      { metric: 'recall', class: 'positive', maxDropVsChampion: 0.05 },
    ],
  },
  'spec',
);

describe('rowsNotSeen', () => {
  it('keeps the test rows whose feature values are in none of the seen matrices', () => {
    const test = { rows: 4, cols: 2, values: Float64Array.from([1, 2, 3, 4, 5, 6, 7, 8]) };
    const seen = [
      { rows: 1, cols: 2, values: Float64Array.from([3, 4]) },
      { rows: 2, cols: 2, values: Float64Array.from([7, 8, 9, 9]) },
    ];
    const { rows, excluded } = rowsNotSeen(test, seen);
    expect([...rows]).toEqual([0, 2]);
    expect(excluded).toBe(2);
  });

  it('keeps values that recur: a pattern of categories or small counts is not one record met twice', () => {
    const test = { rows: 3, cols: 1, values: Float64Array.from([1, 1, 2]) };
    const seen = [{ rows: 3, cols: 1, values: Float64Array.from([1, 2, 2]) }];
    // 1 occurs twice in the test rows, 2 twice in the seen rows: neither is left out.
    expect(rowsNotSeen(test, seen).excluded).toBe(0);
  });
});

describe('the champion gates', () => {
  it('compare the challenger on the champion rows, not on the whole split', () => {
    const champion = reportFor(27, 3, 90, 10); // recall 0.9 on its rows
    const wholeSplit = reportFor(20, 10, 90, 10); // recall 0.667 on every row
    const sameRows = reportFor(27, 3, 90, 10); // recall 0.9 on the champion's rows
    const e = evaluateGates(spec, wholeSplit, champion, { challenger: sameRows, rowsText: 'the 130 test rows it was not trained on' });
    expect(e.checks[1]).toMatchObject({ passed: true, challengerValue: 0.9, championValue: 0.9 });
    expect(e.verdict).toBe('pass');
  });

  it('are not judged, and the verdict is insufficient evidence, when the champion could not be compared', () => {
    const why = "the champion reads a feature this model's input lacks (f4), so the two cannot be compared on the same rows";
    const e = evaluateGates(spec, reportFor(27, 3, 90, 10), undefined, { notComparable: why });
    expect(e.verdict).toBe('insufficient-evidence');
    expect(e.checks[1]).toMatchObject({ passed: null, reason: `not judged: the champion could not be compared: ${why}` });
    expect(e.reasons[0]).toBe(`insufficient evidence: the champion could not be compared: ${why}`);
    // Without a champion gate in the spec there is nothing to judge against it, and nothing is held back.
    const noChampionGate = parseGateSpec({ minPositiveSupport: 20, minNegativeSupport: 20, gates: [spec.gates[0]] }, 'spec');
    expect(evaluateGates(noChampionGate, reportFor(27, 3, 90, 10), undefined, { notComparable: why }).verdict).toBe('pass');
  });

  it("leave the challenger's own gates judged: a challenger below its floor fails, whatever the champion", () => {
    const why = "the champion reads a feature this model's input lacks (f4), so the two cannot be compared on the same rows";
    // Recall 10/30 is below the 0.6 floor: a fail, never insufficient evidence that a spec could promote.
    const weak = evaluateGates(spec, reportFor(10, 20, 90, 10), undefined, { notComparable: why });
    expect(weak.verdict).toBe('fail');
    expect(weak.checks[0]).toMatchObject({ passed: false });
    const fewRows = evaluateGates(spec, reportFor(10, 20, 90, 10), reportFor(5, 1, 40, 4), {
      challenger: reportFor(2, 4, 40, 4),
      rowsText: 'the 50 test rows the champion was not trained on',
    });
    expect(fewRows.verdict).toBe('fail');
  });

  it('are insufficient evidence when the rows the champion did not learn from are too few', () => {
    const e = evaluateGates(spec, reportFor(27, 3, 90, 10), reportFor(5, 1, 40, 4), {
      challenger: reportFor(5, 1, 40, 4),
      rowsText: 'the 50 test rows the champion was not trained on',
    });
    expect(e.verdict).toBe('insufficient-evidence');
    expect(e.reasons[0]).toMatch(
      /^insufficient evidence: comparison with the champion on the 50 test rows the champion was not trained on: positive support 6 < minimum 20/,
    );
  });
});
