// Human tables of the registry for `rareflow models list|show` and `rareflow runs list|show`: aligned columns,
// ISO times, model versions as NAME/N.

import { elapsedText } from '../core/elapsedText.js';
import type { ModelDetail, ModelSummary, ModelVersion, RunDetail, RunSummary } from '../data/registryBrowse.js';

/**
 * A cell on one line: a line break, tab or other control character in a recorded text (a `--reason` with a newline,
 * an escape sequence) is written as its escape, so it can neither break the table nor drive the terminal.
 */
export function tableCell(text: string): string {
  // eslint-disable-next-line no-control-regex -- control characters are what this escapes
  return text.replace(/[\u0000-\u001f\u007f]/g, (c) =>
    c === '\n' ? '\\n' : c === '\r' ? '\\r' : c === '\t' ? '\\t' : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/** Columns padded to their widest cell, two spaces apart, a header line first; trailing spaces trimmed. */
export function alignedTable(headers: string[], cells: string[][]): string {
  const rows = cells.map((r) => r.map(tableCell));
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return [line(headers), ...rows.map(line)].join('\n');
}

const short = (sha: string | null | undefined) => (sha ? sha.slice(0, 12) : '—');
const num = (v: number | null | undefined, digits = 3) => (v === null || v === undefined || !Number.isFinite(v) ? '—' : v.toFixed(digits));
const text = (v: string | null | undefined) => (v === null || v === undefined || v === '' ? '—' : v);

/** `card-fraud/2 (3f2a…)` or `—`. */
function versionRef(modelName: string, target: { modelSha256: string; version: number | null } | null): string {
  if (target === null) return '—';
  return target.version === null ? short(target.modelSha256) : `${modelName}/${target.version} (${short(target.modelSha256)})`;
}

function versionOf(d: ModelDetail, modelSha256: string): number | null {
  return d.versions.find((v) => v.modelSha256 === modelSha256)?.version ?? null;
}

export function formatModelList(models: Array<ModelSummary & { championFileProblem?: string }>): string {
  if (models.length === 0) return 'no models in the registry yet';
  return alignedTable(
    ['MODEL', 'CHAMPION', 'CHALLENGER', 'VERSIONS', 'LAST RUN', 'STARTED', 'OUTCOME'],
    models.map((m) => [
      m.modelName,
      `${versionRef(m.modelName, m.champion)}${m.championFileProblem ? ` (${m.championFileProblem})` : ''}`,
      versionRef(m.modelName, m.challenger),
      String(m.versions),
      text(m.lastRun?.runId),
      text(m.lastRun?.startedAt),
      m.lastRun ? (m.lastRun.outcome ?? m.lastRun.status) : '—',
    ]),
  );
}

export function formatModelDetail(d: Omit<ModelDetail, 'versions'> & { versions: Array<ModelVersion & { fileProblem?: string }> }): string {
  const parts = [`model ${d.modelName}: ${d.versions.length} version(s)`, ''];
  parts.push(
    alignedTable(
      ['VERSION', 'SHA256', 'KIND', 'THRESHOLD', 'CREATED', 'ALIASES', 'RUN', 'RUN OUTCOME'],
      d.versions.map((v) => [
        `${d.modelName}/${v.version}`,
        short(v.modelSha256),
        text(v.kind),
        num(v.threshold, 4),
        text(v.createdAt),
        [...v.aliases, ...(v.archivedReason ? ['archived'] : []), ...(v.fileProblem ? [v.fileProblem] : [])].join(', ') || '—',
        text(v.runId),
        text(v.runOutcome ?? ''),
      ]),
    ),
  );
  parts.push('', 'promotions and rollbacks:');
  parts.push(
    d.promotions.length === 0
      ? '  none'
      : alignedTable(
          ['AT', 'KIND', 'FROM', 'TO', 'RUN'],
          d.promotions.map((p) => [
            p.at,
            p.kind,
            short(p.fromSha256),
            versionRef(d.modelName, { modelSha256: p.toSha256, version: p.toVersion }),
            p.runId,
          ]),
        ),
  );
  // Canary rollouts: a challenger rolled back in its canary never became champion, so the table above does not hold it.
  if (d.canaries.length > 0) {
    parts.push('', 'canary rollouts:');
    parts.push(
      alignedTable(
        ['STARTED', 'CHALLENGER', 'STATUS', 'WEIGHT', 'REASON'],
        [...d.canaries]
          .sort((a, b) => a.startedAt.localeCompare(b.startedAt))
          .map((c) => [
            c.startedAt,
            versionRef(d.modelName, { modelSha256: c.challengerSha256, version: versionOf(d, c.challengerSha256) }),
            c.status,
            `${Math.round(c.weight * 100)}%`,
            text(c.reason),
          ]),
      ),
    );
  }
  const archived = d.versions.filter((v) => v.archivedReason);
  if (archived.length > 0) {
    parts.push('', 'archived:');
    for (const v of archived) parts.push(`  ${d.modelName}/${v.version}: ${v.archivedReason}`);
  }
  return parts.join('\n');
}

export function formatRunList(runs: RunSummary[]): string {
  if (runs.length === 0) return 'no runs in the registry yet';
  return alignedTable(
    ['RUN', 'MODEL', 'TRIGGER', 'STATUS', 'OUTCOME', 'STARTED', 'FINISHED', 'REASON'],
    runs.map((r) => [
      r.runId,
      r.modelName,
      text(r.trigger),
      r.status,
      text(r.outcome),
      text(r.startedAt),
      text(r.finishedAt),
      text(r.reason),
    ]),
  );
}

/** One line per gate check: name, value against its limit, and pass/fail/not judged. */
function gateLines(checks: unknown): string[][] {
  if (!Array.isArray(checks)) return [];
  return checks.map((c: Record<string, unknown>) => [
    String(c.name ?? '—'),
    typeof c.value === 'number' ? c.value.toFixed(3) : '—',
    `${String(c.comparison ?? '')} ${typeof c.limit === 'number' ? c.limit : '—'}`.trim(),
    c.passed === true ? 'pass' : c.passed === false ? 'FAIL' : 'not judged',
    String(c.reason ?? ''),
  ]);
}

export function formatRunDetail(d: RunDetail): string {
  const parts = [
    `run ${d.runId} of model ${d.modelName}`,
    `  trigger     ${text(d.trigger)}${d.reason ? `: ${d.reason}` : ''}`,
    `  status      ${d.status}${d.outcome ? ` (${d.outcome})` : ''}${d.awaitingApproval ? ', waiting for approval' : ''}`,
    `  started     ${text(d.startedAt)}`,
    `  finished    ${text(d.finishedAt)}`,
    `  seed        ${d.seed}`,
    `  code        ${text(d.codeVersion)}`,
    `  report      ${text(d.reportUri)}`,
    ...Object.entries(d.inputHashes).map(([file, hash]) => `  input       ${file} ${short(hash)}`),
  ];
  for (const m of d.models) {
    const name = m.version === null ? short(m.modelSha256) : `${d.modelName}/${m.version}`;
    parts.push('', `${m.role} ${name} on the test split:`);
    parts.push(
      alignedTable(
        ['CLASS', 'SUPPORT', 'RECALL', 'RECALL 95%', 'PRECISION', 'F1'],
        m.perClass.map((c) => [
          c.cls,
          c.support === null ? '—' : String(c.support),
          num(c.recall),
          c.recallLower === null || c.recallUpper === null ? '—' : `${num(c.recallLower)}–${num(c.recallUpper)}`,
          num(c.precision),
          num(c.f1),
        ]),
      ),
    );
    parts.push(
      `G-mean ${num(m.overall.gMean ?? null)}   PR-AUC above random ${num(m.overall.prAucNormalised ?? null)}   threshold ${num(m.overall.threshold ?? null, 4)}`,
    );
  }
  for (const g of d.gateVerdicts) {
    parts.push('', `gates: ${g.verdict}`);
    const rows = gateLines(g.checks);
    if (rows.length > 0) parts.push(alignedTable(['CHECK', 'VALUE', 'LIMIT', 'RESULT', 'WHY'], rows));
  }
  parts.push('', 'stage timings:');
  if (d.stageTimings.length === 0) parts.push(d.status === 'running' ? '  none yet: recorded when the run finishes' : '  none recorded');
  else
    parts.push(
      alignedTable(
        ['STAGE', 'STARTED', 'FINISHED', 'DURATION'],
        d.stageTimings.map((t) => [t.stage, t.startedAt, t.finishedAt, elapsedText(t.durationMs)]),
      ),
    );
  parts.push('', 'approvals:');
  if (d.approvals.length === 0) parts.push(d.awaitingApproval ? '  none yet: waiting for a decision' : '  none');
  for (const a of d.approvals)
    parts.push(`  ${a.at} ${a.stage} ${a.approved ? 'approved' : 'rejected'} by ${a.decidedBy}${a.reason ? `: ${a.reason}` : ''}`);
  if (d.datasets.length > 0) {
    parts.push('', 'datasets:');
    parts.push(
      alignedTable(
        ['ROLE', 'ROWS', 'POSITIVES', 'SHA256'],
        d.datasets.map((x) => [x.role, String(x.rows), String(x.positives), short(x.sha256)]),
      ),
    );
  }
  parts.push('', `synthetic rows with lineage: ${d.syntheticLineageRows}`);
  return parts.join('\n');
}
