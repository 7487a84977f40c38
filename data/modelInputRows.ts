// A labelled CSV or Parquet file read the way its model scores it, for `evaluate`: the model's own feature encodings
// (one-hot over its categories, booleans, fitted fills, in SQL as `rareflow predict` does) beside the label as y.

import type { FeatureMatrix } from '../core/dataset.js';
import { InvalidInputError } from '../core/invalidInputError.js';
import { featureSourceColumns, inputColumnsOf, type ModelArtifact } from '../core/models/modelArtifact.js';
import { modelFeatureProjections } from './batchScoring.js';
import { missingValueCondition } from './columnTypes.js';
import { sqlIdentifier, sqlString, toNumber, withDuckDB } from './duckdbConnection.js';
import { describeColumns, formatOf, requireFile, labelledSource, numberSource, tableSource } from './inputSources.js';
import { withReadErrors } from './readErrors.js';
import { describeLabelledSource, labelCounts, positiveCondition, sameNumber } from './labelClasses.js';
import { positiveSql, rejectUndecidedRows, undecidedRowsSql } from './positivePredicate.js';
import { ignoredReservedColumns } from './reservedColumns.js';
import { fillChunk, missingFeatureError, nextChunk } from './resultChunks.js';
import { streamQuery } from './checkedStream.js';

/**
 * How the label becomes y: `binary`, 1 where the label is the `positive` spelling; `classes`, the index of the
 * row's class in `classes` (every value must be one); `predicate`, 1 where the model's SQL predicate holds.
 */
export type LabelEncoding =
  { kind: 'binary'; positive: string } | { kind: 'classes'; classes: string[] } | { kind: 'predicate'; predicate: string };

export interface ModelInputRows {
  x: FeatureMatrix;
  /** 0/1 for `binary` and `predicate`; the class index for `classes`. */
  y: Uint8Array;
  rows: number;
  /** Reserved (_-prefixed) columns present and not read. */
  ignoredColumns: string[];
}

export async function readModelInputRows(
  model: ModelArtifact,
  input: string,
  label: string,
  encoding: LabelEncoding,
): Promise<ModelInputRows> {
  const format = formatOf(input);
  if (format === 'arrow') throw new Error('readModelInputRows reads CSV or Parquet');
  await requireFile(input);
  const columns = await describeColumns(input);
  const plainSource = tableSource(format, [input]);
  const projections = await modelFeatureProjections(model, input, plainSource, columns);
  const inputs = inputColumnsOf(model);
  const sourceColumnOf = featureSourceColumns(model);
  const ignoredColumns = ignoredReservedColumns(
    columns.map((c) => c.name),
    [...inputs.map((c) => c.name), ...(encoding.kind === 'predicate' ? [] : [label])],
  );
  return withReadErrors(input, () =>
    withDuckDB(async (c) => {
      // The label as the file spells it (labelledSource); the feature projections read the same feature types.
      const categorical = inputs.filter((col) => col.kind !== 'numeric').map((col) => col.name);
      const source =
        encoding.kind === 'predicate'
          ? await numberSource(c, format, [input], categorical)
          : await labelledSource(c, format, [input], label, categorical);
      let labelSql: string;
      if (encoding.kind === 'predicate') {
        labelSql = `CAST(${await positiveSql(c, source, input, { label, predicate: encoding.predicate })} AS UTINYINT)`;
        const undecided = (await c.runAndReadAll(`SELECT ${undecidedRowsSql(encoding.predicate)} FROM ${source}`)).getRowsJS()[0]?.[0];
        rejectUndecidedRows(encoding.predicate, toNumber(undecided), input);
      } else {
        const { labelType } = await describeLabelledSource(c, source, input, label);
        const ident = sqlIdentifier(label);
        const bad = missingValueCondition(ident, labelType);
        if (encoding.kind === 'binary') {
          labelSql = `CASE WHEN ${bad} THEN NULL WHEN ${positiveCondition(ident, labelType, encoding.positive)} THEN 1 ELSE 0 END`;
        } else {
          const counts = await labelCounts(c, source, label, bad);
          const cases: string[] = [];
          for (const { value, count } of counts.classes) {
            let at = encoding.classes.indexOf(value);
            if (at < 0) at = encoding.classes.findIndex((k) => sameNumber(k, value));
            if (at < 0) {
              throw new InvalidInputError(
                `label column "${label}"`,
                `label column "${label}" in ${input} holds ${JSON.stringify(value)} (${count} rows), which is not a class of this model; expected one of ${encoding.classes.map((k) => JSON.stringify(k)).join(', ')}: fix or drop such rows`,
              );
            }
            cases.push(`WHEN CAST(${ident} AS VARCHAR) = ${sqlString(value)} THEN ${at}`);
          }
          labelSql = `CASE WHEN ${bad} THEN NULL ${cases.join(' ')} END`;
        }
      }
      const rows = toNumber((await c.runAndReadAll(`SELECT count(*) FROM ${source}`)).getRowsJS()[0]?.[0]);
      if (rows === 0) throw new InvalidInputError(`file ${input}`, `${input} has no data rows; expected at least one labelled row`);
      const cols = projections.length;
      const x = new Float64Array(rows * cols);
      const y = new Uint8Array(rows);
      const result = await streamQuery(c, `SELECT ${[...projections, `CAST(${labelSql} AS UTINYINT)`].join(', ')} FROM ${source}`);
      let offset = 0;
      for (let chunk = await nextChunk(result); chunk !== null; chunk = await nextChunk(result)) {
        const first = offset;
        fillChunk(chunk, 0, chunk.rowCount, x, cols, y, offset, (column, row) => {
          if (column < cols) {
            const name = sourceColumnOf[column] ?? '?';
            return missingFeatureError(input, name, false, chunk.getColumnVector(column).getItem(row), first + row + 1);
          }
          return new InvalidInputError(
            `label column "${label}"`,
            `label column "${label}" in ${input} has a missing value (null, empty, NaN or a missing-value marker such as "?" or "NA") at data row ${first + row + 1}; expected a class value on every row: fill or drop such rows`,
          );
        });
        offset += chunk.rowCount;
      }
      if (offset !== rows) {
        throw new InvalidInputError(
          `file ${input}`,
          `${input} changed while it was read: expected ${rows} rows, got ${offset}; read it again`,
        );
      }
      return { x: { rows, cols, values: x }, y, rows, ignoredColumns };
    }),
  );
}
