// The pipeline's split stage warns, as `fit` does, about a feature column that is an id: whole numbers different on
// every row, which the model would split on as if they meant something.

import { describe, expect, it } from 'vitest';
import type { LabelledData } from '../../core/dataset.js';
import { seededRandom } from '../../core/random.js';
import { splitStage } from '../../stages/split.js';

function sample(rows: number): LabelledData {
  const random = seededRandom(2);
  const ids = Array.from({ length: rows }, (_, i) => 100_000 + i * 7).sort(() => random.next() - 0.5);
  const values = new Float64Array(rows * 2);
  const y = new Uint8Array(rows);
  for (let r = 0; r < rows; r++) {
    values[r * 2] = ids[r]!;
    values[r * 2 + 1] = random.next();
    y[r] = r % 10 === 0 ? 1 : 0;
  }
  return { x: { rows, cols: 2, values }, y } as LabelledData;
}

describe('the split stage on a sample with an id column', () => {
  const split = { train: 0.6, validation: 0.2, test: 0.2 };
  it('says so in its note, naming the column and input.exclude', () => {
    const note = splitStage([{ data: sample(500) }], { split, seed: 1, featureNames: ['customer_id', 'amount'] }).summary.note;
    expect(note).toContain(
      'warning: column "customer_id" holds a different whole number on every row, as an id does, and the model learns from it as a feature; leave it out with input.exclude in the spec if it is an id',
    );
    expect(note).not.toContain('"amount"');
    expect(splitStage([{ data: sample(500) }], { split, seed: 1 }).summary.note).not.toContain('warning');
  });
});
