// The "Classes" section of the drift report page for a multi-class champion: the label prior and the predicted
// classes over all classes against the reference, and each class's recall on labels with its interval.

import type { ClassDistributionShift, ClassDriftResult } from '../drift/classDrift.js';
import { histogramChart, intervalChart } from './distributionChart.js';
import { escapeHtml, fmt } from './reportPage.js';

const q = (v: number): string => (v < 1e-3 ? v.toExponential(2) : fmt(v, 4));

function shiftChart(title: string, classes: string[], s: ClassDistributionShift | null, absent: string): string {
  if (s === null) return `<p class="muted">${escapeHtml(absent)}</p>`;
  const test =
    s.status === 'tested'
      ? `chi-square ${fmt(s.statistic, 2)} (df ${s.degreesOfFreedom}), p = ${q(s.pValue)}`
      : `not tested: ${escapeHtml(s.reason)}`;
  const chart = histogramChart({ title, labels: classes, reference: s.reference, current: s.current });
  return `<div class="charts">${chart}</div>
<p>${escapeHtml(title)}: ${s.n} rows; ${test}; ${s.drifted ? '<b>counted towards the verdict</b>' : 'not counted towards the verdict'}.</p>`;
}

/** The section's HTML; every class value is escaped. */
export function classDriftSection(c: ClassDriftResult): string {
  const recallRows = c.recall.map((r) => ({
    label: `recall of ${r.value}`,
    reference: r.reference,
    current: r.current,
    interval: r.interval,
    estimated: false,
  }));
  const table = c.recall
    .map(
      (r) =>
        `<tr class="${r.dropped ? 'drifted' : ''}"><td>${escapeHtml(r.value)}</td><td class="num">${fmt(r.reference)}</td>` +
        `<td class="num">${r.current === null ? '—' : fmt(r.current)}</td>` +
        `<td class="num">${r.interval ? `${fmt(r.interval[0])}–${fmt(r.interval[1])}` : '—'}</td>` +
        `<td class="num">${r.support}</td><td>${r.current === null ? 'not compared' : r.dropped ? 'dropped' : 'ok'}</td></tr>`,
    )
    .join('');
  return `${shiftChart('Label prior (share of labelled rows per class)', c.classes, c.labelPrior, 'No labelled rows in this window: the class prior was not compared.')}
${shiftChart('Predicted classes (share of rows per class)', c.classes, c.prediction, 'No row of this window recorded its predicted class.')}
<div class="charts">${intervalChart('Per-class recall (labelled): current with interval vs validation', recallRows)}</div>
<table><thead><tr><th>class</th><th>validation recall</th><th>current</th><th>interval</th><th>labelled rows</th><th>status</th></tr></thead>
<tbody>${table}</tbody></table>
<p class="muted">The label-free estimate (CBPE) is binary-only: for a multi-class model the per-class recall above is measured on feedback labels alone.</p>`;
}
