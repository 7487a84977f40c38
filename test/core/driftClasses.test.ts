// Drift of a multi-class champion over its classes: the label prior and the predicted classes by chi-square over
// all classes, per-class recall on labels, and the verdict and reasons of the drift report that carries them.

import { describe, expect, it } from 'vitest';
import {
  buildClassReference,
  classDrift,
  classDriftWithLateLabels,
  type ClassReference,
  type ClassWindow,
} from '../../core/drift/classDrift.js';
import { resolveOptions } from '../../core/drift/driftOptions.js';
import { buildDriftReference } from '../../core/drift/driftReference.js';
import { driftReport } from '../../core/drift/driftReport.js';
import { InvalidInputError } from '../../core/invalidInputError.js';
import { classificationReport } from '../../core/metrics/classMetrics.js';
import { seededRandom } from '../../core/random.js';
import { renderDriftReport } from '../../core/report/driftReportPage.js';

const CLASSES = ['cat', 'dog', 'eel'];
const REFERENCE: ClassReference = { classes: CLASSES, prior: [0.6, 0.3, 0.1], predicted: [0.6, 0.3, 0.1], recall: [0.9, 0.9, 0.9] };
const o = resolveOptions({});

/** `n` rows drawn with class shares `prior`; each predicted right with probability `recall[c]`, else as the next class. */
function classWindow(n: number, prior: number[], recall: number[], seed: number, labelledShare = 1): ClassWindow {
  const random = seededRandom(seed);
  const predicted: Array<string | null> = [];
  const truth: Array<string | null> = [];
  for (let i = 0; i < n; i++) {
    let u = random.next();
    let c = 0;
    while (c < prior.length - 1 && u >= prior[c]!) u -= prior[c++]!;
    const right = random.next() < recall[c]!;
    predicted.push(CLASSES[right ? c : (c + 1) % CLASSES.length]!);
    truth.push(random.next() < labelledShare ? CLASSES[c]! : null);
  }
  return { predicted, truth };
}

describe('classDrift', () => {
  it('finds no drift in windows drawn from the reference', () => {
    for (const seed of [1, 2, 3]) {
      const result = classDrift(REFERENCE, classWindow(3000, [0.6, 0.3, 0.1], [0.9, 0.9, 0.9], seed), o);
      expect(result.labelPrior!.status).toBe('tested');
      expect(result.drifted, result.reasons.join('; ')).toBe(false);
      expect(result.recall.map((r) => r.dropped)).toEqual([false, false, false]);
    }
  });

  it('detects a shift of the class prior over all classes, naming the classes that moved', () => {
    // "eel" triples, "cat" loses the difference; recall unchanged, so predictions move with the labels.
    const result = classDrift(REFERENCE, classWindow(3000, [0.4, 0.3, 0.3], [0.9, 0.9, 0.9], 4), o);
    expect(result.drifted).toBe(true);
    expect(result.labelPrior!.status).toBe('tested');
    expect(result.labelPrior!.drifted).toBe(true);
    if (result.labelPrior!.status === 'tested') expect(result.labelPrior!.degreesOfFreedom).toBe(2);
    expect(result.labelPrior!.current[2]).toBeCloseTo(0.3, 1);
    expect(result.reasons[0]).toMatch(/^label prior shifted over 3 classes in 3000 rows: "eel" 0\.1 → 0\.[23]\d*/);
    expect(result.prediction!.drifted).toBe(true);
    expect(result.recall.some((r) => r.dropped)).toBe(false);
  });

  it('flags the recall of one class that dropped, and only that class', () => {
    const result = classDrift(REFERENCE, classWindow(3000, [0.6, 0.3, 0.1], [0.9, 0.9, 0.6], 5), o);
    expect(result.recall.map((r) => r.dropped)).toEqual([false, false, true]);
    expect(result.reasons.some((r) => r.startsWith('recall of class "eel" dropped: 0.'))).toBe(true);
    expect(result.drifted).toBe(true);
  });

  it("counts the validation recall's own uncertainty when the reference keeps its rows", () => {
    // eel's validation recall 0.9 rests on 30 rows; the window's eel recall is about 0.78 on about 300 rows.
    const window = classWindow(3000, [0.6, 0.3, 0.1], [0.9, 0.9, 0.78], 5);
    expect(classDrift(REFERENCE, window, o).recall[2]!.dropped).toBe(true);
    const fewRows = classDrift({ ...REFERENCE, recallSupport: [1800, 900, 30] }, window, o);
    expect(fewRows.recall[2]!.dropped).toBe(false);
    const manyRows = classDrift({ ...REFERENCE, recallSupport: [18000, 9000, 3000] }, window, o);
    expect(manyRows.recall[2]!.dropped).toBe(true);
    expect(manyRows.reasons.some((r) => r.includes('vs 0.9 on 3000 validation rows ('))).toBe(true);
  });

  it('does not compare a class below the minimum labelled rows, and says so', () => {
    const result = classDrift(REFERENCE, classWindow(100, [0.6, 0.3, 0.1], [0.9, 0.9, 0.9], 6), o);
    const eel = result.recall[2]!;
    expect(eel.current).toBeNull();
    expect(result.insufficient).toContain(`recall of class "eel" not compared: ${eel.support} labelled rows, below the minimum 20`);
  });

  it('refuses a class value the model does not have, naming the row', () => {
    const w: ClassWindow = { predicted: ['cat', 'bird'], truth: [null, null] };
    expect(() => classDrift(REFERENCE, w, o)).toThrow(InvalidInputError);
    expect(() => classDrift(REFERENCE, w, o)).toThrow(
      'window.classes.predicted: expected one of the model\'s classes "cat", "dog", "eel", got "bird" at row 1',
    );
  });
});

describe('buildClassReference', () => {
  it('takes the training prior, the validation predicted shares and per-class recall', () => {
    const ref = buildClassReference(CLASSES, [0, 0, 1, 2], [0, 1, 1, 2], [0, 1, 0, 2]);
    expect(ref.prior).toEqual([0.5, 0.25, 0.25]);
    expect(ref.recall).toEqual([1, 0.5, 1]);
    expect(ref.recallSupport).toEqual([1, 2, 1]);
    expect(ref.predicted.map((p) => Number(p.toFixed(6)))).toEqual([0.5, 0.25, 0.25]);
    expect(() => buildClassReference(CLASSES, [0, 0, 1], [0], [0])).toThrow(
      'trainingTruth: expected every class among the training labels, class "eel" has none',
    );
  });
});

describe('driftReport with classes', () => {
  it('carries the class verdict into the report: reasons, insufficient and drifted', () => {
    const random = seededRandom(7);
    const n = 3000;
    const values = Float64Array.from({ length: n * 2 }, () => random.next());
    const y = Uint8Array.from({ length: n }, () => (random.next() < 0.1 ? 1 : 0));
    const scores = Float64Array.from({ length: n }, () => random.next());
    const names = ['a', 'b'];
    const reference = buildDriftReference(
      { values, rows: n, cols: 2, names },
      y,
      scores,
      0.5,
      classificationReport(y, scores, 0.5).perClass,
    );
    const window = (classes?: ClassWindow) => ({ features: { values, rows: n, cols: 2, names }, scores, ...(classes ? { classes } : {}) });
    const shifted = classWindow(n, [0.4, 0.3, 0.3], [0.9, 0.9, 0.9], 8);
    // Without a class reference the classes are ignored: the binary report is unchanged.
    const binary = driftReport(reference, window());
    expect(driftReport(reference, window(shifted))).toEqual(binary);
    const report = driftReport({ ...reference, classes: REFERENCE }, window(shifted));
    expect(report.classDrift!.drifted).toBe(true);
    expect(report.drifted).toBe(true);
    expect(report.reasons).toEqual(expect.arrayContaining(report.classDrift!.reasons));

    const page = renderDriftReport({
      title: 'drift',
      report,
      scoreReference: { edges: reference.prediction.bins.edges, proportions: reference.prediction.bins.proportions, threshold: 0.5 },
      thresholds: { fdr: 0.01, psiThreshold: 0.2, ksThreshold: 0.1 },
    });
    expect(page).toContain('<h2>Classes (multi-class model)</h2>');
    expect(page).toContain('Label prior (share of labelled rows per class)');
    expect(page).toMatch(/<tr class="drifted">|counted towards the verdict<\/b>/);
    expect(page).toContain('<td>eel</td>');
    expect(
      renderDriftReport({
        ...{ title: 'drift', report: binary, thresholds: { fdr: 0.01, psiThreshold: 0.2, ksThreshold: 0.1 } },
        scoreReference: { edges: reference.prediction.bins.edges, proportions: reference.prediction.bins.proportions, threshold: 0.5 },
      }),
    ).not.toContain('Classes (multi-class model)');
  });
});

describe('classDrift with late labels', () => {
  it('takes the predicted classes from this window and the label prior and recall from the earlier one', () => {
    // This window: eel recall fell, but its few labels are all eels (the fast-confirmed class); the earlier window
    // is as in training.
    const now = classWindow(3000, [0.6, 0.3, 0.1], [0.9, 0.9, 0.9], 11);
    now.truth = now.truth.map((t) => (t === 'eel' ? t : null));
    const result = classDriftWithLateLabels(
      REFERENCE,
      now,
      classWindow(3000, [0.6, 0.3, 0.1], [0.9, 0.9, 0.9], 12),
      'the window 7 d earlier',
      o,
    );
    expect(result.labelPrior!.drifted).toBe(false);
    expect(result.labelPrior!.current[2]).toBeCloseTo(0.1, 1);
    expect(result.prediction!.status).toBe('tested');
    expect(result.drifted, result.reasons.join('; ')).toBe(false);
    const dropped = classDriftWithLateLabels(
      REFERENCE,
      now,
      classWindow(3000, [0.6, 0.3, 0.1], [0.9, 0.9, 0.6], 13),
      'the window 7 d earlier',
      o,
    );
    expect(dropped.recall.map((r) => r.dropped)).toEqual([false, false, true]);
    expect(dropped.reasons.some((r) => /^recall of class "eel" dropped: .* on \d+ labelled rows of the window 7 d earlier /.test(r))).toBe(
      true,
    );
    const none = classDriftWithLateLabels(REFERENCE, now, undefined, 'the window 7 d earlier', o);
    expect(none.labelPrior).toBeNull();
    expect(none.insufficient).toContain('class label-prior and per-class recall not run: no labelled rows in the window 7 d earlier');
  });
});
