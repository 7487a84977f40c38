// rareflow's dataset artifact: an Arrow IPC file with Float64 feature columns, a Uint8 label and extra columns
// (e.g. lineage `origin_row`); written to a temp file and renamed, read back into a row-major matrix.

import { randomBytes } from 'node:crypto';
import { readFile, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Data, DataType } from 'apache-arrow';
import type { LabelledData } from '../core/dataset.js';
import { InvalidInputError } from '../core/invalidInputError.js';
import { writeArrowIpcFile, type ArrowColumnView, type ArrowFileField } from './arrowIpcFile.js';
import { copyColumnStrided, type NumericArray } from './columnArrays.js';

/**
 * Columns beside the features and label, one value per row. A Uint8Array is written as Arrow booleans (0 false,
 * anything else true); a NaN in a Float64Array is written as null.
 */
export type ExtraColumns = Record<string, Int32Array | Float64Array | Uint8Array>;

export interface ArrowDataset {
  data: LabelledData;
  featureNames: string[];
  labelName: string;
  extra?: ExtraColumns;
}

/** A dataset whose rows come in blocks (input rows, then synthetic rows), written in order without joining them. */
export interface ArrowDatasetParts {
  parts: readonly LabelledData[];
  featureNames: string[];
  labelName: string;
  /** One value per row over all parts, in part order. */
  extra?: ExtraColumns;
}

/** Schema metadata keys: which columns are features, which is the label. */
const featuresKey = 'rareflow.features';
const labelKey = 'rareflow.label';
/**
 * Bytes of one record batch body. Batches are filled one at a time into two reused buffers (one filling while the
 * other is written), small enough to stay in a core's L2 cache for both the column copy and the kernel's copy to
 * the page cache: writing 396k × 41 columns took 72 ms with 1 MiB batches, 165 ms with 4 MiB, 280 ms with 16 MiB.
 */
const batchBytes = 1 << 20;
/** Rows per block of the row-major to column copy: 256 rows × 40 doubles = 80 KB, within a core's L2. */
const TRANSPOSE_BLOCK_ROWS = 256;

/** Write `d` as an Arrow IPC file at `path` (temp file in the same directory, then rename). */
export async function writeDatasetArrow(path: string, d: ArrowDataset): Promise<void> {
  await writeDatasetArrowParts(path, {
    parts: [d.data],
    featureNames: d.featureNames,
    labelName: d.labelName,
    ...(d.extra ? { extra: d.extra } : {}),
  });
}

/** Write the rows of `d.parts`, one part after the other, as one Arrow IPC dataset file at `path` (temp file, then rename). */
export async function writeDatasetArrowParts(path: string, d: ArrowDatasetParts): Promise<void> {
  const cols = d.featureNames.length;
  let rows = 0;
  d.parts.forEach((part, p) => {
    const ofPart = d.parts.length > 1 ? ` of part ${p}` : '';
    if (part.x.cols !== cols) {
      throw new InvalidInputError('featureNames', `expected ${part.x.cols} feature names (one per matrix column${ofPart}), got ${cols}`);
    }
    if (part.y.length !== part.x.rows) {
      throw new InvalidInputError('labels', `expected ${part.x.rows} labels (one per matrix row${ofPart}), got ${part.y.length}`);
    }
    rows += part.x.rows;
  });
  const extra = d.extra ?? {};
  const names = [...d.featureNames, d.labelName, ...Object.keys(extra)];
  const seen = new Set<string>();
  for (const name of names) {
    if (seen.has(name))
      throw new InvalidInputError(
        `column "${name}"`,
        `column name "${name}" appears twice among features, label and extra columns; names must be unique`,
      );
    seen.add(name);
  }
  for (const [name, column] of Object.entries(extra)) {
    if (column.length !== rows)
      throw new InvalidInputError(`column "${name}"`, `extra column "${name}" has ${column.length} values, expected ${rows} (one per row)`);
  }

  const extraColumns = Object.values(extra);
  const fields: ArrowFileField[] = [
    ...d.featureNames.map((name) => ({ name, type: 'float64' as const })),
    { name: d.labelName, type: 'uint8' },
    ...Object.entries(extra).map(([name, column]): ArrowFileField =>
      column instanceof Int32Array
        ? { name, type: 'int32' }
        : column instanceof Uint8Array
          ? { name, type: 'bool' }
          : { name, type: 'float64', ...(column.some(Number.isNaN) ? { nullable: true } : {}) },
    ),
  ];
  // Batches never span parts: each is rows [start, start + rows) of one part, `first` rows into the file.
  const rowBytes = 8 * cols + 1 + extraColumns.reduce((n, column) => n + column.BYTES_PER_ELEMENT, 0);
  const maxBatchRows = Math.max(1, Math.floor(batchBytes / rowBytes));
  const batches: Array<{ part: LabelledData; start: number; rows: number; first: number }> = [];
  let first = 0;
  for (const part of d.parts) {
    for (let start = 0; start < part.x.rows; start += maxBatchRows) {
      const n = Math.min(maxBatchRows, part.x.rows - start);
      batches.push({ part, start, rows: n, first: first + start });
    }
    first += part.x.rows;
  }
  // An empty dataset is still one (empty) record batch, so readers see the schema and zero rows.
  if (batches.length === 0)
    batches.push({ part: { x: { rows: 0, cols, values: new Float64Array(0) }, y: new Uint8Array(0) }, start: 0, rows: 0, first: 0 });

  const temp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    await writeArrowIpcFile(temp, {
      fields,
      metadata: [
        [featuresKey, JSON.stringify(d.featureNames)],
        [labelKey, d.labelName],
      ],
      batchRows: batches.map((b) => b.rows),
      fillBatch(index, columns, validity) {
        const { part, start, rows: n, first: at } = batches[index]!;
        copyRowsToColumns(part.x.values, cols, start, n, columns);
        columns[cols]!.set(part.y.subarray(start, start + n));
        extraColumns.forEach((column, k) => {
          const slot = cols + 1 + k;
          if (column instanceof Uint8Array) packBits(column, at, n, columns[slot] as Uint8Array);
          else columns[slot]!.set(column.subarray(at, at + n));
          const bitmap = validity[slot];
          if (bitmap) for (let i = 0; i < n; i++) if (Number.isNaN(column[at + i]!)) bitmap[i >> 3]! &= ~(1 << (i & 7));
        });
      },
    });
    await rename(temp, path);
  } catch (err) {
    await rm(temp, { force: true });
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new InvalidInputError(`file ${path}`, `cannot write ${path}: its directory ${dirname(path)} does not exist; create it first`);
    }
    throw err;
  }
}

/** values[start, start + rows) as bits, least significant first, into a zeroed bitmap: Arrow's boolean layout. */
function packBits(values: Uint8Array, start: number, rows: number, bitmap: Uint8Array): void {
  for (let i = 0; i < rows; i++) if (values[start + i] !== 0) bitmap[i >> 3]! |= 1 << (i & 7);
}

/**
 * Rows [start, start + rows) of a row-major matrix into the first `cols` of `columns`, in blocks of rows that stay
 * in cache: one strided pass per column over the whole batch would re-read it from memory `cols` times.
 */
function copyRowsToColumns(values: Float64Array, cols: number, start: number, rows: number, columns: readonly ArrowColumnView[]): void {
  for (let i0 = 0; i0 < rows; i0 += TRANSPOSE_BLOCK_ROWS) {
    const i1 = Math.min(rows, i0 + TRANSPOSE_BLOCK_ROWS);
    for (let c = 0; c < cols; c++) {
      const column = columns[c]!;
      for (let i = i0, at = (start + i0) * cols + c; i < i1; i++, at += cols) column[i] = values[at]!;
    }
  }
}

/**
 * Read an Arrow file written by writeDatasetArrow. With `keepMissingFeatures` a missing feature value reads as NaN
 * (a pipeline sample before its imputation); labels and extra columns are always checked.
 */
export async function readDatasetArrow(path: string, opts: { keepMissingFeatures?: boolean } = {}): Promise<Required<ArrowDataset>> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new InvalidInputError(`file ${path}`, `input file ${path} does not exist; check the path`);
    }
    throw err;
  }
  return datasetFromArrowBytes(bytes, path, opts);
}

/** The dataset in the bytes of an Arrow file written by writeDatasetArrow (`path` names it in errors). */
export async function datasetFromArrowBytes(
  bytes: Buffer,
  path: string,
  opts: { keepMissingFeatures?: boolean } = {},
): Promise<Required<ArrowDataset>> {
  // apache-arrow is loaded only here: writing needs none of it, and it takes ~80 ms to load.
  const { tableFromIPC, DataType } = await import('apache-arrow');
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
  featureNames.forEach((name, c) => copyArrowColumn(path, table.getChild(name), name, values, cols, c, opts.keepMissingFeatures === true));
  copyArrowColumn(path, table.getChild(labelName), labelName, y, 1, 0);
  const known = new Set([...featureNames, labelName]);
  const extra: ExtraColumns = {};
  for (const field of table.schema.fields) {
    if (known.has(field.name)) continue;
    if (DataType.isBool(field.type)) {
      extra[field.name] = booleanColumn(table.getChild(field.name)!, rows);
      continue;
    }
    const column = DataType.isInt(field.type) ? new Int32Array(rows) : new Float64Array(rows);
    // A column named with a leading _ is bookkeeping (ADASYN lineage: `_gap` is null on real rows), never a feature.
    copyArrowColumn(path, table.getChild(field.name), field.name, column, 1, 0, field.name.startsWith('_'));
    extra[field.name] = column;
  }
  return { data: { x: { rows, cols, values }, y }, featureNames, labelName, extra };
}

interface ArrowColumn {
  data: ReadonlyArray<Data<DataType>>;
}

/** An Arrow boolean column as 0/1 bytes (null reads as 0). */
function booleanColumn(column: ArrowColumn, rows: number): Uint8Array {
  const out = new Uint8Array(rows);
  let at = 0;
  for (const batch of column.data) {
    const bits = batch.values as Uint8Array;
    for (let i = 0; i < batch.length; i++) {
      const bit = batch.offset + i;
      out[at + i] = (bits[bit >> 3]! >> (bit & 7)) & 1;
    }
    at += batch.length;
  }
  return out;
}

function copyArrowColumn(
  path: string,
  column: ArrowColumn | null,
  name: string,
  dest: NumericArray,
  stride: number,
  index: number,
  keepMissing = false,
): void {
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
      keepMissing ? { keepMissing: true } : {},
    );
    if (bad >= 0) {
      throw new InvalidInputError(
        `column "${name}"`,
        `column "${name}" in ${path} has a missing or non-finite value at data row ${rowOffset + bad + 1}; expected finite numbers`,
      );
    }
    rowOffset += batch.length;
  }
}
