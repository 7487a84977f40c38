// `node dist/bench/logisticSolvers.js`: logistic regression by Newton steps (dense (d+1)² Hessian) against L-BFGS on
// the same seeded Gaussian data, 2,000 rows and 300 / 1,000 / 2,000 columns: seconds, iterations, and the largest
// coefficient difference. Newton is skipped above 1,000 columns (it is what `auto` no longer runs there).

import type { LabelledData } from '../core/dataset.js';
import { trainLogisticRegression } from '../core/models/logisticRegression.js';
import { seededRandom } from '../core/random.js';
import { processPeakMb } from './benchResults.js';

function gaussianData(rows: number, cols: number): LabelledData {
  const rng = seededRandom(3);
  const g = () => Math.sqrt(-2 * Math.log(1 - rng.next())) * Math.cos(2 * Math.PI * rng.next());
  const values = new Float64Array(rows * cols);
  const y = new Uint8Array(rows);
  for (let i = 0; i < rows; i++) {
    let s = 0;
    for (let j = 0; j < cols; j++) {
      const v = g();
      values[i * cols + j] = v;
      if (j < 5) s += v;
    }
    y[i] = s + g() > 2 ? 1 : 0;
  }
  return { x: { rows, cols, values }, y };
}

const rows = 2000;
for (const cols of [300, 1000, 2000]) {
  const data = gaussianData(rows, cols);
  const fits: Record<string, { seconds: number; weights: number[]; iterations: number }> = {};
  for (const solver of ['newton', 'lbfgs'] as const) {
    if (solver === 'newton' && cols > 1000) continue;
    const t = performance.now();
    const m = trainLogisticRegression(data, { l2: 1e-2, solver });
    fits[solver] = { seconds: (performance.now() - t) / 1000, weights: m.weights, iterations: m.iterations };
  }
  const n = fits.newton;
  const l = fits.lbfgs!;
  const diff = n ? Math.max(...n.weights.map((w, j) => Math.abs(w - l.weights[j]!))) : undefined;
  console.log(
    `${rows} × ${cols}: ` +
      (n ? `newton ${n.seconds.toFixed(2)} s (${n.iterations} it), ` : 'newton skipped, ') +
      `lbfgs ${l.seconds.toFixed(2)} s (${l.iterations} it), peak RSS so far ${processPeakMb()} MB` +
      (n ? `, ratio ${(n.seconds / l.seconds).toFixed(1)}×, max |Δw| ${diff!.toExponential(1)}` : ''),
  );
}
