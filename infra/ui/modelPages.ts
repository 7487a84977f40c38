// The UI's model pages: every model (champion, challenger, versions, last run) and one model: versions with
// aliases, promotions and rollbacks, canary windows, the drift timeline and lineage counts.

import type { ModelDetail, ModelSummary, RunSummary } from '../../data/registryBrowse.js';
import { canaryChart, timelineChart, type TimelineMark } from './uiCharts.js';
import { badge, fixed, href, html, link, orDash, page, shortSha, table, type Html } from './uiHtml.js';
import { runsTable } from './runPages.js';

function aliasCell(name: string, t: ModelSummary['champion']): Html | string {
  if (t === null) return '—';
  return html`${t.version === null ? '' : `${name}/${t.version} `}<code>${shortSha(t.modelSha256)}</code>`;
}

export function modelsPage(models: ModelSummary[], waiting: number): Html {
  return page(
    'Models',
    html`${waiting > 0 ? html`<p>${badge('waiting')} ${link('/approvals', `${waiting} run(s) waiting for approval`)}</p>` : ''}
    ${table(
      ['Model', 'Champion', 'Challenger', 'Versions', 'Last run', 'Started', 'Outcome'],
      models.map((m) => [
        link(href('models', m.modelName), m.modelName),
        aliasCell(m.modelName, m.champion),
        aliasCell(m.modelName, m.challenger),
        String(m.versions),
        m.lastRun ? link(href('runs', m.lastRun.runId), m.lastRun.runId) : '—',
        orDash(m.lastRun?.startedAt),
        m.lastRun ? badge(m.lastRun.outcome ?? m.lastRun.status) : '—',
      ]),
      'no models in the registry yet: run a retrain (rareflow run --config PIPELINE.json)',
    )}`,
  );
}

function reasonOf(evidence: unknown): string {
  const r = (evidence as { reason?: unknown } | null)?.reason;
  return typeof r === 'string' ? r : JSON.stringify(evidence);
}

/** One arm of a canary window: labelled requests and recall per class (each class's of a multi-class window). */
function armText(arm: unknown): string {
  const a = arm as { labelled?: unknown; positiveRecall?: unknown; negativeRecall?: unknown; classRecall?: unknown } | undefined;
  if (a === undefined || a === null) return '—';
  const n = (v: unknown) => (typeof v === 'number' ? fixed(v) : '—');
  const labelled = `${typeof a.labelled === 'number' ? a.labelled : '—'} labelled`;
  if (typeof a.classRecall === 'object' && a.classRecall !== null) {
    return [labelled, ...Object.entries(a.classRecall).map(([cls, r]) => `recall ${cls} ${n(r)}`)].join(' · ');
  }
  return `${labelled} · recall+ ${n(a.positiveRecall)} · recall− ${n(a.negativeRecall)}`;
}

export function modelPage(d: ModelDetail, runs: RunSummary[]): Html {
  const name = d.modelName;
  const versionOf = (sha: string | null) => d.versions.find((v) => v.modelSha256 === sha)?.version;
  const versionText = (sha: string | null) => {
    const v = versionOf(sha);
    return html`${v === undefined ? '' : `${name}/${v} `}<code>${shortSha(sha)}</code>`;
  };
  const marks: TimelineMark[] = [
    ...d.driftEvents.map((e) => ({ at: e.at, kind: 'drift' as const, label: `${e.source}: ${reasonOf(e.evidence)}` })),
    ...d.promotions.map((p) => ({
      at: p.at,
      kind: p.kind === 'rollback' ? ('rollback' as const) : ('promote' as const),
      label: `${name}/${p.toVersion ?? '?'} by run ${p.runId}`,
    })),
    ...d.canaries
      .filter((c) => c.status === 'rolled-back')
      .map((c) => ({ at: c.updatedAt, kind: 'rollback' as const, label: `canary ${c.rolloutId}: ${c.reason ?? ''}` })),
  ];
  const canaries = d.canaries.map(
    (c) =>
      html`<div class="card">
        <p>
          <strong>${c.rolloutId}</strong> ${badge(c.status)} challenger ${versionText(c.challengerSha256)} vs champion
          ${versionText(c.championSha256)}
        </p>
        <p class="muted">
          started ${c.startedAt} · updated ${c.updatedAt} · weight now ${Math.round(c.weight * 100)}% (step ${c.step}, since
          ${new Date(c.sinceMs).toISOString()})${c.reason ? html` · ${c.reason}` : ''}
        </p>
        ${canaryChart(c.windows)}
        ${table(
          ['Window', 'Weight', 'From', 'To', 'Challenger', 'Champion', 'Decision', 'Reasons'],
          ((Array.isArray(c.windows) ? c.windows : []) as Array<Record<string, unknown>>).map((w, i) => [
            String(i + 1),
            typeof w.weight === 'number' ? `${Math.round(w.weight * 100)}%` : '—',
            typeof w.fromMs === 'number' ? new Date(w.fromMs).toISOString() : '—',
            typeof w.toMs === 'number' ? new Date(w.toMs).toISOString() : '—',
            armText((w.arms as Record<string, unknown> | undefined)?.challenger),
            armText((w.arms as Record<string, unknown> | undefined)?.champion),
            badge(String(w.decision ?? '—')),
            Array.isArray(w.reasons) ? w.reasons.map(String).join('; ') : '',
          ]),
          'no windows recorded yet',
        )}
      </div>`,
  );
  return page(
    `Model ${name}`,
    html`<p>${link(`/runs?model=${encodeURIComponent(name)}`, `all runs of ${name}`)}</p>
      <h2>Versions</h2>
      ${table(
        ['Version', 'SHA-256', 'Kind', 'Threshold', 'Created', 'Aliases', 'Run', 'Run outcome'],
        d.versions.map((v) => [
          `${name}/${v.version}`,
          html`<code>${shortSha(v.modelSha256)}</code>`,
          orDash(v.kind),
          fixed(v.threshold, 4),
          orDash(v.createdAt),
          html`${v.aliases.map((a) => html`${badge(a)} `)}${v.archivedReason ? html`${badge('archived')} <span class="muted">${v.archivedReason}</span>` : ''}`,
          v.runId ? link(href('runs', v.runId), v.runId) : '—',
          orDash(v.runOutcome ?? ''),
        ]),
        'no versions registered yet',
      )}
      <h2>Timeline</h2>
      ${timelineChart(marks)}
      <h2>Promotions and rollbacks</h2>
      ${table(
        ['At', 'Kind', 'From', 'To', 'Run'],
        d.promotions.map((p) => [
          p.at,
          badge(p.kind),
          versionText(p.fromSha256),
          versionText(p.toSha256),
          link(href('runs', p.runId), p.runId),
        ]),
      )}
      <h2>Canary rollouts</h2>
      ${canaries.length === 0 ? html`<p class="empty">none</p>` : canaries}
      <h2>Drift events</h2>
      ${table(
        ['At', 'Source', 'Reason', 'Run started'],
        d.driftEvents.map((e) => [e.at, e.source, reasonOf(e.evidence), e.runId ? link(href('runs', e.runId), e.runId) : '—']),
      )}
      <h2>Lineage</h2>
      ${table(
        ['Version', 'Run', 'Datasets', 'Dataset rows', 'Synthetic rows with lineage'],
        d.lineage.map((l) => [
          `${name}/${l.version}`,
          l.runId ? link(href('runs', l.runId), l.runId) : '—',
          String(l.datasets),
          String(l.datasetRows),
          String(l.syntheticRows),
        ]),
      )}
      <h2>Recent runs</h2>
      ${runsTable(runs)}`,
  );
}

export function unknownModelPage(name: string, names: string[]): Html {
  return page(
    'Model not found',
    html`<p>No model named <code>${name}</code> in the registry.</p>
      <p>
        ${names.length === 0 ? 'The registry has no models yet.' : html`Models in the registry: ${names.map((n, i) => html`${i > 0 ? ', ' : ''}${link(href('models', n), n)}`)}`}
      </p>`,
  );
}
