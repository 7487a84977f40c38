// fit's selection table: a candidate left out with a long reason that the warnings under the table repeat keeps its
// first words in its row; other outcomes (chosen, finalist, halved) are shown whole.

import { describe, expect, it } from 'vitest';
import type { ModelSelection } from '../../core/models/modelSelection.js';
import { selectionText, tableOutcome } from '../../client/selectionText.js';

const leftOut = 'left out: its noise filter could not run on an inner fold (the noise filter (enn) would remove all 4 negative rows)';

const selection: ModelSelection = {
  method: 'inner stratified cross-validation',
  folds: 2,
  repeats: 10,
  seed: 1,
  budgetSeconds: 60,
  chosen: 'balanced-forest',
  thresholdPolicy: 'prevalence',
  reason: 'highest mean inner-fold G-mean',
  candidates: [
    { name: 'balanced-forest', fits: 'f', relativeCost: 1, gMean: { mean: 0.9, sd: 0.1, standardError: 0.03, folds: 20 } },
    { name: 'rfq-forest', fits: 'f', relativeCost: 1.2, gMean: { mean: 0.88, sd: 0.1, standardError: 0.03, folds: 20 } },
    {
      name: 'gbdt',
      fits: 'g',
      relativeCost: 2,
      dropped: 'halved after repeat 5 (rank 5 of 5)',
      gMean: { mean: 0.5, sd: 0, standardError: 0, folds: 10 },
    },
    { name: 'enn-logreg-weighted', fits: 'e', relativeCost: 0.3, dropped: leftOut },
  ],
  warnings: [`enn-logreg-weighted ${leftOut}`],
};

describe('selectionText', () => {
  it('points a left-out row to the warning that gives its reason whole, and shows other outcomes whole', () => {
    expect(selection.candidates.map((c) => tableOutcome(c, selection))).toEqual([
      'chosen',
      'finalist',
      'halved after repeat 5 (rank 5 of 5)',
      'left out: its noise filter could not run on an inner fold (why: below)',
    ]);
    const lines = selectionText(selection).split('\n');
    expect(lines.filter((l) => l.includes('(the noise filter (enn) would remove all 4 negative rows)'))).toEqual([
      `  - enn-logreg-weighted ${leftOut}`,
    ]);
    expect(lines.find((l) => l.startsWith('    enn-logreg-weighted'))).toMatch(
      / {2}left out: its noise filter could not run on an inner fold \(why: below\)$/,
    );
  });

  it('shows a left-out reason whole when no warning repeats it', () => {
    const alone = { ...selection, warnings: [] };
    expect(tableOutcome(selection.candidates[3]!, alone)).toBe(leftOut);
  });
});
