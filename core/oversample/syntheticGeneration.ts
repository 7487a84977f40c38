// Generating the synthetic rows: each interpolated between its minority seed row and one of its K minority
// neighbours (ADASYN step 4), categorical columns by SMOTE-NC's neighbour vote, with the lineage of every row.

import type { FeatureMatrix } from '../dataset.js';
import { ExactNeighborIndex } from '../neighbors/exactNeighbors.js';
import type { NeighborIndex } from '../neighbors/neighborIndex.js';
import type { RandomSource } from '../random.js';
import type { CategoricalColumns } from './oversampleSettings.js';
import type { AdasynLineage } from './syntheticLineage.js';

// Step 4 (seed 001: "randomly select one of the k minority neighbors and linearly interpolate"): x_i + λ (x_z − x_i).
export function generate(
  x: FeatureMatrix,
  minorityRows: Int32Array,
  counts: Int32Array,
  k: number,
  random: RandomSource,
  categorical: CategoricalColumns | undefined,
  minorityIndex: NeighborIndex | undefined,
): { synthetic: FeatureMatrix; lineage: AdasynLineage; distances: Float64Array } {
  const { cols, values } = x;
  const m = minorityRows.length;
  let total = 0;
  for (let i = 0; i < m; i++) total += counts[i]!;
  const synthetic = new Float64Array(total * cols);
  const parent = new Int32Array(total);
  const neighbour = new Int32Array(total);
  const lambda = new Float64Array(total);
  const distances = new Float64Array(total);
  if (total > 0) {
    const minority = new Float64Array(m * cols);
    for (let i = 0; i < m; i++) minority.set(values.subarray(minorityRows[i]! * cols, minorityRows[i]! * cols + cols), i * cols);
    const index = minorityIndex ?? new ExactNeighborIndex({ rows: m, cols, values: minority });
    let near: Int32Array;
    try {
      near = index.queryRows(
        Int32Array.from({ length: m }, (_, i) => i),
        k,
      ).indices;
    } finally {
      if (minorityIndex === undefined) index.close();
    }
    const votes = new Float64Array(k);
    // Each row's distances to its K neighbours, looked up per synthetic row for the reported statistics.
    const neighbourDistance = new Float64Array(k);
    let s = 0;
    for (let i = 0; i < m; i++) {
      const g = counts[i]!;
      if (g === 0) continue;
      const from = i * cols;
      for (let j = 0; j < k; j++) {
        const to = near[i * k + j]! * cols;
        let d2 = 0;
        for (let c = 0; c < cols; c++) {
          const diff = minority[to + c]! - minority[from + c]!;
          d2 += diff * diff;
        }
        neighbourDistance[j] = Math.sqrt(d2);
      }
      for (let n = 0; n < g; n++) {
        const j = random.nextInt(k);
        const z = near[i * k + j]!;
        const step = random.next();
        const to = z * cols;
        const out = s * cols;
        for (let c = 0; c < cols; c++) {
          const xi = minority[from + c]!;
          synthetic[out + c] = xi + step * (minority[to + c]! - xi);
        }
        parent[s] = minorityRows[i]!;
        neighbour[s] = minorityRows[z]!;
        lambda[s] = step;
        distances[s] = neighbourDistance[j]!;
        s++;
      }
      if (categorical !== undefined) {
        // SMOTE-NC: categorical values are never interpolated; they take the mode among the K minority neighbours,
        // the same for all of i's rows.
        for (const c of categorical.columns) {
          for (let j = 0; j < k; j++) votes[j] = minority[near[i * k + j]! * cols + c]!;
          const mode = modeOf(votes);
          for (let t = s - g; t < s; t++) synthetic[t * cols + c] = mode;
        }
        for (const group of categorical.groups) {
          let best = 0;
          let bestVotes = -1;
          for (let m = 0; m < group.length; m++) {
            let n = 0;
            for (let j = 0; j < k; j++) if (minority[near[i * k + j]! * cols + group[m]!] === 1) n++;
            if (n > bestVotes) {
              best = m;
              bestVotes = n;
            }
          }
          for (let t = s - g; t < s; t++) for (let m = 0; m < group.length; m++) synthetic[t * cols + group[m]!] = m === best ? 1 : 0;
        }
      }
    }
  }
  return { synthetic: { rows: total, cols, values: synthetic }, lineage: { parent, neighbour, lambda }, distances };
}

function modeOf(v: Float64Array): number {
  v.sort();
  let best = v[0]!;
  let bestRun = 0;
  let run = 0;
  for (let i = 0; i < v.length; i++) {
    run = i > 0 && v[i] === v[i - 1] ? run + 1 : 1;
    if (run > bestRun) {
      bestRun = run;
      best = v[i]!;
    }
  }
  return best;
}
