// The oversample stage for a label of three or more classes: multi-class ADASYN (every class but the majority
// oversampled against it, one neighbour search and one quota), its synthetic rows labelled with their class.

import type { LabelledData } from '../core/dataset.js';
import { neighborIndexes } from '../core/neighbors/distanceSpace.js';
import { adasynMultiClass } from '../core/oversample/adasynMultiClass.js';
import { lineageColumns, syntheticWeights } from '../core/oversample/syntheticLineage.js';
import { deriveSeed, seededRandom } from '../core/random.js';
import { lineageOfAllRows, weightedRowsOf } from '../core/sampling/zeroWeightRows.js';
import type { OversampleOptions } from './oversample.js';
import { searchProgress, type StageProgress } from './stageProgress.js';

/** The rows followed by the synthetic ones, each with its class index. */
function appendClassRows(data: LabelledData, synthetic: LabelledData['x'], labels: Int32Array): LabelledData {
  const cols = data.x.cols;
  const values = new Float64Array((data.x.rows + synthetic.rows) * cols);
  values.set(data.x.values.subarray(0, data.x.rows * cols), 0);
  values.set(synthetic.values.subarray(0, synthetic.rows * cols), data.x.rows * cols);
  const y = new Uint8Array(data.x.rows + synthetic.rows);
  y.set(data.y.subarray(0, data.x.rows), 0);
  y.set(labels, data.x.rows);
  return { x: { rows: data.x.rows + synthetic.rows, cols, values }, y };
}

/**
 * ADASYN over the class indices of `data.y` (`classes` names them): the same result shape as the binary
 * `oversampleWithAdasyn`, so the stage and its lineage columns are shared. Neighbours are found on standardised
 * features (or raw, with `scaling: 'raw'`), as in the binary pipeline.
 */
export function oversampleClassesWithAdasyn(
  data: LabelledData,
  classes: readonly string[],
  o: OversampleOptions,
  weights?: Float64Array,
  progress?: StageProgress,
) {
  // Rows of weight 0 are neither seeds nor neighbours: ADASYN runs on the others (core/sampling/zeroWeightRows.ts).
  const { source, weighing, setAside } = weightedRowsOf(data, weights);
  const counts = new Array<number>(classes.length).fill(0);
  for (const c of source.y) counts[c]!++;
  const majority = counts.indexOf(Math.max(...counts));
  const smallest = Math.min(...counts);
  const k = Math.min(o.k, smallest - 1);
  if (k < 1) {
    return {
      augmented: data,
      lineage: undefined,
      syntheticRows: 0,
      weights,
      note: `skipped: class ${classes[counts.indexOf(smallest)]} has ${smallest} row(s), too few for any neighbour`,
    };
  }
  // The index's "minority" view is every row outside the majority class: the rows ADASYN queries.
  const indexes = neighborIndexes(
    { x: source.x, y: Uint8Array.from(source.y, (c) => (c === majority ? 0 : 1)) },
    {
      kind: o.neighbors ?? 'auto',
      queries: source.y.length - counts[majority]!,
      ...(o.scaling ? { scaling: o.scaling } : {}),
      ...(o.categoricalGroups ? { categoricalGroups: o.categoricalGroups } : {}),
      ...searchProgress(progress, 'neighbours'),
    },
  );
  let out;
  try {
    out = adasynMultiClass(
      { x: source.x, labels: Int32Array.from(source.y) },
      {
        k,
        beta: o.beta,
        random: seededRandom(deriveSeed(o.seed, 'adasyn')),
        index: indexes.all,
        rejectConstantFeatures: false,
        ...(o.categoricalGroups ? { categoricalGroups: o.categoricalGroups } : {}),
        ...(o.maxSyntheticRatio !== undefined ? { maxSyntheticRatio: o.maxSyntheticRatio } : {}),
      },
    );
  } finally {
    indexes.close();
  }
  const perClass = out.classes.map((c) => `${c.result.synthetic.rows} ${classes[c.label]}`).join(', ');
  const note = [
    `multi-class ADASYN: k=${k}${k < o.k ? ` (lowered from ${o.k}: class ${classes[counts.indexOf(smallest)]} has only ${smallest} rows)` : ''}, beta=${o.beta}, ${indexes.choice.kind} neighbours on ${o.scaling === 'raw' ? 'raw' : 'standardised'} features`,
    `synthetic rows per class against the majority class ${classes[majority]}: ${perClass || 'none'}`,
    ...(out.quotaMessage ? [out.quotaMessage] : []),
    ...(setAside > 0 ? [`${setAside} rows of weight 0 set aside (never a seed or a neighbour)`] : []),
  ].join('; ');
  const rowLineage = lineageOfAllRows(out.lineage, weighing);
  return {
    augmented: appendClassRows(data, out.synthetic, out.syntheticLabels),
    lineage: lineageColumns(data.y.length, rowLineage),
    syntheticRows: out.synthetic.rows,
    weights: weights ? syntheticWeights(weights, rowLineage) : undefined,
    note,
  };
}
