// The describe stage: resolves the input globs, checks the label, classes, feature types and missing values in SQL,
// and fixes the feature list, the positive label (or, for three or more classes, the class sampling plan), the
// sample-weight column and Nr before any sampling starts.

import { InvalidInputError } from '../core/invalidInputError.js';
import { checkGateClassCodes } from '../core/gates/gateClassCodes.js';
import { defaultGateSpec, parseGateSpec } from '../core/gates/gateSpec.js';
import type { AdasynSpec, DenoiseSpec, GateSpecJson, InputSpec, ModelSpec, SamplingSpec, SplitSpec } from '../core/pipelineTypes.js';
import { multiClassSamplingPlan, type MultiClassSamplingPlan } from '../core/sampling/multiClassSamplingPlan.js';
import { checkMultiClassSpec } from '../core/spec/multiClassSpecCheck.js';
import { checkMemoryBudget, pipelineMemory } from '../core/resources/memoryEstimate.js';
import { mtryAboveFeatures } from './train.js';
import { positiveTargetFor, positiveTargetWithRoom } from '../core/sampling/adaptiveSample.js';
import { SAMPLE_WEIGHT_COLUMN } from '../core/sampling/sampleWeights.js';
import { profileLabelledInput, type InputProfile } from '../data/inputProfile.js';
import { memoryBudget } from '../data/memoryBudget.js';
import { locateInputs, sourceNamer, withSourceNames } from '../data/s3InputFiles.js';
import { negativeWordPositiveWarning } from '../core/labels/negativeWordPositive.js';
import { sourceColumnsOf } from '../core/features/oneHotFeatures.js';

export interface DescribeInputResult extends InputProfile {
  /** M of Algorithm 1. */
  params: number;
  /**
   * Nr = positivesPerParameter · M, raised to the input's positives that fit when its negatives all fit in the
   * sample (positiveTargetWithRoom).
   */
  positiveTarget: number;
  /** N: the spec's target size, or max(20 000, 2·Nr) when it has none. */
  targetSize: number;
  /** Each stage's estimated memory and the budget it was checked against (bytes). */
  memory: { budgetBytes: number; stages: Array<{ stage: string; bytes: number }> };
  /**
   * A label of three or more classes and neither input.positive nor input.positiveWhen: the pipeline trains a
   * multi-class model, and samples by this plan (`positiveTarget` is then the plan's).
   */
  multiClass?: MultiClassSamplingPlan;
}

/** The spec blocks the describe stage reads. */
export interface DescribeInputRequest {
  input: InputSpec;
  sampling: SamplingSpec;
  denoise?: DenoiseSpec;
  adasyn?: AdasynSpec;
  model?: ModelSpec;
  /** The gates: a multi-class label refuses the two-class ones here, before any work. */
  gates?: GateSpecJson;
  /** The split's shares: with the gates, a minPositiveSupport the test split cannot reach is refused before any work. */
  split?: SplitSpec;
}

/**
 * With the spec's later stages (`denoise`, `adasyn`, `model`), the memory every stage will need on this input is
 * checked against the budget here, before anything is sampled or written.
 */
export async function describeStage(input: DescribeInputRequest): Promise<DescribeInputResult> {
  // s3:// inputs are read from verified local copies; the result names them by URI, so every worker can fetch them.
  const located = await locateInputs(input.input.paths, 'input.paths');
  const sourceOf = new Map(located.map((l) => [l.local, l.source]));
  const named = sourceNamer(located);
  const localProfile = await profileLabelledInput(
    located.map((l) => l.local),
    {
      label: input.input.label,
      ...(input.input.positive !== undefined ? { positive: input.input.positive } : {}),
      ...(input.input.features ? { features: input.input.features } : {}),
      ...(input.input.exclude ? { exclude: input.input.exclude } : {}),
      ...(input.input.categorical?.length ? { categorical: input.input.categorical } : {}),
      ...(input.input.positiveWhen ? { predicate: input.input.positiveWhen } : {}),
      multiClass: true,
      // A `sample_weight` column is a per-row weight carried through the pipeline, never a feature.
      weightColumn: SAMPLE_WEIGHT_COLUMN,
      // Sampling checks the features of the rows it keeps; a full-column scan here would cost O(rows).
      checkAllFeatureValues: false,
    },
  ).catch((err: unknown) => {
    throw withSourceNames(err, named);
  });
  const profile = { ...localProfile, files: localProfile.files.map((f) => sourceOf.get(f) ?? f) };
  refusePredicateFeatures(profile, input.input.positiveWhen);
  if (profile.positives === 0) {
    throw new InvalidInputError(
      'input.positive',
      `no positive rows in ${input.input.paths.join(', ')}: ${profile.warnings.join('; ') || 'check input.label and input.positive'}`,
    );
  }
  if (!profile.classes) refuseUnlearnableClasses(profile, input);
  // Each feature can bring at most one missing-value feature beside it: past twice the count, no model can take it.
  const mostFeatures = 2 * profile.featureNames.length;
  if (input.model?.mtry !== undefined && input.model.mtry > mostFeatures)
    throw mtryAboveFeatures(input.model.mtry, profile.featureNames.length);
  const params = input.sampling.params ?? profile.featureNames.length + 1;
  const binaryTarget = positiveTargetFor(params, input.sampling.positivesPerParameter ?? 50);
  const targetSize = input.sampling.targetSize ?? Math.max(20_000, 2 * binaryTarget);
  let multiClass: MultiClassSamplingPlan | undefined;
  if (profile.classes) {
    const shown = profile.classes.map((c) => c.value);
    const labelText = `label column "${input.input.label}" has ${shown.length} classes (${shown.slice(0, 10).join(', ')}${shown.length > 10 ? ', …' : ''})`;
    checkMultiClassSpec(
      {
        ...(input.denoise ? { denoise: input.denoise } : {}),
        ...(input.gates ? { gates: parseGateSpec(input.gates, 'pipeline spec "gates"') } : {}),
        ...(input.model ? { model: input.model } : {}),
      },
      labelText,
    );
    multiClass = multiClassSamplingPlan(profile.classes, {
      positiveTarget: binaryTarget,
      targetSize,
      ...(input.sampling.shards !== undefined ? { shards: input.sampling.shards } : {}),
    });
  }
  // A gate whose class is written "1"/"0" must name this label's class of that value.
  if (input.gates && !input.input.positiveWhen) {
    const labels = multiClass ? { classes: multiClass.classes } : { positive: profile.positiveLabel, negative: profile.negativeLabel };
    checkGateClassCodes(input.gates, labels, 'pipeline spec "gates"');
  }
  if (!multiClass && binaryTarget > targetSize) {
    throw new InvalidInputError(
      'sampling.targetSize',
      `sampling.targetSize ${targetSize} is below Nr = ${binaryTarget} (${input.sampling.positivesPerParameter ?? 50} positives × M = ${params} parameters); raise sampling.targetSize or lower sampling.params`,
    );
  }
  // Where the sample has room for more of the input's positives than Nr (its negatives all fit), it keeps them.
  const positiveTarget = multiClass
    ? multiClass.positiveTarget
    : positiveTargetWithRoom(binaryTarget, targetSize, profile.rows, profile.positives, input.sampling.shards ?? 1);
  const memory = pipelineMemory({
    targetSize,
    rows: Math.min(targetSize, profile.rows),
    columns: profile.featureNames.length,
    positives: Math.min(positiveTarget, profile.positives),
    ...(input.denoise ? { denoise: input.denoise } : {}),
    ...(input.adasyn ? { adasyn: input.adasyn } : {}),
    ...(input.model ? { model: input.model } : {}),
  });
  const budget = memoryBudget();
  checkMemoryBudget(memory, budget);
  // The rarer value taken as the positive class when the spec names none: a yes/no label whose rarer value is "no".
  const chosenByRarity = !multiClass && input.input.positive === undefined && !input.input.positiveWhen;
  const choose = (v: string) => `set "positive": "${v}" in the spec's input block`;
  return {
    ...profile,
    warnings: [
      ...profile.warnings,
      ...(chosenByRarity ? negativeWordPositiveWarning(profile.positiveLabel, profile.negativeLabel, choose) : []),
      // A positive class larger than the rest (a label coded the other way round in this file, say).
      ...(!multiClass && profile.positives * 2 > profile.rows
        ? [
            `the positive class "${profile.positiveLabel}" is the larger class (${profile.positives} of ${profile.rows} rows): sampling, thresholds and gates treat the positive class as the rare one; if the rare class is another, ${input.input.positiveWhen ? 'invert input.positiveWhen' : choose(profile.negativeLabel.split('|')[0]!)}`,
          ]
        : []),
    ],
    params,
    positiveTarget,
    targetSize,
    memory: { budgetBytes: budget.bytes, stages: memory.map((m) => ({ stage: m.stage, bytes: m.bytes })) },
    ...(multiClass ? { multiClass } : {}),
  };
}

/**
 * A predicate that defines the positive class from a feature column (`f0 > 1.6` with f0 a feature) trains a model
 * that reads its own label: it learns the rule, passes every gate, and predicts nothing the rule does not already say.
 */
function refusePredicateFeatures(profile: InputProfile, predicate: string | undefined): void {
  const features = new Set(sourceColumnsOf(profile.featureNames, profile.categorical));
  const read = (profile.predicateColumns ?? []).filter((c) => features.has(c));
  if (predicate === undefined || read.length === 0) return;
  throw new InvalidInputError(
    'input.positiveWhen',
    `input.positiveWhen "${predicate}" reads ${read.map((c) => `"${c}"`).join(', ')}, which ${read.length === 1 ? 'is also a feature' : 'are also features'}: the model would learn the rule that defines the class from ${read.length === 1 ? 'it' : 'them'} and pass its gates without predicting anything; list ${read.length === 1 ? 'it' : 'them'} under input.exclude`,
  );
}

/**
 * A two-class input that no retrain could pass: every row positive (a predicate every row satisfies leaves nothing to
 * learn the negatives from), or fewer positives in the whole input than the gates' minPositiveSupport asks of the test
 * split alone, so the run could only end insufficient evidence after all its work.
 */
function refuseUnlearnableClasses(profile: InputProfile, input: DescribeInputRequest): void {
  const where = input.input.paths.join(', ');
  if (profile.positives === profile.rows) {
    const key = input.input.positiveWhen ? 'input.positiveWhen' : 'input.positive';
    const what = input.input.positiveWhen
      ? `every row satisfies input.positiveWhen "${input.input.positiveWhen}"`
      : `every row is positive`;
    throw new InvalidInputError(
      key,
      `${what} in ${where} (${profile.rows} rows): there are no negatives to learn from; expected both classes`,
    );
  }
  // Only where insufficient evidence rejects (the default): a spec that promotes or asks a person then still can pass.
  const gates = input.gates ? parseGateSpec(input.gates, 'pipeline spec "gates"') : undefined;
  if (!gates || (gates.onInsufficientEvidence ?? 'reject') !== 'reject') return;
  if (gates.minPositiveSupport > profile.positives) {
    throw new InvalidInputError(
      'gates.minPositiveSupport',
      `gates.minPositiveSupport ${gates.minPositiveSupport}: the test split must hold that many positives, but ${where} holds ${profile.positives} in all, so every run would end with insufficient evidence and be rejected; expected at most the test split's share of them (or gates.onInsufficientEvidence "promote" or "require-approval")`,
    );
  }
  // The split is stratified: the test split takes its share of the sample's positives, rounded (stratifiedSplit's
  // apportion), never more than the share of every positive of the input rounded up.
  const share = input.split?.test;
  if (share === undefined) return;
  const most = Math.ceil(profile.positives * share - 1e-9);
  if (gates.minPositiveSupport > most) {
    throw new InvalidInputError(
      'gates.minPositiveSupport',
      `gates.minPositiveSupport ${gates.minPositiveSupport}${gates.minPositiveSupport === defaultGateSpec().minPositiveSupport ? ' (the default)' : ''}: the test split (split.test ${share}) holds its share of the positives, at most ${most} of the ${profile.positives} in ${where}, so every run would end with insufficient evidence and be rejected; expected at most ${most}, a larger split.test, or gates.onInsufficientEvidence "promote" or "require-approval"`,
    );
  }
}
