// `node dist/bench/adasynLineage.js INPUT OUTPUT.arrow`: checks `rareflow adasyn --exact --raw-distances` output's
// lineage on a large file: per seed row, the count of synthetic rows (`_seed_row`) against He et al.'s exact
// allocation g_i = rint(r̂_i · G), computed here by a plain float64 brute-force k-NN (k = 5, ties to the lower row)
// that shares no code with rareflow's search; and every synthetic row on its seed–neighbour segment at `_gap`.

import { readDatasetArrow } from '../data/arrowDataset.js';
import { readLabelledDataset } from '../data/datasetReader.js';
import { processPeakMb } from './benchResults.js';

const [inputPath, outputPath] = process.argv.slice(2);
if (!inputPath || !outputPath) throw new Error('usage: node dist/bench/adasynLineage.js INPUT OUTPUT.arrow');
const k = 5;
const started = performance.now();
const input = await readLabelledDataset(inputPath, { label: 'label' });
const { rows, cols, values } = input.data.x;
const y = input.data.y;
const minority: number[] = [];
for (let r = 0; r < rows; r++) if (y[r] === 1) minority.push(r);

// Step 2: Δ_i among the k nearest rows of the whole input, the row itself excluded.
const delta = new Float64Array(minority.length);
const best = new Float64Array(k);
const bestRow = new Int32Array(k);
minority.forEach((q, m) => {
  best.fill(Infinity);
  bestRow.fill(-1);
  const qa = q * cols;
  for (let r = 0; r < rows; r++) {
    if (r === q) continue;
    let d = 0;
    for (let c = 0, ra = r * cols; c < cols; c++) {
      const t = values[ra + c]! - values[qa + c]!;
      d += t * t;
    }
    if (d >= best[k - 1]!) continue; // equal distance: the lower row, already in the list, stays ahead
    let j = k - 1;
    while (j > 0 && best[j - 1]! > d) {
      best[j] = best[j - 1]!;
      bestRow[j] = bestRow[j - 1]!;
      j--;
    }
    best[j] = d;
    bestRow[j] = r;
  }
  let other = 0;
  for (let j = 0; j < k; j++) if (y[bestRow[j]!] !== 1) other++;
  delta[m] = other / k;
});
const requested = Math.round(rows - 2 * minority.length);
const sum = delta.reduce((a, b) => a + b, 0);
const halfEven = (v: number) => (v - Math.floor(v) === 0.5 ? (Math.floor(v) % 2 === 0 ? Math.floor(v) : Math.floor(v) + 1) : Math.round(v));
const expected = Array.from(delta, (r) => halfEven((r / sum) * requested));

const out = await readDatasetArrow(outputPath);
const seed = out.extra._seed_row as Int32Array;
const neighbour = out.extra._neighbor_row as Int32Array;
const gap = out.extra._gap as Float64Array;
const synthetic = out.extra._synthetic as Uint8Array;
const counts = new Map<number, number>();
let offSegment = 0;
const ox = out.data.x.values;
for (let r = 0; r < out.data.x.rows; r++) {
  if (synthetic[r] === 0) continue;
  counts.set(seed[r]!, (counts.get(seed[r]!) ?? 0) + 1);
  for (let c = 0; c < cols; c++) {
    const want = values[seed[r]! * cols + c]! + gap[r]! * (values[neighbour[r]! * cols + c]! - values[seed[r]! * cols + c]!);
    if (Math.abs(ox[r * out.data.x.cols + c]! - want) > 1e-9 * (1 + Math.abs(want))) {
      offSegment++;
      break;
    }
  }
}
let equal = 0;
minority.forEach((row, m) => {
  if ((counts.get(row) ?? 0) === expected[m]) equal++;
});
process.stdout.write(
  `${rows} × ${cols}, ${minority.length} minority rows: per-seed synthetic counts equal the exact allocation for ${equal} ` +
    `(${((100 * equal) / minority.length).toFixed(2)}%); synthetic rows off their segment: ${offSegment}; ` +
    `check took ${((performance.now() - started) / 1000).toFixed(1)} s, peak RSS ${processPeakMb()} MB\n`,
);
