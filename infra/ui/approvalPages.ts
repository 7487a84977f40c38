// The UI's approvals page: every run waiting for a human decision with its evidence (per-class metrics, gate
// verdicts, run report; for a canary waiting before 100% traffic, its windows so far with each class's recall of both
// arms) and the exact `rareflow approve|reject` commands that decide it.

import type { RunDetail } from '../../data/registryBrowse.js';
import { gatesSection, metricsSection, reportLink } from './runPages.js';
import { badge, fixed, href, html, link, page, table, type Html } from './uiHtml.js';

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

type Arm = {
  labelled?: unknown;
  positiveRecall?: unknown;
  negativeRecall?: unknown;
  classRecall?: unknown;
  gMean?: unknown;
  macroGMean?: unknown;
};

/** Each class's recall of one arm of a recorded window: the multi-class recalls when it has them, else the binary pair. */
function armRecall(arm: Arm | undefined): Record<string, unknown> {
  if (!arm) return {};
  if (typeof arm.classRecall === 'object' && arm.classRecall !== null) return arm.classRecall as Record<string, unknown>;
  return { positive: arm.positiveRecall, negative: arm.negativeRecall };
}

const n = (v: unknown) => (typeof v === 'number' ? fixed(v) : '—');
const count = (v: unknown) => (typeof v === 'number' ? String(v) : '—');

/** What the canary asks and its windows so far: labelled requests, each class's recall and the G-mean of both arms. */
export function canaryApprovalSection(request: NonNullable<RunDetail['canaryApproval']>): Html {
  const windows = (Array.isArray(request.windows) ? request.windows : []) as Array<Record<string, unknown>>;
  const arms = windows.map((w) => (w.arms ?? {}) as { champion?: Arm; challenger?: Arm });
  const classes = [...new Set(arms.flatMap((a) => [...Object.keys(armRecall(a.champion)), ...Object.keys(armRecall(a.challenger))]))];
  const asks =
    request.stage === 'full-traffic'
      ? 'the canary asks for 100% traffic'
      : `the canary asks to go on after ${request.stage.replace(/^insufficient-evidence-step-/, 'insufficient evidence at step ')}`;
  return html`<p>${badge(request.stage)} ${asks} (rollout <code>${request.rolloutId}</code>, asked ${request.requestedAt})</p>
    ${table(
      [
        'Window',
        'Weight',
        'Labelled (champion / challenger)',
        ...classes.map((c) => `Recall ${c} (champion / challenger)`),
        'G-mean',
        'Decision',
      ],
      windows.map((w, i) => [
        String(i + 1),
        typeof w.weight === 'number' ? `${Math.round(w.weight * 100)}%` : '—',
        `${count(arms[i]!.champion?.labelled)} / ${count(arms[i]!.challenger?.labelled)}`,
        ...classes.map((c) => `${n(armRecall(arms[i]!.champion)[c])} / ${n(armRecall(arms[i]!.challenger)[c])}`),
        `${n(arms[i]!.champion?.macroGMean ?? arms[i]!.champion?.gMean)} / ${n(arms[i]!.challenger?.macroGMean ?? arms[i]!.challenger?.gMean)}`,
        badge(String(w.decision ?? '—')),
      ]),
      'no canary windows yet',
    )}`;
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
        ${
          d.canaryApproval
            ? html`<h3>Canary waiting for a decision</h3>
                ${canaryApprovalSection(d.canaryApproval)}`
            : ''
        }
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
