// Generated training data of the tree tests (forest and gradient-boosted trees): a rare class set by two features
// among noise, with (for the boosted trees) some values of one feature missing.

import type { LabelledData } from '../../core/dataset.js';
import { seededRandom, type RandomSource } from '../../core/random.js';

function gaussian(rng: RandomSource): number {
  const u = 1 - rng.next();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng.next());
}

/**
 * 6 features; y = 1 when x0 + x1 > 1.6 (about 10–13% positives); features 2..5 are noise; with `missing` (the
 * default) about 5% of x2 is NaN, drawn from the same stream, so the two forms differ after the first row.
 */
export function generatedGbdtData(seed: number, rows: number, missing = true): LabelledData {
  const rng = seededRandom(seed);
  const cols = 6;
  const values = new Float64Array(rows * cols);
  const y = new Uint8Array(rows);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) values[r * cols + c] = gaussian(rng);
    y[r] = values[r * cols]! + values[r * cols + 1]! > 1.6 ? 1 : 0;
    if (missing && rng.next() < 0.05) values[r * cols + 2] = NaN;
  }
  return { x: { rows, cols, values }, y };
}
