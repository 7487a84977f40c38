// The drift report end to end on seeded synthetic windows: the false-alarm rate on stationary data, detection
// of shifts of the rare class alone, the insufficient-data paths and the bad-input matrix.

import { describe, expect, it } from 'vitest';
import { initialDriftHysteresisState, stepDriftHysteresis, type DriftHysteresisState } from '../../core/drift/driftHysteresis.js';
import { buildDriftReference, type DriftReference, type NamedFeatureMatrix } from '../../core/drift/driftReference.js';
import { driftReport } from '../../core/drift/driftReport.js';
import type { DriftWindow } from '../../core/drift/driftWindow.js';
import { InvalidInputError } from '../../core/invalidInputError.js';
import { classificationReport } from '../../core/metrics/classMetrics.js';
import { seededRandom } from '../../core/random.js';

const COLS = 40;
const INFORMATIVE = 4;
const MU = 1.5;
const PRIOR = 0.02;
const THRESHOLD = 0.2;
const NAMES = Array.from({ length: COLS }, (_, c) => `x${c}`);

interface Shift {
  /** Positive rate of the generated rows. @default PRIOR */
  prior?: number;
  /** Added to the positives' informative features, in standard deviations. @default 0 */
  positiveShift?: number;
  /** Added to every row's feature 10 (a non-informative one), in standard deviations. @default 0 */
  featureShift?: number;
}

/**
 * Rows with y ~ Bernoulli(prior), x ~ N(0, I) for negatives and N(μ on the first 4 features, I) for positives,
 * scored with the exact posterior of the reference distribution (so calibrated when nothing shifts).
 */
function generate(n: number, seed: number, shift: Shift = {}): { x: NamedFeatureMatrix; y: Uint8Array; scores: Float64Array } {
  const random = seededRandom(seed);
  const normal = () => {
    const u = 1 - random.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random.next());
  };
  const prior = shift.prior ?? PRIOR;
  const values = new Float64Array(n * COLS);
  const y = new Uint8Array(n);
  const scores = new Float64Array(n);
  const baseLogit = Math.log(PRIOR / (1 - PRIOR));
  for (let r = 0; r < n; r++) {
    const positive = random.next() < prior;
    y[r] = positive ? 1 : 0;
    let logit = baseLogit;
    for (let c = 0; c < COLS; c++) {
      let v = normal();
      if (positive && c < INFORMATIVE) v += MU + (shift.positiveShift ?? 0);
      if (c === 10) v += shift.featureShift ?? 0;
      values[r * COLS + c] = v;
      if (c < INFORMATIVE) logit += MU * (v - MU / 2);
    }
    scores[r] = 1 / (1 + Math.exp(-logit));
  }
  return { x: { values, rows: n, cols: COLS, names: [...NAMES] }, y, scores };
}

function window(n: number, seed: number, shift: Shift = {}, labelled = true): DriftWindow {
  const { x, y, scores } = generate(n, seed, shift);
  return { features: x, scores, labels: labelled ? Int8Array.from(y) : undefined };
}

let cachedReference: DriftReference | null = null;
function reference(): DriftReference {
  if (cachedReference === null) {
    const training = generate(20_000, 1);
    const validation = generate(50_000, 2);
    const perClass = classificationReport(validation.y, validation.scores, THRESHOLD).perClass;
    cachedReference = buildDriftReference(training.x, training.y, validation.scores, THRESHOLD, perClass);
  }
  return cachedReference;
}

/** Windows in order through the report and the hysteresis; returns per-window drifted flags and the first fire. */
function monitor(
  windows: (i: number) => DriftWindow,
  count: number,
  holdWindows = 3,
): { drifted: boolean[]; firstFire: number | null; fires: number; reasons: string[][] } {
  const ref = reference();
  let state: DriftHysteresisState = initialDriftHysteresisState();
  const drifted: boolean[] = [];
  const reasons: string[][] = [];
  let firstFire: number | null = null;
  let fires = 0;
  for (let i = 0; i < count; i++) {
    const report = driftReport(ref, windows(i));
    drifted.push(report.drifted);
    reasons.push(report.reasons);
    const step = stepDriftHysteresis(state, { drifted: report.drifted, atMs: i * 3_600_000 }, { holdWindows, coolDownMs: 6 * 3_600_000 });
    state = step.state;
    if (step.fire) {
      fires++;
      firstFire ??= i + 1;
    }
  }
  return { drifted, firstFire, fires, reasons };
}

describe('drift reference', () => {
  it('is JSON-plain and capped', () => {
    const ref = reference();
    expect(JSON.parse(JSON.stringify(ref))).toEqual(ref);
    expect(ref.features).toHaveLength(COLS);
    expect(ref.features[0]!.sample).toHaveLength(5000);
    expect(ref.features[0]!.bins.proportions).toHaveLength(10);
    expect(ref.prediction.sample).toHaveLength(5000);
    expect(ref.labelPrior.n).toBe(20_000);
    expect(ref.labelPrior.positive).toBeGreaterThan(0.015);
    expect(ref.labelPrior.positive).toBeLessThan(0.025);
    expect(ref.features[0]!.positiveSample.length).toBe(Math.round(ref.labelPrior.positive * 20_000));
    for (const f of ref.features) expect([...f.sample].sort((a, b) => a - b)).toEqual(f.sample);
  });

  it('repeats by seed', () => {
    const training = generate(3000, 5);
    const perClass = { positive: { recall: 0.7, precision: 0.6 }, negative: { recall: 0.99, precision: 0.99 } };
    const a = buildDriftReference(training.x, training.y, training.scores, THRESHOLD, perClass, { sampleCap: 500, seed: 3 });
    expect(buildDriftReference(training.x, training.y, training.scores, THRESHOLD, perClass, { sampleCap: 500, seed: 3 })).toEqual(a);
    expect(a.features[0]!.sample).toHaveLength(500);
  });
});

describe('drift report on stationary windows', () => {
  it('rarely flags drift, and never fires with hysteresis h = 3', () => {
    const count = 60;
    const { drifted, fires, reasons } = monitor((i) => window(2000, 10_000 + i), count);
    const flagged = drifted.filter(Boolean).length;
    console.log(
      `false-alarm rate: ${flagged} of ${count} stationary windows flagged drifted (${((100 * flagged) / count).toFixed(1)}%); ` +
        `hysteresis (h = 3) fires: ${fires}` +
        (flagged > 0 ? `; reasons: ${JSON.stringify(reasons.filter((r) => r.length > 0))}` : ''),
    );
    expect(flagged).toBeLessThanOrEqual(3);
    expect(fires).toBe(0);
  });

  it('reports every section with JSON-plain numbers', () => {
    const report = driftReport(reference(), window(2000, 77));
    expect(JSON.parse(JSON.stringify(report))).toEqual(report);
    expect(report.rows).toBe(2000);
    expect(report.labelled).toBe(2000);
    expect(report.features).toHaveLength(COLS);
    for (const f of report.features) {
      expect(f.psi).toBeLessThan(0.05);
      expect(f.ks).toBeLessThan(0.1);
      expect(f.qValue).toBeGreaterThanOrEqual(f.pValue!);
    }
    expect(report.minorityFeatures).toHaveLength(COLS);
    expect(report.labelShift?.status).toBe('tested');
    expect(report.predictionShift?.drifted).toBe(false);
    expect(report.performance?.perClass.positive.recall.status).toBe('ok');
    expect(report.estimatedPerformance?.perClass.positive.recall.status).toBe('ok');
  });
});

describe('drift report on shifts of the rare class', () => {
  it('detects a tripled positive rate and fires within h + 2 windows', () => {
    const { drifted, firstFire, reasons } = monitor((i) => window(2000, 20_000 + i, { prior: 3 * PRIOR }), 5);
    expect(firstFire).not.toBeNull();
    expect(firstFire!).toBeLessThanOrEqual(3 + 2);
    expect(drifted.filter(Boolean).length).toBeGreaterThanOrEqual(3);
    expect(reasons[0]!.some((r) => r.startsWith('label prior shifted: positive rate 0.0'))).toBe(true);
  });

  it('detects the positives moving by 1 sd on the labelled positives and fires within h + 2 windows', () => {
    const { firstFire, reasons } = monitor((i) => window(2000, 30_000 + i, { positiveShift: 1 }), 5);
    expect(firstFire).not.toBeNull();
    expect(firstFire!).toBeLessThanOrEqual(3 + 2);
    expect(reasons[0]!.some((r) => /^feature "x[0-3]" shifted among the \d+ labelled positives: KS D /.test(r))).toBe(true);
  });

  it('detects the positives moving 1 sd towards the negatives as a recall drop', () => {
    const { firstFire, reasons } = monitor((i) => window(2000, 40_000 + i, { positiveShift: -1 }), 5);
    expect(firstFire).not.toBeNull();
    expect(firstFire!).toBeLessThanOrEqual(3 + 2);
    expect(reasons[0]!.some((r) => r.startsWith('positive recall '))).toBe(true);
  });

  it('detects the same shift without labels through the predicted-positive rate', () => {
    const { firstFire, reasons } = monitor((i) => window(2000, 50_000 + i, { positiveShift: -1 }, false), 5);
    expect(firstFire).not.toBeNull();
    expect(firstFire!).toBeLessThanOrEqual(3 + 2);
    expect(reasons[0]!.some((r) => r.startsWith('predicted-positive rate '))).toBe(true);
  });

  it('flags a feature only when it is significant and large', () => {
    const report = driftReport(reference(), window(2000, 60_000, { featureShift: 0.5 }));
    const x10 = report.features.find((f) => f.name === 'x10')!;
    expect(x10.drifted).toBe(true);
    expect(report.features.filter((f) => f.drifted).map((f) => f.name)).toEqual(['x10']);
    expect(report.reasons.some((r) => r.startsWith('feature "x10" shifted: PSI '))).toBe(true);
    // A shift of 0.1 sd is significant with 40,000 rows but small (PSI ≈ 0.01, D ≈ 0.04): not flagged.
    const tiny = driftReport(reference(), window(40_000, 60_001, { featureShift: 0.1 }));
    const t = tiny.features.find((f) => f.name === 'x10')!;
    expect(t.qValue!).toBeLessThan(0.01);
    expect(t.drifted).toBe(false);
  });
});

describe('drift report with late labels', () => {
  const late = (n: number, seed: number, shift: Shift = {}) => {
    const w = window(n, seed, shift);
    return { features: w.features, scores: w.scores, labels: w.labels!, name: 'the window 30 d earlier' };
  };

  it("judges the labels of the earlier rows and never reads the window's own", () => {
    // This window's labels say the positive rate tripled; the earlier window's complete labels say it held.
    const report = driftReport(reference(), { ...window(2000, 70_000, { prior: 3 * PRIOR }), labelledRows: late(2000, 70_001) });
    expect(report.labelShift!.drifted).toBe(false);
    expect(report.reasons.filter((r) => r.startsWith('label prior'))).toEqual([]);
    expect(report.labelsFrom).toEqual({ name: 'the window 30 d earlier' });
  });

  it('finds a shift in the earlier rows and names them', () => {
    const report = driftReport(reference(), { ...window(2000, 70_002), labelledRows: late(2000, 70_003, { positiveShift: -1 }) });
    expect(report.drifted).toBe(true);
    expect(report.reasons.some((r) => /^positive recall .* \(the window 30 d earlier\)$/.test(r))).toBe(true);
    expect(report.features.some((f) => f.drifted)).toBe(false);
  });

  it('lets the label-free estimate judge this window, since the labels measure another', () => {
    // Positives moved towards the negatives now; the earlier window was fine.
    const report = driftReport(reference(), { ...window(4000, 70_004, { positiveShift: -1 }, false), labelledRows: late(2000, 70_005) });
    expect(report.performance!.dropped).toBe(false);
    expect(report.estimatesSetAside).toEqual([]);
    expect(report.drifted).toBe(true);
  });

  it('reports no labelled rows when the earlier window held none', () => {
    const empty = {
      features: { rows: 0, cols: COLS, values: new Float64Array(0), names: [...NAMES] },
      scores: new Float64Array(0),
      labels: new Int8Array(0),
      name: 'the window 30 d earlier',
    };
    const report = driftReport(reference(), { ...window(2000, 70_006), labelledRows: empty });
    expect(report.labelled).toBe(0);
    expect(report.insufficient).toContain('label-prior and measured performance not run: no labelled rows in the window 30 d earlier');
  });
});

describe('drift report with too little data', () => {
  it('reports small windows and a 1-in-1,000 prior as insufficient, with the numbers', () => {
    const training = generate(10_000, 3, { prior: 0.001 });
    const y = new Uint8Array(10_000);
    for (let i = 0; i < 10; i++) y[i * 1000] = 1; // exactly 1 in 1,000
    const perClass = { positive: { recall: 0.7, precision: 0.6 }, negative: { recall: 0.99, precision: 0.99 } };
    const ref = buildDriftReference(training.x, y, training.scores, THRESHOLD, perClass);
    const small = window(150, 4, { prior: 0.001 });
    const report = driftReport(ref, small);
    expect(report.features.every((f) => f.psi === null && !f.drifted)).toBe(true);
    expect(report.predictionShift).toBeNull();
    expect(report.insufficient).toContain('feature and prediction tests not run: the window has 150 rows, below the minimum 200');
    const w200 = window(200, 5, { prior: 0.001 });
    const labels = new Int8Array(200); // all negative
    const r200 = driftReport(ref, { ...w200, labels });
    expect(r200.labelShift?.status).toBe('insufficient');
    expect(r200.insufficient).toContain(
      'label-prior test not run: the positive class expects 200 rows × prior 0.001 = 0.2 (observed 0), below the minimum expected count 5; it needs at least 5000 labelled rows',
    );
    expect(r200.insufficient).toContain('minority-class feature tests not run: 0 labelled positives, below the minimum 30');
    expect(r200.reasons).toEqual([]);
    expect(r200.drifted).toBe(false);
    const unlabelled = driftReport(ref, { ...w200, labels: new Int8Array(200).fill(-1) });
    expect(unlabelled.labelled).toBe(0);
    expect(unlabelled.performance).toBeNull();
    expect(unlabelled.insufficient).toContain('label-prior and measured performance not run: no labelled rows in the window');
  });

  it('lets labels decide the metrics they measure; the estimate decides only where labels are missing', () => {
    const w = window(3000, 7);
    // Probabilities that understate P(positive) threefold: the estimate of positive precision collapses.
    const miscalibrated = Float64Array.from(w.scores, (s) => s / 3);
    const labelled = driftReport(reference(), { ...w, calibrated: miscalibrated });
    expect(labelled.estimatedPerformance?.perClass.positive.precision.status).toBe('dropped');
    expect(labelled.performance?.perClass.positive.precision.status).toBe('ok');
    expect(labelled.drifted).toBe(false);
    expect(labelled.reasons).toEqual([]);
    expect(
      labelled.estimatesSetAside.some((m) =>
        /^estimated positive precision .*; set aside, the labels measure it: positive precision /.test(m),
      ),
    ).toBe(true);
    const unlabelled = driftReport(reference(), { ...w, labels: new Int8Array(3000).fill(-1), calibrated: miscalibrated });
    expect(unlabelled.drifted).toBe(true);
    expect(unlabelled.estimatesSetAside).toEqual([]);
    expect(unlabelled.reasons.some((m) => m.startsWith('estimated positive precision '))).toBe(true);
  });

  it('skips the estimate when the scores are not probabilities', () => {
    const w = window(300, 6);
    const report = driftReport(reference(), { ...w, scores: Float64Array.from(w.scores, (s) => 10 * s) });
    expect(report.estimatedPerformance).toBeNull();
    expect(report.insufficient).toContain(
      'estimated performance not run: the scores are not probabilities in [0, 1] and no calibrated probabilities were given',
    );
    const withCalibrated = driftReport(reference(), { ...w, scores: Float64Array.from(w.scores, (s) => 10 * s), calibrated: w.scores });
    expect(withCalibrated.estimatedPerformance).not.toBeNull();
  });
});

describe('drift report bad input', () => {
  const ref = () => reference();
  const base = () => window(300, 7);
  const fails = (w: DriftWindow, message: string, subject: string) => {
    let error: unknown;
    try {
      driftReport(ref(), w);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InvalidInputError);
    expect((error as InvalidInputError).message).toBe(message);
    expect((error as InvalidInputError).subject).toBe(subject);
  };

  it('rejects an empty window', () => {
    fails(
      { features: { values: new Float64Array(0), rows: 0, cols: COLS, names: [...NAMES] }, scores: new Float64Array(0) },
      'window.features.rows: expected at least one row, got 0',
      'window.features.rows',
    );
  });

  it('rejects mismatched columns and names', () => {
    const w = base();
    const renamed = [...NAMES];
    renamed[3] = 'x3_v2';
    fails(
      { ...w, features: { ...w.features, names: renamed } },
      'window.features.names: expected the 40 reference features (any order), got 40 columns: missing "x3"; not in the reference "x3_v2"; rebuild the reference after a schema change',
      'window.features.names',
    );
    fails(
      { ...w, features: { ...w.features, names: NAMES.slice(1) } },
      'window.features.names: expected 40 column names (one per column), got 39',
      'window.features.names',
    );
    fails(
      { ...w, features: { ...w.features, cols: 39 } },
      'window.features.values: expected 300×39 = 11700 values, got 12000',
      'window.features.values',
    );
    const dup = [...NAMES];
    dup[1] = 'x0';
    fails(
      { ...w, features: { ...w.features, names: dup } },
      'window.features.names: expected distinct names, got "x0" twice',
      'window.features.names',
    );
  });

  it('accepts the reference columns in another order', () => {
    const w = base();
    const { rows } = w.features;
    const values = new Float64Array(rows * COLS);
    for (let r = 0; r < rows; r++) for (let c = 0; c < COLS; c++) values[r * COLS + c] = w.features.values[r * COLS + (COLS - 1 - c)]!;
    const reversed = driftReport(ref(), { ...w, features: { values, rows, cols: COLS, names: [...NAMES].reverse() } });
    expect(reversed.features).toEqual(driftReport(ref(), w).features);
  });

  it('rejects NaN in features, naming the column', () => {
    const w = base();
    const values = Float64Array.from(w.features.values);
    values[5 * COLS + 7] = NaN;
    fails(
      { ...w, features: { ...w.features, values } },
      'window.features column "x7": expected finite values, got NaN at row 5; impute or drop missing values before the drift check',
      'window.features column "x7"',
    );
  });

  it('rejects scores and labels of the wrong length or value', () => {
    const w = base();
    fails({ ...w, scores: w.scores.subarray(1) }, 'window.scores: expected 300 scores (one per row), got 299', 'window.scores');
    fails(
      { ...w, labels: new Int8Array(299) },
      'window.labels: expected an Int8Array of 300 labels (one per row; −1 = unknown), got 299',
      'window.labels',
    );
    const labels = new Int8Array(300);
    labels[9] = 2;
    fails({ ...w, labels }, 'window.labels: expected 0, 1 or −1 (unknown), got 2 at row 9', 'window.labels');
    expect(() => driftReport(ref(), w, { fdr: 2 })).toThrow('fdr: expected a rate in (0, 1), got 2');
  });

  it('rejects bad reference inputs', () => {
    const training = generate(500, 8);
    const perClass = { positive: { recall: 0.7, precision: 0.6 }, negative: { recall: 0.99, precision: 0.99 } };
    expect(() => buildDriftReference(training.x, new Uint8Array(500), training.scores, THRESHOLD, perClass)).toThrow(
      'trainingLabels: expected both classes, got 0 positives in 500 rows',
    );
    expect(() => buildDriftReference(training.x, training.y.subarray(1), training.scores, THRESHOLD, perClass)).toThrow(
      'trainingLabels: expected a Uint8Array of 500 labels (one per training row), got 499',
    );
    expect(() => buildDriftReference(training.x, training.y, new Float64Array(0), THRESHOLD, perClass)).toThrow(
      'validationScores: expected a non-empty Float64Array',
    );
  });
});
