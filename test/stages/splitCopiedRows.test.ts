// A sample whose rows repeat (a file of five copies of one export) puts copies of its test rows in training: the split
// stage says how many, since the gates would judge the model on rows it has learnt. Rows that are merely alike, or
// equal features under another label, are not copies.

import { describe, expect, it } from 'vitest';
import type { LabelledData } from '../../core/dataset.js';
import { rowsCopiedFrom } from '../../core/sampling/copiedRows.js';
import { seededRandom } from '../../core/random.js';
import { splitStage } from '../../stages/split.js';

/** `rows` distinct rows of two random features (every tenth positive), each written `copies` times. */
function sample(rows: number, copies: number): LabelledData {
  const random = seededRandom(5);
  const base = Array.from({ length: rows }, (_, r) => [random.next(), random.next(), r % 10 === 0 ? 1 : 0] as const);
  const all = base.flatMap((row) => Array.from({ length: copies }, () => row));
  const values = new Float64Array(all.length * 2);
  const y = new Uint8Array(all.length);
  all.forEach(([a, b, label], i) => {
    values[i * 2] = a;
    values[i * 2 + 1] = b;
    y[i] = label;
  });
  return { x: { rows: all.length, cols: 2, values }, y };
}

const data = (rows: number[][], y: number[]): LabelledData => ({
  x: { rows: rows.length, cols: 2, values: Float64Array.from(rows.flat()) },
  y: Uint8Array.from(y),
});

describe('test rows copied from training rows', () => {
  it('are counted bit for bit, features and label', () => {
    const train = data(
      [
        [1, 2],
        [3, 4],
        [5, 6],
      ],
      [0, 1, 0],
    );
    const test = data(
      [
        [3, 4],
        [3, 4],
        [1, 2.0000001],
        [5, 6],
      ],
      [1, 0, 0, 0],
    );
    // [3, 4] labelled 1 and [5, 6]: copies; [3, 4] labelled 0 and [1, 2.0000001]: not.
    expect(rowsCopiedFrom(train, test)).toBe(2);
  });

  it('are said in the split note when the input repeats its rows, and not otherwise', () => {
    const split = { train: 0.6, validation: 0.2, test: 0.2 };
    const repeated = splitStage([{ data: sample(400, 5) }], { split, seed: 1 }).summary.note;
    expect(repeated).toMatch(
      /warning: (\d+) of the 400 test rows \(\d+\.\d%\) are exact copies of training rows in the features read \(the input repeats rows, or the columns read do not tell its rows apart\), so the gates' figures on them measure rows the model has learnt, not new ones; if the copies are one record repeated, remove them from the input \(SELECT DISTINCT\); if input\.features or input\.exclude left out the columns that tell them apart, read more columns/,
    );
    expect(Number(/warning: (\d+) of the 400 test rows/.exec(repeated ?? '')?.[1])).toBeGreaterThan(350);
    expect(splitStage([{ data: sample(2000, 1) }], { split, seed: 1 }).summary.note).not.toContain('copies');
  });
});
