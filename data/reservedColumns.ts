// Columns whose names start with `_` are rareflow's bookkeeping (ADASYN's lineage `_synthetic`, `_seed_row`,
// `_neighbor_row`, `_gap`), never features: every reader leaves them out and says so once in its result.

/** True for a column name rareflow never takes as a feature by default. */
export function isReservedColumn(name: string): boolean {
  return name.startsWith('_');
}

/** The reserved columns among `columns` that are not in `used` (features, label, weight), in file order. */
export function ignoredReservedColumns(columns: readonly string[], used: readonly string[] = []): string[] {
  const taken = new Set(used);
  return columns.filter((name) => isReservedColumn(name) && !taken.has(name));
}

/** The one result field that says which columns were ignored and why; nothing when none was. */
export function ignoredColumnsField(ignored: readonly string[] | undefined): { ignoredColumns?: { columns: string[]; reason: string } } {
  if (!ignored || ignored.length === 0) return {};
  return {
    ignoredColumns: { columns: [...ignored], reason: 'names starting with _ are bookkeeping (such as ADASYN lineage), never features' },
  };
}
