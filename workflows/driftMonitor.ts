// The drift monitor of one model (ARCHITECTURE.md): every window a durable timer fires, a drift check runs over
// the scoring service's log since the last window, drifted windows are recorded in the registry, and when drift
// has held for `holdWindows` windows outside the cool-down, the lifecycle gets a drift signal with the evidence.

import {
  allHandlersFinished,
  condition,
  makeContinueAsNewFunc,
  getExternalWorkflowHandle,
  log,
  patched,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import { initialDriftHysteresisState, noteRetrain, stepDriftHysteresis } from '../core/drift/driftHysteresis.js';
import {
  driftSignal,
  lifecycleWorkflowId,
  monitorStatusQuery,
  stopMonitorSignal,
  type DriftMonitorInput,
  type DriftMonitorState,
  type DriftMonitorStatus,
  WORKFLOWS_TASK_QUEUE,
} from './contract.js';
import { computeActivities, registryActivities } from './activityProxies.js';
import { innermostFailure } from './failureReason.js';

const compute = computeActivities({ startToCloseTimeout: '10 minutes', maximumAttempts: 10 });

const registry = registryActivities('30 minutes');

const WINDOWS_KEPT = 20;

/**
 * A window ends this long (at most half a window) before its check: the scoring service writes its log every
 * `--flush-ms` (1 s), so rows served in the last moments before the check are not in the log yet, and a window ending
 * at the check left them in no window at all (the next one starts where it ended).
 */
const WINDOW_SETTLE_MS = 5000;

export async function driftMonitor(input: DriftMonitorInput): Promise<void> {
  const windowMs = input.windowMs ?? 3_600_000;
  const holdWindows = input.holdWindows ?? 3;
  const coolDownMs = input.coolDownMs ?? 6 * 3_600_000;
  const maxWindowsPerRun = input.maxWindowsPerRun ?? 200;
  const minRetrainPositives = input.minRetrainPositives ?? 200;
  const maxWaitWindows = input.maxWaitWindows ?? 10;
  const labelDelayMs = input.labelDelayMs ?? 0;
  const state: DriftMonitorState = input.state ?? {
    hysteresis: initialDriftHysteresisState(),
    lastWindowEndMs: null,
    championSha256: null,
    driftSinceMs: null,
    windows: [],
    windowsChecked: 0,
    generation: 0,
  };
  let stopped = false;
  let windowsThisRun = 0;

  setHandler(stopMonitorSignal, () => {
    stopped = true;
  });
  setHandler(monitorStatusQuery, (): DriftMonitorStatus => ({
    ...state,
    modelName: input.modelName,
    windowMs,
    holdWindows,
    coolDownMs,
    labelDelayMs,
    stopped,
  }));

  /**
   * A failed step is reported, never swallowed and never fatal: it is counted, kept as the last error in the status
   * query and logged by the worker, and the monitor goes on with its next window.
   */
  const report = (step: string, err: unknown, fromMs: number, toMs: number) => {
    const message = innermostFailure(err);
    state.errorCount = (state.errorCount ?? 0) + 1;
    state.lastError = { step, message, at: new Date().toISOString(), fromMs, toMs };
    log.warn('drift monitor step failed', { modelName: input.modelName, step, error: message, fromMs, toMs, errorCount: state.errorCount });
  };

  state.lastWindowEndMs ??= Date.now();
  while (!stopped && windowsThisRun < maxWindowsPerRun && !workflowInfo().continueAsNewSuggested) {
    if (await condition(() => stopped, windowMs)) break;
    const fromMs = state.lastWindowEndMs!;
    const toMs = Date.now() - (patched('window-settle') ? Math.min(WINDOW_SETTLE_MS, Math.floor(windowMs / 2)) : 0);
    let check: Awaited<ReturnType<typeof compute.checkDrift>>;
    try {
      check = await compute.checkDrift({
        modelName: input.modelName,
        fromMs,
        toMs,
        ...(input.options ? { options: input.options } : {}),
        ...(labelDelayMs > 0 ? { labelDelayMs } : {}),
      });
    } catch (err) {
      // Retries exhausted, or a non-retryable failure (a damaged champion file): the window's traffic stays for the
      // next check (lastWindowEndMs is not moved), so nothing is lost once the cause is fixed.
      windowsThisRun += 1;
      report('checkDrift', err, fromMs, toMs);
      continue;
    }
    windowsThisRun += 1;
    state.windowsChecked += 1;
    state.lastWindowEndMs = toMs;

    // A new champion restarts the count and the cool-down: its own reference, its own evidence. A signal that waited
    // for labelled positives was the old champion's drift: it is dropped, not sent to replace the new champion.
    let dropped: string | undefined;
    if (check.championSha256 !== null && check.championSha256 !== state.championSha256) {
      if (state.championSha256 !== null) state.hysteresis = noteRetrain(state.hysteresis, toMs);
      if (state.championSha256 !== null && state.pendingSignal && patched('drop-signal-on-new-champion')) {
        dropped = `signal dropped: a new champion (${check.championSha256.slice(0, 12)}) took over while it waited for labelled positives; its own windows judge its drift`;
        state.pendingSignal = null;
      }
      state.championSha256 = check.championSha256;
      state.driftSinceMs = null;
    }
    let fired = false;
    if (check.status === 'checked') {
      if (check.drifted && state.driftSinceMs === null) state.driftSinceMs = fromMs;
      if (!check.drifted) state.driftSinceMs = null;
      const step = stepDriftHysteresis(state.hysteresis, { drifted: check.drifted, atMs: toMs }, { holdWindows, coolDownMs });
      state.hysteresis = step.state;
      if (check.drifted) {
        try {
          await registry.registryRecordDrift({
            modelName: input.modelName,
            at: new Date(toMs).toISOString(),
            source: 'driftMonitor',
            evidence: {
              reason: check.reasons.join('; '),
              metrics: check.metrics,
              fromMs,
              toMs,
              fired: step.fire,
              hysteresis: step.reason,
              ...(check.report ? { report: check.report.uri } : {}),
            },
          });
        } catch (err) {
          // The window's verdict stands (the hysteresis has counted it); only its registry record is missing.
          report('registryRecordDrift', err, fromMs, toMs);
        }
      }
      if (step.fire) {
        fired = true;
        state.pendingSignal = {
          sinceMs: state.driftSinceMs ?? fromMs,
          windowsWaited: 0,
          reason: `drift held for ${holdWindows} window(s): ${check.reasons.slice(0, 3).join('; ')}`,
          metrics: check.metrics,
        };
        state.driftSinceMs = null;
      }
    }
    let signalled = false;
    const pending = state.pendingSignal;
    if (pending) {
      // Retrain on the labelled rows since the drift began, once they hold enough positives for the gates.
      let dataPaths: string[] | undefined;
      let ready = input.retrainOnRecentWindow === false;
      if (!ready) {
        let recent: Awaited<ReturnType<typeof compute.exportRecentWindow>> | undefined;
        try {
          // With late labels, only rows served a label delay ago have all their labels (the later ones hold the early,
          // biased few): the window ends one delay back, and starts one delay before the drift was seen.
          recent = await compute.exportRecentWindow({
            modelName: input.modelName,
            fromMs: pending.sinceMs - labelDelayMs,
            toMs: toMs - labelDelayMs,
          });
        } catch (err) {
          // Counted as a window waited: after maxWaitWindows the signal goes with the pipeline's own input.
          report('exportRecentWindow', err, pending.sinceMs - labelDelayMs, toMs - labelDelayMs);
        }
        if (recent && recent.positives >= minRetrainPositives) {
          dataPaths = [recent.path];
          ready = true;
        } else if (pending.windowsWaited >= maxWaitWindows) {
          // Said in the reason the retrain records: it did not learn from the drifted traffic.
          pending.reason = `${pending.reason}; after ${maxWaitWindows} window(s) the labelled rows since the drift began held ${recent ? recent.positives : 'no'} positive(s) of the ${minRetrainPositives} asked, so the retrain reads the pipeline's own input, not the drifted traffic`;
          ready = true;
        } else {
          pending.windowsWaited += 1;
        }
      }
      if (ready) {
        try {
          await getExternalWorkflowHandle(lifecycleWorkflowId(input.modelName)).signal(driftSignal, {
            source: 'driftMonitor',
            reason: pending.reason,
            ...(dataPaths ? { dataPaths } : {}),
            metrics: pending.metrics,
          });
          // Counted only once the lifecycle has it: a signal with no lifecycle to take it was not sent.
          state.lastSignalAtMs = toMs;
          state.signalsSent = (state.signalsSent ?? 0) + 1;
        } catch (err) {
          // No lifecycle for this model (not started, or ended): the drift events stay in the registry.
          report('signal lifecycle', err, pending.sinceMs, toMs);
        }
        signalled = true;
        state.pendingSignal = null;
      }
    }
    state.windows.push({
      fromMs,
      toMs,
      status: check.status,
      rows: check.rows,
      labelled: check.labelled,
      drifted: check.drifted,
      reasons: dropped ? [dropped, ...check.reasons.slice(0, 2)] : check.reasons.slice(0, 3),
      fired,
      signalled,
    });
    if (state.windows.length > WINDOWS_KEPT) state.windows.splice(0, state.windows.length - WINDOWS_KEPT);
  }
  if (stopped) return;
  await condition(allHandlersFinished);
  // The next run lives on the workflows queue, also when this one was started on the compute queue (before it had its own).
  await makeContinueAsNewFunc<typeof driftMonitor>({ taskQueue: WORKFLOWS_TASK_QUEUE })({
    ...input,
    state: { ...state, generation: state.generation + 1 },
  });
}
