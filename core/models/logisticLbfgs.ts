// The logistic-regression objective minimised by L-BFGS instead of Newton steps: O(n·d) per iteration and O(d)
// memory, for feature counts where a dense (d+1)² Hessian would not fit or would take too long to factor.

import { minimiseLbfgs } from './lbfgs.js';

export interface LogisticProblem {
  /** Row-major n × d features (standardised or raw). */
  x: Float64Array;
  y: ArrayLike<number>;
  sampleWeight: Float64Array;
  n: number;
  d: number;
  /** L2 penalty on the weights, not the intercept. */
  l2: number;
}

/** log(1 + e^z) without overflow. */
function softplus(z: number): number {
  return z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z));
}

function sigmoid(z: number): number {
  if (z >= 0) return 1 / (1 + Math.exp(-z));
  const e = Math.exp(z);
  return e / (1 + e);
}

/**
 * θ = [w, b] minimising (1/W) Σ s_i · logloss(y_i, w·x_i + b) + l2/2 · ‖w‖², from `start` — the same objective
 * as the Newton solver in logisticRegression.ts.
 */
export function fitLogisticLbfgs(p: LogisticProblem, start: Float64Array, o: { maxIterations: number; tolerance: number }) {
  const { x, y, sampleWeight, n, d, l2 } = p;
  let totalWeight = 0;
  for (let i = 0; i < n; i++) totalWeight += sampleWeight[i]!;
  const invW = 1 / totalWeight;
  const objective = (theta: Float64Array, grad: Float64Array): number => {
    grad.fill(0);
    const b = theta[d]!;
    let loss = 0;
    for (let i = 0; i < n; i++) {
      const base = i * d;
      let z = b;
      for (let j = 0; j < d; j++) z += x[base + j]! * theta[j]!;
      const s = sampleWeight[i]!;
      loss += s * (softplus(z) - y[i]! * z);
      const r = s * (sigmoid(z) - y[i]!);
      if (r === 0) continue;
      for (let j = 0; j < d; j++) grad[j]! += r * x[base + j]!;
      grad[d]! += r;
    }
    let penalty = 0;
    for (let j = 0; j < d; j++) {
      penalty += theta[j]! * theta[j]!;
      grad[j] = grad[j]! * invW + l2 * theta[j]!;
    }
    grad[d] = grad[d]! * invW;
    return loss * invW + 0.5 * l2 * penalty;
  };
  const r = minimiseLbfgs(objective, start, { maxIterations: o.maxIterations, tolerance: o.tolerance });
  return { theta: r.x, iterations: r.iterations, converged: r.converged };
}
