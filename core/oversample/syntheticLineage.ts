// Where each synthetic row came from, and the outputs built from it: the input rows followed by the synthetic ones,
// their lineage columns and their sample weights.

import type { FeatureMatrix, LabelledData } from '../dataset.js';
import { InvalidInputError } from '../invalidInputError.js';

/** Where each synthetic row came from: x = x[parent] + lambda · (x[neighbour] − x[parent]). */
export interface AdasynLineage {
  /** Input row index of the minority row the synthetic row grew from (`_seed_row`). */
  parent: Int32Array;
  /** Input row index of the minority neighbour it was interpolated towards (`_neighbor_row`). */
  neighbour: Int32Array;
  /** Interpolation step λ in [0, 1) (`_gap`). */
  lambda: Float64Array;
}

/** The input rows followed by the synthetic rows, labelled 1. */
export function appendSynthetic(data: LabelledData, synthetic: FeatureMatrix): LabelledData {
  if (synthetic.cols !== data.x.cols) {
    throw new InvalidInputError('synthetic', `synthetic rows must have the input's ${data.x.cols} columns; got ${synthetic.cols}.`);
  }
  const rows = data.x.rows + synthetic.rows;
  const values = new Float64Array(rows * data.x.cols);
  values.set(data.x.values.subarray(0, data.x.rows * data.x.cols), 0);
  values.set(synthetic.values.subarray(0, synthetic.rows * synthetic.cols), data.x.rows * data.x.cols);
  const y = new Uint8Array(rows);
  y.set(data.y.subarray(0, data.x.rows), 0);
  y.fill(1, data.x.rows);
  return { x: { rows, cols: data.x.cols, values }, y };
}

/** The lineage columns over input rows then synthetic rows; real rows: not synthetic, -1, -1, NaN. */
export interface LineageColumns {
  _synthetic: Uint8Array;
  _seed_row: Int32Array;
  _neighbor_row: Int32Array;
  _gap: Float64Array;
}

/** Lineage columns for {@link appendSynthetic}'s output of `inputRows` input rows and `lineage`'s synthetic rows. */
export function lineageColumns(inputRows: number, lineage: AdasynLineage): LineageColumns {
  const n = lineage.parent.length;
  const total = inputRows + n;
  const cols: LineageColumns = {
    _synthetic: new Uint8Array(total).fill(1, inputRows),
    _seed_row: new Int32Array(total).fill(-1),
    _neighbor_row: new Int32Array(total).fill(-1),
    _gap: new Float64Array(total).fill(Number.NaN, 0, inputRows),
  };
  cols._seed_row.set(lineage.parent, inputRows);
  cols._neighbor_row.set(lineage.neighbour, inputRows);
  cols._gap.set(lineage.lambda, inputRows);
  return cols;
}

/** `sample_weight` for the output: input weights, then each synthetic row with its seed row's weight. */
export function syntheticWeights(weights: Float64Array, lineage: AdasynLineage): Float64Array {
  const out = new Float64Array(weights.length + lineage.parent.length);
  out.set(weights);
  for (let s = 0; s < lineage.parent.length; s++) out[weights.length + s] = weights[lineage.parent[s]!]!;
  return out;
}
