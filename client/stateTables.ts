// Human tables of the commands that print state (status, approve/reject, canary status, monitor status, schedule
// list, evaluate); `--json` prints the value itself. Times are ISO 8601 with their age, never epoch milliseconds.

import type { MultiClassReport } from '../core/metrics/multiClassReport.js';
import type { CanaryRolloutStatus, CanaryWindow, DriftMonitorStatus, LifecycleStatus } from '../workflows/contract.js';
import type { ApprovalEvidence } from './approvalEvidence.js';
import { armEvidence, type CanaryApprovalEvidence } from './canaryApprovalEvidence.js';
import { formatValidationTable } from './perClassTable.js';
import { tableCell } from './registryTables.js';
import { spanText } from '../core/elapsedText.js';

/** Spans in tables (45s, 3m, 2h 5m, 4d 1h): core/elapsedText.ts's, re-exported for the table tests. */
export { spanText };

/** `2026-12-04T17:00:00Z (3m ago)`, or `in 5m` for a time ahead; `—` when there is none. */
export function timeText(at: string | number | null | undefined, nowMs: number): string {
  if (at === null || at === undefined || at === '') return '—';
  const ms = typeof at === 'number' ? at : Date.parse(at);
  if (!Number.isFinite(ms)) return String(at);
  const iso = new Date(ms).toISOString().replace(/\.000Z$/, 'Z');
  const diff = nowMs - ms;
  return `${iso} (${diff >= 0 ? `${spanText(diff)} ago` : `in ${spanText(-diff)}`})`;
}

const short = (sha: string | null | undefined) => (sha ? sha.slice(0, 12) : '—');
const num = (v: number | null | undefined, digits = 3) => (v === null || v === undefined ? '—' : v.toFixed(digits));
const pct = (w: number) => `${Math.round(w * 100)}%`;

/** Columns padded to their widest cell, two spaces apart, indented by two. */
export function table(header: string[], cells: string[][]): string {
  const rows = cells.map((r) => r.map(tableCell));
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => `  ${cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ')}`.trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

/** The evidence of a run that waits for a decision: its model, per-class table, gate verdict and report path. */
export function formatApprovalEvidence(e: ApprovalEvidence): string {
  return [`run ${e.runId}: model ${short(e.modelSha256)}`, formatValidationTable(e.validation, e.reportHtmlPath ?? e.reportPath)].join(
    '\n',
  );
}

/** What a canary waiting for a decision asks, then per window the labelled requests and each class's recall of both arms. */
export function formatCanaryApprovalEvidence(e: CanaryApprovalEvidence): string {
  const what =
    e.stage === 'full-traffic'
      ? `canary ${e.rolloutId} asks to go from ${pct(e.weight)} to 100% traffic`
      : `canary ${e.rolloutId} asks to go on after insufficient evidence at step ${e.stage.replace('insufficient-evidence-step-', '')}`;
  const lines = [`run ${e.runId}: ${what} (challenger ${short(e.challengerSha256)}, champion ${short(e.championSha256)})`];
  if (e.windows.length === 0) return [...lines, '  no canary windows yet'].join('\n');
  const classes = [...new Set(e.windows.flatMap((w) => [...Object.keys(w.champion.recall), ...Object.keys(w.challenger.recall)]))];
  lines.push(
    '  windows so far (champion/challenger):',
    table(
      ['step', 'weight', 'labelled', ...classes.map((c) => `recall ${c}`), 'G-mean', 'decision'],
      e.windows.map((w) => [
        String(w.step + 1),
        pct(w.weight),
        `${w.champion.labelled}/${w.challenger.labelled}`,
        ...classes.map((c) => `${num(w.champion.recall[c])}/${num(w.challenger.recall[c])}`),
        `${num(w.champion.gMean)}/${num(w.challenger.gMean)}`,
        `${w.decision}${w.reasons.length ? `: ${w.reasons.join('; ')}` : ''}`,
      ]),
    ),
  );
  return lines.join('\n');
}

export type StatusView = LifecycleStatus & {
  canary?: CanaryRolloutStatus;
  monitor?: Pick<DriftMonitorStatus, 'windowsChecked' | 'errorCount' | 'lastError'>;
  awaitingApproval?: ApprovalEvidence;
  /** A canary of the current run waits for a decision (before 100% traffic, or after insufficient evidence). */
  awaitingCanaryApproval?: CanaryApprovalEvidence;
  /** The lifecycle workflow has ended (cancelled or terminated from Temporal): how, in lower case. */
  lifecycleEnded?: string;
};

/** Recent runs shown by `status` (the JSON has them all). */
const RECENT_RUNS = 10;

export function formatStatus(s: StatusView, nowMs: number): string {
  const lines = [
    s.lifecycleEnded
      ? `model ${s.modelName}: the lifecycle has ended (${s.lifecycleEnded}): no retrain runs${s.pending ? ', and the pending request below never will' : ''}; start it again with rareflow run --config PIPELINE.json`
      : `model ${s.modelName}: ${s.phase}${s.currentRunId ? ` (run ${s.currentRunId})` : ''}`,
    `  champion      ${short(s.championSha256)}`,
    `  retrains      ${s.retrainCount}, last finished ${timeText(s.lastRetrainAt, nowMs)}`,
  ];
  if (s.pending) {
    const signals = s.pending.coalesced === 1 ? '1 signal' : `${s.pending.coalesced} signals`;
    lines.push(`  pending       ${s.pending.kind} (${signals}): ${s.pending.reason}`);
  }
  if (s.canary) {
    lines.push(
      `  canary        ${s.canary.phase}, challenger ${short(s.canary.challengerSha256)} at ${pct(s.canary.weight)} (step ${s.canary.step + 1} of ${s.canary.steps.length})`,
    );
    const last = s.canary.windows.at(-1);
    if (last) {
      const champion = armEvidence(last.arms.champion).recall;
      const challenger = armEvidence(last.arms.challenger).recall;
      const recalls = [...new Set([...Object.keys(champion), ...Object.keys(challenger)])].map(
        (cls) => `${cls} ${num(champion[cls])}/${num(challenger[cls])}`,
      );
      lines.push(
        `  last window   step ${last.step + 1} at ${pct(last.weight)}: ${last.decision}; recall ${recalls.join(', ')} (champion/challenger)`,
      );
    }
  }
  if (s.monitor) {
    const failures = s.monitor.errorCount ? `, ${s.monitor.errorCount} failed step(s)` : '';
    lines.push(`  drift monitor ${s.monitor.windowsChecked} window(s) checked${failures}`);
  }
  if (s.refused.length > 0 || s.ignoredDecisions > 0) {
    lines.push(`  refused       ${s.refused.length} message(s), ${s.ignoredDecisions} decision(s) for no waiting run`);
  }
  if (s.phase === 'awaiting-approval') {
    lines.push('');
    if (s.awaitingCanaryApproval) {
      lines.push(`waiting for approval: ${formatCanaryApprovalEvidence(s.awaitingCanaryApproval)}`);
      lines.push(`  decide: rareflow approve|reject --model ${s.modelName} --run ${s.awaitingCanaryApproval.runId}`);
    } else if (s.awaitingApproval) {
      lines.push(`waiting for approval: ${formatApprovalEvidence(s.awaitingApproval)}`);
      lines.push(`  decide: rareflow approve|reject --model ${s.modelName} --run ${s.awaitingApproval.runId}`);
    } else {
      lines.push(`waiting for approval: run ${s.currentRunId ?? '—'} (its validation evidence could not be read)`);
    }
  }
  lines.push('');
  if (s.history.length === 0) {
    lines.push('no retrains yet');
  } else {
    const recent = s.history.slice(-RECENT_RUNS).reverse();
    lines.push(
      s.history.length > RECENT_RUNS ? `recent runs (${RECENT_RUNS} of ${s.history.length}, newest first):` : 'runs (newest first):',
    );
    lines.push(
      table(
        ['run', 'outcome', 'trigger', 'model', 'finished'],
        recent.map((h) => [h.runId, h.outcome, h.trigger, short(h.modelSha256), timeText(h.finishedAt, nowMs)]),
      ),
    );
    // A failed retrain's registry row says only that it failed (and its stage times): its reason is here.
    const failed = recent.filter((h) => h.outcome === 'failed' && h.outcomeReason);
    if (failed.length > 0) lines.push('', 'why they failed:', ...failed.map((h) => `  ${h.runId}: ${clipped(h.outcomeReason!)}`));
  }
  return lines.join('\n');
}

/** A reason cut to one readable line. */
function clipped(text: string, max = 300): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

/** The result of approve/reject, after the evidence of the run it decided. */
export function formatDecision(
  d: { model: string; run: string; decision: string; by: string; at: string; canaryEvidence?: CanaryApprovalEvidence },
  evidence: ApprovalEvidence | undefined,
  nowMs: number,
): string {
  const lines = d.canaryEvidence
    ? [formatCanaryApprovalEvidence(d.canaryEvidence), '']
    : evidence
      ? [formatApprovalEvidence(evidence), '']
      : [];
  lines.push(`${d.decision}: run ${d.run} of model ${d.model} by ${d.by} at ${timeText(d.at, nowMs)}`);
  return lines.join('\n');
}

export function formatCanary(c: CanaryRolloutStatus | { model: string; canary: string }, nowMs: number): string {
  if (!('rolloutId' in c)) return `model ${c.model}: no canary rollout running`;
  const lines = [
    `canary ${c.rolloutId} of model ${c.modelName}: ${c.phase}${c.pausedBy ? ` (paused by ${c.pausedBy})` : ''}`,
    `  challenger ${short(c.challengerSha256)} at ${pct(c.weight)} of traffic, step ${c.step + 1} of ${c.steps.length} (${c.steps.map(pct).join(' → ')})`,
    `  champion   ${short(c.championSha256)}`,
  ];
  if (c.reason) lines.push(`  reason     ${c.reason}`);
  if (c.windows.length > 0) {
    lines.push('', 'windows (newest last):');
    // Multi-class windows show each class's recall of both arms; a binary window its positive recall.
    const classes = [
      ...new Set(
        c.windows.flatMap((w) => [...Object.keys(w.arms.champion.classRecall ?? {}), ...Object.keys(w.arms.challenger.classRecall ?? {})]),
      ),
    ];
    const recallHeader = classes.length > 0 ? classes.map((cls) => `recall ${cls}`) : ['recall+ champion', 'recall+ challenger'];
    const recallCells = (w: CanaryWindow) =>
      classes.length > 0
        ? classes.map((cls) => `${num(w.arms.champion.classRecall?.[cls])}/${num(w.arms.challenger.classRecall?.[cls])}`)
        : [num(w.arms.champion.positiveRecall), num(w.arms.challenger.positiveRecall)];
    lines.push(
      table(
        ['step', 'weight', 'ended', 'requests', 'labelled', ...recallHeader, 'decision'],
        c.windows.map((w) => [
          String(w.step + 1),
          pct(w.weight),
          timeText(w.toMs, nowMs),
          `${w.arms.champion.requests}/${w.arms.challenger.requests}`,
          `${w.arms.champion.labelled}/${w.arms.challenger.labelled}`,
          ...recallCells(w),
          `${w.decision}${w.reasons.length ? `: ${w.reasons.join('; ')}` : ''}`,
        ]),
      ),
    );
    if (classes.length > 0) lines.push('  (recall columns: champion/challenger)');
  }
  return lines.join('\n');
}

/** Windows shown by `monitor status` (the JSON has them all). */
const RECENT_WINDOWS = 10;

export function formatMonitor(m: DriftMonitorStatus, nowMs: number): string {
  const lines = [
    `drift monitor of model ${m.modelName}: ${m.stopped ? 'stopped' : 'running'}`,
    `  windows       ${spanText(m.windowMs)} each; ${m.windowsChecked} checked, last ended ${timeText(m.lastWindowEndMs, nowMs)}`,
    `  hold          ${m.holdWindows} drifted window(s) in a row (now ${m.hysteresis.consecutiveDrifted}); cool-down ${spanText(m.coolDownMs)}`,
    // The hysteresis's last trigger is also set by a new champion (its cool-down): not a signal sent.
    `  last signal   ${timeText(m.lastSignalAtMs, nowMs)}; ${m.signalsSent ?? 0} sent, drift held long enough ${m.hysteresis.fires} time(s)`,
    `  labels        ${
      (m.labelDelayMs ?? 0) > 0
        ? `arrive ${spanText(m.labelDelayMs!)} late: label tests read the window that long before`
        : 'judged in the window of their predictions'
    }`,
  ];
  if (m.driftSinceMs !== null) lines.push(`  drifting since ${timeText(m.driftSinceMs, nowMs)}`);
  if (m.pendingSignal)
    lines.push(`  signal waits for labelled positives (${m.pendingSignal.windowsWaited} window(s)): ${m.pendingSignal.reason}`);
  if (m.lastError) lines.push(`  last failure  ${m.lastError.step} at ${timeText(m.lastError.at, nowMs)}: ${m.lastError.message}`);
  if (m.windows.length > 0) {
    const recent = m.windows.slice(-RECENT_WINDOWS).reverse();
    lines.push(
      '',
      m.windows.length > RECENT_WINDOWS ? `windows (${RECENT_WINDOWS} of ${m.windows.length}, newest first):` : 'windows (newest first):',
    );
    lines.push(
      table(
        ['ended', 'status', 'rows', (m.labelDelayMs ?? 0) > 0 ? 'labelled (earlier)' : 'labelled', 'drift', 'findings'],
        recent.map((w) => [
          timeText(w.toMs, nowMs),
          w.status,
          String(w.rows),
          String(w.labelled),
          w.drifted ? (w.signalled ? 'yes, signalled' : w.fired ? 'yes, held' : 'yes') : 'no',
          w.reasons.join('; '),
        ]),
      ),
    );
  }
  return lines.join('\n');
}

export interface ScheduleList {
  schedules: Array<{ id: string; paused: boolean; note?: string; next?: string }>;
}

export function formatSchedules(list: ScheduleList, nowMs: number): string {
  if (list.schedules.length === 0) return 'no schedules';
  return table(
    ['schedule', 'state', 'next run', 'note'],
    list.schedules.map((s) => [s.id, s.paused ? 'paused' : 'active', s.paused ? '—' : timeText(s.next, nowMs), s.note ?? '']),
  );
}

export interface EvaluationView {
  model: string;
  input: string;
  rows: number;
  registered?: { name: string; version: number; sha256: string };
  report: {
    perClass: Record<'positive' | 'negative', { support: number; recall: number | null; precision: number | null; f1: number | null }>;
    gMean: number | null;
    prAucNormalised: number | null;
    brier: number | null;
    threshold: number;
  };
  verdict: string;
  reasons: string[];
  reportPath?: string;
  /** Cells scored with a stand-in, categories never seen in training (scoringInputWarnings). */
  warnings?: string[];
  seconds: number;
}

/** A multi-class evaluation: one row per class with its recall interval, the macro figures, then the gates. */
export interface MultiClassEvaluationView {
  model: string;
  input: string;
  rows: number;
  classes: string[];
  report: MultiClassReport & { recallIntervals?: Array<[number, number] | null> };
  verdict?: string;
  reasons?: string[];
  reportPath?: string;
  warnings?: string[];
  seconds: number;
}

/** The warnings of an evaluation, as lines under the table (none: nothing). */
function warningLines(warnings: readonly string[] | undefined): string[] {
  return warnings?.length ? [`  warnings (${warnings.length}):`, ...warnings.map((w) => `    ${w}`)] : [];
}

export function formatEvaluation(e: EvaluationView | MultiClassEvaluationView): string {
  if ('classes' in e) return formatMultiClassEvaluation(e);
  const reg = e.registered;
  const version = reg && `${reg.name}/${reg.version}` !== e.model ? `${reg.name}/${reg.version}, ` : '';
  const model = reg ? `${e.model} (${version}sha256 ${short(reg.sha256)})` : e.model;
  const r = e.report;
  const lines = [
    `model ${model} on ${e.input}: ${e.rows} rows in ${e.seconds.toFixed(2)}s`,
    table(
      ['class', 'support', 'recall', 'precision', 'F1'],
      (['positive', 'negative'] as const).map((c) => [
        c,
        String(r.perClass[c].support),
        num(r.perClass[c].recall),
        num(r.perClass[c].precision),
        num(r.perClass[c].f1),
      ]),
    ),
    `  G-mean ${num(r.gMean)}   PR-AUC above random ${num(r.prAucNormalised)}   Brier ${num(r.brier, 4)}   threshold ${num(r.threshold, 4)}`,
    `  gates: ${e.verdict}${e.reasons.length ? ` (${e.reasons.join('; ')})` : ''}`,
    ...warningLines(e.warnings),
  ];
  if (e.reportPath) lines.push(`  report: ${e.reportPath}`);
  return lines.join('\n');
}

function formatMultiClassEvaluation(e: MultiClassEvaluationView): string {
  const r = e.report;
  const lines = [
    `model ${e.model} on ${e.input}: ${e.rows} rows in ${e.seconds.toFixed(2)}s`,
    table(
      ['class', 'support', 'recall', 'recall 95%', 'precision', 'F1'],
      r.classes.map((c, i) => {
        const interval = r.recallIntervals?.[i];
        return [
          c.class,
          String(c.support),
          num(c.recall),
          interval ? `${num(interval[0])}–${num(interval[1])}` : '—',
          num(c.precision),
          num(c.f1),
        ];
      }),
    ),
    `  macro G-mean ${num(r.macroGMean)}   macro recall ${num(r.macroRecall)}   accuracy ${num(r.accuracy)}`,
  ];
  if (e.verdict) lines.push(`  gates: ${e.verdict}${e.reasons?.length ? ` (${e.reasons.join('; ')})` : ''}`);
  lines.push(...warningLines(e.warnings));
  if (e.reportPath) lines.push(`  report: ${e.reportPath}`);
  return lines.join('\n');
}
