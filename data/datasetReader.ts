// Reads labelled CSV, Parquet and our Arrow files into the row-major LabelledData core/ consumes,
// checking the input on the way (label, classes, feature types, missing values) with errors that say how to fix it.

import type { LabelledData } from '../core/dataset.js';
import { InvalidInputError } from '../core/invalidInputError.js';
import { rejectRepeatedFeatureNames } from './featureNameClashes.js';
import { readDatasetArrow } from './arrowDataset.js';
import { categoriesOf, firstTextValue, numericType } from './columnTypes.js';
import { inexactIntegerColumns, type InexactInteger } from './inexactIntegerColumns.js';
import { sqlIdentifier, sqlString, withDuckDB } from './duckdbConnection.js';
import { formatOf, requireFile, labelledSource, tableSource } from './inputSources.js';
import { withReadErrors } from './readErrors.js';
import { checkedLabelClasses, describeLabelledSource, sameNumber } from './labelClasses.js';
import { ignoredReservedColumns, isReservedColumn } from './reservedColumns.js';
import { badWeightError, copyWeights, fillChunk, forEachChunk, missingFeatureError } from './resultChunks.js';
import { streamQuery } from './checkedStream.js';

export interface LoadedDataset {
  data: LabelledData;
  /** One name per matrix column; a one-hot column of categorical `col` is named `col=value`. */
  featureNames: string[];
  labelName: string;
  /** The label value mapped to y = 1, as text (`"1"`, `"true"`, `"fraud"`). */
  positiveLabel: string;
  /** The label value(s) mapped to y = 0; several are joined with `|`. */
  negativeLabel: string;
  /** The label column's type as read (`BIGINT`, `BOOLEAN`, `VARCHAR`, …), so a written copy can keep it. */
  labelType: string;
  /** Declared categorical column → its sorted categories, in one-hot column order. */
  categorical: Record<string, string[]>;
  rows: number;
  /** Every column of the file in file order (a rareflow Arrow file: features, label, extra columns), used or not. */
  columns: string[];
  /** The `weightColumn`'s values, one per row, when the option was given and the file has that column. */
  sampleWeights?: Float64Array;
  /**
   * Feature columns read as booleans (true/false, yes/no, t/f in any case, as DuckDB reads them): each is the
   * 0/1 feature of its column, the one rule for boolean-like columns in fit, pipeline, predict, evaluate and serve.
   */
  booleanColumns?: string[];
  /** Columns named with a leading `_` (rareflow's bookkeeping, such as ADASYN lineage) that were not read. */
  ignoredColumns?: string[];
  /** With `keepMissingFeatures`: categorical column → rows without a category (read as none of its categories). */
  missingCategories?: Record<string, number>;
  /** With `findInexactIntegers`: numeric feature columns holding a whole number a double cannot hold exactly. */
  inexactIntegers?: InexactInteger[];
}

export interface ReadLabelledOptions {
  /** Label column name. */
  label: string;
  /** Label value that is the positive (rare) class. @default 1/true for 0/1 or false/true labels, else the less frequent class */
  positive?: string;
  /** Text columns to one-hot encode. */
  categorical?: string[];
  /** Feature columns, in matrix order. @default every column except the label, `exclude` and names starting with `_`, in file order */
  features?: string[];
  /** Columns never taken as default features (e.g. `sample_weight`); ignored when `features` is given. */
  exclude?: string[];
  /**
   * Keep a missing numeric feature value (null, empty or NaN) as NaN, for a declared missing-value policy that
   * imputes it later, instead of failing on it; a row without a category reads as none of its column's categories
   * (0 in every one-hot column), as scoring reads it. Labels stay strictly checked, and ±Infinity stays an error.
   * @default false
   */
  keepMissingFeatures?: boolean;
  /**
   * A column of per-row weights (`sample_weight`), read in the same pass when the file has it and never a feature;
   * every weight must be a finite number ≥ 0 (missing is an error whatever `keepMissingFeatures` says).
   * @default none
   */
  weightColumn?: string;
  /**
   * The features are a model file's (evaluate): a column that is not numeric is refused as the model's, without
   * advice on --categorical or --features, which that command does not take.
   * @default false
   */
  featuresOfModel?: boolean;
  /** Look for numeric feature columns holding a whole number a double cannot hold exactly (one more scan). */
  findInexactIntegers?: boolean;
  /**
   * The caller writes each row's label value back (denoise, adasyn): a label of three or more values is refused with
   * advice to give two, not to pass --positive. @default false
   */
  twoLabelValues?: boolean;
}

/** Read a labelled CSV, Parquet or rareflow Arrow file and check it is fit to train on. */
export async function readLabelledDataset(path: string, opts: ReadLabelledOptions): Promise<LoadedDataset> {
  const format = formatOf(path);
  await requireFile(path);
  if (format === 'arrow') return readLabelledArrow(path, opts);
  return withReadErrors(path, () =>
    withDuckDB(async (connection) => {
      const source = await labelledSource(connection, format, [path], opts.label, opts.categorical ?? []);
      const { columns, byName, available, labelType } = await describeLabelledSource(connection, source, path, opts.label);
      const weightColumn = opts.weightColumn !== undefined && byName.has(opts.weightColumn) ? opts.weightColumn : undefined;
      const excluded = new Set([...(opts.exclude ?? []), ...(weightColumn !== undefined ? [weightColumn] : [])]);
      const featureColumns =
        opts.features ?? columns.map((c) => c.name).filter((n) => n !== opts.label && !excluded.has(n) && !isReservedColumn(n));
      const ignoredColumns = ignoredReservedColumns(
        columns.map((c) => c.name),
        [...featureColumns, opts.label, ...(weightColumn !== undefined ? [weightColumn] : [])],
      );
      const categoricalColumns = new Set(opts.categorical ?? []);
      if (weightColumn !== undefined && !numericType.test(byName.get(weightColumn)!)) {
        throw new InvalidInputError(
          `weight column "${weightColumn}"`,
          `weight column "${weightColumn}" in ${path} has type ${byName.get(weightColumn)}${await firstTextValue(connection, source, weightColumn)}, expected a number ≥ 0 on every row`,
        );
      }
      for (const name of featureColumns) {
        if (name === opts.label) {
          throw new InvalidInputError(
            `feature column "${name}"`,
            opts.featuresOfModel
              ? `column "${name}" is a feature the model reads, so it cannot also be the label; name the label column with --label`
              : `column "${name}" is the label, so it cannot also be a feature in input.features; remove it`,
          );
        }
        if (!byName.has(name)) {
          throw new InvalidInputError(
            `feature column "${name}"`,
            `feature column "${name}" not found in ${path}; available columns: ${available}. ${opts.featuresOfModel ? 'The model reads it' : 'Fix input.features'}`,
          );
        }
      }
      for (const name of categoricalColumns) {
        if (!byName.has(name)) {
          throw new InvalidInputError(
            `categorical column "${name}"`,
            `categorical column "${name}" (from --categorical) not found in ${path}; available columns: ${available}`,
          );
        }
        if (!featureColumns.includes(name)) {
          throw new InvalidInputError(
            `categorical column "${name}"`,
            `categorical column "${name}" (from --categorical) is not among the feature columns${name === opts.label ? ' (it is the label)' : ''}; remove it from --categorical${opts.features ? ' or add it to input.features' : ''}`,
          );
        }
      }
      for (const name of featureColumns) {
        const type = byName.get(name)!;
        if (!categoricalColumns.has(name) && !numericType.test(type)) {
          throw new InvalidInputError(
            `feature column "${name}"`,
            `feature column "${name}" in ${path} has type ${type}${await firstTextValue(connection, source, name)}, expected a number; ${opts.featuresOfModel ? 'the model was trained on it as a number' : `declare it with --categorical ${name} to one-hot encode it, or remove the column from the file`}`,
          );
        }
      }

      const { counts, positive, negatives } = await checkedLabelClasses(
        connection,
        source,
        path,
        opts.label,
        labelType,
        opts.positive,
        false,
        opts.twoLabelValues ?? false,
      );
      const numericFeatures = featureColumns.filter((n) => !categoricalColumns.has(n));
      const inexactIntegers = opts.findInexactIntegers
        ? await inexactIntegerColumns(connection, tableSource(format, [path]), numericFeatures, format === 'csv' ? path : undefined)
        : [];

      const categorical: Record<string, string[]> = {};
      for (const name of featureColumns) {
        if (categoricalColumns.has(name)) categorical[name] = await categoriesOf(connection, source, path, name);
      }

      // Every projected feature is DOUBLE, so one copy path fills the matrix; one-hot columns are null
      // where the category is missing, so a missing category is caught like a missing number.
      const featureNames: string[] = [];
      const sourceColumnOf: string[] = [];
      const projections: string[] = [];
      for (const name of featureColumns) {
        const col = sqlIdentifier(name);
        const cats = categorical[name];
        if (cats === undefined) {
          featureNames.push(name);
          sourceColumnOf.push(name);
          projections.push(`CAST(${col} AS DOUBLE)`);
          continue;
        }
        const text = `CAST(${col} AS VARCHAR)`;
        // A missing category: null (caught below) by default; under a missing-value policy, none of the categories.
        const missing = opts.keepMissingFeatures ? '0' : 'NULL';
        for (const value of cats) {
          featureNames.push(`${name}=${value}`);
          sourceColumnOf.push(name);
          projections.push(
            `CASE WHEN ${text} IS NULL OR ${text} = '' THEN ${missing} ELSE CAST(${text} = ${sqlString(value)} AS DOUBLE) END`,
          );
        }
      }
      rejectRepeatedFeatureNames(featureNames, sourceColumnOf, path);
      projections.push(`CAST(CAST(${sqlIdentifier(opts.label)} AS VARCHAR) = ${sqlString(positive)} AS UTINYINT)`);
      // The weight, when asked for, follows the label: fillChunk reads features and label only.
      if (weightColumn !== undefined) projections.push(`CAST(${sqlIdentifier(weightColumn)} AS DOUBLE)`);

      const rows = counts.rows;
      const cols = featureNames.length;
      const values = new Float64Array(rows * cols);
      const y = new Uint8Array(rows);
      const weights = weightColumn !== undefined ? new Float64Array(rows) : undefined;
      const result = await streamQuery(connection, `SELECT ${projections.join(', ')} FROM ${source}`);
      let offset = 0;
      // Under a declared missing-value policy a missing number becomes NaN; a missing category still fails.
      const keepMissing = opts.keepMissingFeatures ? sourceColumnOf.map((name) => categorical[name] === undefined) : undefined;
      await forEachChunk(result, (chunk) => {
        const n = chunk.rowCount;
        if (offset + n > rows) {
          throw new InvalidInputError(`file ${path}`, `${path} changed while it was read: expected ${rows} rows, got more; read it again`);
        }
        fillChunk(
          chunk,
          0,
          n,
          values,
          cols,
          y,
          offset,
          (column, row) => {
            const name = sourceColumnOf[column]!;
            return missingFeatureError(
              path,
              name,
              categorical[name] !== undefined,
              chunk.getColumnVector(column).getItem(row),
              offset + row + 1,
            );
          },
          keepMissing,
        );
        if (weights) {
          const vector = chunk.getColumnVector(cols + 1);
          const bad = copyWeights(vector, weights, offset, n);
          if (bad >= 0) throw badWeightError(path, weightColumn!, vector.getItem(bad), offset + bad + 1);
        }
        offset += n;
      });
      if (offset !== rows) {
        throw new InvalidInputError(
          `file ${path}`,
          `${path} changed while it was read: expected ${rows} rows, got ${offset}; read it again`,
        );
      }
      return {
        data: { x: { rows, cols, values }, y },
        featureNames,
        labelName: opts.label,
        positiveLabel: positive,
        negativeLabel: negatives.join('|'),
        labelType,
        categorical,
        rows,
        columns: columns.map((c) => c.name),
        ...(weights ? { sampleWeights: weights } : {}),
        booleanColumns: featureColumns.filter((name) => categorical[name] === undefined && byName.get(name) === 'BOOLEAN'),
        ...(ignoredColumns.length > 0 ? { ignoredColumns } : {}),
        ...(opts.keepMissingFeatures ? missingCategoriesOf(values, rows, sourceColumnOf, categorical) : {}),
        ...(inexactIntegers.length > 0 ? { inexactIntegers } : {}),
      };
    }),
  );
}

/**
 * Rows without a category in each categorical column that has any, read off the matrix: a row whose one-hot columns
 * of that column are all 0 had none (every category of the file has its own column), so no second pass over the file.
 */
function missingCategoriesOf(
  values: Float64Array,
  rows: number,
  sourceColumnOf: readonly string[],
  categorical: Record<string, string[]>,
): { missingCategories?: Record<string, number> } {
  const cols = sourceColumnOf.length;
  const counts: Record<string, number> = {};
  for (const name of Object.keys(categorical)) {
    const own = sourceColumnOf.flatMap((source, j) => (source === name ? [j] : []));
    let missing = 0;
    for (let r = 0; r < rows; r++) {
      let any = false;
      for (const j of own) any ||= values[r * cols + j] !== 0;
      if (!any) missing++;
    }
    if (missing > 0) counts[name] = missing;
  }
  return Object.keys(counts).length > 0 ? { missingCategories: counts } : {};
}

/** Our Arrow artifacts already hold 0/1 labels and numeric features: check the options against them and project. */
async function readLabelledArrow(path: string, opts: ReadLabelledOptions): Promise<LoadedDataset> {
  const d = await readDatasetArrow(path);
  const available = [...d.featureNames, d.labelName].join(', ');
  if (opts.label !== d.labelName) {
    throw new InvalidInputError(
      `label column "${opts.label}"`,
      `label column "${opts.label}" not found in ${path}; available columns: ${available}. Pass --label ${d.labelName}`,
    );
  }
  if (opts.categorical !== undefined && opts.categorical.length > 0) {
    throw new InvalidInputError(
      '--categorical',
      `${path} is a rareflow Arrow dataset whose features are already numeric; drop --categorical ${opts.categorical.join(' ')}`,
    );
  }
  if (opts.positive !== undefined && !sameNumber(opts.positive, '1') && opts.positive.toLowerCase() !== 'true') {
    throw new InvalidInputError(
      '--positive',
      `${path} stores labels as 0/1 with 1 positive, got --positive "${opts.positive}"; pass --positive 1 or leave it out`,
    );
  }
  const { rows, cols, values } = d.data.x;
  if (rows === 0) throw new InvalidInputError(`file ${path}`, `${path} has no data rows; expected at least one labelled row`);
  let positives = 0;
  for (let i = 0; i < rows; i++) positives += d.data.y[i]!;
  if (positives === 0 || positives === rows) {
    throw new InvalidInputError(
      `label column "${opts.label}"`,
      `label column "${opts.label}" has only one class (${positives === 0 ? 0 : 1}); a classifier needs rows of both classes: check the input file`,
    );
  }
  // Weights are an extra column of pipeline artifacts, and the last feature column of denoise/adasyn .arrow output.
  const w = opts.weightColumn;
  const weightSource =
    w === undefined
      ? undefined
      : (d.extra[w] ??
        (d.featureNames.includes(w)
          ? Float64Array.from({ length: rows }, (_, r) => values[r * cols + d.featureNames.indexOf(w)]!)
          : undefined));
  let sampleWeights: Float64Array | undefined;
  if (weightSource !== undefined) {
    sampleWeights = weightSource instanceof Float64Array ? weightSource : Float64Array.from(weightSource);
    for (let r = 0; r < rows; r++)
      if (!(sampleWeights[r]! >= 0 && sampleWeights[r]! < Infinity)) throw badWeightError(path, w!, sampleWeights[r], r + 1);
  }
  const excluded = new Set([...(opts.exclude ?? []), ...(sampleWeights ? [w!] : [])]);
  const featureNames = opts.features ?? d.featureNames.filter((name) => !excluded.has(name) && !isReservedColumn(name));
  const ignoredColumns = ignoredReservedColumns(
    [...d.featureNames, ...Object.keys(d.extra)],
    [...featureNames, ...(sampleWeights ? [w!] : [])],
  );
  const index = featureNames.map((name) => {
    const at = d.featureNames.indexOf(name);
    if (at < 0)
      throw new InvalidInputError(
        `feature column "${name}"`,
        `feature column "${name}" not found in ${path}; available columns: ${available}. Fix input.features`,
      );
    return at;
  });
  let x = d.data.x;
  if (index.length !== cols || index.some((at, i) => at !== i)) {
    const picked = new Float64Array(rows * index.length);
    for (let r = 0; r < rows; r++) for (let c = 0; c < index.length; c++) picked[r * index.length + c] = values[r * cols + index[c]!]!;
    x = { rows, cols: index.length, values: picked };
  }
  return {
    data: { x, y: d.data.y },
    featureNames: [...featureNames],
    labelName: d.labelName,
    positiveLabel: '1',
    negativeLabel: '0',
    // A rareflow Arrow file holds its label as 1/0 numbers.
    labelType: 'INTEGER',
    categorical: {},
    rows,
    columns: [...d.featureNames, d.labelName, ...Object.keys(d.extra)],
    ...(sampleWeights ? { sampleWeights } : {}),
    ...(ignoredColumns.length > 0 ? { ignoredColumns } : {}),
  };
}
