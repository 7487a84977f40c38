// `npm run bench:drift`: the drift report on seeded windows. It counts false alarms on stationary traffic
// (window flags, and retrain signals after hysteresis), measures detection of shifts of the rare class, and
// times a window against scipy + numpy doing the feature tests (KS, PSI on reference quantile bins,
// Benjamini–Hochberg) and the label-prior chi-square on the same windows (bench/peers/driftPeer.py).
// Env: BENCH_DRIFT_WINDOWS (stationary windows, default 300), BENCH_DRIFT_ROWS (rows per window, default 2000),
// BENCH_NO_PEERS=1 to skip the peer.

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { initialDriftHysteresisState, stepDriftHysteresis } from '../core/drift/driftHysteresis.js';
import { buildDriftReference } from '../core/drift/driftReference.js';
import { driftReport } from '../core/drift/driftReport.js';
import type { DriftWindow } from '../core/drift/driftWindow.js';
import { classificationReport } from '../core/metrics/classMetrics.js';
import { seededRandom } from '../core/random.js';
import { packageRoot } from '../infra/rareflowConfig.js';
import { processPeakMb } from './benchResults.js';
import { peerPython } from './peerVenv.js';
import { measureProcess } from './processPeak.js';

const stationaryWindows = Number(process.env.BENCH_DRIFT_WINDOWS ?? 300);
const rowsPerWindow = Number(process.env.BENCH_DRIFT_ROWS ?? 2000);
const cols = 40;
const informative = 4;
const separation = 1.5;
const prior = 0.02;
const threshold = 0.2;
const holdWindows = 3;
const names = Array.from({ length: cols }, (_, c) => `x${c}`);

interface Shift {
  prior?: number;
  /** Added to the positives' informative features (sd). */
  positiveShift?: number;
  /** Added to every row's informative features (sd). */
  allShift?: number;
}

/** Negatives N(0, I), positives N(separation on the informative features, I), scored by the exact posterior. */
function rows(n: number, seed: number, shift: Shift = {}) {
  const random = seededRandom(seed);
  const normal = () => Math.sqrt(-2 * Math.log(1 - random.next())) * Math.cos(2 * Math.PI * random.next());
  const values = new Float64Array(n * cols);
  const y = new Uint8Array(n);
  const scores = new Float64Array(n);
  const base = Math.log(prior / (1 - prior));
  for (let r = 0; r < n; r++) {
    const positive = random.next() < (shift.prior ?? prior);
    y[r] = positive ? 1 : 0;
    let logit = base;
    for (let c = 0; c < cols; c++) {
      let v = normal();
      if (c < informative) {
        v += (shift.allShift ?? 0) + (positive ? separation + (shift.positiveShift ?? 0) : 0);
        logit += separation * (v - separation / 2);
      }
      values[r * cols + c] = v;
    }
    scores[r] = 1 / (1 + Math.exp(-logit));
  }
  return { values, y, scores };
}

const train = rows(20_000, 1);
const validation = rows(10_000, 2);
const reference = buildDriftReference(
  { values: train.values, rows: 20_000, cols, names },
  train.y,
  validation.scores,
  threshold,
  classificationReport(validation.y, validation.scores, threshold).perClass,
  { seed: 3 },
);

function windowOf(seed: number, shift: Shift, labelled: boolean): { window: DriftWindow; values: Float64Array; y: Uint8Array } {
  const w = rows(rowsPerWindow, seed, shift);
  return {
    window: {
      features: { values: w.values, rows: rowsPerWindow, cols, names },
      scores: w.scores,
      ...(labelled ? { labels: Int8Array.from(w.y) } : {}),
    },
    values: w.values,
    y: w.y,
  };
}

/** Runs `count` windows; returns the flagged windows, the first hysteresis fire and the time per window. */
function run(count: number, seed: number, shift: Shift, labelled: boolean) {
  let state = initialDriftHysteresisState();
  let flagged = 0;
  let fires = 0;
  let firstFire: number | null = null;
  let ms = 0;
  const reasons = new Map<string, number>();
  for (let i = 0; i < count; i++) {
    const { window } = windowOf(seed + i, shift, labelled);
    const t = performance.now();
    const report = driftReport(reference, window);
    ms += performance.now() - t;
    if (report.drifted) {
      flagged += 1;
      for (const r of report.reasons) {
        // The test's name: the words before the first number, quote or parenthesis.
        const kind = (/^[^0-9("]+/.exec(r)?.[0] ?? r).trim();
        reasons.set(kind, (reasons.get(kind) ?? 0) + 1);
      }
    }
    const step = stepDriftHysteresis(
      state,
      { drifted: report.drifted, atMs: (i + 1) * 60_000 },
      { holdWindows, coolDownMs: 6 * 3_600_000 },
    );
    state = step.state;
    if (step.fire) {
      fires += 1;
      firstFire ??= i + 1;
    }
  }
  return { flagged, fires, firstFire, msPerWindow: ms / count, reasons: [...reasons.entries()].map(([k, v]) => `${k} ${v}`).join(', ') };
}

const say = (s: string) => process.stdout.write(`${s}\n`);
say(
  `drift bench: ${cols} features (${informative} informative), ${rowsPerWindow} rows per window, prior ${prior}, hold ${holdWindows} windows; node ${process.version}`,
);
say('');
say('| traffic | windows | labels | windows flagged | retrain signals (hold 3) | first signal at window | ms per window | what flagged |');
say('|---|---|---|---|---|---|---|---|');
const cases: Array<[string, number, Shift, boolean]> = [
  ['stationary', stationaryWindows, {}, true],
  ['stationary', stationaryWindows, {}, false],
  ['positive rate × 3', 50, { prior: prior * 3 }, true],
  ['positive rate × 2', 50, { prior: prior * 2 }, true],
  ['positive rate × 2', 50, { prior: prior * 2 }, false],
  ['positives +1 sd (minority only)', 50, { positiveShift: 1 }, true],
  ['positives −1 sd (minority only)', 50, { positiveShift: -1 }, true],
  ['positives −1 sd (minority only)', 50, { positiveShift: -1 }, false],
  ['all rows −0.5 sd on informative features', 50, { allShift: -0.5 }, false],
];
let seedBase = 1000;
const stationary = run(stationaryWindows, seedBase, {}, true);
for (const [name, count, shift, labelled] of cases) {
  const r = name === 'stationary' && labelled ? stationary : run(count, (seedBase += 1000), shift, labelled);
  say(
    `| ${name} | ${count} | ${labelled ? 'all' : 'none'} | ${r.flagged} (${((100 * r.flagged) / count).toFixed(1)}%) | ${r.fires} | ${r.firstFire ?? '—'} | ${r.msPerWindow.toFixed(1)} | ${r.reasons || '—'} |`,
  );
}
say(`\npeak RSS of this process after every run above: ${processPeakMb()} MB`);

// The peer: scipy + numpy on the same stationary windows (feature tests and the label prior only).
const root = packageRoot();
const python = peerPython();
if (!python) {
  say('\npeer skipped (BENCH_NO_PEERS set, or the venv .rareflow/bench-venv could not be set up)');
} else {
  const work = join(root, '.rareflow', 'bench');
  mkdirSync(work, { recursive: true });
  const peerWindows = Math.min(100, stationaryWindows);
  const trainFile = join(work, 'drift-train.f64');
  const windowsFile = join(work, 'drift-windows.f64');
  const labelsFile = join(work, 'drift-labels.u8');
  writeFileSync(trainFile, Buffer.from(train.values.buffer));
  const all = new Float64Array(peerWindows * rowsPerWindow * cols);
  const labels = new Uint8Array(peerWindows * rowsPerWindow);
  const windows: DriftWindow[] = [];
  for (let i = 0; i < peerWindows; i++) {
    const w = windowOf(50_000 + i, {}, true);
    all.set(w.values, i * rowsPerWindow * cols);
    labels.set(w.y, i * rowsPerWindow);
    windows.push(w.window);
  }
  writeFileSync(windowsFile, Buffer.from(all.buffer));
  writeFileSync(labelsFile, Buffer.from(labels.buffer));
  const t = performance.now();
  let oursFlagged = 0;
  for (const w of windows) if (driftReport(reference, w).features.some((f) => f.drifted)) oursFlagged += 1;
  const oursMs = (performance.now() - t) / peerWindows;
  const script = fileURLToPath(new URL('../../bench/peers/driftPeer.py', import.meta.url));
  const oursPeakMb = processPeakMb();
  const peerRun = await measureProcess(python, [
    script,
    trainFile,
    windowsFile,
    labelsFile,
    String(20_000),
    String(peerWindows),
    String(rowsPerWindow),
    String(cols),
    String(prior),
  ]);
  if (peerRun.status !== 0) throw new Error(`driftPeer.py failed: ${peerRun.stderr.slice(-2000)}`);
  const peer = JSON.parse(peerRun.stdout) as { msPerWindow: number; featureFlagged: number };
  say(
    `\nsame ${peerWindows} stationary windows, feature tests: ours ${oursMs.toFixed(1)} ms per window for the whole report (features, prior, predictions, performance, label-free estimate), ` +
      `scipy + numpy ${peer.msPerWindow.toFixed(1)} ms for KS + PSI + BH + chi-square only (ratio ${(oursMs / peer.msPerWindow).toFixed(2)}); ` +
      `windows with a drifted feature: ours ${oursFlagged}, peer ${peer.featureFlagged} (same rule: q ≤ 0.01 and PSI ≥ 0.2 or D ≥ 0.1); ` +
      `peak RSS: this process ${oursPeakMb} MB, the peer's ${peerRun.peakMb} MB`,
  );
}
