// Fast forest scoring: the trees flattened once per model into typed arrays (nodes breadth-first per tree, siblings
// side by side), then walked branch-free eight rows (or four trees) at a time, with the same sums as the plain walk.

import type { RandomForestModel } from './randomForest.js';

/**
 * A forest laid out for scoring. Node `n` sends a row to `children[2n + (x[feature[n]] <= threshold[n] ? 0 : 1)]`.
 * A leaf has both children pointing at itself (and feature 0, threshold +∞), so a walk that has reached it stays,
 * and a group of rows can step together without checking each one.
 */
export interface CompiledForest {
  featureCount: number;
  /** Root node of each tree, in the model's tree order. */
  roots: Int32Array;
  /** Edges from each tree's root to its deepest leaf: the most steps a walk of that tree takes. */
  depth: Int32Array;
  feature: Int32Array;
  threshold: Float64Array;
  /** Left child at 2n, right child at 2n + 1. */
  children: Int32Array;
  /** Leaf positive-class frequency (the model's `value`), also kept at inner nodes. */
  value: Float64Array;
}

/** Rows scored per pass over the trees: their features (rows × 8 bytes × features) stay in cache across trees. */
const ROW_BLOCK = 1024;

const compiled = new WeakMap<RandomForestModel, CompiledForest>();

/**
 * The forest's scoring layout, built on first use and kept with the model object (a model is immutable once
 * fitted or loaded), so a batch scored chunk by chunk converts the node lists once, not once per chunk.
 */
export function compileForest(model: RandomForestModel): CompiledForest {
  let forest = compiled.get(model);
  if (forest === undefined) {
    forest = buildCompiledForest(model);
    compiled.set(model, forest);
  }
  return forest;
}

/**
 * Breadth-first renumbering per tree: the top levels, which every row visits, share a few cache lines, and the two
 * children of a node are adjacent, so one load of `children` serves either branch.
 */
function buildCompiledForest(model: RandomForestModel): CompiledForest {
  const nodes = model.feature.length;
  const trees = model.roots.length;
  const feature = new Int32Array(nodes);
  const threshold = new Float64Array(nodes);
  const children = new Int32Array(2 * nodes);
  const value = new Float64Array(nodes);
  const roots = new Int32Array(trees);
  const depth = new Int32Array(trees);
  const queue = new Int32Array(nodes);
  const level = new Int32Array(nodes);
  let next = 0;
  for (let t = 0; t < trees; t++) {
    // queue[i] is the model node that becomes node next + i; children are numbered as they are queued.
    const first = next;
    let head = 0;
    let tail = 0;
    queue[tail] = model.roots[t]!;
    level[tail++] = 0;
    let deepest = 0;
    while (head < tail) {
      const id = first + head;
      const old = queue[head]!;
      const d = level[head++]!;
      value[id] = model.value[old]!;
      const f = model.feature[old]!;
      if (f < 0) {
        threshold[id] = Number.POSITIVE_INFINITY;
        children[2 * id] = id;
        children[2 * id + 1] = id;
        if (d > deepest) deepest = d;
        continue;
      }
      feature[id] = f;
      threshold[id] = model.threshold[old]!;
      children[2 * id] = first + tail;
      queue[tail] = model.left[old]!;
      level[tail++] = d + 1;
      children[2 * id + 1] = first + tail;
      queue[tail] = model.right[old]!;
      level[tail++] = d + 1;
    }
    roots[t] = first;
    depth[t] = deepest;
    next = first + tail;
  }
  return { featureCount: model.featureCount, roots, depth, feature, threshold, children, value };
}

/**
 * Adds each tree's leaf value, in tree order, to `out[r]` for rows `start..end` of the row-major `values`, then
 * scales by 1 / trees: the plain walk's arithmetic in its order, so the scores are bit-identical to it.
 *
 * Rows go in blocks of ROW_BLOCK, trees outside rows inside (one tree's nodes stay in cache over the block); within
 * a tree eight rows step together, each step `n = children[2n + (x > threshold)]` without a branch, checking every
 * four steps whether all eight reached a leaf. The walk's cost is then the dependent loads, overlapped eight ways,
 * rather than one mispredicted branch per level.
 */
export function scoreCompiledForest(forest: CompiledForest, values: Float64Array, start: number, end: number, out: Float64Array): void {
  const d = forest.featureCount;
  const { roots, depth, feature: F, threshold: T, children: K, value: V } = forest;
  const trees = roots.length;
  for (let r = start; r < end; r++) out[r] = 0;
  for (let blockStart = start; blockStart < end; blockStart += ROW_BLOCK) {
    const blockEnd = Math.min(end, blockStart + ROW_BLOCK);
    for (let t = 0; t < trees; t++) {
      const root = roots[t]!;
      const steps = depth[t]!;
      let r = blockStart;
      for (; r + 8 <= blockEnd; r += 8) {
        const b0 = r * d;
        const b1 = b0 + d;
        const b2 = b1 + d;
        const b3 = b2 + d;
        const b4 = b3 + d;
        const b5 = b4 + d;
        const b6 = b5 + d;
        const b7 = b6 + d;
        let n0 = root;
        let n1 = root;
        let n2 = root;
        let n3 = root;
        let n4 = root;
        let n5 = root;
        let n6 = root;
        let n7 = root;
        for (let k = 0; k < steps; k += 4) {
          for (let j = 0; j < 4; j++) {
            n0 = K[2 * n0 + +!(values[b0 + F[n0]!]! <= T[n0]!)]!;
            n1 = K[2 * n1 + +!(values[b1 + F[n1]!]! <= T[n1]!)]!;
            n2 = K[2 * n2 + +!(values[b2 + F[n2]!]! <= T[n2]!)]!;
            n3 = K[2 * n3 + +!(values[b3 + F[n3]!]! <= T[n3]!)]!;
            n4 = K[2 * n4 + +!(values[b4 + F[n4]!]! <= T[n4]!)]!;
            n5 = K[2 * n5 + +!(values[b5 + F[n5]!]! <= T[n5]!)]!;
            n6 = K[2 * n6 + +!(values[b6 + F[n6]!]! <= T[n6]!)]!;
            n7 = K[2 * n7 + +!(values[b7 + F[n7]!]! <= T[n7]!)]!;
          }
          if (
            K[2 * n0] === n0 &&
            K[2 * n1] === n1 &&
            K[2 * n2] === n2 &&
            K[2 * n3] === n3 &&
            K[2 * n4] === n4 &&
            K[2 * n5] === n5 &&
            K[2 * n6] === n6 &&
            K[2 * n7] === n7
          ) {
            break;
          }
        }
        out[r]! += V[n0]!;
        out[r + 1]! += V[n1]!;
        out[r + 2]! += V[n2]!;
        out[r + 3]! += V[n3]!;
        out[r + 4]! += V[n4]!;
        out[r + 5]! += V[n5]!;
        out[r + 6]! += V[n6]!;
        out[r + 7]! += V[n7]!;
      }
      for (; r < blockEnd; r++) {
        const base = r * d;
        let n = root;
        while (K[2 * n] !== n) n = K[2 * n + +!(values[base + F[n]!]! <= T[n]!)]!;
        out[r]! += V[n]!;
      }
    }
  }
  const inv = 1 / trees;
  for (let r = start; r < end; r++) out[r]! *= inv;
}

/**
 * A scorer of one row (a service's request): four trees walked together, their leaf values added in tree order,
 * so the score is bit-identical to the batch path's.
 */
export function compiledForestRowScorer(forest: CompiledForest): (x: Float64Array) => number {
  const { roots, depth, feature: F, threshold: T, children: K, value: V } = forest;
  const trees = roots.length;
  const inv = 1 / trees;
  return (x) => {
    let sum = 0;
    let t = 0;
    for (; t + 4 <= trees; t += 4) {
      let n0 = roots[t]!;
      let n1 = roots[t + 1]!;
      let n2 = roots[t + 2]!;
      let n3 = roots[t + 3]!;
      const steps = Math.max(depth[t]!, depth[t + 1]!, depth[t + 2]!, depth[t + 3]!);
      for (let k = 0; k < steps; k += 4) {
        for (let j = 0; j < 4; j++) {
          n0 = K[2 * n0 + +!(x[F[n0]!]! <= T[n0]!)]!;
          n1 = K[2 * n1 + +!(x[F[n1]!]! <= T[n1]!)]!;
          n2 = K[2 * n2 + +!(x[F[n2]!]! <= T[n2]!)]!;
          n3 = K[2 * n3 + +!(x[F[n3]!]! <= T[n3]!)]!;
        }
        if (K[2 * n0] === n0 && K[2 * n1] === n1 && K[2 * n2] === n2 && K[2 * n3] === n3) break;
      }
      sum += V[n0]!;
      sum += V[n1]!;
      sum += V[n2]!;
      sum += V[n3]!;
    }
    for (; t < trees; t++) {
      let n = roots[t]!;
      while (K[2 * n] !== n) n = K[2 * n + +!(x[F[n]!]! <= T[n]!)]!;
      sum += V[n]!;
    }
    return sum * inv;
  };
}
