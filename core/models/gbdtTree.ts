// One regression tree of the boosting loop, grown leaf-wise (best-first) on binned features from the rows'
// gradients and hessians, with histogram subtraction: only the smaller child's histogram is built from its rows.

import { MISSING_BIN } from './gbdtBinning.js';
import type { HistogramInputs, NodeHistograms } from './gbdtHistograms.js';
import { bestSplit, subtractHistogram, type NodeHistogram, type NodeSplit, type SplitConstraints } from './gbdtSplit.js';

/** The binned training rows a tree is grown on, their gradients, and the work buffers its growth reuses. */
export interface GbdtTrainingBins extends HistogramInputs {
  /** Value bins of each feature (cut points + 1). */
  valueBins: Int32Array;
  /** Cut points of each feature: the real threshold of a split at bin b is edges[f][b]. */
  edges: number[][];
  scratch: Int32Array;
  /** Builds and keeps the nodes' histograms (maxLeafNodes of them at most). */
  histograms: NodeHistograms;
}

export interface TreeGrowthParams extends SplitConstraints {
  maxLeafNodes: number;
  learningRate: number;
}

/** A grown tree, node 0 its root; children come after their parent. Leaves have feature −1. */
export interface GbdtTree {
  feature: number[];
  /** Rows with bin ≤ bin go left (missing rows by `missingLeft`). */
  bin: number[];
  /** The same split on raw values: x ≤ threshold goes left. */
  threshold: number[];
  missingLeft: boolean[];
  left: number[];
  right: number[];
  /** Leaf raw-score increment (learning rate applied); 0 at inner nodes. */
  value: number[];
}

/** Stands for +∞ (JSON cannot hold it) in the split of the missing rows from all the others. */
export const ALL_VALUES_LEFT = Number.MAX_VALUE;

interface GrowingNode {
  id: number;
  start: number;
  end: number;
  gradient: number;
  hessian: number;
  histogram: NodeHistogram | null;
  split: NodeSplit | null;
}

/**
 * Grows one tree and adds its leaf values to `raw` (the training rows' raw scores). Leaf-wise: the leaf whose best
 * split gains most is split next, until `maxLeafNodes` leaves or no leaf can be split. A leaf's value is
 * −learningRate · G / (H + λ), the Newton step of the logistic loss.
 */
export async function growGbdtTree(bins: GbdtTrainingBins, p: TreeGrowthParams, raw: Float64Array): Promise<GbdtTree> {
  const { codes, rows: n, rowIndex, scratch, gradients, hessians, histograms } = bins;
  for (let i = 0; i < n; i++) rowIndex[i] = i;
  let partitioned = 0;
  const tree: GbdtTree = { feature: [], bin: [], threshold: [], missingLeft: [], left: [], right: [], value: [] };
  const addNode = (): number => {
    tree.feature.push(-1);
    tree.bin.push(0);
    tree.threshold.push(0);
    tree.missingLeft.push(false);
    tree.left.push(-1);
    tree.right.push(-1);
    tree.value.push(0);
    return tree.feature.length - 1;
  };
  const histogramOf = (start: number, end: number): NodeHistogram | Promise<NodeHistogram> =>
    histograms.build(start, end, start === 0 && end === n && partitioned === 0);
  const withSplit = (node: GrowingNode): GrowingNode => {
    const count = node.end - node.start;
    if (count >= 2 * p.minSamplesLeaf && node.histogram) {
      node.split = bestSplit(node.histogram, bins.valueBins, { gradient: node.gradient, hessian: node.hessian, count }, p);
    }
    return node;
  };

  let rootGradient = 0;
  let rootHessian = 0;
  for (let i = 0; i < n; i++) {
    rootGradient += gradients[i]!;
    rootHessian += hessians[i]!;
  }
  const root = withSplit({
    id: addNode(),
    start: 0,
    end: n,
    gradient: rootGradient,
    hessian: rootHessian,
    histogram: await histogramOf(0, n),
    split: null,
  });
  const leaves: GrowingNode[] = [root];
  while (leaves.length < p.maxLeafNodes) {
    let pick = -1;
    for (let i = 0; i < leaves.length; i++) {
      const s = leaves[i]!.split;
      if (s && (pick < 0 || s.gain > leaves[pick]!.split!.gain)) pick = i;
    }
    if (pick < 0) break;
    const node = leaves[pick]!;
    const s = node.split!;
    const leftEnd = partitionRows(node, s, codes, n, rowIndex, scratch);
    partitioned++;
    const leftId = addNode();
    const rightId = addNode();
    tree.feature[node.id] = s.feature;
    tree.bin[node.id] = s.bin;
    const cuts = bins.edges[s.feature]!;
    tree.threshold[node.id] = s.bin < cuts.length ? cuts[s.bin]! : ALL_VALUES_LEFT;
    tree.missingLeft[node.id] = s.missingLeft;
    tree.left[node.id] = leftId;
    tree.right[node.id] = rightId;
    const leftCount = leftEnd - node.start;
    const rightCount = node.end - leftEnd;
    const canSplitMore = leaves.length + 1 < p.maxLeafNodes;
    let leftHist: NodeHistogram | null = null;
    let rightHist: NodeHistogram | null = null;
    if (canSplitMore) {
      // Histogram subtraction: build the smaller child from its rows, the larger one is parent − smaller.
      if (leftCount <= rightCount) {
        leftHist = await histogramOf(node.start, leftEnd);
        rightHist = subtractHistogram(node.histogram!, leftHist);
      } else {
        rightHist = await histogramOf(leftEnd, node.end);
        leftHist = subtractHistogram(node.histogram!, rightHist);
      }
    }
    if (!canSplitMore) histograms.release(node.histogram!);
    node.histogram = null;
    const leftNode = withSplit({
      id: leftId,
      start: node.start,
      end: leftEnd,
      gradient: s.leftGradient,
      hessian: s.leftHessian,
      histogram: leftHist,
      split: null,
    });
    const rightNode = withSplit({
      id: rightId,
      start: leftEnd,
      end: node.end,
      gradient: node.gradient - s.leftGradient,
      hessian: node.hessian - s.leftHessian,
      histogram: rightHist,
      split: null,
    });
    leaves.splice(pick, 1, leftNode, rightNode);
  }
  for (const leaf of leaves) {
    if (leaf.histogram) histograms.release(leaf.histogram);
    const value = (-p.learningRate * leaf.gradient) / Math.max(leaf.hessian + p.l2, 1e-15);
    tree.value[leaf.id] = value;
    for (let i = leaf.start; i < leaf.end; i++) raw[rowIndex[i]!]! += value;
  }
  return tree;
}

/** Stable partition of the node's rows: those going left first. Returns where the right child's rows begin. */
function partitionRows(node: GrowingNode, s: NodeSplit, codes: Uint8Array, n: number, rowIndex: Int32Array, scratch: Int32Array): number {
  const base = s.feature * n;
  let l = node.start;
  let r = 0;
  for (let i = node.start; i < node.end; i++) {
    const row = rowIndex[i]!;
    const code = codes[base + row]!;
    const goLeft = code === MISSING_BIN ? s.missingLeft : code <= s.bin;
    if (goLeft) rowIndex[l++] = row;
    else scratch[r++] = row;
  }
  rowIndex.set(scratch.subarray(0, r), l);
  return l;
}

/** Raw-score increment of the tree for binned rows (feature-major over `rows`), added into `raw`. */
export function addTreeOnBins(tree: GbdtTree, codes: Uint8Array, rows: number, raw: Float64Array): void {
  for (let r = 0; r < rows; r++) {
    let node = 0;
    let f = tree.feature[0]!;
    while (f >= 0) {
      const code = codes[f * rows + r]!;
      const goLeft = code === MISSING_BIN ? tree.missingLeft[node]! : code <= tree.bin[node]!;
      node = goLeft ? tree.left[node]! : tree.right[node]!;
      f = tree.feature[node]!;
    }
    raw[r]! += tree.value[node]!;
  }
}
