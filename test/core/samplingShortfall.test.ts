// A sample short of its target: one information line when the input is smaller than the target, the shard
// warnings unchanged when a class is scarce in an input larger than the target.

import { describe, expect, it } from 'vitest';
import { samplingShortfall } from '../../core/sampling/samplingShortfall.js';

const totals = { totalRows: 3000, scannedRows: 3000, keptRows: 3000, positives: 133, targetSize: 5000, positiveTarget: 250 };

describe('samplingShortfall', () => {
  it('an input smaller than the target: every shard warning becomes one information line', () => {
    expect(samplingShortfall(totals, ['shard 0: data ran out after 1500 rows', 'shard 1: data ran out after 1500 rows'])).toEqual({
      information:
        'the input has 3000 rows, fewer than the sampling target of 5000: the data ran out before the target, so the sample holds 3000 of them (133 positives; 250 wanted)',
      warnings: [],
      smallInput: true,
    });
  });

  it('an input larger than the target that ran out of positives keeps its warnings', () => {
    const warnings = ['data ran out after 6000 rows: the sample has 316 of 2000 positives'];
    expect(samplingShortfall({ ...totals, totalRows: 6000, scannedRows: 6000, targetSize: 3000 }, warnings)).toEqual({
      warnings,
      smallInput: false,
    });
  });

  it('says "as many as" at exactly the target, and names the positives wanted only when short of them', () => {
    const exact = { ...totals, totalRows: 5000, scannedRows: 5000, keptRows: 5000, positiveTarget: 133 };
    expect(samplingShortfall(exact, ['data ran out after 5000 rows']).information).toBe(
      'the input has 5000 rows, as many as the sampling target of 5000: the data ran out before the target, so the sample holds 5000 of them (133 positives)',
    );
  });

  it('a complete sample has nothing to say', () => {
    expect(samplingShortfall({ ...totals, totalRows: 60000, scannedRows: 20000 }, [])).toEqual({ warnings: [], smallInput: false });
    expect(samplingShortfall(totals, [])).toEqual({ warnings: [], smallInput: true });
  });
});
