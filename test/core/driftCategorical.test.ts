// Categorical features in the drift check: the chi-square test of homogeneity on hand-computed tables (with the
// pooling of sparse bins), unseen categories in their own bin, one BH adjustment over all features, bad input.

import { describe, expect, it } from 'vitest';
import { benjaminiHochberg } from '../../core/drift/benjaminiHochberg.js';
import { OTHER_CATEGORY_BIN, chiSquareHomogeneity } from '../../core/drift/categoricalDrift.js';
import { chiSquareSurvival } from '../../core/drift/chiSquare.js';
import { buildDriftReference, type DriftReference } from '../../core/drift/driftReference.js';
import { driftReport } from '../../core/drift/driftReport.js';
import type { DriftWindow } from '../../core/drift/driftWindow.js';
import { InvalidInputError } from '../../core/invalidInputError.js';
import { seededRandom } from '../../core/random.js';

describe('chi-square test of homogeneity', () => {
  it('matches the hand-computed statistic of a 2×2 table', () => {
    // E = 40, 60 in both rows: (10²/40 + 10²/60) × 2 = 8.333…
    const r = chiSquareHomogeneity([30, 70], [50, 50])!;
    expect(r.statistic).toBeCloseTo(25 / 3, 12);
    expect(r.degreesOfFreedom).toBe(1);
    expect(r.pValue).toBeCloseTo(chiSquareSurvival(25 / 3, 1), 12);
    expect(r.pValue).toBeCloseTo(0.00389, 4);
  });

  it('pools bins below the expected-count minimum, and gives up when fewer than two bins remain', () => {
    // The third bin (1 row) is too small alone: it joins a kept bin, leaving two bins and one degree of freedom.
    expect(chiSquareHomogeneity([100, 100, 1], [100, 100, 0])).toMatchObject({ bins: 2, degreesOfFreedom: 1 });
    expect(chiSquareHomogeneity([100, 0], [100, 1])).toBeNull();
    expect(chiSquareHomogeneity([0, 0], [5, 5])).toBeNull();
    expect(() => chiSquareHomogeneity([1, 2], [1])).toThrow(/^current: expected 2 counts \(one per reference bin\), got 1$/);
  });
});

const CHANNELS = ['web', 'app', 'shop'];

function reference(rows = 3000): DriftReference {
  const random = seededRandom(1);
  const values = Float64Array.from({ length: rows }, () => random.next());
  const labels = Uint8Array.from({ length: rows }, (_, i) => (i % 20 === 0 ? 1 : 0));
  const channel = Array.from({ length: rows }, () => CHANNELS[random.nextInt(3)]!);
  return buildDriftReference(
    { rows, cols: 1, values, names: ['amount'] },
    labels,
    Float64Array.from({ length: 500 }, () => random.next()),
    0.5,
    { positive: { recall: 0.5, precision: 0.5 }, negative: { recall: 0.5, precision: 0.5 } },
    { categorical: { names: ['channel'], values: [channel] } },
  );
}

function window(rows: number, seed: number, pick: (u: number) => string): DriftWindow {
  const random = seededRandom(seed);
  return {
    features: { rows, cols: 1, values: Float64Array.from({ length: rows }, () => random.next()), names: ['amount'] },
    categorical: { names: ['channel'], values: [Array.from({ length: rows }, () => pick(random.next()))] },
    scores: Float64Array.from({ length: rows }, () => random.next()),
  };
}

describe('categorical features in the drift report', () => {
  const ref = reference();

  it('keeps the training categories and an other/unseen bin, and an unseen category drifts it', () => {
    expect(ref.categoricalFeatures![0]!.categories.categories.slice().sort()).toEqual(['app', 'shop', 'web']);
    const steady = driftReport(
      ref,
      window(1000, 2, (u) => CHANNELS[Math.floor(u * 3)]!),
    );
    expect(steady.categoricalFeatures[0]).toMatchObject({ name: 'channel', drifted: false, unseen: [] });
    const shifted = driftReport(
      ref,
      window(1000, 3, (u) => (u < 0.3 ? 'kiosk' : CHANNELS[Math.floor(((u - 0.3) / 0.7) * 3)]!)),
    );
    const channel = shifted.categoricalFeatures[0]!;
    expect(channel.drifted).toBe(true);
    expect(channel.histogram!.categories.at(-1)).toBe(OTHER_CATEGORY_BIN);
    expect(channel.histogram!.reference.at(-1)).toBe(0);
    expect(channel.histogram!.current.at(-1)).toBeCloseTo(channel.unseen[0]!.count / 1000, 12);
    expect(channel.unseen[0]!.category).toBe('kiosk');
    expect(shifted.drifted).toBe(true);
    expect(
      shifted.reasons.some((r) => /^categorical feature "channel" shifted: PSI .*rows in categories unseen in training$/.test(r)),
    ).toBe(true);
    // One Benjamini–Hochberg adjustment over the numeric and the categorical p-values together.
    const q = benjaminiHochberg([shifted.features[0]!.pValue!, channel.pValue!]);
    expect([shifted.features[0]!.qValue, channel.qValue]).toEqual(q);
  });

  it('names the categorical columns a window lacks or adds', () => {
    const w = window(300, 4, () => 'web');
    const missing = { ...w, categorical: undefined };
    expect(() => driftReport(ref, missing)).toThrow(InvalidInputError);
    expect(() => driftReport(ref, missing)).toThrow(
      /^window\.categorical\.names: expected the 1 categorical reference features \(any order\), got 0: missing "channel"/,
    );
    const short = { ...w, categorical: { names: ['channel'], values: [['web']] } };
    expect(() => driftReport(ref, short)).toThrow(/^window\.categorical column "channel": expected 300 values \(one per row\), got 1$/);
    const numbers = { ...w, categorical: { names: ['channel'], values: [Array.from({ length: 300 }, () => 7 as unknown as string)] } };
    expect(() => driftReport(ref, numbers)).toThrow(/^window\.categorical column "channel": expected category strings, got 7 at row 0$/);
  });
});
