// The Newton step of the logistic regression's solver: H · step = grad solved by a Cholesky factorisation, with a
// growing ridge on the diagonal when H is not numerically positive definite (a damped Newton step).

/**
 * In-place Cholesky factorisation of the symmetric m×m matrix `a` (row-major, lower triangle used).
 * Returns false when a pivot is not positive (matrix not numerically positive definite).
 */
function choleskyInPlace(a: Float64Array, m: number): boolean {
  for (let j = 0; j < m; j++) {
    let d = a[j * m + j]!;
    for (let k = 0; k < j; k++) d -= a[j * m + k]! * a[j * m + k]!;
    if (!(d > 0)) return false;
    const ljj = Math.sqrt(d);
    a[j * m + j] = ljj;
    for (let i = j + 1; i < m; i++) {
      let s = a[i * m + j]!;
      for (let k = 0; k < j; k++) s -= a[i * m + k]! * a[j * m + k]!;
      a[i * m + j] = s / ljj;
    }
  }
  return true;
}

/** Solve L Lᵀ out = b with the factor from `choleskyInPlace`. */
function choleskySolve(l: Float64Array, m: number, b: Float64Array, out: Float64Array): void {
  for (let i = 0; i < m; i++) {
    let s = b[i]!;
    for (let k = 0; k < i; k++) s -= l[i * m + k]! * out[k]!;
    out[i] = s / l[i * m + i]!;
  }
  for (let i = m - 1; i >= 0; i--) {
    let s = out[i]!;
    for (let k = i + 1; k < m; k++) s -= l[k * m + i]! * out[k]!;
    out[i] = s / l[i * m + i]!;
  }
}

/**
 * Solve H · step = grad by Cholesky. If H is not numerically positive definite (unpenalised, separable
 * data can make it near-singular), retry with a growing ridge on the diagonal: a damped Newton step.
 */
export function solveNewtonStep(hess: Float64Array, m: number, grad: Float64Array, step: Float64Array, factor: Float64Array): void {
  let maxDiag = 0;
  for (let j = 0; j < m; j++) maxDiag = Math.max(maxDiag, Math.abs(hess[j * m + j]!));
  let ridge = 0;
  for (let attempt = 0; attempt < 30; attempt++) {
    factor.set(hess);
    if (ridge > 0) for (let j = 0; j < m; j++) factor[j * m + j]! += ridge;
    if (choleskyInPlace(factor, m)) {
      choleskySolve(factor, m, grad, step);
      return;
    }
    ridge = ridge === 0 ? 1e-10 * Math.max(1, maxDiag) : ridge * 10;
  }
  // Hessian unusable: fall back to a gradient step.
  step.set(grad);
}
