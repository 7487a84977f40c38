// The denoise stage refuses a cleaning that would leave a class with no rows (identical feature values in both
// classes make every negative a "noisy" neighbour of a positive), instead of handing on data nothing can learn from;
// `auto` leaves the candidates with that step out of its choice, with the reason, instead of failing the fit.

import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../core/invalidInputError.js';
import { denoiseStage, filterAndType, rennStopText } from '../../stages/denoise.js';
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

  it('names k in its note only for the methods that read it (ENN, RENN), not Tomek links or confident learning', () => {
    const data = identicalRows(200, 10);
    for (let r = 0; r < 200; r++) data.x.values[r * 2] = data.y[r] === 1 ? 50 + r : r;
    const noteOf = (method: 'enn' | 'tomek' | 'confident') =>
      denoiseStage(data, { method, k: 3, neighbors: 'auto', scaling: 'standardise', seed: 1, categoricalGroups: [] }).summary.note;
    expect(noteOf('enn')).toMatch(/^k=3, /);
    expect(noteOf('tomek')).not.toMatch(/k=/);
    expect(noteOf('confident')).not.toMatch(/k=/);
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

describe('repeated ENN that stops before a round', () => {
  it('says why it removed nothing, in the stage note and the warning text', () => {
    // 45 positives and 55 negatives spread alike: a first round would leave fewer negatives than the 45 positives.
    let state = 7;
    const next = () => (state = (state * 48271) % 2147483647) / 2147483647;
    const values = Float64Array.from({ length: 200 }, next);
    const data = { x: { rows: 100, cols: 2, values }, y: Uint8Array.from({ length: 100 }, (_, i) => (i < 45 ? 1 : 0)) };
    const { cleaning } = filterAndType(data, 'renn', 3);
    expect(cleaning).toMatchObject({ roundsApplied: 0, stoppedBecause: 'class-would-shrink-below-minority' });
    expect(cleaning.removed.length).toBe(0);
    expect(rennStopText(cleaning)).toBe(
      'renn removed nothing: its first round would have left fewer negative rows than there were positive rows to start with, so it was not applied and the output is the input',
    );
    const stage = denoiseStage(data, { method: 'renn', k: 3, neighbors: 'auto', scaling: 'standardise', seed: 1, categoricalGroups: [] });
    expect(stage.summary.note).toMatch(/0 round\(s\); .*; renn removed nothing: its first round would have left fewer negative rows/);
    expect(rennStopText({ ...cleaning, roundsApplied: 2, stoppedBecause: 'class-would-vanish' })).toBe(
      'renn stopped after 2 round(s): the next round would have removed every row left of a class',
    );
    expect(rennStopText({ ...cleaning, roundsApplied: 3, stoppedBecause: 'converged' })).toBeUndefined();
  });
});
