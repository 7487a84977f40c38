// The train stage for a label of three or more classes: one one-vs-rest model per class, as `rareflow fit` fits
// them (the same recipe for every class; `auto` chooses it by macro G-mean), sealed as one multi-class model file.

import { rowsOutsideLargestClass, type LabelledData } from '../core/dataset.js';
import { oneHotGroups, pipelineInputColumns } from '../core/features/oneHotFeatures.js';
import { sealModelArtifact, type ModelArtifact } from '../core/models/modelArtifact.js';
import type { StageSummary } from '../core/pipelineTypes.js';
import { fitCandidate, type ModelCandidate } from './modelCandidates.js';
import { chooseMultiClassModel } from './multiClassChoice.js';
import { secondsSince, type StageProgress } from './stageProgress.js';
import { fitModelArtifact, type FitModelOptions, type TrainStageInput } from './train.js';

/** `y` with 1 for rows of class `c` and 0 for the rest. */
export function oneVsRest(y: Uint8Array, c: number): Uint8Array {
  return Uint8Array.from(y, (v) => (v === c ? 1 : 0));
}

/**
 * The multi-class train step: `input.train.y` holds class indices into `classes`. Each class gets a binary model of
 * that class against the rest (its threshold by the spec's policy, on the one-vs-rest labels); the file carries them
 * all as `multiClass: {classes, models, thresholds}`, with the first class's model as its binary fields (the shape
 * `rareflow fit` writes).
 */
export async function trainMultiClassStage(
  input: TrainStageInput & { classes: string[] },
  progress?: StageProgress,
): Promise<{ artifact: ModelArtifact; summary: StageSummary }> {
  const started = performance.now();
  const { classes, train } = input;
  const groups = input.categorical ? oneHotGroups(input.featureNames, input.categorical) : [];
  const inputColumns =
    input.categorical || input.booleanColumns?.length
      ? { inputColumns: pipelineInputColumns(input.featureNames, input.categorical ?? {}, input.booleanColumns ?? []) }
      : {};
  const base = (labels: { positive: string; negative: string }): Omit<FitModelOptions, 'model' | 'sampleWeights' | 'validation'> => ({
    featureNames: input.featureNames,
    labelName: input.labelName,
    labels,
    modelName: input.modelName,
    seed: input.seed,
    runId: input.runId,
    datasetSha256: input.datasetSha256,
    ...(input.missingValues ? { missingValues: input.missingValues } : {}),
    ...inputColumns,
    ...(groups.length > 0 ? { categoricalGroups: groups } : {}),
  });
  const candidateOptions = { ...(input.model.trees !== undefined ? { trees: input.model.trees } : {}), categoricalGroups: groups };
  let chosen: ModelCandidate | undefined;
  let selection: ModelArtifact['selection'];
  if (input.model.kind === 'auto') {
    const choice = await chooseMultiClassModel(train.x, train.y, classes, {
      fit: fitModelArtifact,
      base: base({ positive: 'class', negative: 'rest' }),
      ...candidateOptions,
      seed: input.seed,
      ...(input.model.budgetSeconds !== undefined ? { budgetSeconds: input.model.budgetSeconds } : {}),
      ...(input.sampleWeights ? { sampleWeights: input.sampleWeights } : {}),
      ...(progress ? { progress } : {}),
    });
    chosen = choice.winner;
    selection = choice.selection;
  }
  const perClass: ModelArtifact[] = [];
  const notes: string[] = [];
  for (let c = 0; c < classes.length; c++) {
    progress?.({ stage: 'fitting', class: classes[c] });
    const labels = { positive: classes[c]!, negative: `not ${classes[c]}` };
    const data: LabelledData = { x: train.x, y: oneVsRest(train.y, c) };
    const validation = input.validation ? { x: input.validation.x, y: oneVsRest(input.validation.y, c) } : undefined;
    const fitted = chosen
      ? await fitCandidate(chosen, data, input.sampleWeights, input.seed, {
          fit: fitModelArtifact,
          base: base(labels),
          ...candidateOptions,
        })
      : await fitModelArtifact(data, {
          ...base(labels),
          model: input.model,
          ...(validation ? { validation } : {}),
          ...(input.sampleWeights ? { sampleWeights: input.sampleWeights } : {}),
        });
    perClass.push(fitted.artifact);
    notes.push(`${classes[c]}: ${fitted.note}`);
  }
  const { outOfBag: _firstClassOnly, ...training } = perClass[0]!.training;
  const { selection: _none, ...first } = perClass[0]!;
  const artifact = sealModelArtifact({
    ...first,
    training: { ...training, rows: train.y.length },
    positiveLabel: classes[0]!,
    negativeLabel: classes.slice(1).join('|'),
    multiClass: { classes, models: perClass.map((m) => m.model), thresholds: perClass.map((m) => m.threshold) },
    ...(selection ? { selection } : {}),
  });
  const rows = train.y.length;
  const positives = rowsOutsideLargestClass(train.y);
  return {
    artifact,
    summary: {
      stage: 'trainModel',
      rowsIn: rows,
      rowsOut: rows,
      positivesIn: positives,
      positivesOut: positives,
      seconds: secondsSince(started),
      note: `one-vs-rest over ${classes.length} classes${chosen ? ` (auto chose ${chosen.name} by macro G-mean)` : ''}; ${notes.join('; ')}`,
    },
  };
}
