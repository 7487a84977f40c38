// Checks raw input files before a scan, in SQL over all files at once: globs resolve to files, the label exists
// and has two classes (or a chosen positive), features are numeric and free of missing values.

import { resolve } from 'node:path';
import { InvalidInputError } from '../core/invalidInputError.js';
import {
  checkedLabelClasses,
  describeLabelledSource,
  fileSha256,
  firstMatchingRow,
  formatOf,
  isGlob,
  missingValueCondition,
  numericType,
  requireFile,
  tableSource,
  withReadErrors,
} from './datasetReader.js';
import { sqlIdentifier, sqlString, toNumber, withDuckDB } from './duckdbConnection.js';

export interface InputProfileOptions {
  label: string;
  positive?: string;
  /** Feature columns; default every column but the label and `exclude`. */
  features?: string[];
  exclude?: string[];
}

export interface InputProfile {
  /** Absolute paths, globs expanded, sorted. */
  files: string[];
  fileSha256s: string[];
  featureNames: string[];
  positiveLabel: string;
  negativeLabel: string;
  rows: number;
  positives: number;
}

export async function profileLabelledInput(paths: string[], opts: InputProfileOptions): Promise<InputProfile> {
  if (paths.length === 0) throw new InvalidInputError('--input', 'no input files given; expected at least one CSV or Parquet path or glob');
  const formats = new Set(paths.map(formatOf));
  const format = [...formats][0]!;
  if (formats.size > 1 || format === 'arrow') {
    throw new InvalidInputError('--input', `inputs must all be .csv or all be .parquet, got ${paths.join(', ')}; convert them to one format first`);
  }
  for (const p of paths) if (!isGlob(p)) await requireFile(p);
  const what = paths.join(', ');
  return withReadErrors(what, () =>
    withDuckDB(async (connection) => {
      const files: string[] = [];
      for (const p of paths) {
        const reader = await connection.runAndReadAll(`SELECT file FROM glob(${sqlString(resolve(p))}) ORDER BY file`);
        const matched = reader.getRowsJS().map((r) => String(r[0]));
        if (matched.length === 0) throw new InvalidInputError(`--input ${p}`, `no file matches ${p}; check the path or glob`);
        files.push(...matched);
      }
      const unique = [...new Set(files)];
      const source = tableSource(format, unique);
      const { columns, byName, available, labelType } = await describeLabelledSource(connection, source, what, opts.label);
      const excluded = new Set([opts.label, ...(opts.exclude ?? [])]);
      const featureNames = opts.features ?? columns.map((c) => c.name).filter((n) => !excluded.has(n));
      if (featureNames.length === 0) throw new InvalidInputError('features', `${what} has no feature columns besides the label "${opts.label}"`);
      for (const name of featureNames) {
        const type = byName.get(name);
        if (type === undefined) throw new InvalidInputError(`feature column "${name}"`, `feature column "${name}" not found in ${what}; available columns: ${available}`);
        if (name === opts.label) throw new InvalidInputError(`feature column "${name}"`, `column "${name}" is the label, so it cannot also be a feature`);
        if (!numericType.test(type)) {
          throw new InvalidInputError(
            `feature column "${name}"`,
            `feature column "${name}" in ${what} has type ${type}, expected a number; the pipeline takes numeric features: list it under input.exclude (or declare it categorical in a stage command with --categorical ${name})`,
          );
        }
      }
      const { counts, positive, negatives } = await checkedLabelClasses(connection, source, what, opts.label, labelType, opts.positive);
      // One pass counts missing values of every feature; the first offending column is reported with its row.
      const missingCounts = featureNames.map((n, i) => `count(*) FILTER (WHERE ${missingValueCondition(sqlIdentifier(n), byName.get(n)!)}) AS m${i}`);
      const missingReader = await connection.runAndReadAll(`SELECT ${missingCounts.join(', ')} FROM ${source}`);
      const missingRow = missingReader.getRowsJS()[0] ?? [];
      for (let i = 0; i < featureNames.length; i++) {
        const n = toNumber(missingRow[i]);
        if (n > 0) {
          const name = featureNames[i]!;
          const row = await firstMatchingRow(connection, source, missingValueCondition(sqlIdentifier(name), byName.get(name)!));
          throw new InvalidInputError(
            `feature column "${name}"`,
            `feature column "${name}" in ${what} has ${n} missing values (null, empty or NaN), the first at data row ${row}; expected a finite number on every row: fill or drop such rows first`,
          );
        }
      }
      const positives = counts.classes.find((c) => c.value === positive)?.count ?? 0;
      const fileSha256s = await Promise.all(unique.map((f) => fileSha256(f)));
      return { files: unique, fileSha256s, featureNames, positiveLabel: positive, negativeLabel: negatives.join('|'), rows: counts.rows, positives };
    }),
  );
}
