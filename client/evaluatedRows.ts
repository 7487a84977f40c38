// How `rareflow evaluate` reads and scores a labelled file with a two-class model: through the model's own encodings
// (one-hot categories, missing-value indicators, a predicate label) unless every feature is a plain numeric column,
// every label value one of the model's classes (or its boolean-like spelling), never a silent negative.

import type { FeatureMatrix } from '../core/dataset.js';
import { inputColumnsOf, readsPlainColumns, scoreModel, type ModelArtifact } from '../core/models/modelArtifact.js';
import { checkBooleanInputColumns } from '../data/booleanInputColumns.js';
import { describeColumns, formatOf, requireFile } from '../data/inputSources.js';
import { readModelInputRows, type LabelEncoding } from '../data/modelInputRows.js';
import { positiveSpellingIn } from './evaluationLabels.js';
import { readInput } from './labelledInput.js';
import type { ProgressLine } from './progressLine.js';

/** Rows scored between two progress reports on a terminal. */
const SLICE_ROWS = 32_768;

/** `scoreModel` slice by slice, so the progress line moves while a large file is scored; the scores are the same. */
function scoreInSlices(model: ModelArtifact, x: FeatureMatrix, onRows: (rows: number) => void): Float64Array {
  const scores = new Float64Array(x.rows);
  for (let from = 0; from < x.rows; from += SLICE_ROWS) {
    const rows = Math.min(SLICE_ROWS, x.rows - from);
    scores.set(scoreModel(model, { rows, cols: x.cols, values: x.values.subarray(from * x.cols, (from + rows) * x.cols) }), from);
    onRows(from + rows);
  }
  return scores;
}

/** Whether the CSV or Parquet file `input` has a column named `name`. */
async function hasColumn(input: string, name: string): Promise<boolean> {
  await requireFile(input);
  return (await describeColumns(input)).some((c) => c.name === name);
}

/** The file read through the model's own encodings, shaped as `readInput`'s result for the binary report. */
async function modelEncodedInput(model: ModelArtifact, input: string, label: string, encoding: LabelEncoding) {
  const r = await readModelInputRows(model, input, label, encoding);
  return { data: { x: r.x, y: r.y }, rows: r.rows, ignoredColumns: r.ignoredColumns };
}

/** Whether the model labels `input` by its own predicate: it has one, and the file lacks the label column. */
export async function labelledByPredicate(model: ModelArtifact, input: string, label: string): Promise<boolean> {
  return model.positiveWhen !== undefined && formatOf(input) !== 'arrow' && !(await hasColumn(input, label));
}

/**
 * `input`'s rows read for two-class `model` and scored by it. A model with fitted fill values scores a missing input
 * as its fill; one without rejects it at read time. `line` (a terminal's progress line) hears the steps.
 */
export async function readAndScore(model: ModelArtifact, input: string, label: string, line?: ProgressLine) {
  const byPredicate = await labelledByPredicate(model, input, label);
  // A rareflow Arrow dataset (a run's test split) holds 0/1 labels with 1 the positive class of the run that wrote
  // it: read as such, where asking for the model's own spelling was refused with advice to pass a flag evaluate lacks.
  const positive = byPredicate ? model.positiveLabel : formatOf(input) === 'arrow' ? '1' : await positiveSpellingIn(input, label, model);
  await checkBooleanInputColumns(input, model);
  // Boolean-like columns go through the model's encodings too: they read a Parquet column of yes/no words as 0/1.
  const hasBooleans = inputColumnsOf(model).some((c) => c.kind === 'numeric' && c.boolean === true);
  const modelEncoded = formatOf(input) !== 'arrow' && (byPredicate || hasBooleans || !readsPlainColumns(model));
  const d = modelEncoded
    ? await modelEncodedInput(
        model,
        input,
        label,
        byPredicate ? { kind: 'predicate', predicate: model.positiveWhen! } : { kind: 'binary', positive },
      )
    : await readInput({
        input,
        label,
        positive,
        features: model.featureNames,
        featuresOfModel: true,
        keepMissing: model.missingValues !== undefined,
      });
  line?.step('scoring', d.rows);
  const scores = line?.active ? scoreInSlices(model, d.data.x, (rows) => line.rows(rows)) : scoreModel(model, d.data.x);
  return { d, scores, byPredicate };
}
