// Human-readable tables of a retrain's outcome: per-class recall and precision, G-mean, PR-AUC, and the stages.

import { fileURLToPath } from 'node:url';
import type { RetrainResult, ValidationSummary } from '../workflows/contract.js';

function f(v: number | null | undefined, digits = 3): string {
  return v === null || v === undefined ? '—' : v.toFixed(digits);
}

export function formatPerClassTable(r: RetrainResult): string {
  const uri = r.reportHtmlUri;
  return formatValidationTable(r.validation, uri ? (uri.startsWith('file:') ? fileURLToPath(uri) : uri) : undefined);
}

/** One row per class: the two classes of a binary model, or every class of a multi-class one (then a macro G-mean). */
function classRows(v: ValidationSummary): string[] {
  const row = (name: string, c: { support: number; recall: number | null; precision: number | null }, width: number) =>
    `  ${name.padEnd(width)}   ${String(c.support).padStart(8)}   ${f(c.recall).padStart(6)}   ${f(c.precision).padStart(9)}`;
  if (v.classes) {
    const width = Math.max(8, ...v.classes.map((c) => c.class.length));
    return [
      `  ${'class'.padEnd(width)}    support   recall   precision`,
      ...v.classes.map((c) => row(c.class, c, width)),
      `  macro G-mean ${f(v.gMean)} (the geometric mean of the classes' recalls)`,
    ];
  }
  return [
    `  class       support   recall   precision`,
    row('positive', v.positive, 8),
    row('negative', v.negative, 8),
    `  G-mean ${f(v.gMean)}   PR-AUC above random ${f(v.prAucNormalised)}   Brier ${f(v.brier, 4)}   threshold ${f(v.threshold, 4)}`,
  ];
}

/** The per-class table of a validation, its gate verdict with reasons, and the report's path when there is one. */
export function formatValidationTable(v: ValidationSummary, reportPath?: string): string {
  const lines = classRows(v);
  if (v.champion && v.classes) {
    const rarest = [...v.classes].sort((a, b) => a.support - b.support)[0]!;
    lines.push(
      `  champion ${v.champion.modelSha256.slice(0, 12)} on the same test rows: recall of the rarest class "${rarest.class}" ${f(v.champion.positiveRecall)}, macro G-mean ${f(v.champion.gMean)}`,
    );
  } else if (v.champion) {
    const rows = v.champion.rows
      ? `${v.champion.rows}: positive recall ${f(v.champion.positiveRecall)}, G-mean ${f(v.champion.gMean)} (this model: G-mean ${f(v.champion.challengerGMean ?? null)})`
      : `the same test rows: positive recall ${f(v.champion.positiveRecall)}, G-mean ${f(v.champion.gMean)}`;
    lines.push(`  champion ${v.champion.modelSha256.slice(0, 12)} on ${rows}`);
  }
  if (v.championNote && !v.champion?.rows) lines.push(`  champion: ${v.championNote}`);
  lines.push(`  gates: ${v.verdict}${v.reasons.length ? ` (${v.reasons.join('; ')})` : ''}`);
  if (reportPath) lines.push(`  report: ${reportPath}`);
  return lines.join('\n');
}

export function formatStages(r: RetrainResult): string {
  return r.stages
    .map(
      (s) =>
        `  ${s.stage.padEnd(24)} rows ${String(s.rowsIn).padStart(8)} → ${String(s.rowsOut).padEnd(8)} positives ${String(s.positivesIn).padStart(6)} → ${String(s.positivesOut).padEnd(6)} ${s.seconds.toFixed(2)}s${s.note ? `  ${s.note}` : ''}`,
    )
    .join('\n');
}
