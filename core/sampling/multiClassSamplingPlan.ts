// How adaptive sampling treats a label of three or more classes: the rare classes are the sampler's "positives" and
// are kept whole; the large classes are its "negatives", sampled uniformly together (Algorithm 1's reservoir).

import { InvalidInputError } from '../invalidInputError.js';

export interface LabelClassCount {
  value: string;
  count: number;
}

export interface MultiClassSamplingPlan {
  /** The class values in the model's order (sorted as text, as `rareflow fit` orders them). */
  classes: string[];
  /** Rows of each class in the input, in `classes` order. */
  counts: number[];
  /** Classes whose every row the sample keeps. */
  keptWhole: string[];
  /** The sampler's positive set: the kept-whole classes, or the smallest class when none is kept whole. */
  positiveClasses: string[];
  /** Nr for the sampler: every row of the kept-whole classes (or Nr of the smallest class when none is that small). */
  positiveTarget: number;
  /** One line for the run report: which classes were kept whole, which sampled. */
  note: string;
}

/**
 * The adaptive stop rule is binary (Nr positives, then stop), so a multi-class label is sampled with it once: the
 * classes taken smallest first while their rows together fit in half the sample (N/2) are kept whole (they are the
 * positives, Nr = their rows); the others (always the largest) share the rest, sampled uniformly, so their mix is kept. When even the
 * smallest class is larger than half the sample, it alone is the positive class with the binary Nr (`positiveTarget`).
 */
export function multiClassSamplingPlan(
  classCounts: readonly LabelClassCount[],
  o: {
    positiveTarget: number;
    targetSize: number;
    /** Shards of the sample: each keeps at most its share of Nr, so rare rows crowded in one shard can be cut. @default 1 */
    shards?: number;
  },
): MultiClassSamplingPlan {
  if (classCounts.length < 3) {
    throw new InvalidInputError('classes', `classes: expected at least 3 class values for multi-class sampling, got ${classCounts.length}`);
  }
  const classes = classCounts.map((c) => c.value);
  const counts = classCounts.map((c) => c.count);
  const bySize = [...classCounts].sort((a, b) => a.count - b.count || (a.value < b.value ? -1 : 1));
  const largest = bySize[bySize.length - 1]!;
  const room = Math.floor(o.targetSize / 2);
  const keptWhole: string[] = [];
  let kept = 0;
  for (const c of bySize) {
    if (c === largest || kept + c.count > room) break;
    keptWhole.push(c.value);
    kept += c.count;
  }
  const list = (values: readonly string[]) => values.map((v) => `${v} (${counts[classes.indexOf(v)]})`).join(', ');
  if (keptWhole.length === 0) {
    const smallest = bySize[0]!;
    return {
      classes,
      counts,
      keptWhole: [],
      positiveClasses: [smallest.value],
      positiveTarget: Math.min(o.positiveTarget, smallest.count),
      note: `multi-class: no class fits whole in half of the ${o.targetSize}-row sample, so class ${smallest.value} (${smallest.count} rows) was sampled as the positive class (Nr ${Math.min(o.positiveTarget, smallest.count)}) and the others uniformly`,
    };
  }
  const shards = o.shards ?? 1;
  const shardNote = shards > 1 ? ` (with ${shards} shards, each shard keeps at most about ${Math.ceil(kept / shards)} of these rows)` : '';
  // Classes larger than the kept-whole ones are only uniformly sampled: the largest is never kept whole.
  const sampled = classes.filter((v) => !keptWhole.includes(v));
  return {
    classes,
    counts,
    keptWhole,
    positiveClasses: keptWhole,
    positiveTarget: kept,
    note: `multi-class: every row of ${list(keptWhole)} kept${shardNote}; ${list(sampled)} sampled uniformly${sampled.length > 1 ? ' together' : ''}`,
  };
}
