// The table `run --wait` and `runs show` print for a retrain's validation: the two classes of a binary model, or every
// class of a multi-class one with its macro G-mean (never a two-class table of the rarest and the largest class).

import { describe, expect, it } from 'vitest';
import { formatValidationTable } from '../../client/perClassTable.js';
import type { ValidationSummary } from '../../core/pipelineTypes.js';

const binary: ValidationSummary = {
  verdict: 'pass',
  reasons: [],
  positive: { recall: 0.8, precision: 0.5, support: 40 },
  negative: { recall: 0.95, precision: 0.99, support: 960 },
  gMean: 0.8718,
  prAucNormalised: 0.61,
  brier: 0.0312,
  threshold: 0.04,
};

describe('the validation table', () => {
  it('prints the positive and negative class of a binary model', () => {
    expect(formatValidationTable(binary).split('\n')).toEqual([
      '  class       support   recall   precision',
      '  positive         40    0.800       0.500',
      '  negative        960    0.950       0.990',
      '  G-mean 0.872   PR-AUC above random 0.610   Brier 0.0312   threshold 0.0400',
      '  gates: pass',
    ]);
  });

  it('prints every class of a multi-class model and its macro G-mean, and the champion by its rarest class', () => {
    const multi: ValidationSummary = {
      ...binary,
      positive: { recall: 0.7, precision: 0.6, support: 30 },
      negative: { recall: 0.97, precision: 0.95, support: 700 },
      gMean: 0.8,
      prAucNormalised: null,
      brier: null,
      classes: [
        { class: 'cat', recall: 0.97, precision: 0.95, support: 700 },
        { class: 'dog', recall: 0.75, precision: 0.8, support: 270 },
        { class: 'eel', recall: 0.7, precision: 0.6, support: 30 },
      ],
      champion: { modelSha256: 'abcdef0123456789', positiveRecall: 0.6, gMean: 0.78 },
    };
    expect(formatValidationTable(multi).split('\n')).toEqual([
      '  class       support   recall   precision',
      '  cat             700    0.970       0.950',
      '  dog             270    0.750       0.800',
      '  eel              30    0.700       0.600',
      "  macro G-mean 0.800 (the geometric mean of the classes' recalls)",
      '  champion abcdef012345 on the same test rows: recall of the rarest class "eel" 0.600, macro G-mean 0.780',
      '  gates: pass',
    ]);
  });
});
