// Batch scoring in DuckDB: the model's raw input columns encoded in SQL (one-hot, unseen categories to all zeros,
// fitted fills for missing numbers), then scored either inside the engine (logistic regression: one linear expression)
// or chunk by chunk in JS, written to the output file atomically. Used by the score-batch stage.

import { rename, rm } from 'node:fs/promises';
import { extname } from 'node:path';
import { InvalidInputError } from '../core/invalidInputError.js';
import { ForestScoringPool } from '../core/models/forestScoringPool.js';
import { featureSourceColumns, inputColumnsOf, scoreModel, scoreMultiClass, type ModelArtifact } from '../core/models/modelArtifact.js';
import { predictedClassesOf, type PredictedClasses } from '../core/labels/predictedClass.js';
import { appendTableColumns, copyTableAtomically, createTable, type TableColumn } from './datasetWriter.js';
import { fillChunk, missingFeatureError, nextChunk } from './resultChunks.js';
import { categoryMatchSql, firstTextValue, numericType, wholeNumberCategoryCheck } from './columnTypes.js';
import { withReadErrors } from './readErrors.js';
import { closeDuckDB, openDuckDB, sqlCountWhere, sqlDouble, sqlIdentifier, sqlString, toNumber, withDuckDB } from './duckdbConnection.js';
import type { DuckDBConnection } from '@duckdb/node-api';
import { streamQuery } from './checkedStream.js';
import { booleanWordsProjection } from './booleanInputColumns.js';
import type { IdColumnRead } from './idColumnText.js';
import { namingOutput, scratchPathBeside, sweepScratchBeside } from './scratchFiles.js';

/** Rows scored and appended at a time; a multiple of DuckDB's 2,048-row chunks. */
const BATCH_ROWS = 65536;

/** The output of a batch: rows scored and (binary models) rows predicted positive. */
export interface BatchScoringCounts {
  rows: number;
  positives: number;
}

/**
 * One SQL expression per model feature over `source` (the table function reading `input`), in the model's feature
 * order. A column the model reads that is absent or not numeric fails naming it (and the first bad row).
 */
export async function modelFeatureProjections(
  model: ModelArtifact,
  input: string,
  source: string,
  columns: Array<{ name: string; type: string }>,
): Promise<string[]> {
  const typeOf = new Map(columns.map((c) => [c.name, c.type]));
  const projections: string[] = [];
  for (const col of inputColumnsOf(model)) {
    const type = typeOf.get(col.name);
    if (type === undefined) {
      throw new InvalidInputError(
        `column "${col.name}"`,
        `${input} has no column "${col.name}", which the model reads; its columns are ${columns.map((c) => c.name).join(', ')}`,
      );
    }
    const ident = sqlIdentifier(col.name);
    // A boolean-like column given as text (yes/no words in a Parquet file) is read as the 0/1 the model learnt.
    const words =
      col.kind === 'numeric' && col.boolean && type === 'VARCHAR'
        ? await withDuckDB((c) => booleanWordsProjection(c, source, col.name))
        : undefined;
    if (col.kind === 'numeric' && words !== undefined) {
      projections.push(words);
      if (col.missingIndicator) projections.push(`CAST(CASE WHEN ${words} IS NULL THEN 1 ELSE 0 END AS DOUBLE)`);
    } else if (col.kind === 'numeric') {
      if (!numericType.test(type)) {
        const [rows, what] = await withDuckDB(async (c) => [
          toNumber((await c.runAndReadAll(`SELECT count(*) FROM ${source}`)).getRowsJS()[0]?.[0] ?? 0),
          await firstTextValue(c, source, col.name),
        ]);
        // A column empty on every row reads as text in a CSV: for a model that fills a missing number, every cell is
        // one (as a Parquet column of nulls is), scored as the fill and counted in the warnings like any gap.
        if (rows > 0 && what === ' (empty on every row)' && model.missingValues?.fillValues) {
          projections.push('CAST(NULL AS DOUBLE)');
          if (col.missingIndicator) projections.push('CAST(1 AS DOUBLE)');
          continue;
        }
        // A CSV of a header alone reads as text columns: say that, not that a column is text.
        if (rows === 0) {
          throw new InvalidInputError(
            `file ${input}`,
            `${input} has no data rows (only a header: ${columns.map((c) => c.name).join(', ')}); expected at least one row to score`,
          );
        }
        throw new InvalidInputError(
          `column "${col.name}"`,
          col.boolean
            ? `column "${col.name}" in ${input} must be true/false, yes/no, t/f or 1/0 for this model (it learnt the column as a boolean), but is ${type}${what}`
            : `column "${col.name}" in ${input} must be numeric for this model, but is ${type}${what}`,
        );
      }
      projections.push(`CAST(${ident} AS DOUBLE)`);
      // Its missing-value indicator: 1 where the value is missing (null, an empty cell, a marker or NaN), before the fill.
      if (col.missingIndicator) {
        projections.push(`CAST(CASE WHEN ${ident} IS NULL OR isnan(CAST(${ident} AS DOUBLE)) THEN 1 ELSE 0 END AS DOUBLE)`);
      }
    } else {
      wholeNumberCategoryCheck(input, col.name, type, col.categories);
      for (const v of col.categories)
        projections.push(`CAST(CASE WHEN ${categoryMatchSql(ident, type, v, col.categories)} THEN 1 ELSE 0 END AS DOUBLE)`);
    }
  }
  // A model with fitted fill values scores a missing number (null, empty or NaN) as its fill, here in SQL so the
  // engine path and the chunk path both see it, each fill exactly the double the model holds.
  const fills = model.missingValues?.fillValues;
  if (fills) {
    projections.forEach((p, j) => {
      projections[j] = `CASE WHEN ${p} IS NULL OR isnan(${p}) THEN ${sqlDouble(fills[j]!)} ELSE ${p} END`;
    });
  }
  return projections;
}

/**
 * Scores `source` chunk by chunk in JS (forests, multi-class models): DuckDB streams the encoded features in input
 * order, an appender writes `[id,] score, pred` (multi-class: `score_<class>` per class, `pred` the class) to a
 * scratch table on disk beside `out`, copied to `out` atomically at the end. `id` names the id column and its SQL type;
 * `onRows` hears the rows scored so far after each batch.
 */
export async function scoreInChunks(
  model: ModelArtifact,
  input: string,
  source: string,
  projections: string[],
  out: string,
  id?: Omit<IdColumnRead, 'source'>,
  onRows?: (rowsDone: number) => void,
): Promise<BatchScoringCounts> {
  const classes = model.multiClass?.classes;
  const predicted = predictedClassesOf(model);
  const cols = model.featureNames.length;
  // Stale scratch files here are swept by copyTableAtomically, which writes the output at the end.
  const scratch = scratchPathBeside(out, 'duckdb');
  const sink = await openDuckDB({ path: scratch });
  const pool = !classes && model.model.kind === 'forest' ? new ForestScoringPool(model.model, { batchRows: BATCH_ROWS }) : null;
  let rows = 0;
  let positives = 0;
  try {
    // Binary: score, pred (the negative or positive class value). Multi-class: score_<class> per class, then pred.
    const outColumns = (ids: (string | null)[], score: Float64Array, pred: Int32Array): TableColumn[] => [
      ...(id !== undefined ? [idColumn(ids)] : []),
      ...(classes
        ? classes.map((c, j) => ({ name: `score_${c}`, kind: 'matrix' as const, values: score, cols: classes.length, column: j }))
        : [{ name: 'score', kind: 'double' as const, values: score }]),
      predColumn(predicted, pred),
    ];
    await createTable(sink.connection, 'predictions', outColumns(id !== undefined ? [''] : [], new Float64Array(0), new Int32Array(0)));
    await withReadErrors(input, () =>
      withDuckDB(async (c) => {
        // A constant label column lets the shared chunk filler (features + label) do the copy and the null checks.
        const select = [
          ...projections,
          'CAST(0 AS UTINYINT)',
          ...(id !== undefined ? [`CAST(${sqlIdentifier(id.column)} AS VARCHAR)`] : []),
        ];
        const result = await streamQuery(c, `SELECT ${select.join(', ')} FROM ${source}`);
        const sourceColumnOf = featureSourceColumns(model);
        // Chunks are gathered into batches of up to BATCH_ROWS rows, one append each. A binary forest's batch is
        // scored by worker threads (ForestScoringPool) while this thread reads the next one into the other buffer.
        const plain = pool ? null : new Float64Array(BATCH_ROWS * cols);
        let current: 0 | 1 = 0;
        let x = pool ? pool.buffers[0].values : plain!;
        const y = new Uint8Array(BATCH_ROWS);
        let ids: (string | null)[] = [];
        let filled = 0;
        /** A dispatched batch: its scores (multi-class: and its predicted classes), to append once they are in. */
        interface ScoringJob {
          scored: Promise<Float64Array>;
          predicted?: Int32Array;
          rows: number;
          ids: (string | null)[];
        }
        let inFlight = null as ScoringJob | null;
        const finish = async (job: ScoringJob) => {
          const n = job.rows;
          const score = await job.scored;
          let pred: Int32Array;
          if (job.predicted) {
            pred = job.predicted;
          } else {
            pred = new Int32Array(n);
            for (let i = 0; i < n; i++) {
              pred[i] = score[i]! >= model.threshold ? 1 : 0;
              positives += pred[i]!;
            }
          }
          await appendTableColumns(sink.connection, 'predictions', n, outColumns(job.ids, score, pred));
          rows += n;
          onRows?.(rows);
        };
        const dispatch = async () => {
          if (filled === 0) return;
          const n = filled;
          const batch = { rows: n, cols, values: x.subarray(0, n * cols) };
          let scored: Promise<Float64Array>;
          let predicted: Int32Array | undefined;
          if (classes) {
            const mc = scoreMultiClass(model, batch);
            predicted = mc.predicted;
            scored = Promise.resolve(mc.scores);
          } else if (pool && allFinite(batch.values)) {
            const buffer = pool.buffers[current];
            scored = pool.score(current, n).then(() => buffer.out.subarray(0, n));
            // Rejections are seen when the job is finished; this only keeps an early one from going unhandled.
            scored.catch(() => undefined);
          } else {
            scored = Promise.resolve(scoreModel(model, batch));
          }
          const job: ScoringJob = { scored, rows: n, ids, ...(predicted ? { predicted } : {}) };
          if (inFlight) await finish(inFlight);
          inFlight = job;
          if (pool) {
            current = current === 0 ? 1 : 0;
            x = pool.buffers[current].values;
          }
          filled = 0;
          ids = [];
        };
        for (let chunk = await nextChunk(result); chunk !== null; chunk = await nextChunk(result)) {
          const n = chunk.rowCount;
          if (filled + n > BATCH_ROWS) await dispatch();
          const first = rows + (inFlight?.rows ?? 0) + filled;
          fillChunk(chunk, 0, n, x, cols, y, filled, (column, row) =>
            missingFeatureError(input, sourceColumnOf[column] ?? '?', false, chunk.getColumnVector(column).getItem(row), first + row + 1),
          );
          if (id !== undefined) {
            const v = chunk.getColumnVector(cols + 1);
            for (let i = 0; i < n; i++) {
              const value = v.getItem(i);
              ids.push(value === null || value === undefined ? null : String(value));
            }
          }
          filled += n;
        }
        await dispatch();
        if (inFlight) await finish(inFlight);
      }),
    );
    if (rows === 0) throw noRowsToScore(input);
    if (id !== undefined) {
      await sink.connection.run(
        `CREATE TABLE output AS SELECT CAST(id AS ${id.type}) AS ${sqlIdentifier(id.name)}, * EXCLUDE (id) FROM predictions`,
      );
      await copyTableAtomically(sink.connection, 'output', out);
    } else {
      await copyTableAtomically(sink.connection, 'predictions', out);
    }
  } catch (err) {
    throw namingOutput(err, scratch, out);
  } finally {
    await pool?.close();
    closeDuckDB(sink);
    await rm(scratch, { force: true });
    await rm(`${scratch}.wal`, { force: true });
  }
  return { rows, positives };
}

/** An input with no rows (a Parquet file of a schema alone; a CSV header alone is refused earlier, by its text types). */
function noRowsToScore(input: string): InvalidInputError {
  return new InvalidInputError(`file ${input}`, `${input} has no data rows; expected at least one row to score`);
}

/** The id column of the scratch table: the ids as text, a missing one as null (cast to the id's type at the end). */
function idColumn(ids: readonly (string | null)[]): TableColumn {
  return { name: 'id', kind: 'coded', codes: Int32Array.from(ids, (v, i) => (v === null ? -1 : i)), dictionary: ids.map((v) => v ?? '') };
}

/**
 * The `pred` column: `codes` index the predicted class values ([negative, positive] for a binary model), written in
 * the label's own type (a 0/1 label stays INTEGER, true/false BOOLEAN, text VARCHAR).
 */
function predColumn(classes: PredictedClasses, codes: Int32Array): TableColumn {
  if (classes.type === 'boolean') {
    const truth = classes.values.map((v) => (v === 'true' ? 1 : 0));
    return { name: 'pred', kind: 'boolean', values: Uint8Array.from(codes, (c) => truth[c]!) };
  }
  if (classes.type === 'double') {
    // A dictionary of whole numbers would be written as INTEGER: a label of 1.0/0.0 must come back as it was read,
    // as the in-engine scoring of logistic regression writes it.
    const value = classes.values.map(Number);
    return { name: 'pred', kind: 'double', values: Float64Array.from(codes, (c) => value[c]!) };
  }
  const dictionary = classes.type === 'text' ? classes.values : classes.values.map(Number);
  return { name: 'pred', kind: 'coded', codes, dictionary };
}

/** A class value as a SQL literal of the label's type. */
export function classValueSql(value: string, classes: PredictedClasses): string {
  if (classes.type === 'integer') return `CAST(${value} AS INTEGER)`;
  if (classes.type === 'double') return sqlDouble(Number(value));
  if (classes.type === 'boolean') return value === 'true' ? 'true' : 'false';
  return sqlString(value);
}

/** Whether every value is finite; a batch that is not goes the one-thread way, whose check names the bad value. */
function allFinite(values: Float64Array): boolean {
  for (let i = 0; i < values.length; i++) if (!Number.isFinite(values[i]!)) return false;
  return true;
}

/** Per feature `f<j>` of `features` read from `source`, the rows where it is missing or not finite. */
async function notFiniteCounts(c: DuckDBConnection, width: number, features: string, source: string): Promise<number[]> {
  const counts = Array.from({ length: width }, (_, j) => sqlCountWhere(`f${j} IS NULL OR NOT isfinite(f${j})`));
  const reader = await c.runAndReadAll(`SELECT ${counts.join(', ')} FROM (SELECT ${features} FROM ${source})`);
  return reader.getRowsJS()[0]!.map((v) => toNumber(v));
}

/** The id's name inside the in-engine query, apart from the features `f0`, `f1`, …. */
const ID_COLUMN = 'id';

/**
 * Logistic regression scored inside DuckDB: the standardiser folds into the weights, so the score is one linear
 * expression per row, computed by the engine in parallel and streamed straight to the output file in input order.
 * Missing values are found first with one aggregate, so the error names the column and row.
 */
export async function scoreInEngine(
  a: { input: string; out: string },
  model: ModelArtifact,
  source: string,
  projections: string[],
  idRead?: Omit<IdColumnRead, 'source'>,
): Promise<BatchScoringCounts> {
  if (model.model.kind !== 'logreg') throw new Error('scoreInEngine takes logistic regression models');
  const lr = model.model;
  const weights: string[] = [];
  let offset = lr.intercept;
  projections.forEach((p, j) => {
    const w = lr.weights[j]! / lr.standardiser.scale[j]!;
    offset -= w * lr.standardiser.mean[j]!;
    weights.push(sqlDouble(w));
  });
  const features = projections.map((p, j) => `${p} AS f${j}`).join(', ');
  // The features as one list: a flat expression. A sum of one term per feature nests as deep as there are features,
  // and DuckDB took seconds to plan it on 1,500 features (113 rows a second scored); the list takes milliseconds.
  const vector = `[${projections.map((_, j) => `f${j}`).join(', ')}]`;
  // One feature as a product: DuckDB refused list_dot_product over a list of one read from a Parquet file ("left
  // argument can not contain NULL values", on a file without one), so a one-feature model could not score Parquet.
  const z =
    projections.length === 0
      ? sqlDouble(offset)
      : projections.length === 1
        ? `(${sqlDouble(offset)} + v[1] * ${weights[0]!})`
        : `(${sqlDouble(offset)} + list_dot_product(v, [${weights.join(', ')}]))`;
  const sourceColumnOf = featureSourceColumns(model);
  return withReadErrors(a.input, () =>
    withDuckDB(async (c) => {
      // Every value must be a finite number: a missing one (null, NaN) or ±Infinity is refused, as the chunked scorers do.
      // One flat check first (a null shortens the list's count; NaN or ±Infinity make its sum not finite); the column
      // is looked for only when it finds something, which a sum overflowing from finite values can also cause.
      const notFinite = (v: string) => `${v} IS NULL OR NOT isfinite(${v})`;
      const flagged = projections.length
        ? `count(*) FILTER (WHERE list_count(v) < ${projections.length} OR NOT isfinite(list_sum(v)))`
        : '0';
      const [rows, suspect] = (
        await c.runAndReadAll(`SELECT count(*), ${flagged} FROM (SELECT ${vector} AS v FROM (SELECT ${features} FROM ${source}))`)
      )
        .getRowsJS()[0]!
        .map((v) => toNumber(v));
      if (rows === 0) throw noRowsToScore(a.input);
      const counts = suspect! > 0 ? await notFiniteCounts(c, projections.length, features, source) : [];
      const bad = counts.findIndex((n) => n > 0);
      if (bad >= 0) {
        const r = await c.runAndReadAll(
          `SELECT n, CAST(v AS VARCHAR) FROM (SELECT row_number() OVER () AS n, ${projections[bad]} AS v FROM ${source}) WHERE ${notFinite('v')} ORDER BY n LIMIT 1`,
        );
        const [row, value] = r.getRowsJS()[0] ?? [0, null];
        const text = value === null || value === undefined ? undefined : String(value);
        const spelt: Record<string, string> = { nan: 'NaN', inf: 'Infinity', '-inf': '-Infinity' };
        const what = text === undefined ? 'a missing value (null, empty or NaN)' : (spelt[text] ?? text);
        throw new InvalidInputError(
          `column "${sourceColumnOf[bad]}"`,
          `column "${sourceColumnOf[bad]}" in ${a.input} has ${counts[bad]} value(s) missing or not finite, the first ${what} at data row ${toNumber(row)}; expected a finite number on every row: fill or drop such rows first`,
        );
      }
      // A numerically stable logistic: exp of a negative argument only.
      const score = `CASE WHEN z >= 0 THEN 1 / (1 + exp(-z)) ELSE exp(z) / (1 + exp(z)) END`;
      // The id is carried through as read, and cast to its output type and named as in the input at the end.
      const id = idRead !== undefined ? `${sqlIdentifier(ID_COLUMN)}, ` : '';
      const idOut = idRead !== undefined ? `CAST(${sqlIdentifier(ID_COLUMN)} AS ${idRead.type}) AS ${sqlIdentifier(idRead.name)}, ` : '';
      const classes = predictedClassesOf(model);
      const [negative, positive] = classes.values.map((v) => classValueSql(v, classes));
      const pred = `CASE WHEN score >= ${sqlDouble(model.threshold)} THEN ${positive} ELSE ${negative} END`;
      const idIn = idRead !== undefined ? `${sqlIdentifier(idRead.column)} AS ${sqlIdentifier(ID_COLUMN)}, ` : '';
      const select = `SELECT ${idOut}score, ${pred} AS pred FROM (SELECT ${id}${score} AS score FROM (SELECT ${id}${z} AS z FROM (SELECT ${id}${vector} AS v FROM (SELECT ${idIn}${features} FROM ${source}))))`;
      const ext = extname(a.out).toLowerCase();
      await sweepScratchBeside(a.out);
      const temp = scratchPathBeside(a.out, 'tmp');
      try {
        await c.run(
          `COPY (${select}) TO ${sqlString(temp)} ${ext === '.csv' ? '(FORMAT csv, HEADER true)' : '(FORMAT parquet, COMPRESSION zstd)'}`,
        );
        const counted = await c.runAndReadAll(
          // CSV is read back as text, so a class value the sniffer would retype still compares as written.
          ext === '.csv'
            ? // The dialect is the one COPY wrote, never sniffed: a sniffer that met no quoted id in its first rows
              // would read a later one ("ACME, Inc") as two fields.
              `SELECT count(*) FILTER (WHERE pred = CAST(${positive} AS VARCHAR)) FROM read_csv(${sqlString(temp)}, header = true, all_varchar = true, delim = ',', quote = '"', escape = '"')`
            : `SELECT count(*) FILTER (WHERE pred = ${positive}) FROM read_parquet(${sqlString(temp)})`,
        );
        const positives = toNumber(counted.getRowsJS()[0]?.[0]);
        await rename(temp, a.out);
        return { rows, positives };
      } catch (err) {
        await rm(temp, { force: true, recursive: true });
        throw namingOutput(err, temp, a.out);
      }
    }),
  );
}
