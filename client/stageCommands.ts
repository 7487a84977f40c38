// The stage commands: one pipeline step run locally on files, without Temporal, for debugging, benchmarks and
// parity checks (evaluate, fit and predict have files of their own). Each returns a JSON-plain summary that the CLI prints (one object with --json).

import { identifierColumnWarnings } from '../core/features/identifierColumns.js';
import { LEAVE_OUT_OF_FILE } from './fitReadWarnings.js';
import { samplingShortfall } from '../core/sampling/samplingShortfall.js';
import { classCounts, takeRows, type LabelledData } from '../core/dataset.js';
import { InvalidInputError } from '../core/invalidInputError.js';
import { adasyn } from '../core/oversample/adasyn.js';
import { syntheticWeights } from '../core/oversample/syntheticLineage.js';
import { deriveSeed, seededRandom } from '../core/random.js';
import { neighborIndexes, type DistanceScaling } from '../core/neighbors/distanceSpace.js';
import { oneHotGroups } from '../core/features/oneHotFeatures.js';
import { SAMPLE_WEIGHT_COLUMN } from '../core/sampling/sampleWeights.js';
import { lineageOfAllRows, weightedRowsOf } from '../core/sampling/zeroWeightRows.js';
import type { LabelNoiseMethod } from '../stages/denoise.js';
import type { RowIdSamplerKind } from '../core/sampling/rowIdSamplers.js';
import { validateTargets } from '../core/sampling/adaptiveSample.js';
import { checkMemoryBudget, neighbourMemory, sampleMemory } from '../core/resources/memoryEstimate.js';
import { memoryBudget } from '../data/memoryBudget.js';
import type { NeighborSearch } from '../workflows/contract.js';
import { writeLabelledTable } from '../data/datasetWriter.js';
import { ADASYN_LINEAGE_COLUMNS, adasynLineageTableColumns } from '../data/adasynLineageColumns.js';
import { ignoredColumnsField } from '../data/reservedColumns.js';
import { checkRemovedRowsPath, removedRowsColumns, writeRemovedRows } from '../data/removedRowsTable.js';
import { type MissingValueArgs } from './missingValueFlags.js';
import { secondsSince } from '../stages/stageProgress.js';
import { readFilledInput, withWeightColumn, type LabelledFileArgs } from './labelledInput.js';
import { requireOutputDirectory } from './localFiles.js';
import { requireArrowKeepsLabels, stageLabelWarnings } from './stageOutputChecks.js';

// What only one command uses is loaded when that command runs, a cost every other command would otherwise pay
// before reading its input.
const denoiseStageModule = () => import('../stages/denoise.js');
const sampleLabelColumnModule = () => import('./sampleLabelColumn.js');
const adaptiveSampling = async () => {
  const modules = await Promise.all([
    import('../core/sampling/adaptiveSample.js'),
    import('../stages/sample.js'),
    import('../data/shardSampling.js'),
    import('../data/inputProfile.js'),
  ]);
  return Object.assign({}, ...modules) as (typeof modules)[0] & (typeof modules)[1] & (typeof modules)[2] & (typeof modules)[3];
};

export interface GenerateArgs {
  rows: number;
  positiveRate: number;
  features: number;
  categorical: number;
  noise: number;
  drift: number;
  seed: number;
  out: string;
}

export async function generateCommand(a: GenerateArgs) {
  const out = await requireOutputDirectory(a.out);
  const { generateSyntheticDataset } = await import('../data/syntheticData.js');
  const r = await generateSyntheticDataset({
    rows: a.rows,
    positiveRate: a.positiveRate,
    features: a.features,
    categorical: a.categorical,
    labelNoise: a.noise,
    drift: a.drift,
    seed: a.seed,
    out,
  });
  return { command: 'generate', out, rows: r.rows, positives: r.positives, label: 'label', seconds: r.seconds, seed: a.seed };
}

export interface SampleArgs {
  inputs: string[];
  label: string;
  positive?: string;
  /** SQL predicate defining positives, e.g. `revenue >= 1000`. */
  positiveWhen?: string;
  targetSize: number;
  /** M; Nr = positivesPerParameter · M. Default: feature count + 1. */
  params?: number;
  positivesPerParameter: number;
  /** Nr directly (overrides params). */
  positiveTarget?: number;
  shards: number;
  method: RowIdSamplerKind;
  /** Row order fed to the sampler (auto: test the file's order, random blocks when it is not random). @default auto */
  order?: 'auto' | 'sequential' | 'random-blocks';
  seed: number;
  out: string;
}

/** `rareflow sample`: the same shard planning, scan and merge as the adaptiveSampling workflow, in one process. */
export async function sampleCommand(a: SampleArgs) {
  const started = performance.now();
  const out = await requireOutputDirectory(a.out);
  const { profileLabelledInput, positiveTargetFor, positiveTargetWithRoom, planSampleShards, sampleShardStage, mergeShards } =
    await adaptiveSampling();
  const { settleSampleLabelColumn, writeSampleTable } = await sampleLabelColumnModule();
  const profile = await profileLabelledInput(a.inputs, {
    label: a.label,
    ...(a.positive !== undefined ? { positive: a.positive } : {}),
    ...(a.positiveWhen !== undefined ? { predicate: a.positiveWhen } : {}),
    checkAllFeatureValues: false,
    allowAbsentPositive: true,
    hashFiles: false,
    weightColumn: SAMPLE_WEIGHT_COLUMN,
    textColumnAdvice: (column) =>
      `rareflow sample reads numeric feature columns only: write the input without "${column}", or sample it in a pipeline run, whose spec leaves it out with input.exclude or learns its categories with input.categorical`,
  });
  // Settled before the scan: what the label column will hold, refused here rather than after the sampling work.
  const labelColumn = await settleSampleLabelColumn({
    files: profile.files,
    what: a.inputs.join(', '),
    label: a.label,
    ...(a.positiveWhen !== undefined ? { positiveWhen: a.positiveWhen } : {}),
    positiveLabel: profile.positiveLabel,
    negativeLabel: profile.negativeLabel,
    out,
  });
  const params = a.params ?? profile.featureNames.length + 1;
  const ruleTarget = a.positiveTarget ?? positiveTargetFor(params, a.positivesPerParameter);
  if (ruleTarget > a.targetSize) {
    throw new InvalidInputError(
      '--target-size',
      `--target-size ${a.targetSize} is below Nr = ${ruleTarget} positives (${a.positiveTarget !== undefined ? '--nr' : `${a.positivesPerParameter} × M = ${params}`}); raise --target-size or lower ${a.positiveTarget !== undefined ? '--nr' : '--params'}`,
    );
  }
  // As in the retrain pipeline, an Nr from the one-in-50 rule rises where the sample has room for more of the
  // input's positives (its negatives all fit); an Nr given with --nr is kept as given.
  const positiveTarget =
    a.positiveTarget === undefined && a.method === 'adaptive'
      ? positiveTargetWithRoom(ruleTarget, a.targetSize, profile.rows, profile.positives, a.shards)
      : ruleTarget;
  validateTargets(a.targetSize, positiveTarget);
  checkMemoryBudget(
    [sampleMemory(a.targetSize, Math.min(a.targetSize, profile.rows), profile.featureNames.length, '--target-size')],
    memoryBudget(),
  );
  const { shards: plan, totalRows } = await planSampleShards(profile.files, a.shards);
  const shards = [];
  for (let s = 0; s < plan.length; s++) {
    shards.push(
      await sampleShardStage({
        segments: plan[s]!,
        label: a.label,
        positiveLabel: profile.positiveLabel,
        // Rows are fetched with their class index, so each keeps its own label value.
        ...(a.positiveWhen !== undefined
          ? { predicate: a.positiveWhen }
          : { classes: labelColumn.values, positiveValues: [labelColumn.positive] }),
        featureNames: profile.featureNames,
        targetSize: a.targetSize,
        positiveTarget,
        shardIndex: s,
        shardCount: plan.length,
        seed: a.seed,
        method: a.method,
        ...(a.order !== undefined ? { order: a.order } : {}),
        ...(profile.sampleWeight !== undefined ? { sampleWeight: profile.sampleWeight } : {}),
      }),
    );
  }
  const merged = mergeShards(
    shards.map((r) => r.data),
    a.seed,
    profile.sampleWeight !== undefined ? shards.map((r) => r.weights) : undefined,
  );
  // The kept rows' weights stay with them, as the last column (never a feature).
  await writeSampleTable(out, withWeightColumn(merged, profile.featureNames, merged.weights), labelColumn);
  const positives = shards.reduce((n, r) => n + r.positives, 0);
  const scannedRows = shards.reduce((n, r) => n + r.scannedRows, 0);
  const shortfall = samplingShortfall(
    { totalRows, scannedRows, keptRows: merged.y.length, positives, targetSize: a.targetSize, positiveTarget },
    shards.flatMap((r, i) => (r.warning ? [plan.length > 1 ? `shard ${i}: ${r.warning}` : r.warning] : [])),
  );
  // Each shard keeps its share of Nr and of the target: a shard short of positives may only mean they sit elsewhere.
  const shardNote =
    plan.length > 1 && shortfall.warnings.length > 0
      ? [
          `with ${plan.length} shards each keeps at most its share of the positives and of the target, so positives gathered in some shards leave the others short even when the input holds enough; --shards 1 keeps them all`,
        ]
      : [];
  const warnings = [...profile.warnings, ...shortfall.warnings, ...shardNote];
  return {
    positives,
    negatives: merged.y.length - positives,
    scannedRows,
    totalRows,
    earlyStop: shards.every((r) => r.earlyStop),
    shards: plan.length,
    // One shard: its order; several: each shard's, since each tests its own rows.
    order: plan.length === 1 ? shards[0]!.order : shards.map((r) => r.order),
    ...(shortfall.information ? { information: shortfall.information } : {}),
    warnings,
    seconds: secondsSince(started),
  };
}

/** The noise filters that read k: ENN and RENN vote among k neighbours (Tomek links pair nearest neighbours; confident learning reads probabilities). */
const METHODS_READING_K = ['enn', 'renn'];
const DEFAULT_DENOISE_K = 3;

export async function denoiseCommand(
  a: LabelledFileArgs &
    MissingValueArgs & {
      /** Read by enn and renn only (default 3); given with another method, refused. */
      k?: number;
      method: string;
      neighbors: NeighborSearch;
      scaling: DistanceScaling;
      removed?: string;
    },
) {
  const started = performance.now();
  if (!['enn', 'renn', 'tomek', 'confident'].includes(a.method)) {
    throw new InvalidInputError('--method', `--method: expected enn, renn, tomek or confident, got "${a.method}"`);
  }
  const readsK = METHODS_READING_K.includes(a.method);
  if (a.k !== undefined && !readsK) {
    const why =
      a.method === 'tomek'
        ? 'Tomek links pair each row with its one nearest neighbour'
        : 'confident learning reads out-of-fold probabilities';
    throw new InvalidInputError(
      '--k',
      `--k ${a.k}: --method ${a.method} reads no k (${why}); only --method enn and renn take --k, so leave it out or choose one of them`,
    );
  }
  // Tomek links search one neighbour per row; confident learning searches none (k is then unused).
  const k = readsK ? (a.k ?? DEFAULT_DENOISE_K) : 1;
  const out = await requireOutputDirectory(a.out);
  const removedPath = a.removed !== undefined ? await checkRemovedRowsPath(a.removed, out) : undefined;
  const { d, weights, missingValues } = await readFilledInput(a);
  requireArrowKeepsLabels(out, a.label, d.positiveLabel, d.negativeLabel);
  checkMemoryBudget(
    [neighbourMemory(`label-noise filtering (${a.method})`, d.rows, d.featureNames.length, k, readsK ? '--k' : 'the rows of --input')],
    memoryBudget(),
  );
  const { filterAndType, rennStopText } = await denoiseStageModule();
  const groups = oneHotGroups(d.featureNames, d.categorical);
  const { cleaning, typing, index, setAside } = filterAndType(
    d.data,
    a.method as LabelNoiseMethod,
    k,
    a.neighbors,
    a.scaling,
    a.seed,
    groups,
    undefined,
    weights,
  );
  const cleaned = takeRows(d.data, cleaning.kept);
  const warnings = [
    ...stageLabelWarnings(d.data.y, d.positiveLabel, d.negativeLabel),
    ...identifierColumnWarnings(d.data.x, d.featureNames, 'the neighbour search measures distances on it', LEAVE_OUT_OF_FILE),
    ...[rennStopText(cleaning)].filter((w) => w !== undefined),
  ];
  const keptWeights = weights ? Float64Array.from(cleaning.kept, (r) => weights[r]!) : undefined;
  await writeLabelledTable(out, {
    ...withWeightColumn(cleaned, d.featureNames, keptWeights),
    labelName: a.label,
    labelValues: [d.negativeLabel, d.positiveLabel],
    labelSqlType: d.labelType,
    categorical: d.categorical,
  });
  if (removedPath) await writeRemovedRows(removedPath, cleaning, d.data.y, [d.negativeLabel, d.positiveLabel], d.labelType);
  return {
    command: 'denoise',
    ...(weights ? { sampleWeight: 'carried' } : {}),
    method: a.method,
    ...(readsK ? { k } : {}),
    neighbors: index.kind,
    distances: a.scaling,
    out,
    ...(removedPath ? { removed: { file: removedPath, rows: cleaning.removed.length, columns: removedRowsColumns(cleaning) } } : {}),
    rowsIn: d.rows,
    ...ignoredColumnsField(d.ignoredColumns),
    rowsOut: cleaned.y.length,
    removedNegatives: cleaning.removedPerClass[0],
    removedPositives: cleaning.removedPerClass[1],
    ...(setAside > 0 ? { zeroWeightRowsSetAside: setAside } : {}),
    ...(cleaning.roundsApplied !== undefined ? { rounds: cleaning.roundsApplied, stoppedBecause: cleaning.stoppedBecause } : {}),
    minorityTypes: typing.counts,
    ...(missingValues ? { missingValues } : {}),
    ...(warnings.length ? { warnings } : {}),
    seconds: secondsSince(started),
  };
}

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
    syntheticRatio: r.stats.syntheticRatio,
    neighbourDistance: r.stats.neighbourDistance,
    ...(r.quotaMessage ? { quota: r.quotaMessage } : {}),
    ...(r.warning ? { warning: r.warning } : {}),
    ...(missingValues ? { missingValues } : {}),
    ...(warnings.length ? { warnings } : {}),
    seed: a.seed,
    seconds: secondsSince(started),
  };
}
