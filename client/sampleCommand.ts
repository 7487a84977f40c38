// `rareflow sample`: the adaptive sampling of the retrain pipeline (shard planning, scan and merge) run on files in
// one process, without Temporal. Returns a JSON-plain summary that the CLI prints.

import { resampledAsOneShardNote, samplingShortfall, shardsDroppedWantedRows } from '../core/sampling/samplingShortfall.js';
import { InvalidInputError } from '../core/invalidInputError.js';
import { SAMPLE_WEIGHT_COLUMN } from '../core/sampling/sampleWeights.js';
import type { RowIdSamplerKind } from '../core/sampling/rowIdSamplers.js';
import { validateTargets } from '../core/sampling/adaptiveSample.js';
import { checkMemoryBudget, sampleMemory } from '../core/resources/memoryEstimate.js';
import { memoryBudget } from '../data/memoryBudget.js';
import { secondsSince } from '../stages/stageProgress.js';
import { withWeightColumn } from './labelledInput.js';
import { requireOutputDirectory } from './localFiles.js';

// What only one command uses is loaded when that command runs, a cost every other command would otherwise pay
// before reading its input.
const sampleLabelColumnModule = () => import('./sampleLabelColumn.js');
const roundedIntegersModule = async () => {
  const [columns, sources, duckdb] = await Promise.all([
    import('../data/inexactIntegerColumns.js'),
    import('../data/inputSources.js'),
    import('../data/duckdbConnection.js'),
  ]);
  return { ...columns, ...sources, ...duckdb };
};
const adaptiveSampling = async () => {
  const modules = await Promise.all([
    import('../core/sampling/adaptiveSample.js'),
    import('../stages/sample.js'),
    import('../data/shardSampling.js'),
    import('../data/inputProfile.js'),
  ]);
  return Object.assign({}, ...modules) as (typeof modules)[0] & (typeof modules)[1] & (typeof modules)[2] & (typeof modules)[3];
};

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
  // Uniform sampling keeps no positive quota: Nr does not bound its target (a 300-row uniform sample was refused as
  // below Nr = 450, and the --params that would lower Nr is refused beside uniform).
  if (a.method !== 'uniform' && ruleTarget > a.targetSize) {
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
      : a.method === 'uniform'
        ? Math.min(ruleTarget, a.targetSize)
        : ruleTarget;
  validateTargets(a.targetSize, positiveTarget);
  checkMemoryBudget(
    [sampleMemory(a.targetSize, Math.min(a.targetSize, profile.rows), profile.featureNames.length, '--target-size')],
    memoryBudget(),
  );
  let { shards: plan, totalRows } = await planSampleShards(profile.files, a.shards);
  const sampleAll = async (segments: typeof plan) => {
    const out = [];
    for (let s = 0; s < segments.length; s++) {
      out.push(
        await sampleShardStage({
          segments: segments[s]!,
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
          shardCount: segments.length,
          seed: a.seed,
          method: a.method,
          ...(a.order !== undefined ? { order: a.order } : {}),
          ...(profile.sampleWeight !== undefined ? { sampleWeight: profile.sampleWeight } : {}),
        }),
      );
    }
    return out;
  };
  let shards = await sampleAll(plan);
  // Shards that dropped rows the targets wanted (a class gathered in a few of them): sampled again as one shard.
  const resampled: string[] = [];
  if (shardsDroppedWantedRows(shards, a.targetSize, positiveTarget)) {
    resampled.push(
      resampledAsOneShardNote(
        shards.length,
        shards.reduce((n, r) => n + r.positives, 0),
        shards.reduce((n, r) => n + r.positivesSeen, 0),
      ),
    );
    ({ shards: plan, totalRows } = await planSampleShards(profile.files, 1));
    shards = await sampleAll(plan);
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
  // Every row a positive: the positives' target (Nr) filled the whole sample, and nothing is left to learn the rest from.
  const negatives = merged.y.length - positives;
  const noNegatives =
    negatives === 0 && positives > 0
      ? [
          `the sample holds ${positives} positives and no negatives: the positives' target filled all of --target-size ${a.targetSize}; raise --target-size above it (or lower --params or --nr) to keep negatives`,
        ]
      : [];
  // A positive class larger than the rest: sampling keeps positives as the rare class (fit and train say so too).
  // (A predicate that every row satisfies is already said by the profile: the sample has no negatives.)
  const largerPositive =
    profile.positives > profile.rows - profile.positives && !(a.positiveWhen !== undefined && profile.positives === profile.rows)
      ? [
          a.positiveWhen === undefined
            ? `the positive class "${profile.positiveLabel}" is the larger class (${profile.positives} of ${profile.rows} rows): adaptive sampling keeps positives as the rare class; if the rare class is another value, pass --positive with it`
            : `the positive class (the rows where --positive-when "${a.positiveWhen}" holds) is the larger class (${profile.positives} of ${profile.rows} rows): adaptive sampling keeps positives as the rare class; if the rare class is the rows where it does not hold, invert the condition: --positive-when "NOT (${a.positiveWhen})"`,
        ]
      : [];
  // `--positive` on a label of three or more values: every other value is a negative to the sampler (the rows keep
  // their values). Said, as fit says it, since a positive spelt another way ("1" beside "positive") is one of them.
  const otherValues = a.positiveWhen === undefined ? profile.negativeLabel.split('|') : [];
  const manyValues =
    otherValues.length > 1
      ? [
          `label column "${a.label}" holds ${otherValues.length + 1} values: ${otherValues.map((v) => `"${v}"`).join(', ')} are sampled as negatives against "${profile.positiveLabel}" (each row keeps its value); if one of them is the positive class spelt another way, make the spellings the same first`,
        ]
      : [];
  const warnings = [
    ...profile.warnings,
    ...manyValues,
    ...largerPositive,
    ...resampled,
    ...shortfall.warnings,
    ...noNegatives,
    ...(await roundedIntegers(profile)),
  ];
  return {
    positives,
    negatives,
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

/** Whole numbers past 2^53 in the feature columns: the sample writes its features as doubles, so they come out rounded. */
async function roundedIntegers(profile: { files: string[]; featureNames: string[] }): Promise<string[]> {
  const { inexactIntegerColumns, inexactIntegerWarnings, tableSource, formatOf, withDuckDB } = await roundedIntegersModule();
  const format = formatOf(profile.files[0]!);
  if (format === 'arrow') return [];
  const found = await withDuckDB((c) => inexactIntegerColumns(c, tableSource(format, profile.files), profile.featureNames));
  return inexactIntegerWarnings(found, 'the sampled rows carry the rounded values');
}
