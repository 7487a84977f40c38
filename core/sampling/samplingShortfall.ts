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

/** What one shard kept and met. */
export interface ShardCounts {
  positives: number;
  negatives: number;
  positivesSeen: number;
  scannedRows: number;
}

/**
 * Whether shards left rows the targets wanted: the merged sample is short of positives (or of rows) while some shard
 * met more positives (or negatives) than it kept. Each shard keeps at most its share of each target, so a class
 * gathered in a few shards (a file sorted by label, files split by class) fills their shares and is dropped there
 * while the other shards run out. The input then holds what the targets ask for, and one shard over all of it keeps it.
 */
export function shardsDroppedWantedRows(shards: readonly ShardCounts[], targetSize: number, positiveTarget: number): boolean {
  if (shards.length < 2) return false;
  const sum = (f: (s: ShardCounts) => number) => shards.reduce((n, s) => n + f(s), 0);
  const positives = sum((s) => s.positives);
  const negatives = sum((s) => s.negatives);
  const droppedPositives = sum((s) => s.positivesSeen) > positives;
  const droppedNegatives = sum((s) => s.scannedRows - s.positivesSeen) > negatives;
  return (positives < positiveTarget && droppedPositives) || (positives + negatives < targetSize && droppedNegatives);
}

/** The note of a sample taken again as one shard, after shards of `shards` left wanted rows. */
export function resampledAsOneShardNote(shards: number, positives: number, positivesSeen: number): string {
  return (
    `the ${shards} shards kept ${positives} of the ${positivesSeen} positives they met (each keeps at most its share of ` +
    `the targets, and the classes sit unevenly across them): sampled again as one shard over all the input`
  );
}
