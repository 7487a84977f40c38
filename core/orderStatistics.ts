// Order statistics without a full sort.

/**
 * The value of rank `rank` (0-based) of `values`, by Hoare's selection in average linear time. `values` is
 * reordered so that everything before `rank` is ≤ the result and everything after is ≥ it.
 */
export function nthSmallest(values: Int32Array | Float64Array, rank: number): number {
  let lo = 0;
  let hi = values.length - 1;
  while (lo < hi) {
    const pivot = values[(lo + hi) >> 1]!;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (values[i]! < pivot) i++;
      while (values[j]! > pivot) j--;
      if (i <= j) {
        const t = values[i]!;
        values[i++] = values[j]!;
        values[j--] = t;
      }
    }
    if (rank <= j) hi = j;
    else if (rank >= i) lo = i;
    else break;
  }
  return values[rank]!;
}
