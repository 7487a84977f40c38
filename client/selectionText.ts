// `fit`'s model selection as text: what was chosen and why, then one row per candidate with its inner-fold evidence
// (the same columns as the run report's table, core/report/runReport.ts selectionTable).

import { candidateOutcome, type CandidateResult, type ModelSelection } from '../core/models/modelSelection.js';

const spread = (m: CandidateResult['gMean']) => (m ? `${m.mean.toFixed(4)} ± ${m.standardError.toFixed(4)}` : '—');

/** The selection block under its `selection:` key: the choice indented by two spaces, the table by four. */
export function selectionText(s: ModelSelection): string {
  const header = ['candidate', 'G-mean ± s.e.', 'PR-AUC ± s.e.', 'threshold', 'seconds', 'outcome'];
  const rows = s.candidates.map((c) => [
    c.name,
    spread(c.gMean),
    spread(c.prAuc),
    c.thresholdPolicy ?? '—',
    c.seconds === undefined ? '—' : c.seconds.toFixed(2),
    candidateOutcome(c, s.chosen),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    `    ${cells.map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ')}`.trimEnd();
  const plan = `${s.folds} inner folds × ${s.repeats} repeats of the training rows, seed ${s.seed}, budget ${s.budgetSeconds}s`;
  return [
    `  chosen: ${s.chosen} (threshold policy ${s.thresholdPolicy})`,
    `  why: ${s.reason}`,
    `  evidence: ${plan}${s.foldNote ? ` (${s.foldNote})` : ''}${s.seconds === undefined ? '' : `; ${s.seconds.toFixed(1)} s in all`}`,
    line(header),
    ...rows.map(line),
    ...(s.warnings ?? []).map((w) => `  - ${w}`),
  ].join('\n');
}
