// L2-regularised binary logistic regression trained by damped Newton steps (exact Hessian, Cholesky solve), or by
// L-BFGS above a few hundred features; the fitted model is a JSON-plain object that carries its own standardiser.

import type { FeatureMatrix, LabelledData } from '../dataset.js';
import { classCounts } from '../dataset.js';
import { InvalidInputError } from '../invalidInputError.js';
import { checkSampleWeights } from '../sampling/sampleWeights.js';
import { logisticSolverFor } from '../resources/memoryEstimate.js';
import { fitLogisticLbfgs } from './logisticLbfgs.js';
import { solveNewtonStep } from './newtonStep.js';
import { applyStandardiser, fitStandardiser, identityStandardiser, type Standardiser } from './standardiser.js';

export interface LogisticRegressionOptions {
  /**
   * L2 penalty per sample: the objective is mean(weighted log-loss) + l2/2 · ‖w‖². The intercept is not
   * penalised. scikit-learn's `C` corresponds to l2 = 1 / (C · n).
   * @default 1e-4
   */
  l2?: number;
  /**
   * Maximum Newton iterations.
   * @default 200
   */
  maxIterations?: number;
  /**
   * Converged when the largest absolute gradient component of the objective is at most this.
   * @default 1e-6
   */
  tolerance?: number;
  /**
   * `'balanced'` weights each row by n / (2 · n_class), as scikit-learn's `class_weight='balanced'`.
   * @default 'none'
   */
  classWeight?: 'none' | 'balanced';
  /**
   * Per-row weights s_i (e.g. the input's `sample_weight` column): finite, ≥ 0, with some weight > 0 in each
   * class. The log-likelihood, its gradient and Hessian and the standardiser are weighted, so integer weights
   * fit the same model as rows repeated that many times. With `classWeight: 'balanced'` the class weights are
   * Σs / (2 · Σs over the class) and multiply s_i.
   * @default none (every row weighs 1)
   */
  sampleWeights?: ArrayLike<number>;
  /**
   * Standardise features (fitted on this training data) before fitting; the weights then live in the
   * standardised space and the standardiser is stored in the model.
   * @default true
   */
  standardise?: boolean;
  /**
   * `'newton'`: exact (d+1)² Hessian, few iterations, memory and time quadratic in the features. `'lbfgs'`: limited-
   * memory quasi-Newton on the same objective (at most 5 × maxIterations steps), linear in the features. `'auto'`:
   * Newton up to 300 features while rows × features² stays under 5 × 10⁷ (resources/memoryEstimate.ts), L-BFGS above.
   * @default 'auto'
   */
  solver?: 'auto' | 'newton' | 'lbfgs';
}

export interface LogisticModel {
  kind: 'logreg';
  featureCount: number;
  /** Coefficients on the standardised features. */
  weights: number[];
  intercept: number;
  standardiser: Standardiser;
  /** Newton iterations taken. */
  iterations: number;
  /** Whether the gradient fell to `tolerance` within `maxIterations`. */
  converged: boolean;
}

interface ResolvedOptions {
  l2: number;
  maxIterations: number;
  tolerance: number;
  classWeight: 'none' | 'balanced';
  standardise: boolean;
  solver: 'auto' | 'newton' | 'lbfgs';
}

function resolveOptions(options: LogisticRegressionOptions): ResolvedOptions {
  const l2 = options.l2 ?? 1e-4;
  if (typeof l2 !== 'number' || !Number.isFinite(l2) || l2 < 0) {
    throw new InvalidInputError('l2', `l2: expected a finite number ≥ 0, got ${String(l2)}`);
  }
  const maxIterations = options.maxIterations ?? 200;
  if (!Number.isInteger(maxIterations) || maxIterations < 1) {
    throw new InvalidInputError('maxIterations', `maxIterations: expected an integer ≥ 1, got ${String(maxIterations)}`);
  }
  const tolerance = options.tolerance ?? 1e-6;
  if (typeof tolerance !== 'number' || !Number.isFinite(tolerance) || tolerance <= 0) {
    throw new InvalidInputError('tolerance', `tolerance: expected a finite number > 0, got ${String(tolerance)}`);
  }
  const classWeight = options.classWeight ?? 'none';
  if (classWeight !== 'none' && classWeight !== 'balanced') {
    throw new InvalidInputError('classWeight', `classWeight: expected 'none' or 'balanced', got ${JSON.stringify(classWeight)}`);
  }
  const standardise = options.standardise ?? true;
  if (typeof standardise !== 'boolean') {
    throw new InvalidInputError('standardise', `standardise: expected true or false, got ${JSON.stringify(standardise)}`);
  }
  const solver = options.solver ?? 'auto';
  if (solver !== 'auto' && solver !== 'newton' && solver !== 'lbfgs') {
    throw new InvalidInputError('solver', `solver: expected 'auto', 'newton' or 'lbfgs', got ${JSON.stringify(solver)}`);
  }
  return { l2, maxIterations, tolerance, classWeight, standardise, solver };
}

function validateData(data: LabelledData): void {
  const { x, y } = data;
  if (y.length !== x.rows) {
    throw new InvalidInputError('labels', `labels: expected one label per row (${x.rows}), got ${y.length}`);
  }
  for (let i = 0; i < y.length; i++) {
    if (y[i] !== 0 && y[i] !== 1) throw new InvalidInputError('labels', `labels: expected 0 or 1, got ${y[i]} at row ${i}`);
  }
  const [negatives, positives] = classCounts(y);
  if (negatives === 0 || positives === 0) {
    throw new InvalidInputError(
      'labels',
      `labels: expected both classes in the training data, got ${negatives} negatives and ${positives} positives`,
    );
  }
}

/** log(1 + e^z) without overflow. */
function softplus(z: number): number {
  return z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z));
}

/** 1 / (1 + e^−z), evaluated on the side where the exponential cannot overflow. */
export function sigmoid(z: number): number {
  if (z >= 0) return 1 / (1 + Math.exp(-z));
  const e = Math.exp(z);
  return e / (1 + e);
}

/**
 * Fit w, b minimising (1/W) Σ s_i · logloss(y_i, w·x_i + b) + l2/2 · ‖w‖², with W = Σ s_i.
 * Newton direction from the exact (d+1)² Hessian; a backtracking (Armijo) line search halves the step
 * whenever the full step does not decrease the objective enough, so separable data and poor starts stay stable.
 */
export function trainLogisticRegression(data: LabelledData, options: LogisticRegressionOptions = {}): LogisticModel {
  const opts = resolveOptions(options);
  validateData(data);
  const rowWeights = options.sampleWeights;
  if (rowWeights !== undefined) checkSampleWeights(rowWeights, data.y, 'sampleWeights');
  const d = data.x.cols;
  const n = data.x.rows;
  const standardiser = opts.standardise ? fitStandardiser(data.x, rowWeights) : identityStandardiser(d);
  if (!opts.standardise) {
    for (let i = 0; i < data.x.values.length; i++) {
      if (!Number.isFinite(data.x.values[i]!)) {
        const r = Math.floor(i / d);
        throw new InvalidInputError(
          `feature column ${i - r * d}`,
          `feature column ${i - r * d}: expected finite values, got ${data.x.values[i]} at row ${r}; impute or drop missing values before training`,
        );
      }
    }
  }
  const x = opts.standardise ? applyStandardiser(standardiser, data.x).values : data.x.values;
  const y = data.y;

  const sampleWeight = new Float64Array(n).fill(1);
  if (rowWeights !== undefined) {
    for (let i = 0; i < n; i++) sampleWeight[i] = rowWeights[i]!;
    if (opts.classWeight === 'balanced') {
      let positiveWeight = 0;
      let allWeight = 0;
      for (let i = 0; i < n; i++) {
        allWeight += sampleWeight[i]!;
        if (y[i] === 1) positiveWeight += sampleWeight[i]!;
      }
      const wNeg = allWeight / (2 * (allWeight - positiveWeight));
      const wPos = allWeight / (2 * positiveWeight);
      for (let i = 0; i < n; i++) sampleWeight[i]! *= y[i] === 1 ? wPos : wNeg;
    }
  } else if (opts.classWeight === 'balanced') {
    const [negatives, positives] = classCounts(y);
    const wNeg = n / (2 * negatives);
    const wPos = n / (2 * positives);
    for (let i = 0; i < n; i++) sampleWeight[i] = y[i] === 1 ? wPos : wNeg;
  }
  let totalWeight = 0;
  for (let i = 0; i < n; i++) totalWeight += sampleWeight[i]!;
  const invW = 1 / totalWeight;
  const l2 = opts.l2;

  // θ = [w_0 … w_{d−1}, b]; m = d + 1.
  const m = d + 1;
  const theta = new Float64Array(m);

  // Start from the intercept-only optimum: b = logit(weighted prevalence).
  let posWeight = 0;
  for (let i = 0; i < n; i++) if (y[i] === 1) posWeight += sampleWeight[i]!;
  theta[d] = Math.log(posWeight / (totalWeight - posWeight));

  if (opts.solver === 'lbfgs' || (opts.solver === 'auto' && logisticSolverFor(n, d) === 'lbfgs')) {
    const fit = fitLogisticLbfgs({ x, y, sampleWeight, n, d, l2 }, theta, {
      maxIterations: 5 * opts.maxIterations,
      tolerance: opts.tolerance,
    });
    return {
      kind: 'logreg',
      featureCount: d,
      weights: Array.from(fit.theta.subarray(0, d)),
      intercept: fit.theta[d]!,
      standardiser,
      iterations: fit.iterations,
      converged: fit.converged,
    };
  }
  const trial = new Float64Array(m);
  const grad = new Float64Array(m);
  const hess = new Float64Array(m * m);
  const step = new Float64Array(m);
  const factor = new Float64Array(m * m);
  const z = new Float64Array(n);

  const linearPredictor = (params: Float64Array): void => {
    const b = params[d]!;
    for (let i = 0; i < n; i++) {
      const base = i * d;
      let s = b;
      for (let j = 0; j < d; j++) s += x[base + j]! * params[j]!;
      z[i] = s;
    }
  };
  const objective = (params: Float64Array): number => {
    linearPredictor(params);
    let loss = 0;
    for (let i = 0; i < n; i++) loss += sampleWeight[i]! * (softplus(z[i]!) - y[i]! * z[i]!);
    let penalty = 0;
    for (let j = 0; j < d; j++) penalty += params[j]! * params[j]!;
    return loss * invW + 0.5 * l2 * penalty;
  };

  let loss = objective(theta);
  let iterations = 0;
  let converged = false;
  for (;;) {
    // Gradient and Hessian at theta; z already holds theta's linear predictor.
    grad.fill(0);
    hess.fill(0);
    for (let i = 0; i < n; i++) {
      const p = sigmoid(z[i]!);
      const s = sampleWeight[i]!;
      const r = s * (p - y[i]!);
      const h = s * p * (1 - p);
      const base = i * d;
      for (let j = 0; j < d; j++) {
        const xij = x[base + j]!;
        grad[j]! += r * xij;
        const hx = h * xij;
        const row = j * m;
        for (let k = 0; k <= j; k++) hess[row + k]! += hx * x[base + k]!;
        hess[row + d]! += hx;
      }
      grad[d]! += r;
      hess[d * m + d]! += h;
    }
    let gradMax = 0;
    for (let j = 0; j < m; j++) {
      grad[j] = grad[j]! * invW + (j < d ? l2 * theta[j]! : 0);
      gradMax = Math.max(gradMax, Math.abs(grad[j]!));
    }
    if (gradMax <= opts.tolerance) {
      converged = true;
      break;
    }
    if (iterations >= opts.maxIterations) break;
    iterations++;

    // The loop filled the lower triangle of the w block and column d of each row; mirror into a full matrix.
    for (let j = 0; j < d; j++) {
      for (let k = 0; k <= j; k++) {
        const v = hess[j * m + k]! * invW + (j === k ? l2 : 0);
        hess[j * m + k] = v;
        hess[k * m + j] = v;
      }
      const v = hess[j * m + d]! * invW;
      hess[j * m + d] = v;
      hess[d * m + j] = v;
    }
    hess[d * m + d] = hess[d * m + d]! * invW;

    solveNewtonStep(hess, m, grad, step, factor);

    // Armijo backtracking along −step.
    let slope = 0;
    for (let j = 0; j < m; j++) slope += grad[j]! * step[j]!;
    let t = 1;
    let accepted = false;
    for (let halvings = 0; halvings < 50; halvings++) {
      for (let j = 0; j < m; j++) trial[j] = theta[j]! - t * step[j]!;
      const trialLoss = objective(trial);
      if (trialLoss <= loss - 1e-4 * t * slope) {
        theta.set(trial);
        loss = trialLoss;
        accepted = true;
        break;
      }
      t *= 0.5;
    }
    // No decrease representable along the Newton direction: stop, reporting converged = false.
    if (!accepted) break;
  }
  return {
    kind: 'logreg',
    featureCount: d,
    weights: Array.from(theta.subarray(0, d)),
    intercept: theta[d]!,
    standardiser,
    iterations,
    converged,
  };
}

/** The standardiser folded into the weights, once: w·(x − μ)/σ + b = (w/σ)·x + (b − Σ w μ/σ). */
export function foldedLogisticWeights(model: LogisticModel): { effective: Float64Array; offset: number } {
  const d = model.featureCount;
  const effective = new Float64Array(d);
  let offset = model.intercept;
  for (let j = 0; j < d; j++) {
    const w = model.weights[j]! / model.standardiser.scale[j]!;
    effective[j] = w;
    offset -= w * model.standardiser.mean[j]!;
  }
  return { effective, offset };
}

/** P(y = 1 | x) for each row of `x`, with a sigmoid that cannot overflow. */
export function predictProbaLogistic(model: LogisticModel, x: FeatureMatrix): Float64Array {
  const d = model.featureCount;
  if (x.cols !== d) {
    throw new InvalidInputError('feature matrix', `feature matrix: expected ${d} feature columns (as trained), got ${x.cols}`);
  }
  const { effective, offset } = foldedLogisticWeights(model);
  const out = new Float64Array(x.rows);
  const values = x.values;
  for (let i = 0; i < x.rows; i++) {
    const base = i * d;
    let s = offset;
    for (let j = 0; j < d; j++) s += values[base + j]! * effective[j]!;
    out[i] = sigmoid(s);
  }
  return out;
}
