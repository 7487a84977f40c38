// The space distance users search in: by default each feature standardised on the rows at hand, so a column in
// thousands does not drown one in fractions (imbalanced-learn searches raw features; `raw` keeps that for parity).
// Indexes are built over the scaled rows but queried by row id, so filters and ADASYN still read raw values.
// Categorical one-hot groups count one fixed step per differing category (SMOTE-NC), whatever the scaling.

import { classCounts, type FeatureMatrix, type LabelledData } from '../dataset.js';
import { InvalidInputError } from '../invalidInputError.js';
import { applyStandardiser, fitStandardiser } from '../models/standardiser.js';
import { chooseNeighborIndex, createNeighborIndex, type NeighborIndexChoice, type NeighborIndexKind } from './chooseNeighborIndex.js';
import { IvfNeighborIndex } from './ivfNeighbors.js';
import type { IvfSearchReport } from './ivfSearch.js';
import { batchedNeighborIndex, type NeighbourSearchProgress } from './batchedNeighborIndex.js';
import type { NeighborIndex } from './neighborIndex.js';

export type DistanceScaling = 'standardise' | 'raw';

export interface NeighborIndexes {
  /** Over all rows, for hardness (ADASYN), filtering (ENN, Tomek) and minority typing. */
  all: NeighborIndex;
  /** Over the minority rows in ascending row order, for ADASYN's interpolation partners. */
  minority: NeighborIndex;
  choice: NeighborIndexChoice;
  /** The rows in the distance space both indexes were built over (row r of `all` is row r here). */
  space: FeatureMatrix;
  /** How `all` searched its last batch (probes, estimated recall, rows scanned) when it is an IVF index. */
  searchReport(): IvfSearchReport | undefined;
  close(): void;
}

/**
 * The rows as distances see them. Numeric columns are standardised (or left raw). A categorical feature's one-hot
 * group counts as in SMOTE-NC (Chawla et al. 2002): a different category adds Med² to the squared distance, Med
 * being the median of the numeric columns' standard deviations over the minority rows in this space (1 when there
 * is no numeric column, or every such deviation is 0). Its one-hot columns are set to indicator · Med/√2, so two
 * categories differ in two columns by Med/√2 each; one-hot columns standardised one by one would instead weigh a
 * rare category's change far above a common one's.
 */
export function distanceSpace(data: LabelledData, scaling: DistanceScaling, groups: number[][]): FeatureMatrix {
  const { rows, cols } = data.x;
  const inGroup = new Uint8Array(cols);
  for (const g of groups) {
    for (const c of g) {
      if (!Number.isInteger(c) || c < 0 || c >= cols) {
        throw new InvalidInputError('categoricalGroups', `categoricalGroups: expected column numbers from 0 to ${cols - 1}; got ${c}.`);
      }
      inGroup[c] = 1;
    }
  }
  const x =
    scaling === 'raw'
      ? groups.length > 0
        ? { rows, cols, values: Float64Array.from(data.x.values) }
        : data.x
      : applyStandardiser(fitStandardiser(data.x), data.x);
  if (groups.length === 0) return x;
  const values = x.values;
  const spreads: number[] = [];
  for (let c = 0; c < cols; c++) {
    if (inGroup[c] === 1) continue;
    let n = 0;
    let mean = 0;
    let m2 = 0;
    for (let r = 0; r < rows; r++) {
      if (data.y[r] !== 1) continue;
      const v = values[r * cols + c]!;
      n++;
      const d = v - mean;
      mean += d / n;
      m2 += d * (v - mean);
    }
    if (n > 0) spreads.push(Math.sqrt(m2 / n));
  }
  spreads.sort((a, b) => a - b);
  const mid = spreads.length >> 1;
  const median = spreads.length === 0 ? 0 : spreads.length % 2 === 1 ? spreads[mid]! : (spreads[mid - 1]! + spreads[mid]!) / 2;
  const step = (median > 0 ? median : 1) / Math.SQRT2;
  for (let c = 0; c < cols; c++) {
    if (inGroup[c] !== 1) continue;
    for (let r = 0; r < rows; r++) values[r * cols + c] = data.x.values[r * cols + c]! * step;
  }
  return x;
}

/**
 * Builds both indexes in the chosen space. `queries` is how many rows will be queried against `all` (ADASYN:
 * the minority; ENN: every row), which decides exact, IVF or HNSW under `kind: 'auto'`.
 */
export function neighborIndexes(
  data: LabelledData,
  opts: {
    scaling?: DistanceScaling;
    kind?: NeighborIndexKind;
    queries: number;
    categoricalGroups?: number[][];
    /** Called every few seconds while `all` is built and searched (after each batch of rows). @default none */
    onBatch?: NeighbourSearchProgress;
  },
): NeighborIndexes {
  const x = distanceSpace(data, opts.scaling ?? 'standardise', opts.categoricalGroups ?? []);
  const choice = chooseNeighborIndex(x.rows, x.cols, { kind: opts.kind ?? 'auto', queries: opts.queries });
  const onBatch = opts.onBatch;
  const all = createNeighborIndex(x, {
    kind: choice.kind,
    queries: opts.queries,
    ...(onBatch ? { ivf: { onBatch }, hnsw: { onBatch } } : {}),
  });
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
  // IVF reports its own query batches (its probes are calibrated per batch, so it must see the whole query).
  const reporting = onBatch && !(all instanceof IvfNeighborIndex) ? batchedNeighborIndex(all, onBatch) : all;
  return {
    all: reporting,
    minority,
    choice,
    space: x,
    searchReport: () => (all instanceof IvfNeighborIndex ? all.lastSearch : undefined),
    close() {
      all.close();
      minority!.close();
    },
  };
}
