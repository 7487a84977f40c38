// The UI's approvals page: every run waiting for a human decision with its evidence (per-class metrics, gate
// verdicts, run report) and the exact `rareflow approve|reject` commands that decide it.

import type { RunDetail } from '../../data/registryBrowse.js';
import { gatesSection, metricsSection, reportLink } from './runPages.js';
import { badge, href, html, link, page, type Html } from './uiHtml.js';

/** `s` as one POSIX shell word: bare when it is plain, single-quoted otherwise. */
export function shellWord(s: string): string {
  return /^[A-Za-z0-9_.@/:=+-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

export function approveCommand(d: RunDetail): string {
  return `rareflow approve --model ${shellWord(d.modelName)} --run ${shellWord(d.runId)}`;
}

export function rejectCommand(d: RunDetail): string {
  return `rareflow reject --model ${shellWord(d.modelName)} --run ${shellWord(d.runId)} --why 'WHY'`;
}

export function approvalsPage(waiting: RunDetail[], hasReport: (runId: string) => boolean): Html {
  const cards = waiting.map(
    (d) =>
      html`<div class="card">
        <h2>
          ${link(href('runs', d.runId), d.runId)} · ${link(href('models', d.modelName), d.modelName)} ${badge('waiting for approval')}
        </h2>
        <p class="muted">
          started ${d.startedAt} · trigger ${d.trigger ?? '—'}${d.reason ? html`: ${d.reason}` : ''} · ${reportLink(d, hasReport(d.runId))}
        </p>
        <h3>Metrics per class (test split)</h3>
        ${metricsSection(d)}
        <h3>Gate verdicts</h3>
        ${gatesSection(d)}
        <h3>Decide</h3>
        <code class="command">${approveCommand(d)}</code>
        <code class="command">${rejectCommand(d)}</code>
      </div>`,
  );
  return page('Approvals waiting', waiting.length === 0 ? html`<p class="empty">no run is waiting for approval</p>` : html`${cards}`);
}
