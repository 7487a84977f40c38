// Rows of one split that are exact copies (every feature value and the label) of a row of another: a file of repeated
// exports, or a record logged once per retry, puts copies of its test rows in training, and the gates then measure
// memory, not what the model does on rows it has not seen (stages/split.ts warns).

import type { LabelledData } from '../dataset.js';

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/** FNV-1a over row `r`'s feature bytes and its label. */
function rowHash(bytes: Uint8Array, cols: number, y: Uint8Array, r: number): number {
  let h = FNV_OFFSET;
  for (let b = r * cols * 8, end = b + cols * 8; b < end; b++) h = Math.imul(h ^ bytes[b]!, FNV_PRIME);
  return Math.imul(h ^ y[r]!, FNV_PRIME) >>> 0;
}

const bytesOf = (d: LabelledData) => new Uint8Array(d.x.values.buffer, d.x.values.byteOffset, d.x.rows * d.x.cols * 8);

/** How many rows of `probe` have an exact copy (features and label, bit for bit) among the rows of `reference`. */
export function rowsCopiedFrom(reference: LabelledData, probe: LabelledData): number {
  const cols = reference.x.cols;
  if (probe.x.cols !== cols || probe.x.rows === 0 || reference.x.rows === 0) return 0;
  const refBytes = bytesOf(reference);
  const byHash = new Map<number, number[]>();
  for (let r = 0; r < reference.x.rows; r++) {
    const h = rowHash(refBytes, cols, reference.y, r);
    const list = byHash.get(h);
    if (list) list.push(r);
    else byHash.set(h, [r]);
  }
  const probeBytes = bytesOf(probe);
  const width = cols * 8;
  let copied = 0;
  for (let r = 0; r < probe.x.rows; r++) {
    const candidates = byHash.get(rowHash(probeBytes, cols, probe.y, r));
    if (!candidates) continue;
    const same = candidates.some((c) => {
      if (reference.y[c] !== probe.y[r]) return false;
      for (let b = 0; b < width; b++) if (refBytes[c * width + b] !== probeBytes[r * width + b]) return false;
      return true;
    });
    if (same) copied += 1;
  }
  return copied;
}
