// ADASYN's lineage as output columns of `rareflow adasyn`: which rows are synthetic, and the seed row, neighbour row
// and step each synthetic row was interpolated from (x = x[_seed_row] + _gap · (x[_neighbor_row] − x[_seed_row]));
// and, for a reader of such a file, which of its rows are synthetic.

import { lineageColumns, type AdasynLineage } from '../core/oversample/syntheticLineage.js';
import type { ExtraTableColumn } from './datasetWriter.js';
import { withDuckDB } from './duckdbConnection.js';
import { describeColumns, formatOf, tableSource } from './inputSources.js';
import { withReadErrors } from './readErrors.js';

/** The lineage column names, in output order. */
export const ADASYN_LINEAGE_COLUMNS = ['_synthetic', '_seed_row', '_neighbor_row', '_gap'] as const;

/**
 * The four lineage columns over `inputRows` input rows followed by `lineage`'s synthetic rows. Real rows read
 * `_synthetic` false, `_seed_row` and `_neighbor_row` -1 and `_gap` null; row numbers are 0-based data rows of the input.
 */
export function adasynLineageTableColumns(inputRows: number, lineage: AdasynLineage): ExtraTableColumn[] {
  const c = lineageColumns(inputRows, lineage);
  return [
    { name: '_synthetic', kind: 'boolean', values: c._synthetic },
    { name: '_seed_row', kind: 'integer', values: c._seed_row },
    { name: '_neighbor_row', kind: 'integer', values: c._neighbor_row },
    { name: '_gap', kind: 'double', values: c._gap },
  ];
}

/**
 * The `_synthetic` column of a labelled file `adasyn` wrote, one 0/1 per data row in file order, or undefined when the
 * file has no such boolean column. A reader of such a file learns from every row, but the data's own positive share
 * (where a cost threshold is read) is that of its real rows: the synthetic ones were added to even the classes out.
 */
export async function readSyntheticFlags(path: string): Promise<Uint8Array | undefined> {
  const rows = await fromSyntheticColumn(path, `SELECT "_synthetic" FROM`);
  return rows && Uint8Array.from(rows, (r) => (r[0] === true ? 1 : 0));
}

/** The rows of `select` over `path` when it has a boolean `_synthetic` column (not an Arrow dataset), else undefined. */
async function fromSyntheticColumn(path: string, select: string): Promise<unknown[][] | undefined> {
  const format = formatOf(path);
  if (format === 'arrow') return undefined;
  const column = (await describeColumns(path)).find((c) => c.name === '_synthetic');
  if (column?.type !== 'BOOLEAN') return undefined;
  return withReadErrors(path, () =>
    withDuckDB(async (c) => (await c.runAndReadAll(`${select} ${tableSource(format, [path])}`)).getRowsJS()),
  );
}

/** readSyntheticFlags of `path` when it marks some rows synthetic and has `rows` data rows (the rows read), else undefined. */
export async function syntheticRowsOf(path: string, rows: number): Promise<Uint8Array | undefined> {
  const flags = await readSyntheticFlags(path);
  return flags && flags.length === rows && flags.includes(1) ? flags : undefined;
}

/** How many rows of `path` its boolean `_synthetic` column marks synthetic (0 without such a column). */
export async function syntheticRowCount(path: string): Promise<number> {
  const rows = await fromSyntheticColumn(path, `SELECT count(*) FILTER (WHERE "_synthetic") FROM`);
  return Number(rows?.[0]?.[0] ?? 0);
}
