// The fast scan behind adaptive sampling: find positives from the label (or a SQL predicate) column alone, in
// stream order, feed a row-id sampler, then fetch the features of the kept rows only. Parquet files are read by
// row position (file_row_number), so a shard can be a row range and a retry can resume mid-file.

import type { DuckDBConnection } from '@duckdb/node-api';
import type { LabelledData } from '../core/dataset.js';
import { InvalidInputError } from '../core/invalidInputError.js';
import type { RowIdSampler } from '../core/sampling/rowIdSamplers.js';
import { appendTableColumns } from './datasetWriter.js';
import { badWeightError, copyWeights, fillChunk, missingFeatureError, nextChunk } from './resultChunks.js';
import { classIndexSql } from './labelClasses.js';
import { formatOf, labelledSource, numberSource, tableSource } from './inputSources.js';
import { withReadErrors } from './readErrors.js';
import { sqlIdentifier, sqlString, toNumber, withDuckDB } from './duckdbConnection.js';
import { oneHotCategoryOf } from '../core/features/oneHotFeatures.js';
import { streamQuery } from './checkedStream.js';
import { positiveSql, type PositiveDefinition } from './positivePredicate.js';

/** Rows [firstRow, endRow) of one file; one shard is a list of segments read in order. */
export interface ScanSegment {
  file: string;
  firstRow: number;
  endRow: number;
}

/** Where a scan has got to: segment index and the row within it still to be read. */
export interface ScanPosition {
  segment: number;
  row: number;
}

/**
 * A segment's source: a predicate reads the file as DuckDB types it; a label is read as the file spells it. A
 * reader of features passes `numbersExcept` (its categorical columns): other integer columns are read as DOUBLE.
 */
function scanSource(
  connection: DuckDBConnection,
  format: 'csv' | 'parquet',
  file: string,
  def: PositiveDefinition,
  numbersExcept?: readonly string[],
): Promise<string> {
  if (def.predicate === undefined) return labelledSource(connection, format, [file], def.label, numbersExcept);
  return numbersExcept ? numberSource(connection, format, [file], numbersExcept) : Promise.resolve(tableSource(format, [file]));
}

/** Rows in each file (Parquet: from its metadata). CSV files are counted by a scan. */
export async function fileRowCounts(files: string[]): Promise<number[]> {
  return withReadErrors(files.join(', '), () =>
    withDuckDB(async (c) => {
      const out: number[] = [];
      for (const f of files) {
        const reader = await c.runAndReadAll(`SELECT count(*) FROM ${tableSource(scanFormat(f), [f])}`);
        out.push(toNumber(reader.getRowsJS()[0]?.[0]));
      }
      return out;
    }),
  );
}

function scanFormat(file: string): 'csv' | 'parquet' {
  const f = formatOf(file);
  if (f === 'arrow') throw new InvalidInputError(`file ${file}`, `sampling reads CSV or Parquet; ${file} is an Arrow file`);
  return f;
}

/**
 * Splits files into `shards` shards of consecutive row ranges with (nearly) equal row counts, as seed 003's
 * cluster mode splits data across machines. Parquet files may be cut mid-file; a CSV file stays whole.
 */
export function planShards(files: string[], rowCounts: number[], shards: number): ScanSegment[][] {
  if (!Number.isInteger(shards) || shards < 1) throw new InvalidInputError('--shards', `--shards: expected an integer ≥ 1, got ${shards}`);
  const total = rowCounts.reduce((a, b) => a + b, 0);
  if (shards > Math.max(1, total))
    throw new InvalidInputError('--shards', `--shards ${shards} is more than the ${total} rows of the input; lower --shards`);
  const csv = files.some((f) => scanFormat(f) === 'csv');
  if (csv && shards > files.length) {
    throw new InvalidInputError(
      '--shards',
      `--shards ${shards} is more than the ${files.length} CSV files, and a CSV file is not split; lower --shards or convert to Parquet`,
    );
  }
  const out: ScanSegment[][] = Array.from({ length: shards }, () => []);
  if (csv) {
    files.forEach((file, i) => out[Math.floor((i * shards) / files.length)]!.push({ file, firstRow: 0, endRow: rowCounts[i]! }));
    return out;
  }
  // Shard s covers global rows [s·total/S, (s+1)·total/S).
  let fileStart = 0;
  files.forEach((file, i) => {
    const n = rowCounts[i]!;
    for (let s = 0; s < shards; s++) {
      const a = Math.max(fileStart, Math.floor((s * total) / shards));
      const b = Math.min(fileStart + n, Math.floor(((s + 1) * total) / shards));
      if (b > a) out[s]!.push({ file, firstRow: a - fileStart, endRow: b - fileStart });
    }
    fileStart += n;
  });
  return out;
}

export interface PositiveScanResult {
  /** Where the scan stopped (for a checkpoint); `done` when the sampler needs no more rows or the data ended. */
  position: ScanPosition;
  done: boolean;
}

/**
 * Feeds `sampler` with the shard's rows in order, from `from` on. Row ids are positions within the shard
 * (segment offsets summed). `onProgress` is called between chunks with the position reached, for heartbeats
 * and checkpoints; return true from it to pause the scan there (the caller resumes from that position).
 */
export async function scanPositives(
  segments: ScanSegment[],
  def: PositiveDefinition,
  sampler: RowIdSampler,
  opts: { from?: ScanPosition; onProgress?: (p: ScanPosition) => boolean | Promise<boolean> } = {},
): Promise<PositiveScanResult> {
  const what = [...new Set(segments.map((s) => s.file))].join(', ');
  return withReadErrors(what, () =>
    withDuckDB(async (c) => {
      let offset = 0;
      const offsets = segments.map((s) => {
        const o = offset;
        offset += s.endRow - s.firstRow;
        return o;
      });
      const start = opts.from ?? { segment: 0, row: segments[0]?.firstRow ?? 0 };
      for (let si = start.segment; si < segments.length; si++) {
        const seg = segments[si]!;
        const format = scanFormat(seg.file);
        const source = await scanSource(c, format, seg.file, def);
        const pred = await positiveSql(c, source, seg.file, def);
        const from = si === start.segment ? start.row : seg.firstRow;
        const base = offsets[si]! - seg.firstRow; // row id = base + file row
        let next = from; // next file row the sampler has not seen
        if (format === 'parquet') {
          const result = await streamQuery(
            c,
            `SELECT file_row_number FROM read_parquet(${source.slice('read_parquet('.length, -1)}, file_row_number = true) ` +
              `WHERE file_row_number >= ${from} AND file_row_number < ${seg.endRow} AND ${pred} ORDER BY file_row_number`,
          );
          for (let chunk = await nextChunk(result); chunk !== null; chunk = await nextChunk(result)) {
            const v = chunk.getColumnVector(0);
            for (let i = 0; i < chunk.rowCount; i++) {
              const row = toNumber(v.getItem(i));
              if (row > next && sampler.negatives(base + next, row - next)) return { position: { segment: si, row }, done: true };
              if (sampler.positive(base + row)) return { position: { segment: si, row: row + 1 }, done: true };
              next = row + 1;
            }
            if (opts.onProgress && (await opts.onProgress({ segment: si, row: next })))
              return { position: { segment: si, row: next }, done: false };
          }
          if (seg.endRow > next && sampler.negatives(base + next, seg.endRow - next))
            return { position: { segment: si, row: seg.endRow }, done: true };
        } else {
          // CSV has no row positions to filter on: stream the predicate column alone, in file order.
          const result = await streamQuery(c, `SELECT CAST(${pred} AS UTINYINT) FROM ${source}`);
          let fileRow = 0;
          for (let chunk = await nextChunk(result); chunk !== null; chunk = await nextChunk(result)) {
            const v = chunk.getColumnVector(0);
            for (let i = 0; i < chunk.rowCount; i++, fileRow++) {
              if (fileRow < from) continue;
              if (v.getItem(i) === 1) {
                if (fileRow > next && sampler.negatives(base + next, fileRow - next))
                  return { position: { segment: si, row: fileRow }, done: true };
                if (sampler.positive(base + fileRow)) return { position: { segment: si, row: fileRow + 1 }, done: true };
                next = fileRow + 1;
              }
            }
            if (fileRow > next && sampler.negatives(base + next, fileRow - next))
              return { position: { segment: si, row: fileRow }, done: true };
            next = Math.max(next, fileRow);
            if (opts.onProgress && (await opts.onProgress({ segment: si, row: next })))
              return { position: { segment: si, row: next }, done: false };
          }
        }
        if (si + 1 < segments.length && opts.onProgress && (await opts.onProgress({ segment: si + 1, row: segments[si + 1]!.firstRow }))) {
          return { position: { segment: si + 1, row: segments[si + 1]!.firstRow }, done: false };
        }
      }
      const last = segments.length - 1;
      return { position: { segment: last, row: segments[last]?.endRow ?? 0 }, done: true };
    }),
  );
}

export interface FetchRowsOptions {
  /** A column of per-row sample weights to fetch with the features (checked: finite, ≥ 0). @default none */
  weightColumn?: string;
  /**
   * Keep a missing feature value (null or NaN) as NaN, for a pipeline that imputes after its split; ±Infinity
   * and labels stay errors. @default false
   */
  keepMissing?: boolean;
  /** Categorical column → its categories: a `column=category` feature is 1 where the column holds it, else 0. */
  categorical?: Record<string, string[]>;
}

/** A feature as SQL: a numeric column as DOUBLE, a one-hot `column=category` feature as 1 or 0 (null: 0). */
function featureSql(feature: string, categorical: Record<string, string[]> | undefined): string {
  const oneHot = categorical ? oneHotCategoryOf(feature, categorical) : undefined;
  if (!oneHot) return `CAST(${sqlIdentifier(feature)} AS DOUBLE)`;
  return `CAST(CASE WHEN CAST(${sqlIdentifier(oneHot.column)} AS VARCHAR) = ${sqlString(oneHot.category)} THEN 1 ELSE 0 END AS DOUBLE)`;
}

/**
 * Features and 0/1 labels (class indices with `def.classes`), and weights when asked, of the rows with the given ids (positions within the shard),
 * in ascending id order. Only these rows cross from DuckDB to JS.
 */
export async function fetchRowsById(
  segments: ScanSegment[],
  rowIds: Float64Array,
  features: string[],
  def: PositiveDefinition,
  opts: FetchRowsOptions = {},
): Promise<{ data: LabelledData; rowIds: Float64Array; weights?: Float64Array }> {
  const sorted = Float64Array.from(rowIds).sort();
  const cols = features.length;
  const values = new Float64Array(sorted.length * cols);
  const y = new Uint8Array(sorted.length);
  const weightColumn = opts.weightColumn;
  const weights = weightColumn === undefined ? undefined : new Float64Array(sorted.length);
  const keepMissing = opts.keepMissing === true ? features.map(() => true) : undefined;
  const what = [...new Set(segments.map((s) => s.file))].join(', ');
  await withReadErrors(what, () =>
    withDuckDB(async (c) => {
      let segmentStart = 0;
      let k = 0; // next id to fill
      for (const seg of segments) {
        const segmentEnd = segmentStart + (seg.endRow - seg.firstRow);
        let until = k;
        while (until < sorted.length && sorted[until]! < segmentEnd) until++;
        if (until > k) {
          const format = scanFormat(seg.file);
          const source = await scanSource(c, format, seg.file, def, Object.keys(opts.categorical ?? {}));
          const labelSql = def.classes
            ? await classIndexSql(c, source, seg.file, def.label, def.classes)
            : await positiveSql(c, source, seg.file, def);
          // The weight, when fetched, follows the label: fillChunk reads features and label only.
          const projections = [
            ...features.map((f) => featureSql(f, opts.categorical)),
            `CAST(${labelSql} AS UTINYINT)`,
            ...(weightColumn === undefined ? [] : [`CAST(${sqlIdentifier(weightColumn)} AS DOUBLE)`]),
          ];
          const fileRows = new Float64Array(until - k);
          for (let i = k; i < until; i++) fileRows[i - k] = sorted[i]! - segmentStart + seg.firstRow;
          const kStart = k;
          const fill = async (sql: string, pick?: (fileRow: number) => boolean) => {
            const result = await streamQuery(c, sql);
            let fileRow = 0;
            for (let chunk = await nextChunk(result); chunk !== null; chunk = await nextChunk(result)) {
              if (!pick) {
                const first = k;
                fillChunk(
                  chunk,
                  0,
                  chunk.rowCount,
                  values,
                  cols,
                  y,
                  k,
                  (column, row) =>
                    missingFeatureError(
                      seg.file,
                      features[column] ?? '(label)',
                      false,
                      chunk.getColumnVector(column).getItem(row),
                      fileRows[first - kStart + row]! + 1,
                    ),
                  keepMissing,
                );
                if (weights) {
                  const vector = chunk.getColumnVector(cols + 1);
                  const bad = copyWeights(vector, weights, first, chunk.rowCount);
                  if (bad >= 0) throw badWeightError(seg.file, weightColumn!, vector.getItem(bad), fileRows[first - kStart + bad]! + 1);
                }
                k += chunk.rowCount;
                continue;
              }
              // Sparse picks: read the picked rows' values one by one, with no per-row vector slices.
              const vectors = Array.from({ length: weights ? cols + 2 : cols + 1 }, (_, c) => chunk.getColumnVector(c));
              for (let i = 0; i < chunk.rowCount; i++, fileRow++) {
                if (!pick(fileRow)) continue;
                for (let col = 0; col < cols; col++) {
                  const v = vectors[col]!.getItem(i);
                  if (keepMissing && (v === null || (typeof v === 'number' && Number.isNaN(v)))) {
                    values[k * cols + col] = NaN;
                    continue;
                  }
                  if (typeof v !== 'number' || !Number.isFinite(v))
                    throw missingFeatureError(seg.file, features[col]!, false, v, fileRow + 1);
                  values[k * cols + col] = v;
                }
                y[k] = Number(vectors[cols]!.getItem(i));
                if (weights) {
                  const w = vectors[cols + 1]!.getItem(i);
                  if (typeof w !== 'number' || !(w >= 0 && w < Infinity)) throw badWeightError(seg.file, weightColumn!, w, fileRow + 1);
                  weights[k] = w;
                }
                k++;
              }
              if (k === until) return; // every picked row of this segment is in: stop reading the file
            }
          };
          if (format === 'parquet') {
            await c.run('CREATE OR REPLACE TEMP TABLE keep_rows (pos DOUBLE)');
            await appendTableColumns(c, 'keep_rows', fileRows.length, [{ name: 'pos', kind: 'double', values: fileRows }]);
            const list = source.slice('read_parquet('.length, -1);
            await fill(
              `SELECT ${projections.join(', ')} FROM read_parquet(${list}, file_row_number = true) ` +
                `WHERE file_row_number IN (SELECT CAST(pos AS BIGINT) FROM keep_rows) ORDER BY file_row_number`,
            );
          } else {
            let j = 0;
            await fill(`SELECT ${projections.join(', ')} FROM ${source}`, (fileRow) => {
              if (j < fileRows.length && fileRows[j] === fileRow) {
                j++;
                return true;
              }
              return false;
            });
          }
          if (k !== until) {
            throw new InvalidInputError(
              `file ${seg.file}`,
              `${seg.file} changed while it was sampled: expected ${until} rows fetched, got ${k}; sample it again`,
            );
          }
        }
        segmentStart = segmentEnd;
      }
    }),
  );
  return { data: { x: { rows: sorted.length, cols, values }, y }, rowIds: sorted, ...(weights ? { weights } : {}) };
}
