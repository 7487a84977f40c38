// The UI's run pages: runs across models (filterable by model) and one run with its evidence: trigger, params,
// input hashes, stage timings, per-class metrics, gate verdicts, approvals, datasets and its HTML run report.

import type { RunDetail, RunSummary } from '../../data/registryBrowse.js';
import { elapsedText } from '../../core/elapsedText.js';
import { classMetricChart, stageBar } from './uiCharts.js';
import { badge, fixed, href, html, link, orDash, page, shortSha, table, type Html } from './uiHtml.js';

export function runsTable(runs: RunSummary[], empty = 'no runs recorded yet'): Html {
  return table(
    ['Run', 'Model', 'Trigger', 'Reason', 'Status', 'Outcome', 'Started', 'Finished'],
    runs.map((r) => [
      link(href('runs', r.runId), r.runId),
      link(href('models', r.modelName), r.modelName),
      orDash(r.trigger),
      orDash(r.reason),
      badge(r.status),
      r.outcome ? badge(r.outcome) : '—',
      orDash(r.startedAt),
      orDash(r.finishedAt),
    ]),
    empty,
  );
}

export function runsPage(runs: RunSummary[], modelNames: string[], model: string | undefined): Html {
  const filters = [
    model === undefined ? html`<strong>all</strong>` : link('/runs', 'all'),
    ...modelNames.map((n) => (n === model ? html` · <strong>${n}</strong>` : html` · ${link(`/runs?model=${encodeURIComponent(n)}`, n)}`)),
  ];
  return page(
    model === undefined ? 'Runs' : `Runs of ${model}`,
    html`<p>model: ${filters}</p>
      ${runsTable(runs)}`,
  );
}

/** Per model: the per-class table, the whole-model numbers and the chart. */
export function metricsSection(d: RunDetail): Html {
  if (d.models.length === 0) return html`<p class="empty">no metrics recorded for this run yet</p>`;
  const tables = d.models.map(
    (m) =>
      html`<h3>${m.role} ${m.version === null ? shortSha(m.modelSha256) : `${d.modelName}/${m.version}`}</h3>
        ${table(
          ['Class', 'Support', 'Recall', 'Recall 95%', 'Precision', 'F1'],
          m.perClass.map((c) => [
            c.cls,
            c.support === null ? '—' : String(c.support),
            fixed(c.recall),
            c.recallLower === null || c.recallUpper === null ? '—' : `${fixed(c.recallLower)}–${fixed(c.recallUpper)}`,
            fixed(c.precision),
            fixed(c.f1),
          ]),
        )}
        <p class="muted">
          G-mean ${fixed(m.overall.gMean)} · PR-AUC above random ${fixed(m.overall.prAucNormalised)} · Brier ${fixed(m.overall.brier, 4)} ·
          threshold ${fixed(m.overall.threshold, 4)}
        </p>`,
  );
  return html`${tables}${classMetricChart(d.models)}`;
}

/** Each stage's start, end and duration, with a bar on the run's time axis. */
export function stageTimingsSection(d: RunDetail): Html {
  const t = d.stageTimings;
  if (t.length === 0)
    return html`<p class="empty">${d.status === 'running' ? 'none yet: recorded when the run finishes' : 'none recorded'}</p>`;
  const runStartMs = Date.parse(t[0]!.startedAt);
  const runMs = Date.parse(t[t.length - 1]!.finishedAt) - runStartMs;
  return table(
    ['Stage', 'Started', 'Finished', 'Duration', ''],
    t.map((s) => [
      s.stage,
      s.startedAt,
      s.finishedAt,
      elapsedText(s.durationMs),
      stageBar(Date.parse(s.startedAt), s.durationMs, runStartMs, runMs),
    ]),
  );
}

export function gatesSection(d: RunDetail): Html {
  if (d.gateVerdicts.length === 0) return html`<p class="empty">no gate verdict recorded yet</p>`;
  return html`${d.gateVerdicts.map((g) => {
    const checks = (Array.isArray(g.checks) ? g.checks : []) as Array<Record<string, unknown>>;
    return html`<p>verdict ${badge(g.verdict)} for model ${shortSha(g.modelSha256)}</p>
      ${table(
        ['Check', 'Value', 'Interval', 'Limit', 'Result', 'Why'],
        checks.map((c) => [
          String(c.name ?? '—'),
          typeof c.value === 'number' ? fixed(c.value) : '—',
          Array.isArray(c.interval) ? `${fixed(Number(c.interval[0]))}–${fixed(Number(c.interval[1]))}` : '—',
          `${String(c.comparison ?? '')} ${typeof c.limit === 'number' ? c.limit : '—'}`,
          badge(c.passed === true ? 'pass' : c.passed === false ? 'fail' : 'not judged'),
          String(c.reason ?? ''),
        ]),
        'no checks',
      )}`;
  })}`;
}

export function approvalsSection(d: RunDetail): Html {
  return table(
    ['At', 'Stage', 'Decision', 'By', 'Reason'],
    d.approvals.map((a) => [a.at, a.stage, badge(a.approved ? 'approved' : 'rejected'), a.decidedBy, orDash(a.reason)]),
    d.awaitingApproval ? 'none yet: this run is waiting for a decision (see Approvals waiting)' : 'none recorded',
  );
}

export function reportLink(d: RunDetail, hasReport: boolean): Html {
  return hasReport
    ? link(href('reports', d.runId), 'HTML run report')
    : html`<span class="muted">no HTML run report in the artifact store</span>`;
}

export function runPage(d: RunDetail, hasReport: boolean): Html {
  const inputs = Object.entries(d.inputHashes);
  return page(
    `Run ${d.runId}`,
    html`<dl>
        <dt>model</dt>
        <dd>${link(href('models', d.modelName), d.modelName)}</dd>
        <dt>trigger</dt>
        <dd>${orDash(d.trigger)}</dd>
        <dt>reason</dt>
        <dd>${orDash(d.reason)}</dd>
        <dt>status</dt>
        <dd>
          ${badge(d.status)} ${d.outcome ? badge(d.outcome) : ''}
          ${d.awaitingApproval ? html`${badge('waiting for approval')} ${link('/approvals', 'decide')}` : ''}
        </dd>
        <dt>started</dt>
        <dd>${orDash(d.startedAt)}</dd>
        <dt>finished</dt>
        <dd>${orDash(d.finishedAt)}</dd>
        <dt>seed</dt>
        <dd>${d.seed}</dd>
        <dt>code version</dt>
        <dd><code>${orDash(d.codeVersion)}</code></dd>
        <dt>workflow</dt>
        <dd><code>${orDash(d.workflowId)}</code></dd>
        <dt>report</dt>
        <dd>${reportLink(d, hasReport)}</dd>
      </dl>
      <h2>Stage timings</h2>
      ${stageTimingsSection(d)}
      <h2>Metrics per class (test split)</h2>
      ${metricsSection(d)}
      <h2>Gate verdicts</h2>
      ${gatesSection(d)}
      <h2>Approvals</h2>
      ${approvalsSection(d)}
      <h2>Datasets</h2>
      ${table(
        ['Role', 'Rows', 'Positives', 'SHA-256', 'URI'],
        d.datasets.map((x) => [
          x.role,
          String(x.rows),
          String(x.positives),
          html`<code>${shortSha(x.sha256)}</code>`,
          html`<code>${x.uri}</code>`,
        ]),
        'no datasets recorded',
      )}
      <p>synthetic rows with lineage: ${d.syntheticLineageRows}</p>
      <h2>Input hashes</h2>
      ${table(
        ['Input', 'SHA-256'],
        inputs.map(([file, sha]) => [html`<code>${file}</code>`, html`<code>${sha}</code>`]),
        'none recorded',
      )}
      <h2>Params</h2>
      <pre>${JSON.stringify(d.params, null, 2)}</pre>`,
  );
}

export function unknownRunPage(runId: string, newest: string[]): Html {
  return page(
    'Run not found',
    html`<p>No run <code>${runId}</code> in the registry.</p>
      <p>
        ${newest.length === 0 ? 'The registry has no runs yet.' : html`Newest runs: ${newest.map((id, i) => html`${i > 0 ? ', ' : ''}${link(href('runs', id), id)}`)}`}
      </p>`,
  );
}
