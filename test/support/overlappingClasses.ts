// Small labelled data sets for the sampler, filter and oversampler contract: two overlapping classes with label
// noise, each row carrying its own id, and the variants the contract needs (no ids, one class, a copy).

import type { LabelledData } from '../../core/dataset.js';
import { seededRandom } from '../../core/random.js';

/**
 * Two overlapping Gaussian clouds in 3 columns, plus column 0 holding the row id, so a sampled row names the input
 * row it came from. Negatives at every 9th row sit inside the positive cloud (label noise the filters should find).
 */
export function overlappingClasses(rows: number, positives: number, seed: number): LabelledData {
  const random = seededRandom(seed);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - random.next())) * Math.cos(2 * Math.PI * random.next());
  const cols = 4;
  const values = new Float64Array(rows * cols);
  const y = new Uint8Array(rows);
  for (let r = 0; r < rows; r++) {
    // Positives spread through the stream (every rows/positives-th row), as in a real file.
    const positive = r % Math.floor(rows / positives) === 0 && r / Math.floor(rows / positives) < positives;
    y[r] = positive ? 1 : 0;
    const centre = positive || r % 9 === 4 ? 1.5 : 0;
    values[r * cols] = r;
    for (let c = 1; c < cols; c++) values[r * cols + c] = centre + gauss();
  }
  return { x: { rows, cols, values }, y };
}

/** The geometric columns only (1..3): the row id column must not steer neighbour-based methods. */
export function withoutRowIds(data: LabelledData): LabelledData {
  const { rows, cols } = data.x;
  const values = new Float64Array(rows * (cols - 1));
  for (let r = 0; r < rows; r++) for (let c = 1; c < cols; c++) values[r * (cols - 1) + c - 1] = data.x.values[r * cols + c]!;
  return { x: { rows, cols: cols - 1, values }, y: data.y };
}

/** A deep copy, to compare an input with after a call. */
export function copyOf(data: LabelledData): LabelledData {
  return { x: { ...data.x, values: data.x.values.slice() }, y: data.y.slice() };
}

/** The same rows, every one labelled `label`. */
export function oneClass(data: LabelledData, label: 0 | 1): LabelledData {
  return { x: data.x, y: new Uint8Array(data.y.length).fill(label) };
}
