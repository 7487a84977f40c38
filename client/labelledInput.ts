// How the local commands read a labelled file: features and label, the optional sample_weight column, and the
// declared missing-value fill.

import type { LabelledData } from '../core/dataset.js';
import { InvalidInputError } from '../core/invalidInputError.js';
import { checkSampleWeights, SAMPLE_WEIGHT_COLUMN } from '../core/sampling/sampleWeights.js';
import { readLabelledDataset } from '../data/datasetReader.js';
import { missingLookingNote } from '../data/labelClasses.js';
import { applyDeclaredFill, fitDeclaredFill, keepsMissing, type MissingValueArgs } from './missingValueFlags.js';

export interface LabelledFileArgs {
  input: string;
  label: string;
  positive?: string;
  categorical?: string[];
  seed: number;
  out: string;
}

export async function readInput(a: {
  input: string;
  label: string;
  positive?: string;
  categorical?: string[];
  features?: string[];
  exclude?: string[];
  keepMissing?: boolean;
  featuresOfModel?: boolean;
}) {
  return readLabelledDataset(a.input, {
    ...(a.featuresOfModel ? { featuresOfModel: true } : {}),
    label: a.label,
    ...(a.positive !== undefined ? { positive: a.positive } : {}),
    ...(a.categorical ? { categorical: a.categorical } : {}),
    ...(a.features ? { features: a.features } : {}),
    ...(a.exclude ? { exclude: a.exclude } : {}),
    ...(a.keepMissing ? { keepMissingFeatures: true } : {}),
  });
}

/** Column carried through cleaning and oversampling unchanged (a synthetic row takes its seed row's weight). */
export const SAMPLE_WEIGHT = SAMPLE_WEIGHT_COLUMN;

/**
 * The input's features, plus its `sample_weight` column when it has one (kept out of the features). Under a declared
 * missing-value policy (`keepMissing`) a missing feature number reads as NaN; a missing weight still fails.
 */
export async function readWeightedInput(a: {
  input: string;
  label: string;
  positive?: string;
  categorical?: string[];
  keepMissing?: boolean;
  /** Look for whole numbers a double cannot hold (the stage commands write the rows back). */
  findInexactIntegers?: boolean;
  /** The command writes each row's label value back: a label of three or more values is refused, advising two. */
  twoLabelValues?: boolean;
}) {
  // One read: the weight column comes back beside the features (never one of them), checked finite and ≥ 0.
  const d = await readLabelledDataset(a.input, {
    label: a.label,
    weightColumn: SAMPLE_WEIGHT,
    ...(a.findInexactIntegers ? { findInexactIntegers: true } : {}),
    ...(a.twoLabelValues ? { twoLabelValues: true } : {}),
    ...(a.positive !== undefined ? { positive: a.positive } : {}),
    ...(a.categorical ? { categorical: a.categorical } : {}),
    ...(a.keepMissing ? { keepMissingFeatures: true } : {}),
  });
  return { d, weights: d.sampleWeights };
}

/** `data` with the weights appended as a last feature column named sample_weight, for writing. */
export function withWeightColumn(data: LabelledData, featureNames: string[], weights: Float64Array | undefined) {
  if (!weights) return { data, featureNames };
  const { rows, cols, values } = data.x;
  const out = new Float64Array(rows * (cols + 1));
  for (let r = 0; r < rows; r++) {
    out.set(values.subarray(r * cols, r * cols + cols), r * (cols + 1));
    out[r * (cols + 1) + cols] = weights[r]!;
  }
  return { data: { x: { rows, cols: cols + 1, values: out }, y: data.y }, featureNames: [...featureNames, SAMPLE_WEIGHT] };
}

/**
 * The input read under the declared missing-value policy, with its fill fitted on every row (the rows a filter or
 * oversampler learns from) and applied to them, so distances and outputs see the filled values.
 */
export async function readFilledInput(a: LabelledFileArgs & MissingValueArgs) {
  const { d, weights } = await readWeightedInput({
    ...a,
    keepMissing: keepsMissing(a),
    findInexactIntegers: true,
    twoLabelValues: true,
  });
  requireOneNegativeValue(d.negativeLabel, d.positiveLabel, a);
  // A class whose rows all weigh 0 has nothing for a filter or ADASYN to work with: named here, before any work.
  if (weights) checkSampleWeights(weights, d.data.y, `weight column "${SAMPLE_WEIGHT}" in ${a.input}`);
  const fill = fitDeclaredFill(a, d.data.x);
  const { parts, summary } = applyDeclaredFill(fill, [d.data.x], d.featureNames);
  return { d: { ...d, data: { x: parts[0]!, y: d.data.y } }, weights, missingValues: summary };
}

/**
 * The data file a filter or ADASYN writes holds one label value per class. With three or more label values and
 * `--positive`, the negative class is several values (`0|2`), and the output could only write them as one: refused.
 */
function requireOneNegativeValue(negativeLabel: string, positiveLabel: string, a: LabelledFileArgs): void {
  const negatives = negativeLabel.split('|');
  if (negatives.length < 2) return;
  throw new InvalidInputError(
    `label column "${a.label}"`,
    `label column "${a.label}" in ${a.input} holds ${[...negatives, positiveLabel].map((v) => JSON.stringify(v)).join(', ')}; with --positive ${JSON.stringify(positiveLabel)} the other ${negatives.length} values are one negative class, which the output file could only write as one value${missingLookingNote([...negatives, positiveLabel])}: give it a file whose label holds two values, one for the positive class and one for the rest`,
  );
}
