// Checks raw input files before a scan, in SQL over all files at once: globs resolve to files, the label exists
// and has two classes (or a chosen positive, or three or more where the caller allows a multi-class label), features
// are numeric and free of missing values, and a weight column, when the input has one, is numeric and kept out of the
// features.

import { resolve } from 'node:path';
import { ignoredColumnsField, ignoredReservedColumns, isReservedColumn } from './reservedColumns.js';
import { InvalidInputError } from '../core/invalidInputError.js';
import { refuseWeightColumnAsFeature } from '../core/sampling/sampleWeights.js';
import { checkedLabelClasses, describeLabelledSource, otherSpellingOf, positiveCondition } from './labelClasses.js';
import { isGzipPath, requireWholeGzip } from './gzipInput.js';
import { requireNamedColumns } from './namedColumns.js';
import { rejectRepeatedFeatureNames } from './featureNameClashes.js';
import { requireOneCsvHeader, requireSameParquetColumns } from './sharedInputColumns.js';
import { describeSource, fileSha256, formatOf, isGlob, requireFile, labelledSource, tableSource } from './inputSources.js';
import { withReadErrors } from './readErrors.js';
import { distinctInputFiles } from './distinctInputFiles.js';
import { categoriesOf, firstTextValue, numericType } from './columnTypes.js';
import { oneHotFeatureNames } from '../core/features/oneHotFeatures.js';
import type { DuckDBConnection } from '@duckdb/node-api';
import { sqlIdentifier, sqlString, toNumber, withDuckDB } from './duckdbConnection.js';
import { positiveSql, predicateColumns, rejectUndecidedRows, undecidedRowsSql } from './positivePredicate.js';

export interface InputProfileOptions {
  label: string;
  positive?: string;
  /** Feature columns; default every column but the label and `exclude`. */
  features?: string[];
  /** Feature columns of categories (`input.categorical`): one-hot `column=category` features. @default none */
  categorical?: string[];
  exclude?: string[];
  /**
   * Count missing values in every feature of every row. Sampling turns this off: it reads the features of the
   * kept rows only, and checks those, so the profile stays a label-column scan.
   * @default true
   */
  checkAllFeatureValues?: boolean;
  /** A SQL predicate that defines positives instead of the label value (label classes are then not checked). */
  predicate?: string;
  /**
   * A column of per-row sample weights (the pipeline passes `sample_weight`). When the input has it (and neither
   * the label nor `exclude` names it), it is never a feature: it must be numeric, it is left out of the default
   * features, `features` may not list it, and the profile reports it as `sampleWeight`.
   * @default none (every column but the label and `exclude` is a feature)
   */
  weightColumn?: string;
  /**
   * A label of three or more classes with no `positive` is a multi-class label (the profile lists its `classes`)
   * instead of an error. @default false
   */
  multiClass?: boolean;
  /** A `positive` value absent from the data gives zero positives and a warning instead of an error. @default false */
  allowAbsentPositive?: boolean;
  /**
   * Hash every input file (sha256, a full read) for run records and output keys. A caller that records nothing
   * (the `sample` stage command) turns this off, so its cost stays that of the label scan; `fileSha256s` is then empty.
   * @default true
   */
  hashFiles?: boolean;
  /**
   * What a text feature column's refusal tells the user to do, for a caller with other means than the pipeline's
   * `input.exclude` and `input.categorical` (`rareflow sample` has neither). @default the pipeline's keys
   */
  textColumnAdvice?: (column: string) => string;
}

export interface InputProfile {
  /** Absolute paths, globs expanded, sorted. */
  files: string[];
  fileSha256s: string[];
  /** Model features: a numeric column's name, or `column=category` for each category of a categorical column. */
  featureNames: string[];
  /** Categorical column → its sorted categories (the one-hot order); absent when none. */
  categorical?: Record<string, string[]>;
  /** Feature columns read as booleans (true/false, yes/no, t/f): 0/1 features the model marks; absent when none. */
  booleanColumns?: string[];
  /** The weight column (`weightColumn`) when the input has it; absent otherwise. */
  sampleWeight?: string;
  positiveLabel: string;
  negativeLabel: string;
  /** A multi-class label (see `multiClass`): every class value with its rows, sorted by value as text. */
  classes?: Array<{ value: string; count: number }>;
  /** With a predicate: the input columns it reads (as the file spells them). */
  predicateColumns?: string[];
  rows: number;
  positives: number;
  warnings: string[];
}

async function labelHasValue(
  connection: DuckDBConnection,
  source: string,
  label: string,
  labelType: string,
  value: string,
): Promise<boolean> {
  const reader = await connection.runAndReadAll(
    `SELECT count(*) FROM ${source} WHERE ${positiveCondition(sqlIdentifier(label), labelType, value)}`,
  );
  return toNumber(reader.getRowsJS()[0]?.[0]) > 0;
}

export async function profileLabelledInput(paths: string[], opts: InputProfileOptions): Promise<InputProfile> {
  if (paths.length === 0) throw new InvalidInputError('--input', 'no input files given; expected at least one CSV or Parquet path or glob');
  const formats = new Set(paths.map(formatOf));
  const format = [...formats][0]!;
  if (format === 'arrow') {
    // Sampling scans files by row position through DuckDB, which reads CSV and Parquet; .arrow is rareflow's own
    // artifact format, read whole by the single-step commands.
    throw new InvalidInputError(
      '--input',
      `inputs must be .csv or .parquet files, got ${paths.join(', ')}: a .arrow file is read by train, fit and evaluate, not sampled; write it as Parquet first`,
    );
  }
  if (formats.size > 1) {
    throw new InvalidInputError(
      '--input',
      `inputs must all be .csv or all be .parquet, got ${paths.join(', ')}; convert them to one format first`,
    );
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
      const { files: unique, warnings: repeatedFiles } = await distinctInputFiles(files);
      for (const f of unique) if (isGzipPath(f)) await requireWholeGzip(f);
      if (format === 'csv') await requireOneCsvHeader(connection, unique, '--input');
      else await requireSameParquetColumns(connection, unique, '--input');
      const source =
        opts.predicate === undefined ? await labelledSource(connection, format, unique, opts.label) : tableSource(format, unique);
      // With a predicate, the label names the derived 0/1 column of the sample and need not exist in the input.
      const described =
        opts.predicate === undefined
          ? await describeLabelledSource(connection, source, what, opts.label)
          : await describeSource(connection, source).then((columns) => ({
              columns,
              byName: new Map(columns.map((c) => [c.name, c.type])),
              available: columns.map((c) => c.name).join(', '),
              labelType: 'BOOLEAN',
            }));
      const { columns, byName, available, labelType } = described;
      // An exclusion of a column the input does not have excludes nothing: most likely a misspelt name.
      requireNamedColumns(opts.exclude ?? [], 'input.exclude', what, opts.label, [...byName.keys()], true);
      const excluded = new Set([opts.label, ...(opts.exclude ?? [])]);
      const sampleWeight =
        opts.weightColumn !== undefined && byName.has(opts.weightColumn) && !excluded.has(opts.weightColumn)
          ? opts.weightColumn
          : undefined;
      if (sampleWeight !== undefined) {
        const type = byName.get(sampleWeight)!;
        if (!numericType.test(type) || type === 'BOOLEAN') {
          throw new InvalidInputError(
            `weight column "${sampleWeight}"`,
            `weight column "${sampleWeight}" in ${what} has type ${type}${await firstTextValue(connection, source, sampleWeight)}, expected a number ≥ 0 per row; fix the column, or list it under input.exclude to train unweighted`,
          );
        }
        const lists = [
          { key: 'input.features', names: opts.features },
          { key: 'input.categorical', names: opts.categorical },
        ];
        refuseWeightColumnAsFeature(sampleWeight, lists, what);
        excluded.add(sampleWeight);
      }
      const featureNames = opts.features ?? columns.map((c) => c.name).filter((n) => !excluded.has(n) && !isReservedColumn(n));
      const ignored = ignoredColumnsField(
        ignoredReservedColumns(
          columns.map((c) => c.name),
          [...featureNames, ...excluded],
        ),
      ).ignoredColumns;
      if (featureNames.length === 0)
        throw new InvalidInputError('features', `${what} has no feature columns besides the label "${opts.label}"`);
      const categoricalColumns = new Set(opts.categorical ?? []);
      for (const name of categoricalColumns) {
        if (!featureNames.includes(name)) {
          throw new InvalidInputError(
            `categorical column "${name}"`,
            `input.categorical names "${name}", which is not a feature column of ${what}${name === opts.label ? ' (it is the label)' : ''}; the feature columns are ${featureNames.join(', ')}`,
          );
        }
      }
      for (const name of featureNames) {
        const type = byName.get(name);
        if (type === undefined)
          throw new InvalidInputError(
            `feature column "${name}"`,
            `feature column "${name}" not found in ${what}; available columns: ${available}`,
          );
        if (name === opts.label)
          throw new InvalidInputError(`feature column "${name}"`, `column "${name}" is the label, so it cannot also be a feature`);
        if (!numericType.test(type) && !categoricalColumns.has(name)) {
          throw new InvalidInputError(
            `feature column "${name}"`,
            `feature column "${name}" in ${what} has type ${type}${await firstTextValue(connection, source, name)}, expected a number; ${opts.textColumnAdvice ? opts.textColumnAdvice(name) : `the pipeline takes numeric features: list it under input.exclude, or under input.categorical to learn from its categories`}`,
          );
        }
      }
      const categorical: Record<string, string[]> = {};
      for (const name of featureNames)
        if (categoricalColumns.has(name)) categorical[name] = await categoriesOf(connection, source, what, name);
      const encodedFeatures = categoricalColumns.size
        ? { featureNames: oneHotFeatureNames(featureNames, categorical), categorical }
        : { featureNames };
      // Refused here, before any sampling, not when the model file is sealed at the end of the run.
      const sourceColumnOf = featureNames.flatMap((name) => (categorical[name] ? categorical[name].map(() => name) : [name]));
      rejectRepeatedFeatureNames(encodedFeatures.featureNames, sourceColumnOf, what);
      const booleans = featureNames.filter((name) => byName.get(name) === 'BOOLEAN' && !categoricalColumns.has(name));
      const booleanColumns = booleans.length > 0 ? { booleanColumns: booleans } : {};
      const warnings: string[] = [
        ...repeatedFiles,
        ...(ignored ? [`ignored columns ${ignored.columns.join(', ')}: ${ignored.reason}`] : []),
      ];
      let positive: string;
      let negatives: string[];
      let rows: number;
      let positives: number;
      let classes: InputProfile['classes'];
      let predicateReads: string[] | undefined;
      if (opts.predicate !== undefined) {
        const pred = await positiveSql(connection, source, what, { label: opts.label, predicate: opts.predicate });
        predicateReads = await predicateColumns(connection, opts.predicate, source);
        const reader = await connection
          .runAndReadAll(`SELECT count(*), count(*) FILTER (WHERE ${pred}), ${undecidedRowsSql(opts.predicate)} FROM ${source}`)
          .catch(async (err: unknown) => {
            // A predicate that fails on the values (a text compared with a number), where the file reads without it;
            // anything else (memory, an interrupt) stays the failure it is.
            const message = ((err as Error).message ?? String(err)).split('\n')[0]!;
            if (!/^(Conversion|Binder|Invalid Input|Out of Range) Error/.test(message)) throw err;
            await connection.runAndReadAll(`SELECT count(*) FROM ${source}`);
            throw new InvalidInputError('--positive-when', `--positive-when "${opts.predicate}" fails on the rows of ${what}: ${message}`);
          });
        const [n, p, undecided] = reader.getRowsJS()[0] ?? [0, 0, 0];
        rejectUndecidedRows(opts.predicate, toNumber(undecided), what);
        rows = toNumber(n);
        positives = toNumber(p);
        positive = 'true';
        negatives = ['false'];
        if (positives === 0) warnings.push(`no row satisfies --positive-when "${opts.predicate}": the sample has no positives`);
        else if (positives === rows) warnings.push(`every row satisfies --positive-when "${opts.predicate}": the sample has no negatives`);
      } else if (
        opts.allowAbsentPositive &&
        opts.positive !== undefined &&
        !(await labelHasValue(connection, source, opts.label, labelType, opts.positive))
      ) {
        // The same value spelt another way ("Positive" for "positive", " 1" for "1") is a mistake, not an absent class.
        const spelt = await otherSpellingOf(connection, source, opts.label, opts.positive);
        if (spelt !== undefined) {
          throw new InvalidInputError(
            '--positive',
            `--positive "${opts.positive}" is not a value of label column "${opts.label}" in ${what}, but "${spelt}" is: the sample would have no positives; pass --positive "${spelt}"`,
          );
        }
        const reader = await connection.runAndReadAll(`SELECT count(*) FROM ${source}`);
        rows = toNumber(reader.getRowsJS()[0]?.[0]);
        positives = 0;
        positive = opts.positive;
        negatives = [];
        warnings.push(`label column "${opts.label}" has no row with the positive value "${opts.positive}": the sample has no positives`);
      } else {
        const checked = await checkedLabelClasses(connection, source, what, opts.label, labelType, opts.positive, opts.multiClass);
        if (checked.multiClass) classes = checked.counts.classes;
        positive = checked.positive;
        negatives = checked.negatives;
        rows = checked.counts.rows;
        positives = checked.counts.classes.find((c) => c.value === positive)?.count ?? 0;
      }
      if (opts.checkAllFeatureValues === false) {
        const fileSha256s = opts.hashFiles === false ? [] : await distinctFileHashes(unique);
        return {
          files: unique,
          fileSha256s,
          ...encodedFeatures,
          ...booleanColumns,
          ...(sampleWeight !== undefined ? { sampleWeight } : {}),
          positiveLabel: positive,
          negativeLabel: negatives.join('|'),
          ...(classes ? { classes } : {}),
          ...(predicateReads ? { predicateColumns: predicateReads } : {}),
          rows,
          positives,
          warnings,
        };
      }
      const fileSha256s = opts.hashFiles === false ? [] : await distinctFileHashes(unique);
      return {
        files: unique,
        fileSha256s,
        ...encodedFeatures,
        ...booleanColumns,
        ...(sampleWeight !== undefined ? { sampleWeight } : {}),
        positiveLabel: positive,
        negativeLabel: negatives.join('|'),
        ...(classes ? { classes } : {}),
        ...(predicateReads ? { predicateColumns: predicateReads } : {}),
        rows,
        positives,
        warnings,
      };
    }),
  );
}

/**
 * The sha256 of each input file; two files of the same content (a copy under another name, a glob matching both)
 * are refused: every row would be read twice, and its copies could land in both the training and the test split,
 * where they flatter the test figures.
 */
async function distinctFileHashes(files: readonly string[]): Promise<string[]> {
  const hashes = await Promise.all(files.map((f) => fileSha256(f)));
  const first = new Map<string, number>();
  hashes.forEach((h, i) => {
    const at = first.get(h);
    if (at === undefined) first.set(h, i);
    else
      throw new InvalidInputError(
        'input.paths',
        `input.paths: ${files[at]} and ${files[i]} have the same content (sha256 ${h.slice(0, 12)}…), so every row would be read twice and its copies could land in both the training and the test split; expected each file once: drop one of them`,
      );
  });
  return hashes;
}
