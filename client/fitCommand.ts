// `rareflow fit`: the default pipeline's data→model stages (noise filtering, ADASYN, the model and its threshold)
// on one training file, in one process, with the workflow's own defaults and stage code.

import { basename } from 'node:path';
import { classCounts, rowsPerClass, takeRows } from '../core/dataset.js';
import { sealModelArtifact, type ModelArtifact } from '../core/models/modelArtifact.js';
import { splitSelectionTimes, withSelectionTimes, type ModelSelection, type SelectionTimes } from '../core/models/modelSelection.js';
import type { LabelledData } from '../core/dataset.js';
import { parseThresholdPolicy } from '../core/models/thresholdPolicy.js';
import { deriveSeed, seededRandom } from '../core/random.js';
import { stratifiedSplit } from '../core/sampling/stratifiedSplit.js';
import { oversampleWithAdasyn } from '../stages/oversample.js';
import { oneHotGroups, pipelineInputColumns } from '../core/features/oneHotFeatures.js';
import { checkSampleWeights, positiveShare, SAMPLE_WEIGHT_COLUMN, takeSampleWeights } from '../core/sampling/sampleWeights.js';
import { filterAndType } from '../stages/denoise.js';
import { fitModelArtifact } from '../stages/train.js';
import { fitCandidate, type ModelCandidate } from '../stages/modelCandidates.js';
import { chooseMultiClassModel } from '../stages/multiClassChoice.js';
import { missingLookingNote } from '../data/labelClasses.js';
import { checkMultiClassThreshold } from '../core/spec/multiClassSpecCheck.js';
import { fileSha256, formatOf } from '../data/inputSources.js';
import { readLabelledDataset } from '../data/datasetReader.js';
import { syntheticRowsOf } from '../data/adasynLineageColumns.js';
import { inexactIntegerWarnings } from '../data/inexactIntegerColumns.js';
import { ignoredColumnsField } from '../data/reservedColumns.js';
import { requireOutputDirectory, writeFileAtomically } from './localFiles.js';
import { progressLine, type ProgressLine } from './progressLine.js';
import { chooseColumns, labelValuesInOrder } from './fitInputColumns.js';
import { renamedPositiveError, resolveFitSpec, type FitArgs } from './fitSpec.js';
import { missingCells, readWarnings, requireVaryingFeature, sameScoreWarning } from './fitReadWarnings.js';
import { addMissingIndicators } from './missingIndicatorFlags.js';
import { missingClassTestsNote } from '../core/features/missingIndicators.js';
import { secondsSince } from '../stages/stageProgress.js';
import { applyDeclaredFill, fitDeclaredFill, keepsMissing, modelMissingValues, type MissingValueSummary } from './missingValueFlags.js';
import { createHash } from 'node:crypto';
import { checkMemoryBudget, pipelineMemory, sampleMemory } from '../core/resources/memoryEstimate.js';
import { memoryBudget } from '../data/memoryBudget.js';
import { fileRowCounts } from '../data/positiveScan.js';

export async function fitCommand(a: FitArgs) {
  const line = progressLine('fit');
  try {
    return await fitSteps(a, line);
  } finally {
    line.end();
  }
}

async function fitSteps(a: FitArgs, line: ProgressLine) {
  const started = performance.now();
  const out = await requireOutputDirectory(a.out);
  const { spec, args, configWarnings } = resolveFitSpec(a, out);
  a = args;
  const stages: Array<Record<string, unknown>> = [];

  let t = performance.now();
  line.step(`reading ${basename(a.input)}`);
  const cols = await chooseColumns(
    a.input,
    a.label,
    [...(a.categorical ?? []), ...(spec.input.categorical ?? [])],
    spec.input.exclude ?? [],
    spec.input.features,
  );
  // Memory: reading is checked before the file is read, the later stages once the class counts are known.
  const budget = memoryBudget();
  const rowsParameter = 'the rows of --input (sample it first with rareflow sample)';
  if (formatOf(a.input) !== 'arrow') {
    const [rows] = await fileRowCounts([a.input]);
    checkMemoryBudget([sampleMemory(0, rows!, cols.features.length, rowsParameter, 'reading the input')], budget);
  }
  const requestedPositive = a.positive ?? spec.input.positive;
  // A positive class from the config, not --positive, is named by its key when the label does not hold it.
  const fromConfig = <T>(work: Promise<T>): Promise<T> =>
    a.positive === undefined && spec.input.positive !== undefined
      ? work.catch((err: unknown) => Promise.reject(renamedPositiveError(err, `${a.config}: input.positive`)))
      : work;
  const labelClasses = await fromConfig(labelValuesInOrder(a.input, a.label, requestedPositive));
  const multiClass = requestedPositive === undefined && labelClasses.classes.length > 2 ? labelClasses : undefined;
  if (multiClass)
    checkMultiClassThreshold(
      spec.model.threshold,
      `label column "${a.label}" of ${a.input} has ${multiClass.classes.length} classes`,
      a.config ? `${a.config}: model.threshold` : 'model.threshold',
      'or pass --positive to train one class against the rest',
    );
  // A sample_weight column weighs rows in training, as in the pipeline; it is read in the same pass, never a feature.
  const read = await fromConfig(
    readLabelledDataset(a.input, {
      label: a.label,
      features: cols.features,
      ...(requestedPositive !== undefined ? { positive: requestedPositive } : multiClass ? { positive: multiClass.classes[0]! } : {}),
      ...(cols.categorical.length ? { categorical: cols.categorical } : {}),
      ...(keepsMissing(a) || a.missing === undefined ? { keepMissingFeatures: true } : {}),
      ...(cols.weighted ? { weightColumn: SAMPLE_WEIGHT_COLUMN } : {}),
      findInexactIntegers: true,
    }),
  );
  // With no policy given, fit (unlike the single-step commands and the pipeline) fills missing numbers with the
  // training median, as a modelling library's default pipeline would, and says so; a complete file is unchanged.
  const defaultFill = a.missing === undefined ? missingCells(read.data.x, read.featureNames) : undefined;
  if (defaultFill) a = { ...a, missing: 'median' };
  // Beside a numeric column with missing values, a 0/1 `column=missing` feature, fitted and scored like the rest (with
  // `related`, only where the gaps are related to the class: Fisher's exact test on the training rows).
  const indicated = addMissingIndicators(
    read,
    a,
    a.missingIndicators,
    multiClass ?? { classOf: read.data.y, classes: [read.negativeLabel, read.positiveLabel] },
  );
  const { data: d, columns: indicatedColumns } = indicated;
  const weights0 = d.sampleWeights;
  if (weights0) checkSampleWeights(weights0, d.data.y, `weight column "${SAMPLE_WEIGHT_COLUMN}" in ${a.input}`, multiClass);
  const groups = oneHotGroups(d.featureNames, d.categorical);
  requireVaryingFeature(d.data.x, d.featureNames, a.input);
  const [negatives0, positives0] = classCounts(d.data.y);
  const warnings = [
    ...configWarnings,
    ...cols.warnings,
    ...inexactIntegerWarnings(read.inexactIntegers ?? [], 'the model learns from the rounded values (neighbouring values read alike)'),
    ...readWarnings(
      d.data.x,
      d.featureNames,
      defaultFill ? { ...defaultFill, indicators: [...indicatedColumns], unrelated: indicated.unrelated } : undefined,
      multiClass ? multiClass.classOf : d.data.y,
      multiClass?.classes ?? [d.negativeLabel, d.positiveLabel],
      d.missingCategories,
      d.categorical,
      requestedPositive === undefined,
    ),
    // `--positive` on a label of three or more values: the others are learned as one negative class, and `predict`
    // writes that class as their values joined with "|".
    ...(!multiClass && d.negativeLabel.includes('|')
      ? [
          `label column "${a.label}" holds ${d.negativeLabel.split('|').length + 1} values: ${d.negativeLabel
            .split('|')
            .map((v) => `"${v}"`)
            .join(
              ', ',
            )} are learned as one negative class against "${d.positiveLabel}", and predict writes that class as "${d.negativeLabel}"; leave out --positive to learn every class`,
        ]
      : []),
    // A class spelt as a missing value (the text "NaN" on rows whose label was lost): learnt as a class of its own.
    ...(multiClass && missingLookingNote(multiClass.classes)
      ? [`label column "${a.label}" holds ${multiClass.classes.length} classes${missingLookingNote(multiClass.classes)}`]
      : []),
  ];
  const shape = { targetSize: 0, rows: d.rows, columns: d.featureNames.length, positives: Math.min(positives0, negatives0), rowsParameter };
  checkMemoryBudget(pipelineMemory({ ...shape, denoise: spec.denoise, adasyn: spec.adasyn, model: spec.model }).slice(1), budget);
  stages.push({
    stage: 'read',
    rowsIn: d.rows,
    rowsOut: d.rows,
    // Three or more classes: rows per class (positive and negative name two of them only).
    ...(multiClass
      ? {
          rowsPerClass: Object.fromEntries(
            rowsPerClass(Uint8Array.from(multiClass.classOf), multiClass.classes.length).map((n, c) => [multiClass.classes[c], n]),
          ),
        }
      : { positives: positives0, negatives: negatives0 }),
    features: d.featureNames.length,
    categorical: cols.categorical,
    ...(cols.leftOut.length ? { leftOut: cols.leftOut } : {}),
    ...(indicatedColumns.size > 0 ? { missingIndicators: [...indicatedColumns] } : {}),
    ...(indicated.tests?.length ? { missingClassTests: indicated.tests, note: missingClassTestsNote(indicated.tests) } : {}),
    ...ignoredColumnsField(cols.ignored),
    ...(weights0 ? { sampleWeight: SAMPLE_WEIGHT_COLUMN } : {}),
    seconds: secondsSince(t),
  });

  const inputColumns = pipelineInputColumns(read.featureNames, read.categorical, read.booleanColumns ?? [], indicatedColumns);
  const datasetSha256 = await fileSha256(a.input);
  // Multi-class: one fill serves every one-vs-rest model of the file, so it is fitted on all rows once, before the
  // per-class splits (which differ by class); binary: on the rows the model learns from, after its split.
  const sharedFill = multiClass ? fitDeclaredFill(a, d.data.x) : undefined;
  let missingValues: MissingValueSummary | undefined;

  const fitBase = (labels: { positive: string; negative: string }) => ({
    featureNames: d.featureNames,
    inputColumns,
    labelName: a.label,
    labels,
    modelName: spec.modelName,
    seed: spec.seed,
    runId: 'fit',
    datasetSha256,
    ...(groups.length > 0 ? { categoricalGroups: groups } : {}),
  });
  const candidateFitOptions = { ...(spec.model.trees !== undefined ? { trees: spec.model.trees } : {}), categoricalGroups: groups };
  /** Multi-class auto: the one recipe every one-vs-rest model uses, chosen by macro G-mean (stages/multiClassChoice.ts). */
  let chosen: ModelCandidate | undefined;
  let multiClassSelection: ModelSelection | undefined;
  /** auto's seconds: in the JSON, never in the model file (the same data and seed give the same bytes). */
  let selectionTimes: SelectionTimes | undefined;
  if (multiClass && spec.model.kind === 'auto') {
    const x = sharedFill ? applyDeclaredFill(sharedFill, [d.data.x], d.featureNames).parts[0]! : d.data.x;
    const choice = await chooseMultiClassModel(x, Uint8Array.from(multiClass.classOf), multiClass.classes, {
      fit: fitModelArtifact,
      base: {
        ...fitBase({ positive: 'class', negative: 'rest' }),
        ...(sharedFill ? { missingValues: modelMissingValues(sharedFill) } : {}),
      },
      ...candidateFitOptions,
      seed: spec.seed,
      ...(spec.model.budgetSeconds !== undefined ? { budgetSeconds: spec.model.budgetSeconds } : {}),
      ...(weights0 ? { sampleWeights: weights0 } : {}),
    });
    chosen = choice.winner;
    ({ selection: multiClassSelection, times: selectionTimes } = splitSelectionTimes(choice.selection));
  }

  // A cost rule reads its threshold at the data's positive share: in a file `adasyn` wrote, that of its real rows.
  const synthetic =
    parseThresholdPolicy(spec.model.threshold).kind === 'cost' ? await syntheticRowsOf(a.input, d.data.y.length) : undefined;

  /** The binary data→model stages on 0/1 labels: what the workflow runs after its split. */
  const trainBinary = async (data: LabelledData, labels: { positive: string; negative: string }, prefix: string) => {
    // The gmean policy chooses its threshold on rows the model does not see; the others use every row.
    let train = data;
    let weights = weights0;
    let validation;
    // auto chooses its threshold on its own inner folds of the training rows.
    if (parseThresholdPolicy(spec.model.threshold).kind === 'gmean' && spec.model.kind !== 'auto') {
      const parts = stratifiedSplit(
        data.y,
        { train: 0.8, validation: 0.2, test: 0 },
        seededRandom(deriveSeed(spec.seed, `split${prefix}`)),
      );
      train = takeRows(data, parts.train);
      weights = weights0 ? takeSampleWeights(weights0, parts.train) : undefined;
      validation = takeRows(data, parts.validation);
    }
    // Before distances and training: fitted on the training rows only, applied to the G-mean hold-out too.
    const fill = sharedFill ?? fitDeclaredFill(a, train.x);
    const filled = applyDeclaredFill(fill, validation ? [train.x, validation.x] : [train.x], d.featureNames);
    train = { x: filled.parts[0]!, y: train.y };
    if (validation) validation = { x: filled.parts[1]!, y: validation.y };
    missingValues ??= filled.summary;
    const fitMissingValues = modelMissingValues(fill);
    // The data's positive share, for a cost rule: that of the training rows before the noise filter and ADASYN
    // change it (after ADASYN it is about 1/2, and a cost threshold read there went unmoved on a 1:1 model).
    const dataPrevalence = synthetic ? positiveShare(data.y, weights0, synthetic) : positiveShare(train.y, weights);
    if (spec.denoise.method !== 'none') {
      t = performance.now();
      const k = spec.denoise.k ?? 3;
      line.step(`${prefix}${spec.denoise.method} on ${train.y.length.toLocaleString('en-US')} rows`);
      if (train.y.length > k + 1) {
        const { cleaning, typing } = filterAndType(
          train,
          spec.denoise.method,
          k,
          spec.denoise.neighbors ?? 'auto',
          'standardise',
          spec.seed,
          groups,
          undefined,
          weights,
        );
        const cleaned = takeRows(train, cleaning.kept);
        weights = weights ? takeSampleWeights(weights, cleaning.kept) : undefined;
        stages.push({
          stage: `${prefix}${spec.denoise.method}`,
          rowsIn: train.y.length,
          rowsOut: cleaned.y.length,
          removedNegatives: cleaning.removedPerClass[0],
          removedPositives: cleaning.removedPerClass[1],
          minorityTypes: typing.counts,
          seconds: secondsSince(t),
        });
        train = cleaned;
      } else {
        stages.push({ stage: `${prefix}${spec.denoise.method}`, skipped: `only ${train.y.length} rows` });
      }
    }
    if (spec.adasyn.enabled) {
      t = performance.now();
      line.step(`${prefix}adasyn on ${train.y.length.toLocaleString('en-US')} rows`);
      const done = oversampleWithAdasyn(
        train,
        {
          k: spec.adasyn.k ?? 5,
          beta: spec.adasyn.beta ?? 1,
          seed: spec.seed,
          ...(spec.adasyn.neighbors ? { neighbors: spec.adasyn.neighbors } : {}),
          ...(spec.adasyn.maxSyntheticRatio !== undefined ? { maxSyntheticRatio: spec.adasyn.maxSyntheticRatio } : {}),
          ...(groups.length > 0 ? { categoricalGroups: groups } : {}),
        },
        weights,
      );
      weights = done.weights;
      stages.push({
        stage: `${prefix}adasyn`,
        rowsIn: train.y.length,
        rowsOut: done.augmented.y.length,
        syntheticRows: done.syntheticRows,
        note: done.note,
        seconds: secondsSince(t),
      });
      train = done.augmented;
    }
    t = performance.now();
    line.step(`${prefix}training ${chosen ? chosen.name : spec.model.kind} on ${train.y.length.toLocaleString('en-US')} rows`);
    const base = { ...fitBase(labels), dataPrevalence, ...(fitMissingValues ? { missingValues: fitMissingValues } : {}) };
    const fitted = chosen
      ? await fitCandidate(chosen, train, weights, spec.seed, { fit: fitModelArtifact, base, ...candidateFitOptions })
      : await fitModelArtifact(train, {
          ...base,
          model: spec.model,
          ...(validation ? { validation } : {}),
          ...(weights ? { sampleWeights: weights } : {}),
          ...(line.active ? { progress: line.stageProgress } : {}),
        });
    selectionTimes ??= fitted.selectionTimes;
    warnings.push(...sameScoreWarning(fitted.artifact, train.x));
    stages.push({
      stage: `${prefix}train`,
      rows: train.y.length,
      threshold: fitted.artifact.threshold,
      ...(fitted.artifact.training.outOfBag ? { outOfBag: fitted.artifact.training.outOfBag } : {}),
      note: fitted.note,
      seconds: secondsSince(t),
    });
    return fitted.artifact;
  };

  let artifact: ModelArtifact;
  if (multiClass) {
    // One-vs-rest: each class against all others through the same binary stages (seed 002's rule per class).
    const { classOf, classes } = multiClass;
    const perClass: ModelArtifact[] = [];
    for (let c = 0; c < classes.length; c++) {
      const y = Uint8Array.from(classOf, (v) => (v === c ? 1 : 0));
      perClass.push(await trainBinary({ x: d.data.x, y }, { positive: classes[c]!, negative: `not ${classes[c]}` }, `${classes[c]}: `));
    }
    // Each class's out-of-bag summary is in its train stage: the file's training block would hold only the first's.
    // auto's one choice for every class (multiClassSelection) is the file's selection.
    const { outOfBag: _firstClassOnly, ...training } = perClass[0]!.training;
    const { selection: _none, ...first } = perClass[0]!;
    artifact = sealModelArtifact({
      ...first,
      training,
      positiveLabel: classes[0]!,
      negativeLabel: classes.slice(1).join('|'),
      multiClass: { classes, models: perClass.map((m) => m.model), thresholds: perClass.map((m) => m.threshold) },
      ...(multiClassSelection ? { selection: multiClassSelection } : {}),
    });
  } else {
    artifact = await trainBinary(d.data, { positive: d.positiveLabel, negative: d.negativeLabel }, '');
  }
  const text = JSON.stringify(artifact);
  await writeFileAtomically(out, text);
  // The choice's own warnings (a budget that cut candidates, fewer folds for a small class) are warnings of the fit.
  for (const w of artifact.selection?.warnings ?? []) if (!warnings.includes(w)) warnings.push(w);
  return {
    command: 'fit',
    out,
    sha256: createHash('sha256').update(text).digest('hex'),
    model: spec.model.kind,
    ...(multiClass
      ? { classes: multiClass.classes, thresholds: artifact.multiClass!.thresholds }
      : { threshold: artifact.threshold, positiveLabel: d.positiveLabel }),
    ...(missingValues ? { missingValues } : {}),
    ...(artifact.selection ? { selection: withSelectionTimes(artifact.selection, selectionTimes) } : {}),
    ...(warnings.length ? { warnings } : {}),
    stages,
    seed: spec.seed,
    seconds: secondsSince(started),
  };
}
