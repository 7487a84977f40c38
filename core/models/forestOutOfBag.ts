// Out-of-bag scores of the random forest: every training row scored by the trees whose sample left it out,
// the forest's own estimate of how it scores rows it has not seen (Breiman 2001; scikit-learn's oob_decision_function_).

import type { LabelledData } from '../dataset.js';
import { gMean } from '../metrics/classMetrics.js';
import { confusionAtThreshold } from '../metrics/confusion.js';
import { averagePrecision } from '../metrics/rankingMetrics.js';
import { growTree, type BinnedFeatures, type GrownTree } from './forestTree.js';
import { assembleForest, prepareForestJob, type RandomForestModel, type RandomForestOptions } from './randomForest.js';

export interface ForestOutOfBag {
  /** Per training row: the mean positive-class probability over the trees that did not see it; NaN when every tree did. */
  scores: Float64Array;
  /** Per training row: how many trees did not see it (0 where the score is NaN). */
  treeCounts: Uint32Array;
  /** Rows with at least one out-of-bag tree, i.e. a finite score. */
  coveredRows: number;
  /** `coveredRows` / rows, in [0, 1]. */
  coverage: number;
}

/** A forest and the out-of-bag scores of the rows it was trained on. */
export interface ForestWithOutOfBag {
  model: RandomForestModel;
  outOfBag: ForestOutOfBag;
}

/**
 * The leaf of `tree` each out-of-bag row falls into, −1 for rows in the tree's bag (`inBag[r] > 0`). It walks the
 * bin codes, not raw values: a split at cut value t = cuts[f][b] sends x ≤ t left, which is exactly bin code ≤ b.
 */
export function outOfBagLeaves(
  binned: BinnedFeatures,
  tree: GrownTree,
  inBag: Uint32Array,
  leaves = new Int32Array(binned.rows),
): Int32Array {
  const { rows, cols, codes } = binned;
  const { feature, left, right } = tree;
  const splitBin = splitBins(binned, tree);
  for (let r = 0; r < rows; r++) {
    if (inBag[r]! > 0) {
      leaves[r] = -1;
      continue;
    }
    const base = r * cols;
    let node = 0;
    let f = feature[0]!;
    while (f >= 0) {
      node = codes[base + f]! <= splitBin[node]! ? left[node]! : right[node]!;
      f = feature[node]!;
    }
    leaves[r] = node;
  }
  return leaves;
}

/** Per node, the index b of its threshold among its feature's cuts (the split's last left bin); −1 at leaves. */
function splitBins(binned: BinnedFeatures, tree: GrownTree): Int32Array {
  const { feature, threshold } = tree;
  const bins = new Int32Array(feature.length).fill(-1);
  for (let node = 0; node < feature.length; node++) {
    const f = feature[node]!;
    if (f < 0) continue;
    const cuts = binned.cuts[f]!;
    const t = threshold[node]!;
    let lo = 0;
    let hi = cuts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (cuts[mid]! < t) lo = mid + 1;
      else hi = mid;
    }
    if (cuts[lo] !== t)
      throw new Error(`out-of-bag leaves: node ${node} splits at ${t}, which is not a cut of feature ${f}; this is a bug`);
    bins[node] = lo;
  }
  return bins;
}

/**
 * Sums the trees' out-of-bag votes per row. Trees may be added in any order (worker threads finish out of order);
 * they are summed in tree-index order all the same, so the scores are bit-identical on any number of threads.
 * A tree that arrives early waits, with its leaves, until the ones before it are in.
 */
export class OutOfBagVotes {
  private readonly sum: Float64Array;
  private readonly counts: Uint32Array;
  private readonly waiting = new Map<number, { value: Float64Array; leaves: Int32Array }>();
  private next = 0;

  constructor(rows: number) {
    this.sum = new Float64Array(rows);
    this.counts = new Uint32Array(rows);
  }

  add(treeIndex: number, tree: GrownTree, leaves: Int32Array): void {
    this.waiting.set(treeIndex, { value: tree.value, leaves });
    for (let ready = this.waiting.get(this.next); ready; ready = this.waiting.get(this.next)) {
      this.waiting.delete(this.next);
      this.next++;
      const { value, leaves: leafOf } = ready;
      for (let r = 0; r < leafOf.length; r++) {
        const leaf = leafOf[r]!;
        if (leaf >= 0) {
          this.sum[r]! += value[leaf]!;
          this.counts[r]!++;
        }
      }
    }
  }

  /** The scores after trees 0..trees−1 were all added. */
  finish(trees: number): ForestOutOfBag {
    if (this.next !== trees) throw new Error(`out-of-bag votes: expected ${trees} trees, got the first ${this.next}`);
    const rows = this.sum.length;
    const scores = new Float64Array(rows);
    let coveredRows = 0;
    for (let r = 0; r < rows; r++) {
      const c = this.counts[r]!;
      scores[r] = c > 0 ? this.sum[r]! / c : Number.NaN;
      if (c > 0) coveredRows++;
    }
    return { scores, treeCounts: this.counts, coveredRows, coverage: rows === 0 ? 0 : coveredRows / rows };
  }
}

/**
 * `trainRandomForest` that also scores every training row out of bag. The trees, hence the model, are identical to
 * `trainRandomForest`'s: the bag each tree draws is read back, not drawn again. `trainRandomForestWithOutOfBagInWorkers`
 * gives the identical result on several threads.
 */
export function trainRandomForestWithOutOfBag(data: LabelledData, options: RandomForestOptions = {}): ForestWithOutOfBag {
  const job = prepareForestJob(data, options);
  const rows = job.binned.rows;
  const trees: GrownTree[] = [];
  const votes = new OutOfBagVotes(rows);
  const inBag = new Uint32Array(rows);
  const leaves = new Int32Array(rows);
  for (let t = 0; t < job.options.trees; t++) {
    const tree = growTree(job.binned, job.y, job.params, t, job.sampleWeights, inBag);
    trees.push(tree);
    votes.add(t, tree, outOfBagLeaves(job.binned, tree, inBag, leaves));
  }
  return { model: assembleForest(job, trees), outOfBag: votes.finish(job.options.trees) };
}

/** The covered rows' out-of-bag scores and labels (rows every tree saw left out), e.g. to choose a threshold on. */
export function coveredOutOfBagRows(outOfBag: ForestOutOfBag, y: Uint8Array): { scores: Float64Array; labels: Uint8Array } {
  const scores = new Float64Array(outOfBag.coveredRows);
  const labels = new Uint8Array(outOfBag.coveredRows);
  for (let r = 0, k = 0; r < y.length; r++) {
    if (outOfBag.treeCounts[r]! > 0) {
      scores[k] = outOfBag.scores[r]!;
      labels[k++] = y[r]!;
    }
  }
  return { scores, labels };
}

/** How the forest does on its own training rows out of bag: JSON-plain, for the model file and `--json` output. */
export interface OutOfBagSummary {
  /** Training rows with an out-of-bag score (at least one tree did not see them). */
  rows: number;
  /** Training rows every tree saw: left out of the metrics. */
  uncoveredRows: number;
  /** Positives among `rows`. */
  positives: number;
  /** G-mean √(TPR·TNR) of the out-of-bag scores at `threshold`; null unless both classes are covered. */
  gMean: number | null;
  /** Average precision (PR-AUC) of the out-of-bag scores; null with no covered positive. */
  prAuc: number | null;
  /** The model's threshold the G-mean was taken at (score ≥ threshold is positive). */
  threshold: number;
}

/** Out-of-bag G-mean (at the model's threshold) and PR-AUC over the covered rows. Unweighted, as validation scoring. */
export function summariseOutOfBag(outOfBag: ForestOutOfBag, y: Uint8Array, threshold: number): OutOfBagSummary {
  const { scores, labels } = coveredOutOfBagRows(outOfBag, y);
  const { tp, fp, tn, fn } = confusionAtThreshold(labels, scores, threshold);
  const positives = tp + fn;
  return {
    rows: labels.length,
    uncoveredRows: y.length - labels.length,
    positives,
    gMean: positives > 0 && tn + fp > 0 ? gMean(tp / positives, tn / (tn + fp)) : null,
    prAuc: averagePrecision(labels, scores),
    threshold,
  };
}
