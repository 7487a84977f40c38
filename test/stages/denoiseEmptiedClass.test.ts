// The denoise stage refuses a cleaning that would leave a class with no rows (identical feature values in both
// classes make every negative a "noisy" neighbour of a positive), instead of handing on data nothing can learn from;
// `auto` leaves the candidates with that step out of its choice, with the reason, instead of failing the fit.

import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../core/invalidInputError.js';
import { denoiseStage, filterAndType } from '../../stages/denoise.js';
import { chooseModel } from '../../stages/modelChoice.js';
import { fitModelArtifact } from '../../stages/train.js';
import { choiceFitBase } from '../support/modelChoiceData.js';

function identicalRows(rows: number, every: number, cols = 2) {
  const values = new Float64Array(rows * cols).fill(1);
  const y = Uint8Array.from({ length: rows }, (_, i) => (i % every === 0 ? 1 : 0));
  return { x: { rows, cols, values }, y };
}

describe('a noise filter that would empty a class', () => {
  it('is refused by ENN, naming the class, its row count and the way out', () => {
    const data = identicalRows(200, 10);
    expect(() => filterAndType(data, 'enn', 3)).toThrow(InvalidInputError);
    expect(() => filterAndType(data, 'enn', 3)).toThrow(
      'the noise filter (enn) would remove all 180 negative rows: each has rows of the other class among its nearest neighbours (k = 3;',
    );
    expect(() =>
      denoiseStage(data, { method: 'enn', k: 3, neighbors: 'auto', scaling: 'standardise', seed: 1, categoricalGroups: [] }),
    ).toThrow(/turn the noise filter off$/);
  });

  it('leaves a cleaning that keeps both classes alone', () => {
    const data = identicalRows(200, 10);
    // One column that tells the classes apart: nothing is removed.
    for (let r = 0; r < 200; r++) data.x.values[r * 2] = data.y[r] === 1 ? 50 + r : r;
    const { cleaning } = filterAndType(data, 'enn', 3);
    expect(cleaning.removedPerClass[0]).toBeLessThan(180);
    expect(cleaning.kept.length).toBeGreaterThan(20);
  });

  it('leaves the candidates behind such a filter out of the model choice, naming why', async () => {
    const choice = await chooseModel(identicalRows(240, 10, 3), {
      fit: fitModelArtifact,
      base: choiceFitBase,
      trees: 5,
      seed: 7,
      budgetSeconds: 600,
    });
    const byName = new Map(choice.selection.candidates.map((c) => [c.name, c]));
    for (const name of ['enn-logreg-weighted', 'enn-balanced-forest']) {
      expect(byName.get(name)!.dropped).toBe('left out: its noise filter could not run on an inner fold');
      // The reason is given once, in the warnings.
      expect(choice.selection.warnings?.filter((w) => w.startsWith(`${name} left out`))).toEqual([
        expect.stringMatching(
          /^\S+ left out: its noise filter could not run on an inner fold \(the noise filter \(enn\) would remove all \d+ negative rows/,
        ),
      ]);
    }
    expect(choice.winner.enn).toBeFalsy();
  });
});
