// The run report: JSON-plain run data in, one self-contained HTML page out (inline SVG and CSS, no scripts,
// no network), showing class counts per stage, the confusion matrix, PR, reliability and threshold curves and the gates.

import type { GateEvaluation } from '../gates/evaluateGates.js';
import { describeGateCheck } from '../gates/evaluateGates.js';
import type { ClassificationReport } from '../metrics/classMetrics.js';
import type { ConfusionMatrix } from '../metrics/confusion.js';
import { prCurve, thresholdCurve, type PrCurve, type ThresholdCurve } from '../metrics/curves.js';
import { calibrationBins, type CalibrationBin } from '../metrics/rankingMetrics.js';
import { candidateOutcome, type ModelSelection } from '../models/modelSelection.js';
import { escapeHtml, fmt, px, reportPage } from './reportPage.js';

export interface StageClassCounts {
  /** e.g. "input", "after sampling", "after noise filtering", "after ADASYN". */
  stage: string;
  negatives: number;
  positives: number;
}

export interface RunReportData {
  title: string;
  /** Free lines under the title: run id, dataset, model, seed. */
  details?: string[];
  classCounts: StageClassCounts[];
  /** What each stage did, in its own words (the sampler's early stop, the noise filter's rows, ADASYN's k). */
  stageNotes?: Array<{ stage: string; note: string }>;
  confusion: ConfusionMatrix;
  threshold: number;
  thresholdReason?: string;
  prCurve: PrCurve;
  /** Positive-class reliability bins. */
  reliability: CalibrationBin[];
  thresholdCurve: ThresholdCurve;
  /** Headline metrics; a note is shown next to the value (e.g. ROC-AUC's imbalance caveat). */
  metrics?: Array<{ name: string; value: number | null; note?: string }>;
  gates?: GateEvaluation;
  /** How `model.kind: "auto"` chose the model (the model file's `selection`), shown as a table. */
  selection?: ModelSelection;
}

export interface RunReportCurveOptions {
  /**
   * Equal-width reliability bins on [0, 1].
   * @default 10
   */
  reliabilityBins?: number;
  /**
   * Most points kept per curve (evenly strided, ends kept), so a report on a million rows stays small.
   * @default 400
   */
  maxPoints?: number;
  /**
   * How many times each negative counts in the precision–recall curve (see ClassificationReportOptions).
   * @default 1
   */
  negativeWeight?: number;
}

/** Keep at most `max` indices of `n`, evenly spaced, always including the first and last. */
function strideIndices(n: number, max: number): number[] {
  if (n <= max) return Array.from({ length: n }, (_, i) => i);
  const out: number[] = [];
  for (let k = 0; k < max; k++) out.push(Math.round((k * (n - 1)) / (max - 1)));
  return out;
}

/** The curve data of a report from labels and positive-class scores. */
export function runReportCurves(
  yTrue: Uint8Array,
  scores: Float64Array,
  options: RunReportCurveOptions = {},
): Pick<RunReportData, 'prCurve' | 'thresholdCurve' | 'reliability'> {
  const maxPoints = options.maxPoints ?? 400;
  const pr = prCurve(yTrue, scores, options.negativeWeight ?? 1);
  const th = thresholdCurve(yTrue, scores);
  const prKeep = strideIndices(pr.thresholds.length, maxPoints);
  const thKeep = strideIndices(th.thresholds.length, maxPoints);
  const pick = (a: number[], keep: number[]): number[] => keep.map((i) => a[i]!);
  return {
    prCurve: {
      thresholds: pick(pr.thresholds, prKeep),
      recall: pick(pr.recall, prKeep),
      precision: pick(pr.precision, prKeep),
      baseline: pr.baseline,
    },
    thresholdCurve: {
      thresholds: pick(th.thresholds, thKeep),
      tpr: pick(th.tpr, thKeep),
      tnr: pick(th.tnr, thKeep),
      gMean: pick(th.gMean, thKeep),
    },
    reliability: calibrationBins(yTrue, scores, options.reliabilityBins ?? 10),
  };
}

const WIDTH = 420;
const HEIGHT = 300;
const M = { left: 48, right: 16, top: 28, bottom: 40 };
const PLOT_W = WIDTH - M.left - M.right;
const PLOT_H = HEIGHT - M.top - M.bottom;

interface Series {
  name: string;
  xs: number[];
  ys: number[];
  color: string;
  dashed?: boolean;
  /** Draw as a step function (PR curves) rather than straight segments. */
  step?: boolean;
  markers?: boolean;
}

/** A [0,1]×[0,1] line chart with axes, ticks, a legend and one <path> per series. */
function lineChart(title: string, xLabel: string, yLabel: string, series: Series[]): string {
  const x = (v: number) => M.left + v * PLOT_W;
  const y = (v: number) => M.top + (1 - v) * PLOT_H;
  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${WIDTH} ${HEIGHT}" width="${WIDTH}" height="${HEIGHT}" role="img" aria-label="${escapeHtml(title)}">`,
  );
  parts.push(`<text x="${WIDTH / 2}" y="16" text-anchor="middle" class="t">${escapeHtml(title)}</text>`);
  const grid: string[] = [];
  for (let k = 0; k <= 4; k++) {
    const v = k / 4;
    grid.push(`M${px(x(0))},${px(y(v))}H${px(x(1))}`, `M${px(x(v))},${px(y(0))}V${px(y(1))}`);
    parts.push(`<text x="${px(x(v))}" y="${px(y(0) + 14)}" text-anchor="middle">${v}</text>`);
    parts.push(`<text x="${px(x(0) - 6)}" y="${px(y(v) + 4)}" text-anchor="end">${v}</text>`);
  }
  parts.push(`<path d="${grid.join('')}" class="grid"/>`);
  parts.push(`<path d="M${px(x(0))},${px(y(1))}V${px(y(0))}H${px(x(1))}" class="axis"/>`);
  parts.push(`<text x="${px(x(0.5))}" y="${HEIGHT - 6}" text-anchor="middle">${escapeHtml(xLabel)}</text>`);
  parts.push(`<text transform="translate(12 ${px(y(0.5))}) rotate(-90)" text-anchor="middle">${escapeHtml(yLabel)}</text>`);
  series.forEach((s, i) => {
    if (s.xs.length === 0) return;
    const clamp = (v: number) => Math.min(1, Math.max(0, v));
    let d = `M${px(x(clamp(s.xs[0]!)))},${px(y(clamp(s.ys[0]!)))}`;
    for (let k = 1; k < s.xs.length; k++) {
      if (s.step) d += `H${px(x(clamp(s.xs[k]!)))}`;
      d += `${s.step ? 'V' + px(y(clamp(s.ys[k]!))) : `L${px(x(clamp(s.xs[k]!)))},${px(y(clamp(s.ys[k]!)))}`}`;
    }
    parts.push(`<path d="${d}" fill="none" stroke="${s.color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="5 4"' : ''}/>`);
    if (s.markers) {
      for (let k = 0; k < s.xs.length; k++)
        parts.push(`<circle cx="${px(x(clamp(s.xs[k]!)))}" cy="${px(y(clamp(s.ys[k]!)))}" r="3" fill="${s.color}"/>`);
    }
    const ly = M.top + 12 + i * 14;
    parts.push(`<path d="M${px(x(0.62))},${ly - 4}h16" stroke="${s.color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="5 4"' : ''}/>`);
    parts.push(`<text x="${px(x(0.62) + 20)}" y="${ly}">${escapeHtml(s.name)}</text>`);
  });
  parts.push('</svg>');
  return parts.join('');
}

/** Grouped bars per stage (negatives, positives) on a log₁₀ axis, each bar labelled with its count. */
function classCountChart(stages: StageClassCounts[]): string {
  const width = Math.max(WIDTH, 120 + stages.length * 110);
  const plotW = width - M.left - M.right;
  const max = Math.max(10, ...stages.flatMap((s) => [s.negatives, s.positives]));
  const top = Math.ceil(Math.log10(max));
  const y = (count: number) => M.top + (1 - (count <= 1 ? 0 : Math.log10(count) / top)) * PLOT_H;
  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${HEIGHT}" width="${width}" height="${HEIGHT}" role="img" aria-label="class counts per stage">`,
  );
  parts.push(`<text x="${width / 2}" y="16" text-anchor="middle" class="t">Class counts per stage (log scale)</text>`);
  const grid: string[] = [];
  for (let p = 0; p <= top; p++) {
    grid.push(`M${M.left},${px(y(10 ** p))}h${plotW}`);
    parts.push(`<text x="${M.left - 6}" y="${px(y(10 ** p) + 4)}" text-anchor="end">1e${p}</text>`);
  }
  parts.push(`<path d="${grid.join('')}" class="grid"/>`);
  const slot = plotW / Math.max(1, stages.length);
  const barW = Math.min(36, slot / 3);
  stages.forEach((s, i) => {
    const cx = M.left + slot * (i + 0.5);
    const bars: Array<[number, string, number]> = [
      [s.negatives, '#7f8fa6', cx - barW - 2],
      [s.positives, '#d35400', cx + 2],
    ];
    for (const [count, color, left] of bars) {
      const top = y(Math.max(1, count));
      parts.push(
        `<path d="M${px(left)},${px(y(1))}V${px(top)}h${px(barW)}V${px(y(1))}Z" fill="${color}"><title>${escapeHtml(`${s.stage}: ${count}`)}</title></path>`,
      );
      parts.push(`<text x="${px(left + barW / 2)}" y="${px(top - 4)}" text-anchor="middle">${count}</text>`);
    }
    parts.push(`<text x="${px(cx)}" y="${HEIGHT - 20}" text-anchor="middle">${escapeHtml(s.stage)}</text>`);
  });
  parts.push(`<path d="M${M.left},${M.top}V${px(y(1))}h${plotW}" class="axis"/>`);
  parts.push(
    `<text x="${width - 150}" y="${M.top + 4}" fill="#7f8fa6">■ negatives</text><text x="${width - 70}" y="${M.top + 4}" fill="#d35400">■ positives</text>`,
  );
  parts.push('</svg>');
  return parts.join('');
}

/** The 2×2 confusion matrix as shaded cells (shade = share of the row's true class). */
function confusionChart(c: ConfusionMatrix): string {
  const size = 110;
  const left = 120;
  const top = 50;
  const cells: Array<[number, number, number, number, string]> = [
    [0, 0, c.tn, c.tn + c.fp, 'TN'],
    [0, 1, c.fp, c.tn + c.fp, 'FP'],
    [1, 0, c.fn, c.tp + c.fn, 'FN'],
    [1, 1, c.tp, c.tp + c.fn, 'TP'],
  ];
  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${left + 2 * size + 20} ${top + 2 * size + 20}" width="${left + 2 * size + 20}" height="${top + 2 * size + 20}" role="img" aria-label="confusion matrix">`,
  );
  parts.push(`<text x="${left + size}" y="16" text-anchor="middle" class="t">Confusion matrix</text>`);
  parts.push(
    `<text x="${left + size / 2}" y="${top - 8}" text-anchor="middle">predicted negative</text><text x="${left + 1.5 * size}" y="${top - 8}" text-anchor="middle">predicted positive</text>`,
  );
  parts.push(
    `<text x="${left - 8}" y="${top + size / 2}" text-anchor="end">true negative</text><text x="${left - 8}" y="${top + 1.5 * size}" text-anchor="end">true positive</text>`,
  );
  for (const [row, col, count, rowTotal, label] of cells) {
    const share = rowTotal === 0 ? 0 : count / rowTotal;
    const good = row === col;
    const color = good ? `rgba(39,174,96,${px(0.15 + 0.7 * share)})` : `rgba(192,57,43,${px(0.15 + 0.7 * share)})`;
    const x0 = left + col * size;
    const y0 = top + row * size;
    parts.push(`<path d="M${x0},${y0}h${size}v${size}h-${size}Z" fill="${color}" stroke="#fff" stroke-width="2"/>`);
    parts.push(`<text x="${x0 + size / 2}" y="${y0 + size / 2}" text-anchor="middle" class="big">${count}</text>`);
    parts.push(
      `<text x="${x0 + size / 2}" y="${y0 + size / 2 + 18}" text-anchor="middle">${label} · ${fmt(share * 100, 1)}% of row</text>`,
    );
  }
  parts.push('</svg>');
  return parts.join('');
}

export function selectionTable(s: ModelSelection): string {
  const spread = (m: { mean: number; sd: number } | undefined) => (m ? `${fmt(m.mean, 4)} ± ${fmt(m.sd, 4)}` : '—');
  const rows = s.candidates.map(
    (c) =>
      `<tr${c.name === s.chosen ? ' class="pass"' : ''}><td>${escapeHtml(c.name)}</td><td>${spread(c.gMean)}</td><td>${spread(c.prAuc)}</td><td>${escapeHtml(c.thresholdPolicy ?? '—')}</td><td>${fmt(c.relativeCost, 2)}</td><td>${fmt(c.seconds, 2)}</td><td>${escapeHtml(candidateOutcome(c, s.chosen))}</td></tr>`,
  );
  const plan = `${s.folds} folds × ${s.repeats} repeats on the training rows${s.foldNote ? ` (${s.foldNote})` : ''}, budget ${s.budgetSeconds}s`;
  return `<p>Chosen: <b>${escapeHtml(s.chosen)}</b> with the ${escapeHtml(s.thresholdPolicy)} threshold policy: ${escapeHtml(s.reason)}</p>
<div class="muted">${escapeHtml(plan)}</div>
<table><thead><tr><th>candidate</th><th>G-mean (mean ± sd)</th><th>PR-AUC (mean ± sd)</th><th>threshold policy</th><th>relative cost</th><th>seconds</th><th>outcome</th></tr></thead><tbody>${rows.join('')}</tbody></table>
${(s.warnings ?? []).map((w) => `<div class="muted">${escapeHtml(w)}</div>`).join('\n')}`;
}

export function gateTable(gates: GateEvaluation): string {
  const rows = gates.checks.map((c) => {
    const result = c.passed === null ? 'not judged' : c.passed ? 'pass' : 'fail';
    const interval = c.interval === null ? '—' : `${fmt(c.interval[0])} – ${fmt(c.interval[1])}`;
    return `<tr class="${result.replace(' ', '-')}" title="${escapeHtml(describeGateCheck(c))}"><td>${escapeHtml(c.name)}</td><td>${fmt(c.value, 4)}</td><td>${interval}</td><td>${escapeHtml(c.comparison)} ${fmt(c.limit, 4)}</td><td>${result}</td><td>${escapeHtml(c.reason)}</td></tr>`;
  });
  return `<p class="verdict ${escapeHtml(gates.verdict)}">Verdict: <b>${escapeHtml(gates.verdict)}</b></p>
<table><thead><tr><th>gate</th><th>value</th><th>95% interval</th><th>threshold</th><th>result</th><th>reason</th></tr></thead><tbody>${rows.join('')}</tbody></table>
<ul>${gates.reasons.map((r) => `<li>${escapeHtml(r)}</li>`).join('')}</ul>`;
}

/** Render the report; every string from `data` is escaped, and the page loads nothing from elsewhere. */
export function renderRunReport(data: RunReportData): string {
  const pr = data.prCurve;
  const prChart = lineChart('Precision–recall', 'recall', 'precision', [
    { name: 'model', xs: pr.recall, ys: pr.precision, color: '#2c3e50', step: true },
    { name: `random (π = ${fmt(pr.baseline)})`, xs: [0, 1], ys: [pr.baseline, pr.baseline], color: '#c0392b', dashed: true },
  ]);
  const filled = data.reliability.filter((b) => b.count > 0);
  const reliabilityChart = lineChart('Reliability (positive class)', 'mean predicted probability', 'observed positive rate', [
    { name: 'model', xs: filled.map((b) => b.meanScore!), ys: filled.map((b) => b.positiveRate!), color: '#2c3e50', markers: true },
    { name: 'perfect calibration', xs: [0, 1], ys: [0, 1], color: '#7f8c8d', dashed: true },
  ]);
  const th = data.thresholdCurve;
  const thresholdChart = lineChart(`Threshold (chosen: ${fmt(data.threshold, 4)})`, 'threshold on P(positive)', 'rate', [
    { name: 'TPR (positive recall)', xs: th.thresholds, ys: th.tpr, color: '#d35400', step: true },
    { name: 'TNR (negative recall)', xs: th.thresholds, ys: th.tnr, color: '#2980b9', step: true },
    { name: 'G-mean', xs: th.thresholds, ys: th.gMean, color: '#27ae60' },
    { name: 'chosen threshold', xs: [data.threshold, data.threshold], ys: [0, 1], color: '#7f8c8d', dashed: true },
  ]);
  const notes = (data.stageNotes ?? []).map((n) => `<tr><td>${escapeHtml(n.stage)}</td><td>${escapeHtml(n.note)}</td></tr>`).join('');
  const metrics = (data.metrics ?? [])
    .map((m) => `<tr><td>${escapeHtml(m.name)}</td><td>${fmt(m.value, 4)}</td><td>${escapeHtml(m.note ?? '')}</td></tr>`)
    .join('');
  return reportPage(
    data.title,
    data.details ?? [],
    `<div class="muted">threshold ${fmt(data.threshold, 4)}${data.thresholdReason ? ` — ${escapeHtml(data.thresholdReason)}` : ''}</div>
<h2>Data through the pipeline</h2>
<div class="charts">${classCountChart(data.classCounts)}</div>
${notes ? `<table><thead><tr><th>stage</th><th>what it did</th></tr></thead><tbody>${notes}</tbody></table>` : ''}
<h2>Test-set performance</h2>
<div class="charts">${confusionChart(data.confusion)}${prChart}</div>
${metrics ? `<table><thead><tr><th>metric</th><th>value</th><th>note</th></tr></thead><tbody>${metrics}</tbody></table>` : ''}
<h2>Calibration and threshold</h2>
<div class="charts">${reliabilityChart}${thresholdChart}</div>
${data.selection ? `<h2>Model choice (inner validation)</h2>\n${selectionTable(data.selection)}` : ''}
${data.gates ? `<h2>Gates</h2>\n${gateTable(data.gates)}` : ''}`,
  );
}

/** The headline metrics a report shows for a classification report, ROC-AUC with its imbalance caveat. */
export function headlineMetrics(r: ClassificationReport): NonNullable<RunReportData['metrics']> {
  return [
    { name: 'G-mean', value: r.gMean },
    { name: 'positive recall', value: r.perClass.positive.recall },
    { name: 'positive precision', value: r.perClass.positive.precision },
    { name: 'PR-AUC', value: r.prAuc },
    { name: 'PR-AUC above random (AP − π)', value: r.prAucNormalised },
    { name: 'Brier', value: r.brier },
    { name: 'ROC-AUC', value: r.rocAuc, note: r.rocAucNote },
  ];
}

/** Each stage's note (what it did: the k ADASYN used, the rows the noise filter removed), for the report. */
export function stageNotesOf(stages: ReadonlyArray<{ stage: string; note?: string }> | undefined): Array<{ stage: string; note: string }> {
  return (stages ?? []).flatMap((st) => (st.note ? [{ stage: st.stage, note: st.note }] : []));
}
