// The score-batch stage: a sealed model scores a CSV or Parquet file in input order and writes `[id,] score, pred`
// (multi-class: `score_<class>` per class, `pred` the class) to a CSV or Parquet file, atomically.

import { InvalidInputError } from '../core/invalidInputError.js';
import { inputColumnsOf, type ModelArtifact } from '../core/models/modelArtifact.js';
import { modelFeatureProjections, scoreInChunks, scoreInEngine } from '../data/batchScoring.js';
import { checkBooleanInputColumns } from '../data/booleanInputColumns.js';
import { idColumnRead } from '../data/idColumnText.js';
import { describeColumns, formatOf, numberSourceOf } from '../data/inputSources.js';
import { withReadErrors } from '../data/readErrors.js';
import { fileRowCounts } from '../data/positiveScan.js';
import { ignoredColumnsField, ignoredReservedColumns } from '../data/reservedColumns.js';
import { scoringInputWarnings } from '../data/scoringInputChecks.js';
import type { StageProgress } from './stageProgress.js';

export interface ScoreBatchRequest {
  model: ModelArtifact;
  /** A CSV or Parquet file holding the columns the model reads. */
  input: string;
  /** The output file, .csv or .parquet (its directory exists). */
  out: string;
  /** An input column copied to the output beside each score, under its own name and type. @default none */
  id?: string;
}

/** `progress` hears `{ stage, rows, totalRows }` (the total of a Parquet input, from its metadata). */
/**
 * The id column is copied into the output beside `score` and `pred` (multi-class: `score_<class>` and `pred`): an id
 * of one of those names (in any case, as column names are read) would be renamed in the output, and a reader of
 * `pred` or `score` by name would get the ids.
 */
function requireIdBesideOutputs(id: string, model: ScoreBatchRequest['model']): void {
  const outputs = model.multiClass ? [...model.multiClass.classes.map((c) => `score_${c}`), 'pred'] : ['score', 'pred'];
  const clash = outputs.find((o) => o.toLowerCase() === id.toLowerCase());
  if (clash !== undefined) {
    throw new InvalidInputError(
      '--id',
      `--id: the output already has a column "${clash}" (${outputs.join(', ')}); an id column of that name cannot be told apart from it: copy the id into a column of another name first`,
    );
  }
}

export async function scoreBatchStage(a: ScoreBatchRequest, progress?: StageProgress) {
  const started = performance.now();
  const { model } = a;
  const format = formatOf(a.input);
  if (format === 'arrow') throw new InvalidInputError('--input', `--input: predict reads CSV or Parquet; ${a.input} is an Arrow file`);
  if (a.id !== undefined) requireIdBesideOutputs(a.id, model);
  const columns = await describeColumns(a.input);
  await checkBooleanInputColumns(a.input, model);
  // Integer CSV columns the model reads as numbers are read as DOUBLE (see numberSource); categories and the id as read.
  const asRead = [
    ...inputColumnsOf(model)
      .filter((c) => c.kind !== 'numeric')
      .map((c) => c.name),
    ...(a.id !== undefined ? [a.id] : []),
  ];
  const source = numberSourceOf(format, [a.input], columns, asRead);
  const projections = await modelFeatureProjections(model, a.input, source, columns);
  // Values of a categorical column never seen in training score as none of its categories: counted and said.
  // Cells scored with a stand-in (a missing number as the training fill, an empty category as none) are counted too.
  const unseen = await withReadErrors(a.input, () => scoringInputWarnings(model, a.input, source, columns));
  const warnings = unseen.length ? { warnings: unseen } : {};
  const idType = a.id !== undefined ? columns.find((c) => c.name === a.id)?.type : undefined;
  if (a.id !== undefined && idType === undefined) {
    throw new InvalidInputError(
      '--id',
      `--id: ${a.input} has no column "${a.id}"; its columns are ${columns.map((c) => c.name).join(', ')}`,
    );
  }
  const id = a.id !== undefined ? await withReadErrors(a.input, () => idColumnRead(format, a.input, source, a.id!, idType!)) : undefined;
  const scored = id?.source ?? source;
  // Columns named with a leading _ (lineage) are never read unless the model itself names them.
  const ignored = ignoredColumnsField(
    ignoredReservedColumns(
      columns.map((c) => c.name),
      [...inputColumnsOf(model).map((c) => c.name), ...(a.id !== undefined ? [a.id] : [])],
    ),
  );
  const timing = (rows: number) => {
    const secondsTaken = (performance.now() - started) / 1000;
    return { rowsPerSecond: Math.round(rows / secondsTaken), seconds: Math.round(secondsTaken * 100) / 100 };
  };
  // CSV has no row count short of a scan of its own, so its total (and the ETA) stays unknown.
  const totalRows = progress && format === 'parquet' ? (await fileRowCounts([a.input]))[0] : undefined;
  const scoring = { stage: 'scoring', ...(totalRows !== undefined ? { totalRows } : {}) };
  progress?.({ ...scoring, rows: 0 });
  if (model.model.kind === 'logreg' && !model.multiClass) {
    // One SQL statement scores every row inside DuckDB: no count until it is done.
    const { rows, positives } = await scoreInEngine(a, model, scored, projections, id);
    return { out: a.out, rows, predictedPositive: positives, threshold: model.threshold, ...timing(rows), ...ignored, ...warnings };
  }
  const classes = model.multiClass?.classes;
  const { rows, positives } = await scoreInChunks(
    model,
    a.input,
    scored,
    projections,
    a.out,
    id,
    progress ? (rows) => progress({ ...scoring, rows }) : undefined,
  );
  return {
    out: a.out,
    rows,
    ...ignored,
    ...(classes ? { classes } : { predictedPositive: positives, threshold: model.threshold }),
    ...timing(rows),
    ...warnings,
  };
}
