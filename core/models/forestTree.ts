// The random forest's compute kernel: quantile binning of the features once, then growing one histogram
// (binned) Gini tree on flat typed arrays. Pure and self-contained, so worker threads can run it too.

import { deriveSeed, seededRandom, type RandomSource } from '../random.js';

/** Row-major bin codes of the training matrix plus, per feature, the cut values between bins. */
export interface BinnedFeatures {
  rows: number;
  cols: number;
  /** `codes[r * cols + c]` is the bin of (row r, feature c); bin b holds values in (cuts[c][b−1], cuts[c][b]]. */
  codes: Uint8Array;
  /** Per feature, ascending cut values; a feature with k cuts has k + 1 bins. */
  cuts: Float64Array[];
}

/** Everything one tree needs besides its index; plain data so it can be posted to a worker. */
export interface TreeGrowingParams {
  seed: number;
  mtry: number;
  minNodeSize: number;
  maxDepth: number;
  sampling: 'bootstrap' | 'subsample' | 'balanced';
  /**
   * Rows drawn per tree (with replacement for bootstrap, without for subsample); for balanced, rows drawn from
   * each class.
   */
  sampleSize: number;
  /** Weight of a negative and of a positive row. */
  classWeight: [number, number];
  /**
   * `'best'` tries every cut of a drawn feature; `'random'` tries one cut per drawn feature, drawn uniformly between
   * the node's smallest and largest cut of it (Geurts, Ernst & Wehenkel's extremely randomised trees).
   * @default 'best'
   */
  splitter?: 'best' | 'random';
  /**
   * Leaf value of a tree whose in-bag rows all weigh 0 (possible only with sample weights): the forest's
   * fitPrevalence, the answer of a tree that learned nothing.
   * @default 0.5
   */
  zeroWeightValue?: number;
}

/** One grown tree as flat arrays; a leaf has feature −1 and its positive fraction in `value`. */
export interface GrownTree {
  feature: Int32Array;
  threshold: Float64Array;
  left: Int32Array;
  right: Int32Array;
  value: Float64Array;
}

/** Most bins per feature: codes are bytes. */
export const MAX_BINS = 256;

/**
 * Cut values per feature from the sorted column: all midpoints between distinct values when there are at most
 * `maxBins` of them, else the midpoints at the `maxBins`-quantiles (duplicates dropped), as histogram GBMs do.
 */
export function binFeatures(values: Float64Array, rows: number, cols: number, maxBins: number): BinnedFeatures {
  const codes = new Uint8Array(rows * cols);
  const cuts: Float64Array[] = [];
  const column = new Float64Array(rows);
  for (let c = 0; c < cols; c++) {
    for (let r = 0; r < rows; r++) column[r] = values[r * cols + c]!;
    column.sort();
    let distinct = rows > 0 ? 1 : 0;
    for (let r = 1; r < rows; r++) if (column[r] !== column[r - 1]) distinct++;
    const found: number[] = [];
    if (distinct <= maxBins) {
      for (let r = 1; r < rows; r++) {
        if (column[r] !== column[r - 1]) found.push(midpoint(column[r - 1]!, column[r]!));
      }
    } else {
      for (let k = 1; k < maxBins; k++) {
        const pos = Math.floor((k * rows) / maxBins);
        const lo = column[pos - 1]!;
        const hi = column[pos]!;
        const cut = lo === hi ? lo : midpoint(lo, hi);
        if (found.length === 0 || cut > found[found.length - 1]!) found.push(cut);
      }
    }
    const featureCuts = Float64Array.from(found);
    cuts.push(featureCuts);
    for (let r = 0; r < rows; r++) codes[r * cols + c] = binOf(featureCuts, values[r * cols + c]!);
  }
  return { rows, cols, codes, cuts };
}

function midpoint(a: number, b: number): number {
  const m = a + (b - a) / 2;
  // Rounding can land the midpoint on b; the cut must keep a on the left and b on the right.
  return m < b ? m : a;
}

/** Number of cuts strictly below `v`: the bin of `v`, since bin b is (cuts[b−1], cuts[b]]. */
function binOf(cuts: Float64Array, v: number): number {
  let lo = 0;
  let hi = cuts.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (cuts[mid]! < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Draw the in-bag rows of one tree: per-row multiplicity (0 = out of bag). */
function drawSample(y: Uint8Array, params: TreeGrowingParams, random: RandomSource, counts: Uint32Array): void {
  const n = y.length;
  counts.fill(0);
  if (params.sampling === 'balanced') {
    // Chen, Liaw & Breiman (2004) balanced random forest: a bootstrap of the same size from each class.
    for (const cls of [0, 1]) {
      const rows: number[] = [];
      for (let r = 0; r < n; r++) if (y[r] === cls) rows.push(r);
      for (let i = 0; i < params.sampleSize; i++) counts[rows[random.nextInt(rows.length)]!]!++;
    }
    return;
  }
  if (params.sampling === 'bootstrap') {
    for (let i = 0; i < params.sampleSize; i++) counts[random.nextInt(n)]!++;
    return;
  }
  // Without replacement: Floyd's algorithm draws sampleSize distinct rows in sampleSize steps.
  for (let j = n - params.sampleSize; j < n; j++) {
    const t = random.nextInt(j + 1);
    if (counts[t] === 0) counts[t] = 1;
    else counts[j] = 1;
  }
}

/**
 * The extremely randomised trees' cut of one feature at a node: a value drawn uniformly between the node's smallest
 * and largest cut (the cuts that separate its rows), rounded up to the next cut; −1 when the node's rows share one
 * bin. Returned as the bin index b of the split "bin ≤ b goes left".
 */
function randomCut(histCount: Int32Array, hb: number, lastCut: number, cuts: Float64Array, random: RandomSource): number {
  let low = -1;
  let high = -1;
  for (let b = 0; b <= lastCut; b++) {
    if (histCount[hb + b]! === 0) continue;
    if (low < 0) low = b;
    high = b;
  }
  if (low < 0 || high === low) return -1;
  // Cuts low..high−1 lie between the node's lowest and highest occupied bins.
  const from = cuts[low]!;
  const to = cuts[high - 1]!;
  const u = from + random.next() * (to - from);
  let b = low;
  while (b < high - 1 && cuts[b]! < u) b++;
  return b;
}

/** Growable flat node storage. */
class NodeArrays {
  size = 0;
  feature = new Int32Array(256);
  threshold = new Float64Array(256);
  left = new Int32Array(256);
  right = new Int32Array(256);
  value = new Float64Array(256);

  add(): number {
    if (this.size === this.feature.length) {
      const grow = <T extends Int32Array | Float64Array>(a: T): T => {
        const b = new (a.constructor as new (n: number) => T)(a.length * 2);
        b.set(a);
        return b;
      };
      this.feature = grow(this.feature);
      this.threshold = grow(this.threshold);
      this.left = grow(this.left);
      this.right = grow(this.right);
      this.value = grow(this.value);
    }
    const id = this.size++;
    this.feature[id] = -1;
    this.left[id] = -1;
    this.right[id] = -1;
    return id;
  }

  finish(): GrownTree {
    return {
      feature: this.feature.slice(0, this.size),
      threshold: this.threshold.slice(0, this.size),
      left: this.left.slice(0, this.size),
      right: this.right.slice(0, this.size),
      value: this.value.slice(0, this.size),
    };
  }
}

/**
 * Grow tree `treeIndex` on binned features. Its random stream is derived from (seed, treeIndex) alone, so a
 * tree is the same whichever thread grows it and in whatever order.
 *
 * Sample weights (scikit-learn's way): the bootstrap draws rows as without weights, and a drawn row counts
 * multiplicity × class weight × sample weight in the Gini sums and leaf frequencies. A drawn row of weight 0
 * is left out of the bag, so it neither counts towards `minNodeSize` nor reaches a leaf.
 *
 * Gini split on weighted class sums: maximise Σ_children (w0² + w1²)/w, equivalent to minimising the weighted
 * Gini impurity. As in Breiman's forests (and scikit-learn), a node draws `mtry` features; if none of them
 * splits the node, it keeps drawing until one does or every feature was tried.
 *
 * `bagCounts` (length rows), when given, is the buffer the sample is drawn into: on return it holds each row's
 * multiplicity in the tree's bag, 0 for the rows the tree never saw (out of bag, drawn rows of weight 0 included).
 */
export function growTree(
  binned: BinnedFeatures,
  y: Uint8Array,
  params: TreeGrowingParams,
  treeIndex: number,
  sampleWeights?: ArrayLike<number>,
  bagCounts?: Uint32Array,
): GrownTree {
  const { rows: n, cols: d, codes, cuts } = binned;
  const random = seededRandom(deriveSeed(params.seed, `tree ${treeIndex}`));
  const counts = bagCounts ?? new Uint32Array(n);
  drawSample(y, params, random, counts);
  const weight = new Float64Array(n);
  let inBag = 0;
  if (sampleWeights === undefined) {
    for (let r = 0; r < n; r++) {
      const c = counts[r]!;
      if (c > 0) {
        weight[r] = c * params.classWeight[y[r]!]!;
        inBag++;
      }
    }
  } else {
    for (let r = 0; r < n; r++) {
      const c = counts[r]!;
      const s = sampleWeights[r]!;
      if (c > 0 && s > 0) {
        weight[r] = c * params.classWeight[y[r]!]! * s;
        inBag++;
      } else counts[r] = 0;
    }
  }
  const rowsOf = new Int32Array(inBag);
  for (let r = 0, k = 0; r < n; r++) if (counts[r]! > 0) rowsOf[k++] = r;

  const bins = MAX_BINS;
  const hist = new Float64Array(d * bins * 2);
  const histCount = new Int32Array(d * bins);
  const features = new Int32Array(d);
  for (let j = 0; j < d; j++) features[j] = j;
  const nodes = new NodeArrays();
  const minLeaf = params.minNodeSize;

  // Depth-first stack of (node id, start, end, depth).
  const stackNode: number[] = [];
  const stackStart: number[] = [];
  const stackEnd: number[] = [];
  const stackDepth: number[] = [];
  stackNode.push(nodes.add());
  stackStart.push(0);
  stackEnd.push(inBag);
  stackDepth.push(0);

  while (stackNode.length > 0) {
    const id = stackNode.pop()!;
    const start = stackStart.pop()!;
    const end = stackEnd.pop()!;
    const depth = stackDepth.pop()!;
    let w0 = 0;
    let w1 = 0;
    for (let i = start; i < end; i++) {
      const r = rowsOf[i]!;
      if (y[r] === 1) w1 += weight[r]!;
      else w0 += weight[r]!;
    }
    const w = w0 + w1;
    if (w === 0) {
      // Only a root can weigh 0 (a split needs weight on both sides): every in-bag row had sample weight 0.
      nodes.value[id] = params.zeroWeightValue ?? 0.5;
      continue;
    }
    nodes.value[id] = w1 / w;
    const size = end - start;
    if (w0 === 0 || w1 === 0 || depth >= params.maxDepth || size < 2 * minLeaf) continue;

    const parentScore = (w0 * w0 + w1 * w1) / w;
    let bestScore = parentScore * (1 + 1e-12);
    let bestFeature = -1;
    let bestBin = -1;
    let drawn = 0;
    // Draw features in batches of mtry (a partial Fisher–Yates shuffle) until a batch yields a split.
    while (drawn < d && bestFeature < 0) {
      const batchEnd = Math.min(d, drawn + params.mtry);
      for (let j = drawn; j < batchEnd; j++) {
        const k = j + random.nextInt(d - j);
        const t = features[j]!;
        features[j] = features[k]!;
        features[k] = t;
      }
      const m = batchEnd - drawn;
      hist.fill(0, 0, m * bins * 2);
      histCount.fill(0, 0, m * bins);
      for (let i = start; i < end; i++) {
        const r = rowsOf[i]!;
        const wr = weight[r]!;
        const cls = y[r]!;
        const base = r * d;
        for (let j = 0; j < m; j++) {
          const b = j * bins + codes[base + features[drawn + j]!]!;
          hist[2 * b + cls]! += wr;
          histCount[b]!++;
        }
      }
      for (let j = 0; j < m; j++) {
        const f = features[drawn + j]!;
        const lastCut = cuts[f]!.length;
        let l0 = 0;
        let l1 = 0;
        let lc = 0;
        const hb = j * bins;
        if (params.splitter === 'random') {
          const cut = randomCut(histCount, hb, lastCut, cuts[f]!, random);
          if (cut < 0) continue;
          for (let b = 0; b <= cut; b++) {
            l0 += hist[2 * (hb + b)]!;
            l1 += hist[2 * (hb + b) + 1]!;
            lc += histCount[hb + b]!;
          }
          const lw = l0 + l1;
          const r0 = w0 - l0;
          const r1 = w1 - l1;
          const rw = r0 + r1;
          if (lc < minLeaf || size - lc < minLeaf || lw <= 0 || rw <= 0) continue;
          const score = (l0 * l0 + l1 * l1) / lw + (r0 * r0 + r1 * r1) / rw;
          if (score > bestScore) {
            bestScore = score;
            bestFeature = f;
            bestBin = cut;
          }
          continue;
        }
        for (let b = 0; b < lastCut; b++) {
          l0 += hist[2 * (hb + b)]!;
          l1 += hist[2 * (hb + b) + 1]!;
          lc += histCount[hb + b]!;
          if (lc < minLeaf) continue;
          if (size - lc < minLeaf) break;
          const lw = l0 + l1;
          const r0 = w0 - l0;
          const r1 = w1 - l1;
          const rw = r0 + r1;
          if (lw <= 0 || rw <= 0) continue;
          const score = (l0 * l0 + l1 * l1) / lw + (r0 * r0 + r1 * r1) / rw;
          if (score > bestScore) {
            bestScore = score;
            bestFeature = f;
            bestBin = b;
          }
        }
      }
      drawn = batchEnd;
    }
    if (bestFeature < 0) continue;

    // Partition rowsOf[start, end) in place: bin ≤ bestBin goes left.
    let lo = start;
    let hi = end - 1;
    while (lo <= hi) {
      if (codes[rowsOf[lo]! * d + bestFeature]! <= bestBin) lo++;
      else {
        const t = rowsOf[lo]!;
        rowsOf[lo] = rowsOf[hi]!;
        rowsOf[hi] = t;
        hi--;
      }
    }
    const leftId = nodes.add();
    const rightId = nodes.add();
    nodes.feature[id] = bestFeature;
    nodes.threshold[id] = cuts[bestFeature]![bestBin]!;
    nodes.left[id] = leftId;
    nodes.right[id] = rightId;
    stackNode.push(rightId, leftId);
    stackStart.push(lo, start);
    stackEnd.push(end, lo);
    stackDepth.push(depth + 1, depth + 1);
  }
  return nodes.finish();
}
