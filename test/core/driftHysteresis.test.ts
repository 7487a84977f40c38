import { describe, expect, it } from 'vitest';
import {
  initialDriftHysteresisState,
  noteRetrain,
  stepDriftHysteresis,
  type DriftHysteresisState,
} from '../../core/drift/driftHysteresis.js';

const HOUR = 3_600_000;
const options = { holdWindows: 3, coolDownMs: 6 * HOUR };

/** Runs hourly windows from `startMs`; returns the fire flags and the final state. */
function run(
  drifted: boolean[],
  state: DriftHysteresisState = initialDriftHysteresisState(),
  startMs = 0,
): { fires: boolean[]; state: DriftHysteresisState; reasons: string[] } {
  const fires: boolean[] = [];
  const reasons: string[] = [];
  drifted.forEach((d, i) => {
    const step = stepDriftHysteresis(state, { drifted: d, atMs: startMs + i * HOUR }, options);
    state = step.state;
    fires.push(step.fire);
    reasons.push(step.reason);
    // The state crosses continueAsNew: it survives JSON unchanged.
    expect(JSON.parse(JSON.stringify(state))).toEqual(state);
  });
  return { fires, state, reasons };
}

describe('drift hysteresis', () => {
  it('fires only when drift holds for h consecutive windows', () => {
    const { fires, reasons, state } = run([true, true, true]);
    expect(fires).toEqual([false, false, true]);
    expect(reasons[0]).toBe('drift held for 1 of 3 windows');
    expect(reasons[2]).toBe('drift held for 3 consecutive windows (≥ 3) outside the cool-down: retrain');
    expect(state).toEqual({ consecutiveDrifted: 0, lastTriggerAtMs: 2 * HOUR, lastWindowAtMs: 2 * HOUR, fires: 1 });
  });

  it('resets the count on a clean window', () => {
    const { fires, reasons } = run([true, true, false, true, true, false, true]);
    expect(fires.every((f) => !f)).toBe(true);
    expect(reasons[2]).toBe('no drift in this window; the count of 2 drifted windows is reset');
  });

  it('suppresses fires during the cool-down and fires at its first drifted window after', () => {
    // Fire at hour 2; drift persists; the cool-down ends at hour 8.
    const { fires, reasons } = run(Array(12).fill(true));
    expect(fires.map((f, i) => (f ? i : -1)).filter((i) => i >= 0)).toEqual([2, 8]);
    expect(reasons[5]).toBe(
      `drift held for 3 windows (≥ 3) but the cool-down of ${6 * HOUR} ms since the last retrain trigger has ${3 * HOUR} ms left`,
    );
  });

  it('needs drift to hold again after the cool-down when it was interrupted', () => {
    const pattern = [true, true, true, false, false, false, false, false, false, false, true, true, true];
    const { fires } = run(pattern);
    expect(fires.map((f, i) => (f ? i : -1)).filter((i) => i >= 0)).toEqual([2, 12]);
  });

  it('starts a cool-down at an external retrain and clears the count', () => {
    let state = run([true, true]).state;
    state = noteRetrain(state, 2 * HOUR);
    expect(state.consecutiveDrifted).toBe(0);
    // Three drifted windows at hours 3..5 are inside the cool-down (until hour 8): no fire until hour 8.
    const { fires } = run(Array(7).fill(true), state, 3 * HOUR);
    expect(fires).toEqual([false, false, false, false, false, true, false]);
  });

  it('rejects windows out of time order and bad options, naming the parameter', () => {
    const { state } = run([true]);
    expect(() => stepDriftHysteresis(state, { drifted: true, atMs: -1 }, options)).toThrow(
      'window.atMs: expected windows in time order, got -1 after 0',
    );
    expect(() => stepDriftHysteresis(state, { drifted: true, atMs: NaN })).toThrow('window.atMs: expected a finite time in ms, got NaN');
    expect(() => stepDriftHysteresis(state, { drifted: true, atMs: 1 }, { holdWindows: 0 })).toThrow(
      'holdWindows: expected an integer ≥ 1, got 0',
    );
    expect(() => stepDriftHysteresis(state, { drifted: true, atMs: 1 }, { coolDownMs: -5 })).toThrow(
      'coolDownMs: expected a finite number of ms ≥ 0, got -5',
    );
  });

  it('defaults to h = 3 and a 6 h cool-down', () => {
    let state = initialDriftHysteresisState();
    const fired: number[] = [];
    for (let i = 0; i < 10; i++) {
      const step = stepDriftHysteresis(state, { drifted: true, atMs: i * HOUR });
      state = step.state;
      if (step.fire) fired.push(i);
    }
    expect(fired).toEqual([2, 8]);
  });
});
