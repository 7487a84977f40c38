// Streams labelled rows of CSV or Parquet files (globs allowed) in fixed-size batches, for inputs too large to
// hold: numeric features and a 0/1 label only, checked as they arrive.

import { InvalidInputError } from '../core/invalidInputError.js';
import { numericType, firstTextValue, missingValueCondition } from './columnTypes.js';
import { sqlIdentifier, withDuckDB } from './duckdbConnection.js';
import { formatOf, isGlob, requireFile, labelledSource } from './inputSources.js';
import { withReadErrors } from './readErrors.js';
import { describeLabelledSource, positiveCondition } from './labelClasses.js';
import { fillChunk, forEachChunk, missingFeatureError } from './resultChunks.js';
import { streamQuery } from './checkedStream.js';

export interface ScanLabelledOptions {
  label: string;
  /** Label value that becomes y = 1; every other value becomes y = 0. */
  positive: string;
  /** Numeric feature columns, in matrix order. */
  features: string[];
  /** Most rows handed to one `onBatch` call. @default 16384 */
  batchRows?: number;
  /**
   * Keep a missing numeric feature value (null, empty or NaN) as NaN, for a declared missing-value policy that
   * imputes it later, instead of failing on it. Labels and categorical columns stay strictly checked, and ±Infinity
   * stays an error.
   * @default false
   */
  keepMissingFeatures?: boolean;
}

/**
 * Stream labelled rows of one or more CSV or Parquet files (a glob is allowed) in batches, never holding
 * the whole input. `x` is row-major with `features.length` columns. Return true from `onBatch` to stop.
 */
export async function scanLabelledBatches(
  paths: string | string[],
  opts: ScanLabelledOptions,
  onBatch: (x: Float64Array, y: Uint8Array, rows: number) => boolean,
): Promise<{ scannedRows: number; stoppedEarly: boolean }> {
  const list = Array.isArray(paths) ? paths : [paths];
  if (list.length === 0)
    throw new InvalidInputError('--input', 'no input files given; expected at least one CSV or Parquet path or glob in --input');
  const formats = new Set(list.map(formatOf));
  const format = [...formats][0]!;
  if (format === 'arrow') {
    // Sampling scans files by row position through DuckDB, which reads CSV and Parquet; .arrow is rareflow's own
    // artifact format, read whole by the single-step commands.
    throw new InvalidInputError(
      '--input',
      `scan inputs must be .csv or .parquet files, got ${list.join(', ')}: a .arrow file is read by train, fit and evaluate, not sampled; write it as Parquet first`,
    );
  }
  if (formats.size > 1) {
    throw new InvalidInputError(
      '--input',
      `scan inputs must all be .csv or all be .parquet, got ${list.join(', ')}; convert them to one format first`,
    );
  }
  for (const p of list) if (!isGlob(p)) await requireFile(p);
  const batchRows = opts.batchRows ?? 16_384;
  if (!Number.isInteger(batchRows) || batchRows < 1) {
    throw new InvalidInputError('batchRows', `batchRows must be a positive integer, got ${batchRows}`);
  }
  const what = list.join(', ');
  return withReadErrors(what, () =>
    withDuckDB(async (connection) => {
      const source = await labelledSource(connection, format, list, opts.label, []);
      const { byName, available, labelType } = await describeLabelledSource(connection, source, what, opts.label);
      for (const name of opts.features) {
        const type = byName.get(name);
        if (type === undefined) {
          throw new InvalidInputError(
            `feature column "${name}"`,
            `feature column "${name}" not found in ${what}; available columns: ${available}`,
          );
        }
        if (!numericType.test(type)) {
          throw new InvalidInputError(
            `feature column "${name}"`,
            `feature column "${name}" in ${what} has type ${type}${await firstTextValue(connection, source, name)}, expected a number; scans take numeric features only: leave it out of the features`,
          );
        }
      }
      const label = sqlIdentifier(opts.label);
      const labelBad = missingValueCondition(label, labelType);
      const projections = opts.features.map((name) => `CAST(${sqlIdentifier(name)} AS DOUBLE)`);
      projections.push(`CASE WHEN ${labelBad} THEN NULL ELSE CAST(${positiveCondition(label, labelType, opts.positive)} AS UTINYINT) END`);

      const cols = opts.features.length;
      const keepMissing = opts.keepMissingFeatures ? opts.features.map(() => true) : undefined;
      const result = await streamQuery(connection, `SELECT ${projections.join(', ')} FROM ${source}`);
      let x = new Float64Array(batchRows * cols);
      let y = new Uint8Array(batchRows);
      let filled = 0;
      let scannedRows = 0;
      const deliver = (): boolean => {
        const stop = onBatch(
          filled === batchRows ? x : x.subarray(0, filled * cols),
          filled === batchRows ? y : y.subarray(0, filled),
          filled,
        );
        scannedRows += filled;
        filled = 0;
        x = new Float64Array(batchRows * cols);
        y = new Uint8Array(batchRows);
        return stop;
      };
      const stoppedEarly = await forEachChunk(result, (chunk) => {
        let start = 0;
        while (start < chunk.rowCount) {
          const take = Math.min(chunk.rowCount - start, batchRows - filled);
          const firstRow = scannedRows + filled;
          const from = start;
          fillChunk(
            chunk,
            from,
            take,
            x,
            cols,
            y,
            filled,
            (column, row) => {
              if (column === cols) {
                return new InvalidInputError(
                  `label column "${opts.label}"`,
                  `label column "${opts.label}" in ${what} has a missing value (null, empty, NaN or a missing-value marker such as "?" or "NA") at data row ${firstRow + row + 1} of the scan; expected a class value on every row`,
                );
              }
              return missingFeatureError(
                what,
                opts.features[column]!,
                false,
                chunk.getColumnVector(column).getItem(from + row),
                firstRow + row + 1,
              );
            },
            keepMissing,
          );
          filled += take;
          start += take;
          if (filled === batchRows && deliver()) return true;
        }
        return false;
      });
      if (stoppedEarly) return { scannedRows, stoppedEarly: true };
      if (filled > 0 && deliver()) return { scannedRows, stoppedEarly: true };
      return { scannedRows, stoppedEarly: false };
    }),
  );
}
