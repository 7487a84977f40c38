// ADASYN's lineage as output columns of `rareflow adasyn`: which rows are synthetic, and the seed row, neighbour row
// and step each synthetic row was interpolated from (x = x[_seed_row] + _gap · (x[_neighbor_row] − x[_seed_row])).

import { lineageColumns, type AdasynLineage } from '../core/oversample/syntheticLineage.js';
import type { ExtraTableColumn } from './datasetWriter.js';

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
