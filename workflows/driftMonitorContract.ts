// The drift monitor's part of the contract: its input, the state it carries across continueAsNew, its status query
// and stop signal. contract.ts re-exports all of it, so callers keep one import.

import { defineQuery, defineSignal } from '@temporalio/workflow';

/** A model's drift monitor: one window of serving traffic checked against the champion's reference per timer. */
export interface DriftMonitorInput {
  modelName: string;
  /** Length of a window, a durable timer (ms). @default 3_600_000 (1 h) */
  windowMs?: number;
  /** Consecutive drifted windows before the lifecycle is signalled. @default 3 */
  holdWindows?: number;
  /** After a signal or a new champion, no signal for this long (ms). @default 21_600_000 (6 h) */
  coolDownMs?: number;
  /** Retrain on the labelled serving rows since the drift began (true), or on the pipeline's own input. @default true */
  retrainOnRecentWindow?: boolean;
  /**
   * Labelled positives the recent window must hold before the lifecycle is signalled, so the retrain's test split
   * has enough positives for its gates; the monitor keeps collecting (up to `maxWaitWindows`) until then.
   * @default 200
   */
  minRetrainPositives?: number;
  /**
   * Windows to wait for `minRetrainPositives`; then the signal goes with the pipeline's own input, said in its reason.
   * A new champion meanwhile drops the waiting signal. @default 10
   */
  maxWaitWindows?: number;
  /**
   * How long labels take to arrive after their predictions (chargebacks, confirmed diagnoses). The label tests of a
   * window (label prior, measured recall and precision, features among the positives) then read the window this long
   * before, whose labels are in, and not the few early labels of the window itself; a retrain on the recent window
   * starts this much before the drift. @default 0 (labels are judged in the window of their predictions)
   */
  labelDelayMs?: number;
  /** Thresholds of the drift tests (core/drift/driftOptions.ts DriftOptions), JSON-plain. */
  options?: Record<string, unknown>;
  /** Windows per workflow run before continueAsNew. @default 200 */
  maxWindowsPerRun?: number;
  /** Carried across continueAsNew. */
  state?: DriftMonitorState;
}

export interface DriftWindowRecord {
  fromMs: number;
  toMs: number;
  status: 'checked' | 'no-champion' | 'no-reference' | 'reference-failed-verification' | 'no-traffic' | 'too-few-rows';
  rows: number;
  labelled: number;
  drifted: boolean;
  /** The first findings, with numbers. */
  reasons: string[];
  /** Drift held for holdWindows windows here (the signal may wait for enough labelled rows). */
  fired: boolean;
  /** The lifecycle was signalled after this window. */
  signalled?: boolean;
}

export interface DriftMonitorState {
  hysteresis: { consecutiveDrifted: number; lastTriggerAtMs: number | null; lastWindowAtMs: number | null; fires: number };
  lastWindowEndMs: number | null;
  championSha256: string | null;
  /** Start of the first window of the current drifted streak. */
  driftSinceMs: number | null;
  /** Drift has held; the signal waits for enough labelled positives in the recent window. */
  pendingSignal?: { sinceMs: number; windowsWaited: number; reason: string; metrics: Record<string, number> } | null;
  windows: DriftWindowRecord[];
  windowsChecked: number;
  generation: number;
  /** Windows whose check, drift record, export or lifecycle signal failed, over the monitor's life (absent: none). */
  errorCount?: number;
  /** The latest such failure: the window keeps its traffic for the next check, and the monitor goes on. */
  lastError?: DriftMonitorError | null;
  /** When the lifecycle was last signalled (the end of that window; absent: never, or a monitor older than it). */
  lastSignalAtMs?: number | null;
  /** Signals sent to the lifecycle over the monitor's life (absent: none, or a monitor older than the count). */
  signalsSent?: number;
}

/** A failure of one drift-monitor step, as the operator reads it in `rareflow monitor status` and the worker log. */
export interface DriftMonitorError {
  /** `checkDrift`, `registryRecordDrift`, `exportRecentWindow` or `signal lifecycle`. */
  step: string;
  /** `Type: message` of the innermost failure. */
  message: string;
  /** Workflow time, ISO 8601. */
  at: string;
  fromMs: number;
  toMs: number;
}

export interface DriftMonitorStatus extends DriftMonitorState {
  modelName: string;
  windowMs: number;
  holdWindows: number;
  coolDownMs: number;
  /** 0 when labels are judged in the window of their predictions (absent from monitors started before the setting). */
  labelDelayMs?: number;
  stopped: boolean;
}

export const stopMonitorSignal = defineSignal<[string]>('stopMonitor');
export const monitorStatusQuery = defineQuery<DriftMonitorStatus>('monitorStatus');

export function driftMonitorWorkflowId(modelName: string): string {
  return `rareflow-drift-monitor-${modelName}`;
}
