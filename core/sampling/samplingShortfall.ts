// Tells a sample that fell short of its target because the input is smaller than the target (information, said
// once) from one that fell short because a class is scarce in a large input (a warning, per shard).

export interface SamplingTotals {
  /** Rows of the whole input, over all shards. */
  totalRows: number;
  /** Rows the shards read. */
  scannedRows: number;
  /** Rows the merged sample holds, and its positives. */
  keptRows: number;
  positives: number;
  targetSize: number;
  positiveTarget: number;
}

/**
 * When the whole input was read and holds no more rows than the target, every shard's "data ran out" is the same
 * unremarkable fact: one information line replaces them (it still says the data ran out before the target, and how
 * many positives there are against those wanted). Otherwise the shard warnings stand as they are.
 */
export function samplingShortfall(
  totals: SamplingTotals,
  shardWarnings: string[],
): { information?: string; warnings: string[]; smallInput: boolean } {
  const smallInput = totals.scannedRows >= totals.totalRows && totals.totalRows <= totals.targetSize;
  if (!smallInput || shardWarnings.length === 0) return { warnings: shardWarnings, smallInput };
  return {
    information:
      `the input has ${totals.totalRows} rows, ${totals.totalRows < totals.targetSize ? 'fewer than' : 'as many as'} the sampling target of ${totals.targetSize}: ` +
      `the data ran out before the target, so the sample holds ${totals.keptRows} of them ` +
      `(${totals.positives} positives${totals.positives < totals.positiveTarget ? `; ${totals.positiveTarget} wanted` : ''})`,
    warnings: [],
    smallInput,
  };
}
