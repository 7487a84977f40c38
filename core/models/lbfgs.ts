// Limited-memory BFGS (Nocedal & Wright, Numerical Optimization, Algorithm 7.4 and 7.5) for smooth convex
// objectives: memory O(history · n) instead of the n² of a Newton step, so wide models stay bounded.

export interface LbfgsOptions {
  /** Iterations (accepted steps) at most. @default 1000 */
  maxIterations?: number;
  /** Converged when the largest absolute gradient component is at most this. @default 1e-6 */
  tolerance?: number;
  /** Correction pairs (s, y) kept. @default 10 */
  history?: number;
}

export interface LbfgsResult {
  x: Float64Array;
  value: number;
  iterations: number;
  converged: boolean;
}

/** Objective at `x`; writes its gradient into `grad`. */
export type ObjectiveWithGradient = (x: Float64Array, grad: Float64Array) => number;

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

function maxAbs(a: Float64Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]!));
  return m;
}

/**
 * Minimises `f` from `x0` (not modified). Directions by the two-loop recursion with the initial Hessian scaled by
 * sᵀy / yᵀy; steps by Armijo backtracking. A pair with sᵀy ≤ 0 is not stored, so the implied Hessian stays positive.
 */
export function minimiseLbfgs(f: ObjectiveWithGradient, x0: Float64Array, options: LbfgsOptions = {}): LbfgsResult {
  const maxIterations = options.maxIterations ?? 1000;
  const tolerance = options.tolerance ?? 1e-6;
  const m = options.history ?? 10;
  const n = x0.length;
  const x = Float64Array.from(x0);
  const grad = new Float64Array(n);
  const trial = new Float64Array(n);
  const trialGrad = new Float64Array(n);
  const direction = new Float64Array(n);
  const sNew = new Float64Array(n);
  const yNew = new Float64Array(n);
  const s = Array.from({ length: m }, () => new Float64Array(n));
  const y = Array.from({ length: m }, () => new Float64Array(n));
  const rho = new Float64Array(m);
  const alpha = new Float64Array(m);
  let stored = 0;
  let newest = -1;

  let value = f(x, grad);
  let iterations = 0;
  let converged = false;
  for (;;) {
    if (maxAbs(grad) <= tolerance) {
      converged = true;
      break;
    }
    if (iterations >= maxIterations) break;

    // Two-loop recursion: direction = H·grad; the step is −direction.
    direction.set(grad);
    for (let k = 0; k < stored; k++) {
      const i = (newest - k + m) % m;
      alpha[i] = rho[i]! * dot(s[i]!, direction);
      for (let j = 0; j < n; j++) direction[j]! -= alpha[i]! * y[i]![j]!;
    }
    if (stored > 0) {
      const gamma = dot(s[newest]!, y[newest]!) / dot(y[newest]!, y[newest]!);
      for (let j = 0; j < n; j++) direction[j]! *= gamma;
    } else {
      // First step: a gradient step scaled to unit length in the largest component.
      const g = maxAbs(grad);
      for (let j = 0; j < n; j++) direction[j]! /= g;
    }
    for (let k = stored - 1; k >= 0; k--) {
      const i = (newest - k + m) % m;
      const beta = rho[i]! * dot(y[i]!, direction);
      for (let j = 0; j < n; j++) direction[j]! += (alpha[i]! - beta) * s[i]![j]!;
    }
    let slope = dot(grad, direction);
    if (!(slope > 0)) {
      // Not a descent direction (numerical trouble): restart from the gradient.
      stored = 0;
      direction.set(grad);
      slope = dot(grad, grad);
    }

    let t = 1;
    let accepted = false;
    let trialValue = value;
    for (let halvings = 0; halvings < 50; halvings++) {
      for (let j = 0; j < n; j++) trial[j] = x[j]! - t * direction[j]!;
      trialValue = f(trial, trialGrad);
      if (trialValue <= value - 1e-4 * t * slope) {
        accepted = true;
        break;
      }
      t *= 0.5;
    }
    if (!accepted) break;
    iterations++;

    for (let j = 0; j < n; j++) {
      sNew[j] = trial[j]! - x[j]!;
      yNew[j] = trialGrad[j]! - grad[j]!;
    }
    const sy = dot(sNew, yNew);
    if (sy > 1e-12 * Math.sqrt(dot(sNew, sNew) * dot(yNew, yNew))) {
      const next = (newest + 1) % m;
      s[next]!.set(sNew);
      y[next]!.set(yNew);
      rho[next] = 1 / sy;
      newest = next;
      stored = Math.min(stored + 1, m);
    }
    x.set(trial);
    grad.set(trialGrad);
    value = trialValue;
  }
  return { x, value, iterations, converged };
}
