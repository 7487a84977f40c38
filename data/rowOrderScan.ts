// The reads behind order-safe sampling: every positive's row id in a shard (one pass over the label or predicate
// column), and per-block count, mean and spread of a few feature columns, aggregated by DuckDB so no feature
// values cross into JS. core/sampling/rowOrder.ts decides from these whether the rows are in random order.

import type { BlockFeatureSummary } from '../core/sampling/rowOrder.js';
import type { RowIdSample, RowIdSampler, RowIdSamplerCheckpoint } from '../core/sampling/rowIdSamplers.js';
import { formatOf, tableSource } from './inputSources.js';
import { withReadErrors } from './readErrors.js';
import { sqlCountWhere, sqlIdentifier, sqlOnlyWhere, toNumber, withDuckDB } from './duckdbConnection.js';
import { scanPositives, type ScanPosition, type ScanSegment } from './positiveScan.js';
import type { PositiveDefinition } from './positivePredicate.js';

/** Feature values past this size are clipped in the row-order statistics, so that their squares stay finite. */
const CLIP = '1e150';

/** Collects positive row ids and never stops: the scan reads the whole shard. */
class PositiveCollector implements RowIdSampler {
  readonly kind = 'firstCome' as const;
  private ids = new Float64Array(1024);
  count = 0;
  scannedRows = 0;

  negatives(_first: number, count: number): boolean {
    this.scannedRows += count;
    return false;
  }

  positive(rowId: number): boolean {
    if (this.count === this.ids.length) {
      const grown = new Float64Array(this.ids.length * 2);
      grown.set(this.ids);
      this.ids = grown;
    }
    this.ids[this.count++] = rowId;
    this.scannedRows++;
    return false;
  }

  positiveIds(): Float64Array {
    return this.ids.slice(0, this.count);
  }

  result(): RowIdSample {
    throw new Error('PositiveCollector keeps no sample');
  }

  checkpoint(): RowIdSamplerCheckpoint {
    throw new Error('PositiveCollector has no checkpoint');
  }
}

/** Row ids (positions within the shard, ascending) of every positive row of the shard. */
export async function collectPositiveIds(
  segments: ScanSegment[],
  def: PositiveDefinition,
  onProgress?: (p: ScanPosition) => void | Promise<void>,
): Promise<Float64Array> {
  const collector = new PositiveCollector();
  await scanPositives(
    segments,
    def,
    collector,
    onProgress
      ? {
          onProgress: async (p) => {
            await onProgress(p);
            return false;
          },
        }
      : {},
  );
  return collector.positiveIds();
}

/**
 * Per test block (block b holds shard rows [floor(b·total/B), floor((b+1)·total/B))): count, mean and sum of
 * squared deviations of each feature, over its finite values. One aggregate query per segment; blocks that span
 * segments are combined with Chan's parallel formula.
 */
export async function summarizeFeatureBlocks(segments: ScanSegment[], features: string[], blocks: number): Promise<BlockFeatureSummary[]> {
  const total = segments.reduce((a, s) => a + s.endRow - s.firstRow, 0);
  const out: BlockFeatureSummary[] = features.map((name) => ({
    name,
    blocks: Array.from({ length: blocks }, () => ({ n: 0, mean: 0, m2: 0 })),
  }));
  if (features.length === 0 || total === 0) return out;
  const what = [...new Set(segments.map((s) => s.file))].join(', ');
  await withReadErrors(what, () =>
    withDuckDB(async (c) => {
      let base = 0;
      for (const seg of segments) {
        const format = formatOf(seg.file);
        const source = tableSource(format === 'parquet' ? 'parquet' : 'csv', [seg.file]);
        // CSV has no row positions: number the rows in scan order, which DuckDB keeps for a plain window.
        const rows =
          format === 'parquet'
            ? `read_parquet(${source.slice('read_parquet('.length, -1)}, file_row_number = true)`
            : `(SELECT (row_number() OVER ()) - 1 AS file_row_number, * FROM ${source})`;
        // Clipped to ±1e150 for these statistics only: DuckDB refuses a variance whose squares pass the largest double
        // ("VARPOP is out of range"), and one corrupt reading of 1e200 stopped the whole sample. A test of whether
        // block means differ loses nothing by it.
        const aggregates = features.flatMap((f) => {
          const raw = `TRY_CAST(${sqlIdentifier(f)} AS DOUBLE)`;
          const ok = `isfinite(${raw})`;
          const v = `greatest(least(${raw}, ${CLIP}), -${CLIP})`;
          return [sqlCountWhere(ok), `avg(${sqlOnlyWhere(ok, v)})`, `var_pop(${sqlOnlyWhere(ok, v)})`];
        });
        const blockOf = `CAST(floor(((${base - seg.firstRow} + file_row_number) * ${blocks}) / ${total}) AS BIGINT)`;
        const reader = await c.runAndReadAll(
          `SELECT ${blockOf} AS blk, ${aggregates.join(', ')} FROM ${rows} ` +
            `WHERE file_row_number >= ${seg.firstRow} AND file_row_number < ${seg.endRow} GROUP BY 1`,
        );
        for (const row of reader.getRowsJS()) {
          const b = toNumber(row[0]);
          if (!(b >= 0 && b < blocks)) continue;
          features.forEach((_, i) => {
            const n = toNumber(row[1 + 3 * i]);
            if (!(n > 0)) return;
            const mean = Number(row[2 + 3 * i]);
            const m2 = Number(row[3 + 3 * i] ?? 0) * n;
            const acc = out[i]!.blocks[b]!;
            const combined = acc.n + n;
            const delta = mean - acc.mean;
            acc.m2 += m2 + (delta * delta * acc.n * n) / combined;
            acc.mean += (delta * n) / combined;
            acc.n = combined;
          });
        }
        base += seg.endRow - seg.firstRow;
      }
    }),
  );
  return out;
}

/** Positives per test block and each block's rows; row id i is in block floor(i·B/total), as in the SQL above. */
export function positivesPerBlock(
  positiveIds: Float64Array,
  total: number,
  blocks: number,
): { rows: Float64Array; positives: Float64Array } {
  const rows = new Float64Array(blocks);
  const positives = new Float64Array(blocks);
  for (let b = 0; b < blocks; b++) rows[b] = Math.ceil(((b + 1) * total) / blocks) - Math.ceil((b * total) / blocks);
  for (let i = 0; i < positiveIds.length; i++) positives[Math.floor((positiveIds[i]! * blocks) / total)]! += 1;
  return { rows, positives };
}
