// The space distance users search in: by default each feature standardised on the rows at hand, so a column in
// thousands does not drown one in fractions (imbalanced-learn searches raw features; `raw` keeps that for parity).
// Indexes are built over the scaled rows but queried by row id, so filters and ADASYN still read raw values.

import { classCounts, type LabelledData } from '../dataset.js';
import { applyStandardiser, fitStandardiser } from '../models/standardiser.js';
import { chooseNeighborIndex, createNeighborIndex, type NeighborIndexChoice, type NeighborIndexKind } from './chooseNeighborIndex.js';
import { IvfNeighborIndex, type IvfSearchReport } from './ivfNeighbors.js';
import type { NeighborIndex } from './neighborIndex.js';

export type DistanceScaling = 'standardise' | 'raw';

export interface NeighborIndexes {
  /** Over all rows, for hardness (ADASYN), filtering (ENN, Tomek) and minority typing. */
  all: NeighborIndex;
  /** Over the minority rows in ascending row order, for ADASYN's interpolation partners. */
  minority: NeighborIndex;
  choice: NeighborIndexChoice;
  /** How `all` searched its last batch (probes, estimated recall, rows scanned) when it is an IVF index. */
  searchReport(): IvfSearchReport | undefined;
  close(): void;
}

/**
 * Builds both indexes in the chosen space. `queries` is how many rows will be queried against `all` (ADASYN:
 * the minority; ENN: every row), which decides exact, IVF or HNSW under `kind: 'auto'`.
 */
export function neighborIndexes(data: LabelledData, opts: { scaling?: DistanceScaling; kind?: NeighborIndexKind; queries: number }): NeighborIndexes {
  const scaling = opts.scaling ?? 'standardise';
  const x = scaling === 'raw' ? data.x : applyStandardiser(fitStandardiser(data.x), data.x);
  const choice = chooseNeighborIndex(x.rows, x.cols, { kind: opts.kind ?? 'auto', queries: opts.queries });
  const all = createNeighborIndex(x, { kind: choice.kind, queries: opts.queries });
  const [, positives] = classCounts(data.y);
  const { cols, values } = x;
  const minorityValues = new Float64Array(positives * cols);
  for (let r = 0, i = 0; r < x.rows; r++) {
    if (data.y[r] === 1) minorityValues.set(values.subarray(r * cols, r * cols + cols), i++ * cols);
  }
  let minority: NeighborIndex | undefined;
  try {
    minority = createNeighborIndex({ rows: positives, cols, values: minorityValues }, { kind: 'exact', queries: positives });
  } catch (err) {
    all.close();
    throw err;
  }
  return {
    all,
    minority,
    choice,
    searchReport: () => (all instanceof IvfNeighborIndex ? all.lastSearch : undefined),
    close() {
      all.close();
      minority!.close();
    },
  };
}
