// The rows a label-noise filter removed, as a table for `rareflow denoise --removed FILE`: each removed row's
// 0-based data row in the input, its label, the filter's reason code and, for ENN, the neighbour labels that decided it.

import { extname, resolve } from 'node:path';
import type { CleaningResult } from '../core/denoise/removalReason.js';
import { InvalidInputError } from '../core/invalidInputError.js';
import {
  appendTableColumns,
  castColumn,
  copyTableAtomically,
  createTable,
  keptLabelType,
  requireDirectory,
  type TableColumn,
} from './datasetWriter.js';
import { withDuckDB } from './duckdbConnection.js';

/** Reason names by REMOVAL_REASON code (core/denoise/removalReason.ts); code 0 is unused. */
const REASON_NAMES = ['unknown', 'enn', 'renn', 'tomek', 'confident'] as const;

/** The columns of the removed-rows table for `detail`, in order. */
export function removedRowsColumns(detail: Pick<CleaningResult, 'rounds' | 'neighbourLabels'>): string[] {
  return ['row', 'label', 'reason', ...(detail.rounds ? ['round'] : []), ...(detail.neighbourLabels ? ['neighbour_labels'] : [])];
}

/** Check `--removed PATH` before any work: a .csv or .parquet file in an existing directory, not the --out file. */
export async function checkRemovedRowsPath(path: string, out: string): Promise<string> {
  const abs = resolve(path);
  const ext = extname(abs).toLowerCase();
  if (ext !== '.csv' && ext !== '.parquet') {
    throw new InvalidInputError('--removed', `--removed: expected a .csv or .parquet file, got "${path}" (extension "${ext}")`);
  }
  if (abs === resolve(out)) throw new InvalidInputError('--removed', `--removed: ${path} is also the --out file; choose another path`);
  try {
    await requireDirectory(abs);
  } catch {
    throw new InvalidInputError('--removed', `--removed: the directory of ${path} does not exist; create it or choose another path`);
  }
  return abs;
}

/**
 * Write the removed rows of `detail` to `path` (.csv or .parquet); `y` are the filter input's labels, spelled as
 * `labelValues` [y = 0, y = 1], in the input label's type `labelSqlType` when it is a number or a boolean.
 */
export async function writeRemovedRows(
  path: string,
  detail: CleaningResult,
  y: Uint8Array,
  labelValues: [string, string],
  labelSqlType?: string,
): Promise<void> {
  const n = detail.removed.length;
  const columns: TableColumn[] = [
    { name: 'row', kind: 'integer', values: detail.removed },
    { name: 'label', kind: 'coded', codes: Uint8Array.from(detail.removed, (r) => y[r]!), dictionary: labelValues },
    { name: 'reason', kind: 'coded', codes: detail.reasons, dictionary: REASON_NAMES },
  ];
  if (detail.rounds) columns.push({ name: 'round', kind: 'integer', values: Int32Array.from(detail.rounds) });
  if (detail.neighbourLabels) {
    const k = detail.k ?? detail.neighbourLabels.length / Math.max(1, n);
    const text = Array.from({ length: n }, (_, d) =>
      Array.from(detail.neighbourLabels!.subarray(d * k, d * k + k), (v) => labelValues[v]).join(','),
    );
    columns.push({ name: 'neighbour_labels', kind: 'coded', codes: Int32Array.from(text, (_, i) => i), dictionary: text });
  }
  await withDuckDB(async (connection) => {
    await createTable(connection, 'removed_rows', columns);
    await appendTableColumns(connection, 'removed_rows', n, columns);
    const kept = keptLabelType(labelSqlType);
    if (kept !== undefined) await castColumn(connection, 'removed_rows', 'label', kept);
    await copyTableAtomically(connection, 'removed_rows', path);
  });
}
