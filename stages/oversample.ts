// The oversample stage: ADASYN's synthetic minority rows appended to a clean training set, with their lineage
// (`_synthetic`, `_seed_row`, `_neighbor_row`, `_gap`) and neighbour-distance statistics. With per-row weights,
// real rows keep theirs and each synthetic row takes its seed row's.

import { classCounts, rowsOutsideLargestClass, type LabelledData } from '../core/dataset.js';
import { neighborIndexes, type DistanceScaling } from '../core/neighbors/distanceSpace.js';
import { adasyn } from '../core/oversample/adasyn.js';
import { appendSynthetic, lineageColumns, syntheticWeights } from '../core/oversample/syntheticLineage.js';
import type { NeighborSearch, StageSummary } from '../core/pipelineTypes.js';
import { deriveSeed, seededRandom } from '../core/random.js';
import { SAMPLE_WEIGHT_COLUMN } from '../core/sampling/sampleWeights.js';
import { lineageOfAllRows, weightedRowsOf } from '../core/sampling/zeroWeightRows.js';
import type { ExtraColumns } from '../data/arrowDataset.js';
import { oversampleClassesWithAdasyn } from './multiClassOversample.js';
import { searchProgress, secondsSince, type StageProgress } from './stageProgress.js';

export interface OversampleOptions {
  /** Neighbours per minority row (lowered when the minority is smaller). @default 5 */
  k: number;
  /** Balance level in (0, 1]: G = (negatives − positives) · β. @default 1 */
  beta: number;
  seed: number;
  /** Neighbour search: chosen by cost, or forced. @default 'auto' */
  neighbors?: NeighborSearch;
  /** At most this many synthetic rows per training row. @default none */
  maxSyntheticRatio?: number;
  /** Neighbours are found on standardised features, or on raw ones (imbalanced-learn's way). @default 'standardise' */
  scaling?: DistanceScaling;
  /** One-hot column groups of categorical features: one distance step per category change, never interpolated. */
  categoricalGroups?: number[][];
  /** Multi-class rows: the class values `y` indexes; multi-class ADASYN (stages/multiClassOversample.ts). @default 0/1 */
  classes?: string[];
}

/**
 * ADASYN as the pipeline runs it, shared with `rareflow fit`: k lowered when the minority is too small (skipped
 * below 2 rows), constant columns tolerated, lineage columns and a one-line note of what was done. `weights`
 * (per input row) come back extended to the augmented rows: a synthetic row weighs what its seed row weighs.
 */
export function oversampleWithAdasyn(data: LabelledData, o: OversampleOptions, weights?: Float64Array, progress?: StageProgress) {
  // Rows of weight 0 are neither seeds nor neighbours: ADASYN runs on the others (core/sampling/zeroWeightRows.ts).
  const { source, weighing, setAside } = weightedRowsOf(data, weights);
  const [negatives, positives] = classCounts(source.y);
  const realRows = data.y.length;
  const k = Math.min(o.k, positives - 1);
  if (k < 1 || negatives === 0) {
    return {
      augmented: data,
      lineage: undefined,
      syntheticRows: 0,
      weights,
      note: `skipped: ${positives} minority row(s), too few for any neighbour`,
    };
  }
  const indexes = neighborIndexes(source, {
    kind: o.neighbors ?? 'auto',
    queries: positives,
    ...(o.scaling ? { scaling: o.scaling } : {}),
    ...(o.categoricalGroups ? { categoricalGroups: o.categoricalGroups } : {}),
    ...searchProgress(progress, 'neighbours'),
  });
  let out;
  try {
    out = adasyn(source, {
      k,
      beta: o.beta,
      random: seededRandom(deriveSeed(o.seed, 'adasyn')),
      index: indexes.all,
      minorityIndex: indexes.minority,
      rejectConstantFeatures: false,
      ...(o.categoricalGroups ? { categoricalGroups: o.categoricalGroups } : {}),
      ...(o.maxSyntheticRatio !== undefined ? { maxSyntheticRatio: o.maxSyntheticRatio } : {}),
    });
  } finally {
    indexes.close();
  }
  const augmented = appendSynthetic(data, out.synthetic);
  const rowLineage = lineageOfAllRows(out.lineage, weighing);
  const lineage = lineageColumns(realRows, rowLineage);
  const d = out.stats.neighbourDistance;
  const search = indexes.searchReport();
  const note = [
    `k=${k}${k < o.k ? ` (lowered from ${o.k}: only ${positives} minority rows)` : ''}, beta=${o.beta}, ${indexes.choice.kind} neighbours on ${o.scaling === 'raw' ? 'raw' : 'standardised'} features`,
    ...(search
      ? [
          `IVF probed ${search.probes} lists (${(100 * search.scannedShare).toFixed(1)}% of rows${search.estimatedRecall !== undefined ? `, estimated neighbour recall ${search.estimatedRecall.toFixed(3)}` : ''})`,
        ]
      : []),
    `${out.synthetic.rows} synthetic positives for ${negatives} negatives (${(100 * out.stats.syntheticShare).toFixed(1)}% of the rows out)`,
    ...(out.synthetic.rows > 0
      ? [
          `seed-to-neighbour distance${o.scaling === 'raw' ? '' : ' in raw feature units'} min ${d.min.toFixed(3)} median ${d.median.toFixed(3)} max ${d.max.toFixed(3)}`,
        ]
      : []),
    ...(out.quotaMessage ? [out.quotaMessage] : []),
    ...(out.warning ? [out.warning] : []),
    ...(setAside > 0 ? [`${setAside} rows of weight 0 set aside (never a seed or a neighbour)`] : []),
  ].join('; ');
  return {
    augmented,
    lineage,
    syntheticRows: out.synthetic.rows,
    weights: weights ? syntheticWeights(weights, rowLineage) : undefined,
    note,
  };
}

export interface OversampleStageResult {
  /** Training rows followed by synthetic rows; the input itself when nothing was synthesised. */
  augmented: LabelledData;
  syntheticRows: number;
  /**
   * The lineage columns (and the carried `sample_weight`) to store beside the augmented rows; absent when the step
   * was skipped, so the input stands as the output.
   */
  extra?: ExtraColumns;
  summary: StageSummary;
}

/** The pipeline's oversample step on a clean training split: the augmented rows, their lineage and the summary. */
export function oversampleStage(
  data: LabelledData,
  o: OversampleOptions,
  weights?: Float64Array,
  progress?: StageProgress,
): OversampleStageResult {
  const started = performance.now();
  // Multi-class rows count the rows outside the largest class as "positives".
  const positivesOf = (y: Uint8Array) => (o.classes ? rowsOutsideLargestClass(y) : classCounts(y)[1]);
  const positivesIn = positivesOf(data.y);
  const realRows = data.y.length;
  progress?.({ stage: 'neighbours' });
  const done = o.classes
    ? oversampleClassesWithAdasyn(data, o.classes, o, weights, progress)
    : oversampleWithAdasyn(data, o, weights, progress);
  const positivesOut = positivesOf(done.augmented.y);
  const summary: StageSummary = {
    stage: 'adasyn',
    rowsIn: realRows,
    rowsOut: done.augmented.y.length,
    positivesIn,
    positivesOut,
    seconds: secondsSince(started),
    note: done.note,
  };
  if (!done.lineage) return { augmented: done.augmented, syntheticRows: 0, summary };
  const l = done.lineage;
  const gap = l._gap.map((v) => (Number.isNaN(v) ? 0 : v)); // dataset artifacts hold finite numbers only
  const extra: ExtraColumns = {
    _synthetic: Int32Array.from(l._synthetic),
    _seed_row: l._seed_row,
    _neighbor_row: l._neighbor_row,
    _gap: gap,
    ...(done.weights ? { [SAMPLE_WEIGHT_COLUMN]: done.weights } : {}),
  };
  return { augmented: done.augmented, syntheticRows: done.syntheticRows, extra, summary };
}
