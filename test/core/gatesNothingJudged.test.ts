// A gate verdict that judged no gate (an empty gate list, or every gate skipped for want of a champion) is
// insufficient-evidence, never a pass, for two-class and multi-class models alike; one judged gate still passes.

import { describe, expect, it } from 'vitest';
import { evaluateGates } from '../../core/gates/evaluateGates.js';
import { parseGateSpec } from '../../core/gates/gateSpec.js';
import { evaluateMultiClassGates, withClassIntervals } from '../../core/gates/multiClassGates.js';
import { classificationReport } from '../../core/metrics/classMetrics.js';
import { multiClassReport } from '../../core/metrics/multiClassReport.js';

/** 50 positives (40 above the threshold) and 50 negatives (45 below it). */
function twoClassReport() {
  const y = [...Array<number>(50).fill(1), ...Array<number>(50).fill(0)];
  const s = y.map((label, i) => (label === 1 ? (i % 5 === 0 ? 0.2 : 0.9) : i % 10 === 0 ? 0.8 : 0.1));
  return classificationReport(Uint8Array.from(y), Float64Array.from(s), 0.5);
}

/** 40 rows of each of three classes, every one predicted right. */
function threeClassReport() {
  const truth = [0, 1, 2].flatMap((c) => Array<number>(40).fill(c));
  return withClassIntervals(multiClassReport(['bird', 'cat', 'eel'], truth, [...truth]));
}

const championOnly = parseGateSpec({ gates: [{ metric: 'gMean', maxDropVsChampion: 0.01 }] }, 'g.json');
const twoChampionGates = parseGateSpec(
  {
    gates: [
      { metric: 'gMean', maxDropVsChampion: 0.01 },
      { metric: 'recall', class: 'positive', maxDropVsChampion: 0.05 },
    ],
  },
  'g.json',
);
const noGates = parseGateSpec({ gates: [] }, 'g.json');

describe('a gate verdict that judged nothing', () => {
  it('is insufficient-evidence when the only gate is skipped for want of a champion, saying so first', () => {
    const e = evaluateGates(championOnly, twoClassReport());
    expect(e.verdict).toBe('insufficient-evidence');
    expect(e.reasons).toEqual([
      'insufficient evidence: no gate was judged (the only gate was skipped), so nothing shows the model is good enough',
      'gMean drop vs champion <= 0.01: skipped: no champion to compare against',
    ]);
  });

  it('counts the skipped gates when there are several', () => {
    const e = evaluateGates(twoChampionGates, twoClassReport());
    expect(e.verdict).toBe('insufficient-evidence');
    expect(e.reasons[0]).toBe(
      'insufficient evidence: no gate was judged (all 2 gates were skipped), so nothing shows the model is good enough',
    );
  });

  it('is insufficient-evidence for an empty gate list, never "all 0 judged gates passed"', () => {
    const e = evaluateGates(noGates, twoClassReport());
    expect(e.verdict).toBe('insufficient-evidence');
    expect(e.reasons).toEqual(['insufficient evidence: the gate spec has no gates, so nothing was judged']);
  });

  it('is insufficient-evidence for a multi-class model too', () => {
    expect(evaluateMultiClassGates(championOnly, threeClassReport()).verdict).toBe('insufficient-evidence');
    expect(evaluateMultiClassGates(noGates, threeClassReport()).verdict).toBe('insufficient-evidence');
  });

  it('still passes once a champion makes the gate judged, and with one judged gate beside a skipped one', () => {
    const report = twoClassReport();
    const judged = evaluateGates(championOnly, report, report);
    expect(judged.verdict).toBe('pass');
    expect(judged.reasons).toEqual(['all 1 judged gates passed']);
    const mixed = parseGateSpec(
      {
        gates: [
          { metric: 'gMean', min: 0.5 },
          { metric: 'gMean', maxDropVsChampion: 0.01 },
        ],
      },
      'g.json',
    );
    expect(evaluateGates(mixed, report).verdict).toBe('pass');
  });

  it('a multi-class model whose champion cannot be compared (a two-class champion) is insufficient evidence, not a pass', () => {
    const mixed = parseGateSpec(
      {
        minPositiveSupport: 1,
        gates: [
          { metric: 'gMean', min: 0.1 },
          { metric: 'gMean', maxDropVsChampion: 0.01 },
        ],
      },
      'g.json',
    );
    const why = 'the champion does not predict the classes a, b, c, so it was not compared on this test split';
    const e = evaluateMultiClassGates(mixed, threeClassReport(), undefined, why);
    expect(e.verdict).toBe('insufficient-evidence');
    expect(e.reasons[0]).toBe(`insufficient evidence: the champion could not be compared: ${why}`);
    // Without a champion at all, the same gates pass on the judged one.
    expect(evaluateMultiClassGates(mixed, threeClassReport()).verdict).toBe('pass');
  });
});
