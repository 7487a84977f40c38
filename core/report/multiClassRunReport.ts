// The HTML run report of a multi-class model: class counts through the pipeline, the per-class test table with
// Wilson intervals, the confusion matrix, the model choice and the per-class gates (self-contained, no network).

import type { GateEvaluation } from '../gates/evaluateGates.js';
import type { MultiClassGateReport } from '../gates/multiClassGates.js';
import type { ModelSelection } from '../models/modelSelection.js';
import { escapeHtml, fmt, reportPage } from './reportPage.js';
import { gateTable, selectionTable } from './runReport.js';

export interface MultiClassRunReportData {
  title: string;
  details: string[];
  /** The pipeline's stages with their row counts and notes. */
  stages: Array<{ stage: string; rowsIn: number; rowsOut: number; note?: string }>;
  report: MultiClassGateReport;
  thresholds: number[];
  /** The champion's macro G-mean on the same rows, when it was scored. */
  championMacroGMean?: number;
  selection?: ModelSelection;
  gates: GateEvaluation;
}

const interval = (i: [number, number] | null) => (i === null ? '—' : `${fmt(i[0])} – ${fmt(i[1])}`);

export function renderMultiClassRunReport(d: MultiClassRunReportData): string {
  const r = d.report;
  const stageRows = d.stages
    .map((s) => `<tr><td>${escapeHtml(s.stage)}</td><td>${s.rowsIn}</td><td>${s.rowsOut}</td><td>${escapeHtml(s.note ?? '')}</td></tr>`)
    .join('');
  const classRows = r.classes
    .map(
      (c, i) =>
        `<tr><td>${escapeHtml(c.class)}</td><td>${c.support}</td><td>${c.predicted}</td><td>${fmt(c.recall)}</td><td>${interval(r.recallIntervals[i]!)}</td><td>${fmt(c.precision)}</td><td>${interval(r.precisionIntervals[i]!)}</td><td>${fmt(c.f1)}</td><td>${fmt(d.thresholds[i], 4)}</td></tr>`,
    )
    .join('');
  const head = r.classes.map((c) => `<th>${escapeHtml(c.class)}</th>`).join('');
  const confusion = r.confusion
    .map((row, t) => `<tr><th>${escapeHtml(r.classes[t]!.class)}</th>${row.map((n) => `<td>${n}</td>`).join('')}</tr>`)
    .join('');
  const champion = d.championMacroGMean !== undefined ? `; champion ${fmt(d.championMacroGMean, 4)} on the same rows` : '';
  return reportPage(
    d.title,
    d.details,
    `<h2>Data through the pipeline</h2>
<table><thead><tr><th>stage</th><th>rows in</th><th>rows out</th><th>note</th></tr></thead><tbody>${stageRows}</tbody></table>
<h2>Test-set performance per class</h2>
<p>macro G-mean <b>${fmt(r.macroGMean, 4)}</b>${escapeHtml(champion)}, balanced accuracy ${fmt(r.macroRecall, 4)}, accuracy ${fmt(r.accuracy, 4)}</p>
<table><thead><tr><th>class</th><th>support</th><th>predicted</th><th>recall</th><th>recall 95% interval</th><th>precision</th><th>precision 95% interval</th><th>F1</th><th>threshold</th></tr></thead><tbody>${classRows}</tbody></table>
<h2>Confusion matrix (rows: true class, columns: predicted)</h2>
<table><thead><tr><th></th>${head}</tr></thead><tbody>${confusion}</tbody></table>
${d.selection ? `<h2>Model choice (inner validation)</h2>\n${selectionTable(d.selection)}` : ''}
<h2>Gates</h2>
${gateTable(d.gates)}`,
  );
}
