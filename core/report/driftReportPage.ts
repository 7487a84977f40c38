// The drift report page of one monitor window or drift event: a DriftReport in, one self-contained HTML page out,
// showing per feature what moved against the training reference, the label prior, the scores, per-class
// performance (measured on feedback labels or estimated) and the verdict in plain words.

import type { CategoricalFeatureDrift } from '../drift/categoricalDrift.js';
import type { DriftReport, FeatureDrift } from '../drift/driftReport.js';
import type { ClassDrift, MetricDrift } from '../drift/performanceDrift.js';
import { classDriftSection } from './classDriftSection.js';
import { binLabels, histogramChart, intervalChart, type IntervalRow } from './distributionChart.js';
import { escapeHtml, fmt, reportPage } from './reportPage.js';

/** The thresholds the verdict used (DriftOptions), so the page can say why a feature did or did not count. */
export interface DriftVerdictThresholds {
  fdr: number;
  psiThreshold: number;
  ksThreshold: number;
}

export interface DriftReportPageData {
  title: string;
  /** Free lines under the title: model, champion, window, rows. */
  details?: string[];
  report: DriftReport;
  /** The champion's validation-score bins and threshold (the reference's `prediction`). */
  scoreReference: { edges: number[]; proportions: number[]; threshold: number };
  thresholds: DriftVerdictThresholds;
}

const EXTRA_STYLE = `tr.drifted td{background:#fdecea}.verdict.drift b{color:#c0392b}.verdict.steady b{color:#27ae60}
td.num{text-align:right;font-variant-numeric:tabular-nums}`;

const q = (v: number | null): string => (v === null ? '—' : v < 1e-3 ? v.toExponential(2) : fmt(v, 4));

/** Whether a numeric feature counted towards the verdict, and if not, which condition it missed. */
export function numericFeatureCount(f: FeatureDrift, t: DriftVerdictThresholds): string {
  if (f.qValue === null) return 'not run';
  if (f.drifted) return 'yes';
  if (f.qValue > t.fdr) return `no: q > ${t.fdr}`;
  return `no: small shift (PSI < ${t.psiThreshold}, KS D < ${t.ksThreshold})`;
}

export function categoricalFeatureCount(f: CategoricalFeatureDrift, t: DriftVerdictThresholds): string {
  if (f.psi === null) return 'not run';
  if (f.qValue === null) return 'no: too few rows per category for chi-square';
  if (f.drifted) return 'yes';
  if (f.qValue > t.fdr) return `no: q > ${t.fdr}`;
  return `no: small shift (PSI < ${t.psiThreshold})`;
}

/** The verdict and why, in plain words. */
function verdictSection(r: DriftReport, t: DriftVerdictThresholds): string {
  const head = r.drifted
    ? `<p class="verdict drift">Verdict: <b>drift</b> — this window differs from the champion's training data in the ways listed below.</p>`
    : `<p class="verdict steady">Verdict: <b>no drift</b> — no feature moved both significantly (q ≤ ${t.fdr}) and by a practically large amount ` +
      `(PSI ≥ ${t.psiThreshold} or KS D ≥ ${t.ksThreshold}), and the label prior, the scores and per-class performance held.</p>`;
  const reasons = r.reasons.length > 0 ? `<ul>${r.reasons.map((x) => `<li>${escapeHtml(x)}</li>`).join('')}</ul>` : '';
  const labelled =
    r.labelsFrom === undefined
      ? `${r.labelled} with a feedback label`
      : `labels taken as late: the label tests read ${escapeHtml(labelWindowText(r.labelsFrom))}, ${r.labelled} of whose rows have a feedback label`;
  return `${head}\n${reasons}\n<div class="muted">${r.rows} rows in the window; ${labelled}.</div>`;
}

function featureTable(r: DriftReport, t: DriftVerdictThresholds): string {
  const numeric = r.features.map(
    (f) =>
      `<tr class="${f.drifted ? 'drifted' : ''}"><td>${escapeHtml(f.name)}</td><td>numeric</td><td class="num">${fmt(f.psi)}</td>` +
      `<td class="num">KS D ${fmt(f.ks)}</td><td class="num">${q(f.qValue)}</td><td>${escapeHtml(numericFeatureCount(f, t))}</td></tr>`,
  );
  const categorical = r.categoricalFeatures.map((f) => {
    const unseen = f.unseen.reduce((s, u) => s + u.count, 0);
    return (
      `<tr class="${f.drifted ? 'drifted' : ''}"><td>${escapeHtml(f.name)}</td><td>categorical${unseen > 0 ? `, ${unseen} rows unseen in training` : ''}</td>` +
      `<td class="num">${fmt(f.psi)}</td><td class="num">χ² ${fmt(f.chiSquare, 1)}${f.degreesOfFreedom !== null ? ` (df ${f.degreesOfFreedom})` : ''}</td>` +
      `<td class="num">${q(f.qValue)}</td><td>${escapeHtml(categoricalFeatureCount(f, t))}</td></tr>`
    );
  });
  return `<table><thead><tr><th>feature</th><th>type</th><th>PSI</th><th>test statistic</th><th>q-value (BH)</th><th>counted towards the verdict</th></tr></thead>
<tbody>${[...numeric, ...categorical].join('')}</tbody></table>`;
}

function featureCharts(r: DriftReport): string {
  const charts: string[] = [];
  for (const f of r.features) {
    if (f.histogram === null) continue;
    charts.push(
      histogramChart({
        title: `${f.name} (PSI ${fmt(f.psi)}, KS D ${fmt(f.ks)})`,
        labels: binLabels(f.histogram.edges),
        reference: f.histogram.reference,
        current: f.histogram.current,
      }),
    );
  }
  for (const f of r.categoricalFeatures) {
    if (f.histogram === null) continue;
    charts.push(
      histogramChart({
        title: `${f.name} (PSI ${fmt(f.psi)})`,
        labels: f.histogram.categories,
        reference: f.histogram.reference,
        current: f.histogram.current,
      }),
    );
  }
  const unseen = r.categoricalFeatures
    .filter((f) => f.unseen.length > 0)
    .map(
      (f) => `<li>${escapeHtml(f.name)}: ${f.unseen.map((u) => `${escapeHtml(JSON.stringify(u.category))} × ${u.count}`).join(', ')}</li>`,
    );
  return `<div class="charts">${charts.join('')}</div>${unseen.length > 0 ? `<p>Categories unseen in training:</p><ul>${unseen.join('')}</ul>` : ''}`;
}

/** The earlier rows the label tests read when labels come late, with their times when known. */
function labelWindowText(from: NonNullable<DriftReport['labelsFrom']>): string {
  const span =
    from.fromMs !== undefined && from.toMs !== undefined
      ? ` (${new Date(from.fromMs).toISOString()} to ${new Date(from.toMs).toISOString()})`
      : '';
  return `${from.name}${span}`;
}

function labelPriorSection(r: DriftReport): string {
  const s = r.labelShift;
  const rowsName = r.labelsFrom === undefined ? 'this window' : escapeHtml(labelWindowText(r.labelsFrom));
  if (s === null) return `<p class="muted">No labelled rows in ${rowsName}: the label prior was not compared.</p>`;
  const test =
    s.status === 'tested'
      ? `chi-square ${fmt(s.statistic, 2)} (df ${s.degreesOfFreedom}), p = ${q(s.pValue)}`
      : `not tested: ${escapeHtml(s.reason)}`;
  const chart = histogramChart({
    title: 'Label prior (share of rows per class)',
    labels: ['negative', 'positive'],
    reference: [1 - s.referencePositiveRate, s.referencePositiveRate],
    current: [1 - s.currentPositiveRate, s.currentPositiveRate],
  });
  return `<table><thead><tr><th></th><th>positive rate</th><th>rows</th></tr></thead><tbody>
<tr><td>training (reference)</td><td class="num">${fmt(s.referencePositiveRate, 4)}</td><td></td></tr>
<tr class="${s.drifted ? 'drifted' : ''}"><td>${r.labelsFrom === undefined ? 'this window' : escapeHtml(r.labelsFrom.name)} (labelled rows)</td><td class="num">${fmt(s.currentPositiveRate, 4)}</td><td class="num">${s.n}</td></tr>
</tbody></table>
<p>${test}; ${s.drifted ? '<b>counted towards the verdict</b>' : 'not counted towards the verdict'}.</p>
<div class="charts">${chart}</div>`;
}

/** Index of the bin holding `v`: the number of edges ≤ v. */
function binOf(edges: readonly number[], v: number): number {
  let k = 0;
  while (k < edges.length && edges[k]! <= v) k++;
  return k;
}

function scoreSection(r: DriftReport, ref: DriftReportPageData['scoreReference']): string {
  const p = r.predictionShift;
  if (p === null) return '<p class="muted">Too few rows in this window to compare the score distribution.</p>';
  const rate = p.positiveRate;
  const chart = histogramChart({
    title: `Model scores (PSI ${fmt(p.psi)}, KS D ${fmt(p.ks.statistic)})`,
    labels: binLabels(ref.edges),
    reference: ref.proportions,
    current: p.currentProportions,
    marker: { bin: binOf(ref.edges, ref.threshold), label: `threshold ${fmt(ref.threshold, 4)} falls here` },
  });
  return (
    `<div class="charts">${chart}</div>
<p>Predicted-positive rate: ${fmt(rate.current, 4)} in this window (interval ${fmt(rate.interval[0], 4)}–${fmt(rate.interval[1], 4)}, ` +
    `${rate.predictedPositive} of ${rate.n} rows) vs ${fmt(rate.reference, 4)} on validation; KS p = ${q(p.ks.pValue)}; ` +
    `${p.drifted ? '<b>counted towards the verdict</b>' : 'not counted towards the verdict'}.</p>`
  );
}

function metricRows(source: 'labelled' | 'estimated', perClass: { negative: ClassDrift; positive: ClassDrift }) {
  const out: Array<{ cls: string; metric: string; source: string; m: MetricDrift }> = [];
  for (const cls of ['positive', 'negative'] as const) {
    for (const metric of ['recall', 'precision'] as const) out.push({ cls, metric, source, m: perClass[cls][metric] });
  }
  return out;
}

function performanceSection(r: DriftReport): string {
  const rows = [
    ...(r.performance ? metricRows('labelled', r.performance.perClass) : []),
    ...(r.estimatedPerformance ? metricRows('estimated', r.estimatedPerformance.perClass) : []),
  ];
  if (rows.length === 0) return '<p class="muted">Neither feedback labels nor calibrated scores: performance was not assessed.</p>';
  const recall: IntervalRow[] = rows
    .filter((x) => x.metric === 'recall')
    .map((x) => ({
      label: `${x.cls} recall (${x.source})`,
      reference: x.m.reference,
      current: x.m.current,
      interval: x.m.interval,
      estimated: x.source === 'estimated',
    }));
  const table = rows
    .map(
      (x) =>
        `<tr class="${x.m.status === 'dropped' ? 'drifted' : ''}"><td>${x.cls} ${x.metric}</td><td>${x.source === 'labelled' ? 'labelled (feedback)' : 'estimated (CBPE)'}</td>` +
        `<td class="num">${fmt(x.m.reference)}</td><td class="num">${fmt(x.m.current)}</td>` +
        `<td class="num">${x.m.interval ? `${fmt(x.m.interval[0])}–${fmt(x.m.interval[1])}` : '—'}</td><td class="num">${fmt(x.m.support, 1)}</td>` +
        `<td>${x.m.status}</td>` +
        `<td>${escapeHtml(x.m.message)}</td></tr>`,
    )
    .join('');
  return `<div class="charts">${intervalChart('Per-class recall: current with interval vs reference', recall)}</div>
<table><thead><tr><th>metric</th><th>source</th><th>reference</th><th>current</th><th>interval</th><th>support</th><th>status</th><th>detail</th></tr></thead>
<tbody>${table}</tbody></table>${
    r.labelsFrom !== undefined && r.performance !== null
      ? `<p class="muted">The labelled figures are of ${escapeHtml(labelWindowText(r.labelsFrom))}; the estimates are of this window.</p>`
      : ''
  }${
    r.estimatesSetAside.length > 0
      ? `<p class="muted">Estimates set aside because the labels measure them: ${r.estimatesSetAside.map(escapeHtml).join('; ')}</p>`
      : ''
  }`;
}

/** Render the page; every string from `data` is escaped, and the page loads nothing from elsewhere. */
export function renderDriftReport(data: DriftReportPageData): string {
  const r = data.report;
  const notJudged =
    r.insufficient.length > 0 ? `<h2>Not judged</h2>\n<ul>${r.insufficient.map((x) => `<li>${escapeHtml(x)}</li>`).join('')}</ul>` : '';
  const body = `<h2>Verdict</h2>
${verdictSection(r, data.thresholds)}
<h2>Features: reference (training) vs this window</h2>
${featureTable(r, data.thresholds)}
${featureCharts(r)}
<h2>Label prior</h2>
${labelPriorSection(r)}
<h2>Score distribution</h2>
${scoreSection(r, data.scoreReference)}
<h2>Per-class performance</h2>
${performanceSection(r)}
${r.classDrift ? `<h2>Classes (multi-class model)</h2>\n${classDriftSection(r.classDrift)}\n` : ''}${notJudged}`;
  return reportPage(data.title, data.details ?? [], body, EXTRA_STYLE);
}
