// Hysteresis between drift reports and retraining: drift must persist for several windows before it fires,
// and after a fire or a retrain nothing fires until a cool-down has passed. Pure, with JSON-plain state
// that a workflow carries across continueAsNew.

import { InvalidInputError } from '../invalidInputError.js';

export interface DriftHysteresisState {
  /** Consecutive drifted windows up to the last one (reset by a clean window, a fire or a retrain). */
  consecutiveDrifted: number;
  /** Time of the last fire or retrain, ms since the epoch; null before the first. The cool-down runs from it. */
  lastTriggerAtMs: number | null;
  /** Time of the last window seen, ms since the epoch; windows must not go back in time. */
  lastWindowAtMs: number | null;
  /** Fires so far. */
  fires: number;
}

export interface DriftHysteresisOptions {
  /**
   * Consecutive drifted windows needed to fire.
   * @default 3
   */
  holdWindows: number;
  /**
   * After a fire or a retrain, no fire until this much time has passed, in milliseconds.
   * @default 21_600_000 (6 h)
   */
  coolDownMs: number;
}

export interface DriftHysteresisStep {
  state: DriftHysteresisState;
  /** Drift held for `holdWindows` windows outside the cool-down: signal a retrain. */
  fire: boolean;
  /** Why it fired or did not, with the numbers. */
  reason: string;
}

export const DEFAULT_DRIFT_HYSTERESIS: DriftHysteresisOptions = { holdWindows: 3, coolDownMs: 6 * 60 * 60 * 1000 };

export function initialDriftHysteresisState(): DriftHysteresisState {
  return { consecutiveDrifted: 0, lastTriggerAtMs: null, lastWindowAtMs: null, fires: 0 };
}

function assertTime(atMs: number, subject: string): void {
  if (typeof atMs !== 'number' || !Number.isFinite(atMs))
    throw new InvalidInputError(subject, `${subject}: expected a finite time in ms, got ${String(atMs)}`);
}

function resolveOptions(options: Partial<DriftHysteresisOptions>): DriftHysteresisOptions {
  const holdWindows = options.holdWindows ?? DEFAULT_DRIFT_HYSTERESIS.holdWindows;
  if (!Number.isInteger(holdWindows) || holdWindows < 1)
    throw new InvalidInputError('holdWindows', `holdWindows: expected an integer ≥ 1, got ${String(holdWindows)}`);
  const coolDownMs = options.coolDownMs ?? DEFAULT_DRIFT_HYSTERESIS.coolDownMs;
  if (typeof coolDownMs !== 'number' || !(coolDownMs >= 0) || !Number.isFinite(coolDownMs)) {
    throw new InvalidInputError('coolDownMs', `coolDownMs: expected a finite number of ms ≥ 0, got ${String(coolDownMs)}`);
  }
  return { holdWindows, coolDownMs };
}

/**
 * One window through the hysteresis. A clean window resets the counter. A drifted window counts; once the
 * count reaches `holdWindows` it fires, unless the cool-down since the last fire or retrain is still running,
 * in which case the count keeps growing and the first drifted window after the cool-down fires. A fire resets
 * the count and starts a new cool-down.
 */
export function stepDriftHysteresis(
  state: DriftHysteresisState,
  window: { drifted: boolean; atMs: number },
  options: Partial<DriftHysteresisOptions> = {},
): DriftHysteresisStep {
  const { holdWindows, coolDownMs } = resolveOptions(options);
  assertTime(window.atMs, 'window.atMs');
  if (typeof window.drifted !== 'boolean')
    throw new InvalidInputError('window.drifted', `window.drifted: expected a boolean, got ${String(window.drifted)}`);
  if (state.lastWindowAtMs !== null && window.atMs < state.lastWindowAtMs) {
    throw new InvalidInputError(
      'window.atMs',
      `window.atMs: expected windows in time order, got ${window.atMs} after ${state.lastWindowAtMs}`,
    );
  }
  const seen = { ...state, lastWindowAtMs: window.atMs };
  if (!window.drifted) {
    const reason =
      state.consecutiveDrifted > 0
        ? `no drift in this window; the count of ${state.consecutiveDrifted} drifted windows is reset`
        : 'no drift in this window';
    return { state: { ...seen, consecutiveDrifted: 0 }, fire: false, reason };
  }
  const count = state.consecutiveDrifted + 1;
  if (count < holdWindows) {
    return { state: { ...seen, consecutiveDrifted: count }, fire: false, reason: `drift held for ${count} of ${holdWindows} windows` };
  }
  if (state.lastTriggerAtMs !== null && window.atMs - state.lastTriggerAtMs < coolDownMs) {
    const leftMs = state.lastTriggerAtMs + coolDownMs - window.atMs;
    return {
      state: { ...seen, consecutiveDrifted: count },
      fire: false,
      reason: `drift held for ${count} windows (≥ ${holdWindows}) but the cool-down of ${coolDownMs} ms since the last retrain trigger has ${leftMs} ms left`,
    };
  }
  return {
    state: { ...seen, consecutiveDrifted: 0, lastTriggerAtMs: window.atMs, fires: state.fires + 1 },
    fire: true,
    reason: `drift held for ${count} consecutive windows (≥ ${holdWindows}) outside the cool-down: retrain`,
  };
}

/**
 * Records a retrain started outside the hysteresis (manual, scheduled): the drift count restarts, since it
 * was evidence against the old model, and the cool-down runs from `atMs`.
 */
export function noteRetrain(state: DriftHysteresisState, atMs: number): DriftHysteresisState {
  assertTime(atMs, 'atMs');
  const lastTriggerAtMs = state.lastTriggerAtMs === null ? atMs : Math.max(state.lastTriggerAtMs, atMs);
  return { ...state, consecutiveDrifted: 0, lastTriggerAtMs };
}
