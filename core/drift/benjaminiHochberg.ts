// Benjamini–Hochberg false-discovery-rate control across the per-feature drift tests of one window, so that
// testing forty features does not raise forty chances of a false alarm.

import { InvalidInputError } from '../invalidInputError.js';

/**
 * BH-adjusted p-values (q-values), in the input order: with p_(1) ≤ … ≤ p_(m),
 * q_(i) = min_{j ≥ i} min(1, m·p_(j)/j) (Benjamini & Hochberg 1995, step-up; as R's `p.adjust(method = "BH")`).
 * Rejecting every hypothesis with q ≤ α is the BH procedure at FDR α.
 */
export function benjaminiHochberg(pValues: ArrayLike<number>): number[] {
  const m = pValues.length;
  for (let i = 0; i < m; i++) {
    const p = pValues[i]!;
    if (!(p >= 0 && p <= 1)) throw new InvalidInputError('pValues', `pValues: expected probabilities in [0, 1], got ${p} at index ${i}`);
  }
  const order = Array.from({ length: m }, (_, i) => i).sort((a, b) => pValues[a]! - pValues[b]! || a - b);
  const q = new Array<number>(m);
  let running = 1;
  for (let rank = m; rank >= 1; rank--) {
    const i = order[rank - 1]!;
    running = Math.min(running, (m * pValues[i]!) / rank);
    q[i] = running;
  }
  return q;
}

/** Which hypotheses BH rejects at false discovery rate `fdr`: q ≤ fdr. */
export function rejectedAt(qValues: ArrayLike<number>, fdr: number): boolean[] {
  if (typeof fdr !== 'number' || !(fdr > 0 && fdr < 1))
    throw new InvalidInputError('fdr', `fdr: expected a rate in (0, 1), got ${String(fdr)}`);
  return Array.from({ length: qValues.length }, (_, i) => qValues[i]! <= fdr);
}
