// `rareflow adasyn`: ADASYN oversampling of the retrain pipeline, with each synthetic row's lineage, run on one file in
// one process, without Temporal. Returns a JSON-plain summary that the CLI prints.

import { identifierColumnWarnings } from '../core/features/identifierColumns.js';
import { LEAVE_OUT_OF_FILE } from './fitReadWarnings.js';
import { classCounts, type LabelledData } from '../core/dataset.js';
import { adasyn } from '../core/oversample/adasyn.js';
import { syntheticWeights } from '../core/oversample/syntheticLineage.js';
import { deriveSeed, seededRandom } from '../core/random.js';
import { neighborIndexes, type DistanceScaling } from '../core/neighbors/distanceSpace.js';
import { oneHotGroups } from '../core/features/oneHotFeatures.js';
import { lineageOfAllRows, weightedRowsOf } from '../core/sampling/zeroWeightRows.js';
import { checkMemoryBudget, neighbourMemory } from '../core/resources/memoryEstimate.js';
import { memoryBudget } from '../data/memoryBudget.js';
import type { NeighborSearch } from '../workflows/contract.js';
import { writeLabelledTable } from '../data/datasetWriter.js';
import { inexactIntegerWarnings } from '../data/inexactIntegerColumns.js';
import { ADASYN_LINEAGE_COLUMNS, adasynLineageTableColumns } from '../data/adasynLineageColumns.js';
import { ignoredColumnsField } from '../data/reservedColumns.js';
import { type MissingValueArgs } from './missingValueFlags.js';
import { secondsSince } from '../stages/stageProgress.js';
import { readFilledInput, withWeightColumn, type LabelledFileArgs } from './labelledInput.js';
import { requireOutputDirectory } from './localFiles.js';
import { requireArrowKeepsLabels, stageLabelWarnings } from './stageOutputChecks.js';

export async function adasynCommand(
  a: LabelledFileArgs &
    MissingValueArgs & {
      k: number;
      beta: number;
      neighbors: NeighborSearch;
      scaling: DistanceScaling;
      maxSyntheticRows?: number;
      maxSyntheticRatio?: number;
      lineage?: boolean;
    },
) {
  const started = performance.now();
  const out = await requireOutputDirectory(a.out);
  const { d, weights, missingValues } = await readFilledInput(a);
  requireArrowKeepsLabels(out, a.label, d.positiveLabel, d.negativeLabel);
  const [negatives, positives0] = classCounts(d.data.y);
  // Rows of weight 0 are neither seeds nor neighbours: ADASYN runs on the others (core/sampling/zeroWeightRows.ts).
  const { source, weighing, setAside } = weightedRowsOf(d.data, weights);
  const growth = Math.min(
    a.beta,
    a.maxSyntheticRatio ?? Number.POSITIVE_INFINITY,
    a.maxSyntheticRows !== undefined ? a.maxSyntheticRows / Math.max(1, d.rows) : Number.POSITIVE_INFINITY,
  );
  checkMemoryBudget(
    [neighbourMemory('ADASYN', d.rows, d.featureNames.length, a.k, '--max-synthetic-ratio', d.rows + Math.ceil(d.rows * growth))],
    memoryBudget(),
  );
  // One-hot columns of --categorical features: one distance step per category change, voted, never interpolated.
  const groups = oneHotGroups(d.featureNames, d.categorical);
  const indexes = neighborIndexes(source, {
    kind: a.neighbors,
    queries: classCounts(source.y)[1],
    scaling: a.scaling,
    categoricalGroups: groups,
  });
  let r;
  try {
    r = adasyn(source, {
      k: a.k,
      beta: a.beta,
      random: seededRandom(deriveSeed(a.seed, 'adasyn')),
      index: indexes.all,
      minorityIndex: indexes.minority,
      ...(groups.length > 0 ? { categoricalGroups: groups } : {}),
      ...(a.maxSyntheticRows !== undefined ? { maxSyntheticRows: a.maxSyntheticRows } : {}),
      ...(a.maxSyntheticRatio !== undefined ? { maxSyntheticRatio: a.maxSyntheticRatio } : {}),
    });
  } finally {
    indexes.close();
  }
  // Input rows then synthetic rows (all positive), written one after the other rather than joined first.
  const synthetic: LabelledData = { x: r.synthetic, y: new Uint8Array(r.synthetic.rows).fill(1) };
  const rowLineage = lineageOfAllRows(r.lineage, weighing);
  const augmentedWeights = weights ? syntheticWeights(weights, rowLineage) : undefined;
  const inputPart = withWeightColumn(d.data, d.featureNames, augmentedWeights?.subarray(0, d.rows));
  const syntheticPart = withWeightColumn(synthetic, d.featureNames, augmentedWeights?.subarray(d.rows));
  // Lineage columns after the label, unless --no-lineage.
  const lineage = a.lineage === false ? undefined : adasynLineageTableColumns(d.rows, rowLineage);
  await writeLabelledTable(out, {
    data: [inputPart.data, syntheticPart.data],
    featureNames: inputPart.featureNames,
    labelName: a.label,
    labelValues: [d.negativeLabel, d.positiveLabel],
    labelSqlType: d.labelType,
    categorical: d.categorical,
    ...(lineage ? { extra: lineage } : {}),
  });
  const positives = positives0 + r.synthetic.rows;
  const warnings = [
    ...stageLabelWarnings(d.data.y, d.positiveLabel, d.negativeLabel),
    ...identifierColumnWarnings(
      d.data.x,
      d.featureNames,
      "ADASYN measures distances on it and gives synthetic rows values between two rows' ids",
      LEAVE_OUT_OF_FILE,
    ),
    ...inexactIntegerWarnings(d.inexactIntegers ?? [], 'the input rows written to the output file carry the rounded values'),
    // A quota that cut the rows ADASYN asked for, or no rows made at all, is said where warnings are read.
    ...(r.quotaMessage
      ? [`${r.synthetic.rows} synthetic rows made where ADASYN asked for ${Math.max(0, r.requested)}: ${r.quotaMessage}`]
      : []),
    ...(r.synthetic.rows === 0 && !r.warning ? ['no synthetic rows were made: the output file holds the input rows alone'] : []),
    // ADASYN rounds each positive row's share of the rows asked for, so the rows made can pass them (660 for 647):
    // with beta 1 the positives then outnumber the negatives, which the counts alone did not explain.
    ...(!r.quotaMessage && r.synthetic.rows > Math.max(0, r.requested)
      ? [
          `${r.synthetic.rows} synthetic rows made where ADASYN asked for ${r.requested}: each positive row's share is rounded to whole rows, as ADASYN does${positives > negatives ? `, so the ${positives} positives now outnumber the ${negatives} negatives` : ''}`,
        ]
      : []),
  ];
  return {
    command: 'adasyn',
    ...(weights ? { sampleWeight: 'carried' } : {}),
    k: a.k,
    beta: a.beta,
    neighbors: indexes.choice.kind,
    // IVF: lists probed, the calibration's estimate of neighbour recall and the share of rows scanned.
    ...(indexes.searchReport() ? { neighbourSearch: indexes.searchReport() } : {}),
    distances: a.scaling,
    out,
    lineageColumns: lineage ? [...ADASYN_LINEAGE_COLUMNS] : [],
    rowsIn: d.rows,
    ...ignoredColumnsField(d.ignoredColumns),
    requestedRows: Math.max(0, r.requested),
    syntheticRows: r.synthetic.rows,
    rowsOut: d.rows + r.synthetic.rows,
    negatives,
    positives,
    ...(setAside > 0 ? { zeroWeightRowsSetAside: setAside } : {}),
    // Synthetic rows per input row (what --max-synthetic-ratio caps) and their share of the output rows.
    syntheticPerInputRow: d.rows > 0 ? r.synthetic.rows / d.rows : 0,
    syntheticShareOfOutput: r.stats.syntheticShare,
    neighbourDistance: r.stats.neighbourDistance,
    // `distances` names the scale the neighbours were found on; these lengths are of the segments in the file's units.
    neighbourDistanceUnits: 'the features as the file holds them',
    ...(r.quotaMessage ? { quota: r.quotaMessage } : {}),
    ...(r.warning ? { warning: r.warning } : {}),
    ...(missingValues ? { missingValues } : {}),
    ...(warnings.length ? { warnings } : {}),
    seed: a.seed,
    seconds: secondsSince(started),
  };
}
