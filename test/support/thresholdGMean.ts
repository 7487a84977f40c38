// G-mean of scores cut at one threshold: the tests' plain reference, independent of core/metrics.

export function gMeanAt(y: Uint8Array, p: Float64Array, q: number): number {
  let tp = 0,
    pos = 0,
    tn = 0,
    neg = 0;
  for (let i = 0; i < y.length; i++) {
    if (y[i] === 1) {
      pos++;
      if (p[i]! >= q) tp++;
    } else {
      neg++;
      if (p[i]! < q) tn++;
    }
  }
  return Math.sqrt((tp / pos) * (tn / neg));
}
