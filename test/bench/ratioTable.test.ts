import { describe, expect, test } from 'vitest';
import { formatRatioTable, goalMet, speedup, type RatioRow } from '../../bench/ratioTable.js';

describe('speedup', () => {
  test('time: the peer seconds over ours; throughput: our rows/s over theirs', () => {
    expect(speedup({ value: 2, unit: 's' }, { value: 10, unit: 's' })).toBe(5);
    expect(speedup({ value: 3e6, unit: 'rows/s' }, { value: 1e6, unit: 'rows/s' })).toBe(3);
  });
  test('no ratio without a peer, across units, or for a zero figure', () => {
    expect(speedup({ value: 2, unit: 's' }, undefined)).toBeUndefined();
    expect(speedup({ value: 2, unit: 's' }, { value: 2, unit: 'ms' })).toBeUndefined();
    expect(speedup({ value: 0, unit: 's' }, { value: 2, unit: 's' })).toBeUndefined();
  });
});

describe('goalMet', () => {
  test('a speedup goal holds at the floor and fails below it', () => {
    const row = (peer: number): RatioRow => ({
      stage: 'forest scoring',
      rareflow: { value: 2e6, unit: 'rows/s' },
      peer: { value: peer, unit: 'rows/s' },
      goal: { kind: 'speedup', atLeast: 2 },
    });
    expect(goalMet(row(1e6))).toBe(true);
    expect(goalMet(row(1.01e6))).toBe(false);
  });
  test('a ceiling goal reads rareflow alone; no goal or no peer gives no answer', () => {
    expect(goalMet({ stage: 'pipeline', rareflow: { value: 119, unit: 's' }, goal: { kind: 'ceiling', atMost: 120 } })).toBe(true);
    expect(goalMet({ stage: 'pipeline', rareflow: { value: 121, unit: 's' }, goal: { kind: 'ceiling', atMost: 120 } })).toBe(false);
    expect(
      goalMet({
        stage: 'pipeline',
        rareflow: { value: 10, unit: 's' },
        goal: { kind: 'ceiling', atMost: 120 },
        unmetBecause: 'outcome rejected-by-gate',
      }),
    ).toBe(false);
    expect(goalMet({ stage: 'scan', rareflow: { value: 1, unit: 's' }, goal: { kind: 'none' } })).toBeUndefined();
    expect(goalMet({ stage: 'enn', rareflow: { value: 1, unit: 's' }, goal: { kind: 'speedup', atLeast: 1 } })).toBeUndefined();
  });
});

test('formatRatioTable: one Markdown row per stage with figures, peak RSS, ratio, goal and verdict', () => {
  const table = formatRatioTable([
    {
      stage: 'ENN k=3',
      note: '200k × 40',
      rareflow: { value: 4.7, unit: 's', peakMb: 512.4 },
      peer: { value: 59.8, unit: 's', peakMb: 900 },
      goal: { kind: 'speedup', atLeast: 1 },
    },
    { stage: 'pipeline 10M → promoted', rareflow: { value: 125, unit: 's', peakMb: 450 }, goal: { kind: 'ceiling', atMost: 120 } },
    {
      stage: 'pipeline with ENN',
      rareflow: { value: 20, unit: 's' },
      goal: { kind: 'ceiling', atMost: 150 },
      unmetBecause: 'outcome rejected-by-gate',
    },
    { stage: 'forest scoring', rareflow: { value: 290_000, unit: 'rows/s' }, goal: { kind: 'none' } },
  ]);
  expect(table.split('\n')).toEqual([
    '| stage | rareflow | peer | ratio | goal | met? |',
    '|---|---|---|---|---|---|',
    '| ENN k=3 (200k × 40) | 4.70 s, peak RSS 512 MB | 59.80 s, peak RSS 900 MB | 12.72× | ≥ 1× | yes |',
    '| pipeline 10M → promoted | 125 s, peak RSS 450 MB | — | — | ≤ 120 s | no |',
    '| pipeline with ENN | 20.00 s | — | — | ≤ 150 s | no: outcome rejected-by-gate |',
    '| forest scoring | 0.290M rows/s | — | — | — | — |',
  ]);
});
