// The progress line of predict, evaluate and fit: drawn in place on a terminal (step, rows, rows/s, ETA when the
// total is known), at most once per interval, cleared at the end; nothing at all when stderr is not a terminal.

import { describe, expect, it } from 'vitest';
import { progressLine } from '../../client/progressLine.js';

function fakeTerminal(isTTY: boolean) {
  const writes: string[] = [];
  let ms = 0;
  return {
    writes,
    stream: { isTTY, write: (text: string) => writes.push(text) },
    now: () => ms,
    advance: (by: number) => (ms += by),
  };
}

const CLEAR = '\r\u001b[2K';

describe('progressLine', () => {
  it('draws the step, rows, rate and ETA in place, throttled, and clears itself at the end', () => {
    const t = fakeTerminal(true);
    const line = progressLine('predict', { stream: t.stream, now: t.now, minIntervalMs: 250 });
    expect(line.active).toBe(true);
    line.step('scoring', 100_000);
    expect(t.writes).toEqual([`${CLEAR}predict: scoring, 0 of 100,000 rows, 0s so far`]);
    t.advance(1000);
    line.rows(20_000);
    expect(t.writes.at(-1)).toBe(`${CLEAR}predict: scoring, 20,000 of 100,000 rows, 20,000 rows/s, ETA 4s, 1s so far`);
    // Within the interval: no redraw.
    t.advance(100);
    line.rows(22_000);
    expect(t.writes).toHaveLength(2);
    t.advance(150);
    line.rows(25_000);
    expect(t.writes).toHaveLength(3);
    line.end();
    expect(t.writes.at(-1)).toBe(CLEAR);
    // Ended lines are not cleared twice.
    line.end();
    expect(t.writes).toHaveLength(4);
  });

  it('shows no ETA when the total is unknown, and names stage progress by stage, candidate and fold', () => {
    const t = fakeTerminal(true);
    const line = progressLine('fit', { stream: t.stream, now: t.now });
    t.advance(61_000);
    line.stageProgress({ stage: 'choosing model', candidate: 'balanced-forest', fold: 2 });
    expect(t.writes.at(-1)).toBe(`${CLEAR}fit: choosing model balanced-forest fold 2, 1m01s so far`);
    line.step('scoring');
    t.advance(2000);
    line.rows(5000);
    expect(t.writes.at(-1)).toBe(`${CLEAR}fit: scoring, 5,000 rows, 2,500 rows/s, 1m03s so far`);
  });

  it('writes nothing when the stream is not a terminal', () => {
    const t = fakeTerminal(false);
    const line = progressLine('evaluate', { stream: t.stream, now: t.now });
    expect(line.active).toBe(false);
    line.step('scoring', 10);
    line.rows(5);
    line.stageProgress({ stage: 'fitting' });
    line.end();
    expect(t.writes).toEqual([]);
  });
});
