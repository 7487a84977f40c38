// `rareflow train`: one model of a given kind fitted on one labelled file, without Temporal and without the choice of
// `fit --kind auto`: for debugging, benchmarks and parity checks with the pipeline's training stage.

import { basename } from 'node:path';
import { createHash } from 'node:crypto';
import { classCounts, takeRows } from '../core/dataset.js';
import { InvalidInputError } from '../core/invalidInputError.js';
import { parseThresholdPolicy } from '../core/models/thresholdPolicy.js';
import type { InputColumn } from '../core/models/modelArtifact.js';
import { deriveSeed, seededRandom } from '../core/random.js';
import { oneHotGroups, pipelineInputColumns } from '../core/features/oneHotFeatures.js';
import { checkSampleWeights, positiveShare, takeSampleWeights } from '../core/sampling/sampleWeights.js';
import { stratifiedSplit } from '../core/sampling/stratifiedSplit.js';
import { checkModelFlagsForKind } from '../core/spec/modelSpecKeys.js';
import { checkMemoryBudget, forestMemory, logisticMemory } from '../core/resources/memoryEstimate.js';
import { fileSha256 } from '../data/inputSources.js';
import { syntheticRowsOf } from '../data/adasynLineageColumns.js';
import { inexactIntegerWarnings } from '../data/inexactIntegerColumns.js';
import { memoryBudget } from '../data/memoryBudget.js';
import { ignoredColumnsField } from '../data/reservedColumns.js';
import { secondsSince } from '../stages/stageProgress.js';
import type { PipelineSpec } from '../workflows/contract.js';
import { applyDeclaredFill, fitDeclaredFill, keepsMissing, modelMissingValues, type MissingValueArgs } from './missingValueFlags.js';
import { checkMissingIndicatorsFlag, addMissingIndicators, type MissingIndicatorsFlag } from './missingIndicatorFlags.js';
import { readWeightedInput, SAMPLE_WEIGHT, type LabelledFileArgs } from './labelledInput.js';
import { requireOutputDirectory, writeFileAtomically } from './localFiles.js';
import { identifierColumnWarnings } from '../core/features/identifierColumns.js';
import { fewRowsWarning, largerPositiveWarning, LEAVE_OUT_OF_FILE } from './fitReadWarnings.js';
import { requireVaryingFeature, sameScoreWarning } from './fitReadWarnings.js';

// Loaded when the command runs, not with the CLI.
const trainStageModule = () => import('../stages/train.js');

export async function trainCommand(
  a: LabelledFileArgs &
    MissingValueArgs & {
      model: string;
      threshold: string;
      l2?: number;
      trees?: number;
      sampling?: 'bootstrap' | 'subsample' | 'balanced';
      splitter?: 'best' | 'random';
      learningRate?: number;
      maxIterations?: number;
      maxLeafNodes?: number;
      earlyStopping?: string;
      /** `column=missing` features beside filled columns, as `fit` adds them (client/missingIndicatorFlags.ts). */
      missingIndicators?: MissingIndicatorsFlag;
    },
) {
  const started = performance.now();
  if (a.model !== 'logreg' && a.model !== 'forest' && a.model !== 'gbdt') {
    throw new InvalidInputError('--kind', `--kind: expected "logreg", "forest" or "gbdt", got "${a.model}"`);
  }
  if (a.learningRate !== undefined && !(a.learningRate > 0 && a.learningRate <= 1)) {
    throw new InvalidInputError('--learning-rate', `--learning-rate: expected a number in (0, 1], got ${a.learningRate}`);
  }
  const { l2, trees, sampling, splitter, learningRate, maxIterations, maxLeafNodes, earlyStopping } = a;
  const given = { l2, trees, sampling, splitter, learningRate, maxIterations, maxLeafNodes, earlyStopping };
  const model = {
    kind: a.model,
    threshold: a.threshold,
    ...Object.fromEntries(Object.entries(given).filter(([, v]) => v !== undefined)),
  } as PipelineSpec['model'];
  // A flag of another model kind (--trees on logreg, --learning-rate on a forest) would be ignored: refused instead.
  checkModelFlagsForKind(model, a.model);
  // Without --missing, train rejects missing values: indicators of filled values would have nothing to mark.
  checkMissingIndicatorsFlag(a.missingIndicators, a, 'reject');
  const policy = parseThresholdPolicy(a.threshold);
  const out = await requireOutputDirectory(a.out);
  // A sample_weight column weighs the rows, as in the pipeline; it is never a feature.
  const read = await readWeightedInput({ ...a, keepMissing: keepsMissing(a), findInexactIntegers: true });
  const { weights } = read;
  if (weights) checkSampleWeights(weights, read.d.data.y, `weight column "${SAMPLE_WEIGHT}" in ${a.input}`);
  const indicated = addMissingIndicators(read.d, a, a.missingIndicators, {
    classOf: read.d.data.y,
    classes: [read.d.negativeLabel, read.d.positiveLabel],
  });
  const d = indicated.data;
  // As `fit`: a file where no feature varies could only give a model that scores every row alike.
  requireVaryingFeature(d.data.x, d.featureNames, a.input);
  const inputColumns = trainInputColumns(read.d, indicated.columns);
  const groups = oneHotGroups(d.featureNames, d.categorical);
  const { fitModelArtifact } = await trainStageModule();
  let fitData = d.data;
  let fitWeights = weights;
  let validation: typeof d.data | undefined;
  if (policy.kind === 'gmean') {
    // The G-mean threshold is chosen on rows the model did not see: hold out a stratified 25%.
    const parts = stratifiedSplit(d.data.y, { train: 0.75, validation: 0.25, test: 0 }, seededRandom(deriveSeed(a.seed, 'split')));
    fitData = takeRows(d.data, parts.train);
    fitWeights = weights ? takeSampleWeights(weights, parts.train) : undefined;
    validation = takeRows(d.data, parts.validation);
  }
  // The fill is fitted on the rows the model learns from (not the G-mean hold-out) and applied to both.
  const fill = fitDeclaredFill(a, fitData.x);
  const filled = applyDeclaredFill(fill, validation ? [fitData.x, validation.x] : [fitData.x], d.featureNames);
  fitData = { x: filled.parts[0]!, y: fitData.y };
  if (validation) validation = { x: filled.parts[1]!, y: validation.y };
  const missingValues = modelMissingValues(fill);
  const columns = d.featureNames.length;
  checkMemoryBudget(
    [
      a.model === 'forest'
        ? { ...forestMemory(fitData.y.length, columns, a.trees ?? 100), parameter: '--trees' }
        : { ...logisticMemory(fitData.y.length, columns), parameter: 'the rows of --input' },
    ],
    memoryBudget(),
  );
  // A cost rule reads its threshold at the data's positive share: in a file `adasyn` wrote, that of its real rows.
  const synthetic = policy.kind === 'cost' ? await syntheticRowsOf(a.input, d.data.y.length) : undefined;
  const { artifact, note } = await fitModelArtifact(fitData, {
    model,
    featureNames: d.featureNames,
    labelName: a.label,
    labels: { positive: d.positiveLabel, negative: d.negativeLabel },
    modelName: basename(out).replace(/\.json$/, ''),
    seed: a.seed,
    runId: 'local',
    datasetSha256: await fileSha256(a.input),
    ...(validation ? { validation } : {}),
    ...(fitWeights ? { sampleWeights: fitWeights } : {}),
    ...(synthetic ? { dataPrevalence: positiveShare(d.data.y, weights, synthetic) } : {}),
    ...(missingValues ? { missingValues } : {}),
    ...(inputColumns ? { inputColumns } : {}),
    ...(groups.length > 0 ? { categoricalGroups: groups } : {}),
  });
  const text = JSON.stringify(artifact);
  await writeFileAtomically(out, text);
  const [, positives] = classCounts(fitData.y);
  const larger = [
    ...fewRowsWarning(d.data.y, [d.negativeLabel, d.positiveLabel]),
    ...largerPositiveWarning(d.data.y, d.positiveLabel, d.negativeLabel),
    ...identifierColumnWarnings(d.data.x, d.featureNames, 'the model learns from it as a feature', LEAVE_OUT_OF_FILE),
    ...inexactIntegerWarnings(read.d.inexactIntegers ?? [], 'the model learns from the rounded values (neighbouring values read alike)'),
    ...sameScoreWarning(artifact, fitData.x),
  ];
  return {
    command: 'train',
    ...(weights ? { sampleWeight: SAMPLE_WEIGHT } : {}),
    model: a.model,
    out,
    sha256: createHash('sha256').update(text).digest('hex'),
    rows: fitData.y.length,
    ...ignoredColumnsField(d.ignoredColumns),
    positives,
    threshold: artifact.threshold,
    thresholdReason: artifact.thresholdReason,
    ...(artifact.training.outOfBag ? { outOfBag: artifact.training.outOfBag } : {}),
    note,
    ...(filled.summary ? { missingValues: filled.summary } : {}),
    ...(indicated.columns.size > 0 ? { missingIndicators: [...indicated.columns] } : {}),
    ...(indicated.tests?.length ? { missingClassTests: indicated.tests } : {}),
    ...(larger.length ? { warnings: larger } : {}),
    seconds: secondsSince(started),
  };
}

/**
 * The raw columns the model reads, when a reader needs more than the feature names: categories to one-hot encode,
 * booleans, missing-value indicators. Undefined for plain numeric columns (each feature then names its column).
 */
function trainInputColumns(
  d: { featureNames: string[]; categorical: Record<string, string[]>; booleanColumns?: string[] },
  indicated: ReadonlySet<string>,
): InputColumn[] | undefined {
  if (Object.keys(d.categorical).length === 0 && !d.booleanColumns?.length && indicated.size === 0) return undefined;
  return pipelineInputColumns(d.featureNames, d.categorical, d.booleanColumns ?? [], indicated);
}
