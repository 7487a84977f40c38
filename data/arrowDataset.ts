// rareflow's dataset artifact: an Arrow IPC file with Float64 feature columns, a Uint8 label and extra columns
// (e.g. lineage `origin_row`); written to a temp file and renamed, read back into a row-major matrix.

import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { readFile, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import {
  Field,
  Float64,
  Int32,
  makeData,
  RecordBatch,
  RecordBatchFileWriter,
  Schema,
  Struct,
  tableFromIPC,
  Uint8,
  type Data,
  DataType,
} from 'apache-arrow';
import type { LabelledData } from '../core/dataset.js';
import { InvalidInputError } from '../core/invalidInputError.js';
import { copyColumnStrided, type NumericArray } from './columnArrays.js';

export type ExtraColumns = Record<string, Int32Array | Float64Array>;

export interface ArrowDataset {
  data: LabelledData;
  featureNames: string[];
  labelName: string;
  extra?: ExtraColumns;
}

/** Schema metadata keys: which columns are features, which is the label. */
const featuresKey = 'rareflow.features';
const labelKey = 'rareflow.label';
/** Rows per Arrow record batch, so the writer streams instead of building one file-sized buffer. */
const batchRows = 1 << 20;

/** Write `d` as an Arrow IPC file at `path` (temp file in the same directory, then rename). */
/** Rows per block of the row-major to column copy: 256 rows × 40 doubles = 80 KB, within a core's L2. */
const TRANSPOSE_BLOCK_ROWS = 256;

export async function writeDatasetArrow(path: string, d: ArrowDataset): Promise<void> {
  const { rows, cols, values } = d.data.x;
  if (d.featureNames.length !== cols) {
    throw new InvalidInputError('featureNames', `expected ${cols} feature names (one per matrix column), got ${d.featureNames.length}`);
  }
  if (d.data.y.length !== rows) {
    throw new InvalidInputError('labels', `expected ${rows} labels (one per matrix row), got ${d.data.y.length}`);
  }
  const extra = d.extra ?? {};
  const names = [...d.featureNames, d.labelName, ...Object.keys(extra)];
  const seen = new Set<string>();
  for (const name of names) {
    if (seen.has(name)) throw new InvalidInputError(`column "${name}"`, `column name "${name}" appears twice among features, label and extra columns; names must be unique`);
    seen.add(name);
  }
  for (const [name, column] of Object.entries(extra)) {
    if (column.length !== rows) throw new InvalidInputError(`column "${name}"`, `extra column "${name}" has ${column.length} values, expected ${rows} (one per row)`);
  }

  const fields: Field[] = [
    ...d.featureNames.map((name) => new Field(name, new Float64(), false)),
    new Field(d.labelName, new Uint8(), false),
    ...Object.entries(extra).map(([name, column]) => new Field(name, column instanceof Int32Array ? new Int32() : new Float64(), false)),
  ];
  const schema = new Schema(fields, new Map([[featuresKey, JSON.stringify(d.featureNames)], [labelKey, d.labelName]]));

  function* batches(): Generator<RecordBatch> {
    for (let start = 0; start < rows || (rows === 0 && start === 0); start += batchRows) {
      const n = Math.min(batchRows, rows - start);
      // Row-major to columns in blocks of rows that stay in cache: one strided pass per column over the whole
      // batch re-reads it from memory `cols` times (at 1M × 32 that copy took most of the write).
      const columns = Array.from({ length: cols }, () => new Float64Array(n));
      for (let i0 = 0; i0 < n; i0 += TRANSPOSE_BLOCK_ROWS) {
        const i1 = Math.min(n, i0 + TRANSPOSE_BLOCK_ROWS);
        for (let c = 0; c < cols; c++) {
          const column = columns[c]!;
          for (let i = i0, at = (start + i0) * cols + c; i < i1; i++, at += cols) column[i] = values[at]!;
        }
      }
      const children: Data[] = columns.map((column) => makeData({ type: new Float64(), length: n, nullCount: 0, data: column }));
      children.push(makeData({ type: new Uint8(), length: n, nullCount: 0, data: d.data.y.subarray(start, start + n) }));
      for (const column of Object.values(extra)) {
        const part = column.subarray(start, start + n);
        children.push(
          part instanceof Int32Array
            ? makeData({ type: new Int32(), length: n, nullCount: 0, data: part })
            : makeData({ type: new Float64(), length: n, nullCount: 0, data: part }),
        );
      }
      const struct = makeData({ type: new Struct(fields), length: n, nullCount: 0, children });
      yield new RecordBatch(schema, struct);
      if (rows === 0) return;
    }
  }

  const temp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    const writer = RecordBatchFileWriter.writeAll(batches());
    await pipeline(writer.toNodeStream(), createWriteStream(temp));
    await rename(temp, path);
  } catch (err) {
    await rm(temp, { force: true });
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new InvalidInputError(`file ${path}`, `cannot write ${path}: its directory ${dirname(path)} does not exist; create it first`);
    }
    throw err;
  }
}

/** Read an Arrow file written by writeDatasetArrow into a row-major matrix, labels and extra columns. */
export async function readDatasetArrow(path: string): Promise<Required<ArrowDataset>> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new InvalidInputError(`file ${path}`, `input file ${path} does not exist; check the path`);
    }
    throw err;
  }
  const table = tableFromIPC(bytes);
  const featureJson = table.schema.metadata.get(featuresKey);
  const labelName = table.schema.metadata.get(labelKey);
  if (featureJson === undefined || labelName === undefined) {
    throw new InvalidInputError(
      `file ${path}`,
      `${path} is an Arrow file without rareflow's "${featuresKey}" and "${labelKey}" metadata; expected a dataset written by rareflow (use CSV or Parquet for other data)`,
    );
  }
  const featureNames = JSON.parse(featureJson) as string[];
  const rows = table.numRows;
  const cols = featureNames.length;
  const values = new Float64Array(rows * cols);
  const y = new Uint8Array(rows);
  featureNames.forEach((name, c) => copyArrowColumn(path, table.getChild(name), name, values, cols, c));
  copyArrowColumn(path, table.getChild(labelName), labelName, y, 1, 0);
  const known = new Set([...featureNames, labelName]);
  const extra: ExtraColumns = {};
  for (const field of table.schema.fields) {
    if (known.has(field.name)) continue;
    const column = DataType.isInt(field.type) ? new Int32Array(rows) : new Float64Array(rows);
    copyArrowColumn(path, table.getChild(field.name), field.name, column, 1, 0);
    extra[field.name] = column;
  }
  return { data: { x: { rows, cols, values }, y }, featureNames, labelName, extra };
}

interface ArrowColumn {
  data: ReadonlyArray<Data<DataType>>;
}

function copyArrowColumn(path: string, column: ArrowColumn | null, name: string, dest: NumericArray, stride: number, index: number): void {
  if (column === null) {
    throw new InvalidInputError(`file ${path}`, `${path} lacks column "${name}" named in its metadata; the file is damaged: regenerate it`);
  }
  let rowOffset = 0;
  for (const batch of column.data) {
    const bad = copyColumnStrided(
      { kind: 'arrow', values: batch.values as NumericArray, nullBitmap: batch.nullBitmap, offset: batch.offset, length: batch.length },
      dest,
      stride,
      index,
      rowOffset,
    );
    if (bad >= 0) {
      throw new InvalidInputError(`column "${name}"`, `column "${name}" in ${path} has a missing or non-finite value at data row ${rowOffset + bad + 1}; expected finite numbers`);
    }
    rowOffset += batch.length;
  }
}
