// Gradient-boosted trees on several threads: the model is bit-identical for every thread count and to the model of
// the one-thread code it replaced (golden hashes), and a worker that cannot start fails the fit with the fix.

import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../core/invalidInputError.js';
import { trainGradientBoosting, type GbdtThreadOptions, type GradientBoostingOptions } from '../../core/models/gbdtBoosting.js';
import { sharedMemory, type HistogramInputs } from '../../core/models/gbdtHistograms.js';
import { GbdtWorkers, type SharedBinning } from '../../core/models/gbdtWorkers.js';
import { generatedGbdtData } from '../support/gbdtTrainingData.js';

const sha256 = (value: unknown): string => createHash('sha256').update(JSON.stringify(value)).digest('hex');

/**
 * Two fits and the sha256 of their model JSON from the one-thread trainer before histograms were shared with workers
 * (the same code, run before the change): one with early stopping on a held-out split and missing values, one with
 * sample weights, no class weights, few leaves and an L2 penalty.
 */
const goldenFits: Array<{ name: string; rows: number; seed: number; options: GradientBoostingOptions; sha256: string }> = [
  {
    name: 'early stopping, missing values',
    rows: 4000,
    seed: 21,
    options: { seed: 3, earlyStopping: 'on', maxIterations: 40 },
    sha256: '6d1f9e044e1a4dc067dc5d2a32ff36cc50fd2bce097bebd7fa6399d9f3ecd063',
  },
  {
    name: 'sample weights, no class weights, 8 leaves, l2 1',
    rows: 3000,
    seed: 22,
    options: {
      seed: 4,
      classWeight: 'none',
      maxLeafNodes: 8,
      l2: 1,
      maxIterations: 25,
      sampleWeights: Float64Array.from({ length: 3000 }, (_, i) => (i % 4 === 0 ? 3 : 1)),
    },
    sha256: '3b919f96abdd66009e0e0361d3935de572be2812d934d0f9e023d48ecb53243c',
  },
];

describe('gbdt on several threads', () => {
  for (const fit of goldenFits) {
    it(`gives the golden model on 1, 2 and 4 threads: ${fit.name}`, async () => {
      const data = generatedGbdtData(fit.seed, fit.rows);
      // minThreadedRows 0: share the histograms however small the data.
      const threadCounts: GbdtThreadOptions[] = [{ threads: 1 }, { threads: 2, minThreadedRows: 0 }, { threads: 4, minThreadedRows: 0 }];
      for (const threads of threadCounts) {
        expect(sha256(await trainGradientBoosting(data, fit.options, threads)), JSON.stringify(threads)).toBe(fit.sha256);
      }
    });
  }

  it('refuses a thread count that is not a positive integer', async () => {
    const data = generatedGbdtData(5, 100);
    for (const threads of [0, 1.5]) {
      const fit = trainGradientBoosting(data, {}, { threads });
      await expect(fit).rejects.toThrow(InvalidInputError);
      await expect(fit).rejects.toThrow(`threads: expected an integer ≥ 1, got ${threads}`);
    }
  });

  it('fails with the missing compiled entry and the fix when a worker cannot start', async () => {
    const rows = 100;
    const inputs: HistogramInputs = {
      codes: new Uint8Array(sharedMemory(2 * rows)),
      rows,
      features: 2,
      rowIndex: new Int32Array(sharedMemory(4 * rows)),
      gradients: new Float64Array(sharedMemory(8 * rows)),
      hessians: new Float64Array(sharedMemory(8 * rows)),
      orderedGradient: new Float64Array(sharedMemory(8 * rows)),
      orderedHessian: new Float64Array(sharedMemory(8 * rows)),
    };
    const binning: SharedBinning = {
      x: { rows, cols: 2, values: new Float64Array(sharedMemory(8 * 2 * rows)) },
      trainRows: new Int32Array(sharedMemory(4 * rows)),
      chosen: new Int32Array(sharedMemory(4 * rows)),
      maxBins: 255,
      cuts: new Float64Array(sharedMemory(8 * 2 * 255)),
      cutCounts: new Int32Array(sharedMemory(4 * 2)),
    };
    const entry = new URL('./noSuchGbdtWorker.js', import.meta.url);
    const workers = new GbdtWorkers(inputs, binning, 4, 2, entry);
    await expect(workers.started()).rejects.toThrow(/worker entry .*noSuchGbdtWorker\.js is missing: compile first/);
    // A later job is refused with the same reason, and so is the end of the fit.
    expect(() => workers.cutPoints()).toThrow(/noSuchGbdtWorker\.js is missing/);
    await expect(workers.close()).rejects.toThrow(/noSuchGbdtWorker\.js is missing/);
  });
});
