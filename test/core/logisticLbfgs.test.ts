import { describe, expect, it } from 'vitest';
import type { LabelledData } from '../../core/dataset.js';
import { minimiseLbfgs } from '../../core/models/lbfgs.js';
import { predictProbaLogistic, trainLogisticRegression } from '../../core/models/logisticRegression.js';
import { seededRandom, type RandomSource } from '../../core/random.js';
import { logisticSolverFor } from '../../core/resources/memoryEstimate.js';

function gaussian(rng: RandomSource): number {
  const u = 1 - rng.next();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng.next());
}

/** Noisy linear data: y = 1 when Σ_j<informative x_j + ε > threshold. */
function noisyLinear(seed: number, rows: number, cols: number, informative: number, threshold: number): LabelledData {
  const rng = seededRandom(seed);
  const values = new Float64Array(rows * cols);
  const y = new Uint8Array(rows);
  for (let i = 0; i < rows; i++) {
    let s = 0;
    for (let j = 0; j < cols; j++) {
      const v = gaussian(rng);
      values[i * cols + j] = v;
      if (j < informative) s += v;
    }
    y[i] = s + gaussian(rng) > threshold ? 1 : 0;
  }
  return { x: { rows, cols, values }, y };
}

describe('L-BFGS', () => {
  it('finds the minimum of a convex quadratic', () => {
    // f(x) = ½ Σ a_j (x_j − c_j)², minimum at c.
    const a = Float64Array.from([1, 10, 100, 0.5]);
    const c = Float64Array.from([3, -2, 0.5, 7]);
    const r = minimiseLbfgs(
      (x, g) => {
        let v = 0;
        for (let j = 0; j < 4; j++) {
          v += 0.5 * a[j]! * (x[j]! - c[j]!) ** 2;
          g[j] = a[j]! * (x[j]! - c[j]!);
        }
        return v;
      },
      new Float64Array(4),
      { tolerance: 1e-10 },
    );
    expect(r.converged).toBe(true);
    for (let j = 0; j < 4; j++) expect(r.x[j]).toBeCloseTo(c[j]!, 8);
  });

  it('fits the same logistic regression as Newton on a small problem', () => {
    const data = noisyLinear(7, 600, 6, 3, 1.5);
    const weights = Float64Array.from({ length: 600 }, (_, i) => 1 + (i % 3));
    for (const options of [{ l2: 1e-3 }, { l2: 1e-4, classWeight: 'balanced' as const, sampleWeights: weights }]) {
      const newton = trainLogisticRegression(data, { ...options, solver: 'newton', tolerance: 1e-9 });
      const lbfgs = trainLogisticRegression(data, { ...options, solver: 'lbfgs', tolerance: 1e-9 });
      expect(newton.converged).toBe(true);
      expect(lbfgs.converged).toBe(true);
      expect(lbfgs.iterations).toBeGreaterThan(newton.iterations);
      for (let j = 0; j < 6; j++) expect(Math.abs(lbfgs.weights[j]! - newton.weights[j]!)).toBeLessThan(1e-6);
      expect(Math.abs(lbfgs.intercept - newton.intercept)).toBeLessThan(1e-6);
    }
  });

  it('trains a 2,000-column logistic regression (auto picks L-BFGS) that separates its classes', () => {
    const data = noisyLinear(11, 800, 2000, 5, 2);
    const model = trainLogisticRegression(data, { l2: 1e-2 });
    expect(model.featureCount).toBe(2000);
    expect(model.iterations).toBeGreaterThan(0);
    expect(model.converged).toBe(true);
    const p = predictProbaLogistic(model, data.x);
    let meanPos = 0;
    let meanNeg = 0;
    let pos = 0;
    for (let i = 0; i < data.y.length; i++) {
      if (data.y[i] === 1) {
        meanPos += p[i]!;
        pos++;
      } else meanNeg += p[i]!;
    }
    expect(pos).toBeGreaterThan(20);
    expect(meanPos / pos).toBeGreaterThan(meanNeg / (data.y.length - pos) + 0.3);
  });
});

describe("auto's solver", () => {
  it('takes Newton steps while the exact Hessian is cheap, and L-BFGS on many rows of many columns', () => {
    expect(logisticSolverFor(245_000, 3)).toBe('newton');
    expect(logisticSolverFor(5_000, 60)).toBe('newton');
    expect(logisticSolverFor(30_000, 300)).toBe('lbfgs');
    expect(logisticSolverFor(40_000, 100)).toBe('lbfgs');
    expect(logisticSolverFor(100, 301)).toBe('lbfgs');
  });

  it('reaches the Newton solution by L-BFGS where auto switches', () => {
    const data = noisyLinear(5, 6_000, 100, 5, 1);
    expect(logisticSolverFor(data.x.rows, data.x.cols)).toBe('lbfgs');
    const auto = trainLogisticRegression(data);
    const newton = trainLogisticRegression(data, { solver: 'newton' });
    expect(auto.converged).toBe(true);
    const gap = Math.max(...auto.weights.map((w, j) => Math.abs(w - newton.weights[j]!)));
    expect(gap).toBeLessThan(1e-2);
  });
});
