// The keep screen of edited nearest neighbours: with it, ENN decides every row as the exact search of every row does.

import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { takeRows, type LabelledData } from '../../core/dataset.js';
import { certifyKeptRows } from '../../core/denoise/ennKeepCertificate.js';
import { editedNearestNeighbours, type EditedNearestNeighboursOptions } from '../../core/denoise/editedNearestNeighbours.js';
import { distanceSpace } from '../../core/neighbors/distanceSpace.js';
import { seededRandom } from '../../core/random.js';
import { readLabelledDataset } from '../../data/datasetReader.js';
import { filterAndType } from '../../stages/denoise.js';

/** Gaussian negatives and a shifted, overlapping blob of positives, with some exact duplicates across the classes. */
function blobs(rows: number, cols: number, positiveRate: number, seed: number): LabelledData {
  const random = seededRandom(seed);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - random.next())) * Math.cos(2 * Math.PI * random.next());
  const values = new Float64Array(rows * cols);
  const y = new Uint8Array(rows);
  for (let r = 0; r < rows; r++) {
    y[r] = random.next() < positiveRate ? 1 : 0;
    for (let c = 0; c < cols; c++) values[r * cols + c] = gauss() + (y[r] === 1 && c < 4 ? 1.5 : 0);
  }
  // A few negatives copied onto positives: distance-0 ties between the classes.
  for (let r = 0, copied = 0; r < rows && copied < 10; r++) {
    if (y[r] === 1 && r + 1 < rows && y[r + 1] === 0) {
      values.copyWithin((r + 1) * cols, r * cols, r * cols + cols);
      copied++;
    }
  }
  return { x: { rows, cols, values }, y };
}

function expectSameDecisions(data: LabelledData, opts: EditedNearestNeighboursOptions): void {
  const screened = editedNearestNeighbours(data, opts);
  const full = editedNearestNeighbours(data, { ...opts, screen: false });
  expect(Array.from(screened.kept)).toEqual(Array.from(full.kept));
  expect(Array.from(screened.removed)).toEqual(Array.from(full.removed));
  expect(Array.from(screened.neighbourLabels)).toEqual(Array.from(full.neighbourLabels));
  expect(screened.removedPerClass).toEqual(full.removedPerClass);
}

describe('ENN keep screen', () => {
  // 8000 × 40 is above the work from which the screen runs (2e9 multiply-adds).
  const data = blobs(8000, 40, 0.05, 3);

  it.each([
    { k: 3 },
    { k: 3, kindSel: 'mode' as const },
    { k: 4, kindSel: 'mode' as const },
    { k: 5, kindSel: 'mode' as const, sampling: 'all' as const },
    { k: 1, sampling: 'all' as const },
  ])('decides every row as the full exact search does (%o)', (opts) => {
    expectSameDecisions(data, opts);
  });

  it('proves only rows the full exact search keeps, and most of them', () => {
    const candidates = Int32Array.from({ length: data.y.length }, (_, i) => i).filter((r) => data.y[r] === 0);
    const proven = certifyKeptRows(data.x, data.y, candidates, { k: 3, need: 3, label: 0, probes: [4] });
    const full = editedNearestNeighbours(data, { k: 3, screen: false });
    const kept = new Uint8Array(data.y.length);
    for (const r of full.kept) kept[r] = 1;
    let count = 0;
    candidates.forEach((r, i) => {
      if (proven[i] === 1) {
        expect(kept[r]).toBe(1);
        count++;
      }
    });
    expect(count).toBeGreaterThan(candidates.length / 2);
  });

  it('leaves every row unproven when the other class has too few rows for the vote', () => {
    const candidates = Int32Array.from({ length: data.y.length }, (_, i) => i);
    const proven = certifyKeptRows(data.x, data.y, candidates, { k: 3, need: 1, label: 1, probes: [4] });
    expect(proven.some((v, i) => v === 1 && data.y[candidates[i]!] !== 1)).toBe(false);
    const few: LabelledData = { x: data.x, y: Uint8Array.from(data.y, (_, r) => (r < 2 ? 1 : 0)) };
    expect(certifyKeptRows(few.x, few.y, candidates, { k: 3, need: 1, label: 0, probes: [4] }).every((v) => v === 0)).toBe(true);
  });

  it('the denoise stage removes the same rows under auto (screened) as with --neighbors exact (every row searched)', () => {
    for (const method of ['enn', 'renn'] as const) {
      const auto = filterAndType(data, method, 3, 'auto');
      const exact = filterAndType(data, method, 3, 'exact');
      expect(auto.index.kind).toBe('exact');
      expect(Array.from(auto.cleaning.kept)).toEqual(Array.from(exact.cleaning.kept));
      expect(auto.cleaning.roundsApplied).toBe(exact.cleaning.roundsApplied);
    }
  });

  const credit = '/work/shared/datasets/credit_default.csv';
  it.skipIf(!existsSync(credit))(
    'decides credit_default (its complete rows, standardised) as the full exact search does',
    async () => {
      const { data: read } = await readLabelledDataset(credit, { label: 'label', positive: '1', keepMissingFeatures: true });
      const { cols, values } = read.x;
      const complete: number[] = [];
      for (let r = 0; r < read.y.length; r++) if (values.subarray(r * cols, r * cols + cols).every(Number.isFinite)) complete.push(r);
      const raw = takeRows(read, complete);
      expect(raw.y.length).toBeGreaterThan(20_000);
      const space = { x: distanceSpace(raw, 'standardise', []), y: raw.y };
      expectSameDecisions(space, { k: 3 });
    },
    120_000,
  );
});
