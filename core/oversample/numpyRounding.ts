// numpy's float64 rounding, reproduced so ADASYN's counts match imbalanced-learn exactly: np.rint (halves to even)
// and np.sum's pairwise summation.

// numpy's pairwise summation of a contiguous float64 array (numpy/core/src/umath/loops_utils.h.src, PW_BLOCKSIZE 128),
// so Σ r_i rounds exactly as imbalanced-learn's np.sum does.
export function numpyPairwiseSum(a: Float64Array, off: number, n: number): number {
  if (n < 8) {
    let res = 0;
    for (let i = 0; i < n; i++) res += a[off + i]!;
    return res;
  }
  if (n <= 128) {
    const r = [a[off]!, a[off + 1]!, a[off + 2]!, a[off + 3]!, a[off + 4]!, a[off + 5]!, a[off + 6]!, a[off + 7]!];
    let i = 8;
    for (; i < n - (n % 8); i += 8) for (let j = 0; j < 8; j++) r[j]! += a[off + i + j]!;
    let res = r[0]! + r[1]! + (r[2]! + r[3]!) + (r[4]! + r[5]! + (r[6]! + r[7]!));
    for (; i < n; i++) res += a[off + i]!;
    return res;
  }
  let n2 = Math.floor(n / 2);
  n2 -= n2 % 8;
  return numpyPairwiseSum(a, off, n2) + numpyPairwiseSum(a, off + n2, n - n2);
}

// np.rint: nearest integer, exact halves to the even neighbour.
export function roundHalfToEven(v: number): number {
  const f = Math.floor(v);
  const d = v - f;
  if (d > 0.5) return f + 1;
  if (d < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}
