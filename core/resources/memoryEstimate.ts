// Memory a stage will need, estimated from its shape before it allocates anything, and the one check that refuses
// a stage whose estimate is above the memory budget (RAREFLOW_MEMORY_BUDGET, read in data/memoryBudget.ts).

import { InvalidInputError } from '../invalidInputError.js';

/** Feature matrices are dense row-major Float64Array (core/dataset.ts). */
const VALUE_BYTES = 8;
/** One neighbour in a k-NN list: an Int32 index and a Float64 distance. */
const NEIGHBOUR_BYTES = 12;
/** One forest node (split feature, threshold, children, leaf value) in its flat arrays. */
const FOREST_NODE_BYTES = 40;
/** Above this many feature columns logistic regression uses L-BFGS, whose memory is linear in the columns. */
export const LBFGS_MIN_COLUMNS = 300;
/**
 * Above this rows × columns² (the work of one exact Hessian, about a tenth of a second) logistic regression uses
 * L-BFGS too: a Newton step then costs as much as dozens of L-BFGS steps (rows × columns each), and a 30,000-row
 * file of 300 columns took half a minute by Newton against a few seconds by L-BFGS.
 */
export const NEWTON_MAX_HESSIAN_WORK = 5e7;

/** The solver `auto` picks for logistic regression on `rows` × `columns`: Newton while its Hessian is cheap. */
export function logisticSolverFor(rows: number, columns: number): 'newton' | 'lbfgs' {
  return columns <= LBFGS_MIN_COLUMNS && rows * columns * columns <= NEWTON_MAX_HESSIAN_WORK ? 'newton' : 'lbfgs';
}
/** Correction pairs L-BFGS keeps (core/models/lbfgs.ts). */
export const LBFGS_HISTORY = 10;

export interface MemoryEstimate {
  /** The stage, as the user knows it: `adaptive sampling`, `ADASYN`, `training (logreg)`. */
  stage: string;
  bytes: number;
  /** How the figure was reached, e.g. `1000000000000000 rows × 12 columns × 8 bytes`. */
  detail: string;
  /** The spec key or flag that sets the size, named in the refusal (`sampling.targetSize`). */
  parameter: string;
}

export interface PipelineShape {
  /** N: the sample size asked for (reservoir slots are allocated for it). */
  targetSize: number;
  /** Rows the sample will hold: min(N, rows in the input). */
  rows: number;
  columns: number;
  /** The parameter that fixed `rows`, named when a stage is refused. @default 'sampling.targetSize' */
  rowsParameter?: string;
  /** What the first stage is called (`fit` reads its whole input instead of sampling). @default 'adaptive sampling' */
  readStage?: string;
  denoise?: { method: string; k?: number };
  adasyn?: { enabled: boolean; k?: number; beta?: number; maxSyntheticRatio?: number };
  model?: { kind: string; trees?: number; sampling?: string };
  /** Positives the sample will hold, when known: a balanced forest grows each tree on 2 × (positives + synthetic) rows. */
  positives?: number;
}

function product(...factors: number[]): number {
  return factors.reduce((a, b) => a * b, 1);
}

/**
 * Sampling: reservoir slots for `targetSize` row ids (a Float64 id and a label byte each, allocated up front
 * whatever the input holds), then the kept `rows` × `columns` read twice (DuckDB/Arrow buffers and the typed copy).
 */
export function sampleMemory(
  targetSize: number,
  rows: number,
  columns: number,
  parameter = 'sampling.targetSize',
  stage = 'adaptive sampling',
): MemoryEstimate {
  return {
    stage,
    bytes: product(targetSize, 9) + 2 * product(rows, columns, VALUE_BYTES),
    detail: `${targetSize > 0 ? `${targetSize} reservoir slots × 9 bytes, plus ` : ''}2 copies of ${rows} rows × ${columns} columns × ${VALUE_BYTES} bytes`,
    parameter,
  };
}

/** A neighbour filter or ADASYN: the standardised copy of the rows and one k-NN list per row. */
export function neighbourMemory(
  stage: string,
  rows: number,
  columns: number,
  k: number,
  parameter: string,
  outputRows = rows,
): MemoryEstimate {
  // A row has at most rows − 1 neighbours: a larger k is refused by the search's own check, which names it exactly.
  const listed = Math.min(k + 1, Math.max(rows, 1));
  return {
    stage,
    bytes: product(rows + outputRows, columns, VALUE_BYTES) + product(rows, listed, NEIGHBOUR_BYTES),
    detail: `${rows} rows in and ${outputRows} out × ${columns} columns × ${VALUE_BYTES} bytes, plus ${rows} × ${listed} neighbours × ${NEIGHBOUR_BYTES} bytes`,
    parameter,
  };
}

/** Logistic regression: a standardised copy of the rows, and a dense (d+1)² Newton matrix (twice) or L-BFGS pairs. */
export function logisticMemory(rows: number, columns: number): MemoryEstimate {
  const m = columns + 1;
  const newton = logisticSolverFor(rows, columns) === 'newton';
  const solver = newton ? 2 * product(m, m, VALUE_BYTES) : product(2 * LBFGS_HISTORY + 6, m, VALUE_BYTES);
  return {
    stage: 'training (logreg)',
    bytes: product(rows, columns, VALUE_BYTES) + product(rows, 3, VALUE_BYTES) + solver,
    detail: `${rows} rows × ${columns} columns × ${VALUE_BYTES} bytes, plus ${newton ? `2 Newton matrices of ${m}² values` : `${LBFGS_HISTORY} L-BFGS pairs of ${m} values`}`,
    parameter: 'sampling.targetSize',
  };
}

/** Random forest: a column-major copy of the rows and up to 2 nodes per row a tree is grown on. */
export function forestMemory(rows: number, columns: number, trees: number, treeRows = rows): MemoryEstimate {
  return {
    stage: 'training (forest)',
    bytes: product(rows, columns, VALUE_BYTES) + product(trees, 2 * treeRows, FOREST_NODE_BYTES) + product(rows, 4),
    detail: `${rows} rows × ${columns} columns × ${VALUE_BYTES} bytes, plus ${trees} trees of up to ${2 * treeRows} nodes × ${FOREST_NODE_BYTES} bytes`,
    parameter: 'model.trees',
  };
}

/** Every stage of one retrain on a sample of `shape.rows` rows, in pipeline order. */
export function pipelineMemory(shape: PipelineShape): MemoryEstimate[] {
  const rowsParameter = shape.rowsParameter ?? 'sampling.targetSize';
  const { rows, columns } = shape;
  const out: MemoryEstimate[] = [sampleMemory(shape.targetSize, rows, columns, rowsParameter, shape.readStage)];
  if (shape.denoise && shape.denoise.method !== 'none') {
    out.push(neighbourMemory('label-noise filtering', rows, columns, shape.denoise.k ?? 3, rowsParameter));
  }
  let trainRows = rows;
  if (shape.adasyn?.enabled) {
    // ADASYN adds at most (negatives − positives)·β rows, capped by maxSyntheticRatio × rows: bounded by rows·min(β, ratio).
    const growth = Math.min(shape.adasyn.beta ?? 1, shape.adasyn.maxSyntheticRatio ?? Number.POSITIVE_INFINITY);
    trainRows = rows + Math.ceil(rows * Math.max(0, growth));
    out.push(neighbourMemory('ADASYN', rows, columns, shape.adasyn.k ?? 5, rowsParameter, trainRows));
  }
  // `auto` may choose a forest on ordinary bootstraps: the largest of its candidates.
  if (shape.model?.kind === 'forest' || shape.model?.kind === 'auto') {
    const balanced = shape.model.kind === 'forest' && (shape.model.sampling ?? 'balanced') === 'balanced' && shape.positives !== undefined;
    out.push(
      forestMemory(
        trainRows,
        columns,
        shape.model.trees ?? 100,
        balanced ? Math.min(trainRows, 2 * (shape.positives! + trainRows - rows)) : trainRows,
      ),
    );
  } else if (shape.model) out.push({ ...logisticMemory(trainRows, columns), parameter: rowsParameter });
  return out;
}

/** 1536 → "1.5 KiB"; beyond a PiB as a power of ten. */
export function formatBytes(bytes: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let v = bytes;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  if (!Number.isFinite(v) || v >= 1e4) return `${bytes.toExponential(2)} bytes`;
  return u === 0 ? `${Math.round(v)} bytes` : `${v.toFixed(1)} ${units[u]}`;
}

export interface MemoryBudget {
  bytes: number;
  /** Where the budget came from, e.g. `RAREFLOW_MEMORY_BUDGET=8G` or `60% of 23.5 GiB of machine memory`. */
  source: string;
}

/**
 * Refuses the first estimate above the budget, naming the stage, the figures and the parameter to change.
 * A non-finite estimate (a size of 1e999) is refused too.
 */
export function checkMemoryBudget(estimates: readonly MemoryEstimate[], budget: MemoryBudget): void {
  for (const e of estimates) {
    if (Number.isFinite(e.bytes) && e.bytes <= budget.bytes) continue;
    throw new InvalidInputError(
      e.parameter,
      `${e.stage} would need about ${formatBytes(e.bytes)} of memory (${e.detail}), above the memory budget of ${formatBytes(budget.bytes)} (${budget.source}); ` +
        `lower ${e.parameter}, or raise RAREFLOW_MEMORY_BUDGET if the machine has the memory`,
    );
  }
}
