// Rows of a three-class label (bird, cat, eel) for multi-class workflow tests: each class a normal cloud around its
// own mean, drawn at a chosen class prior; written as a training CSV or handed out as scoring requests.

import { writeFileSync } from 'node:fs';
import { seededRandom } from '../../core/random.js';

export const CLASSES = ['bird', 'cat', 'eel'];
/** Class shares of a training file: eel is the rare class (3%). */
export const PRIOR = [0.35, 0.62, 0.03];
/** Each class's feature means: well apart, so a linear one-vs-rest model separates them. */
const MEANS = [
  [2, 0, 0],
  [0, 2, 0],
  [0, 0, 2.5],
];

/** The class index a uniform draw `u` falls on under `prior`. */
export function classOf(u: number, prior: readonly number[]): number {
  let c = 0;
  while (c < prior.length - 1 && u >= prior[c]!) u -= prior[c++]!;
  return c;
}

/** Features f1, f2, f3 of one row of class `c`. */
export function rowOf(c: number, random: { next(): number }): number[] {
  // Box–Muller normal noise around the class mean.
  return MEANS[c]!.map((m) => m + Math.sqrt(-2 * Math.log(1 - random.next())) * Math.cos(2 * Math.PI * random.next()) * 0.8);
}

/**
 * Writes `rows` rows (columns f1, f2, f3, kind) at `prior`. With `shuffled`, that class's labels are dealt out to
 * random rows and its own rows take the labels those rows had: the file keeps its class counts, but a model trained
 * on it cannot learn that class.
 */
export function writeThreeClassCsv(path: string, o: { rows: number; seed: number; prior?: readonly number[]; shuffled?: string }): void {
  const random = seededRandom(o.seed);
  const features: string[] = [];
  const labels: string[] = [];
  for (let i = 0; i < o.rows; i++) {
    const c = classOf(random.next(), o.prior ?? PRIOR);
    features.push(
      rowOf(c, random)
        .map((v) => v.toFixed(4))
        .join(','),
    );
    labels.push(CLASSES[c]!);
  }
  if (o.shuffled !== undefined) {
    for (let i = 0; i < o.rows; i++) {
      if (labels[i] !== o.shuffled) continue;
      const j = Math.floor(random.next() * o.rows);
      [labels[i], labels[j]] = [labels[j]!, labels[i]!];
    }
  }
  writeFileSync(path, `f1,f2,f3,kind\n${features.map((f, i) => `${f},${labels[i]}`).join('\n')}\n`);
}

/** `n` scoring requests at `prior`: each row's features as the service takes them, and its true class. */
export function threeClassRequests(
  n: number,
  seed: number,
  prior: readonly number[],
): { rows: Array<Record<string, number>>; labels: string[] } {
  const random = seededRandom(seed);
  const rows: Array<Record<string, number>> = [];
  const labels: string[] = [];
  for (let i = 0; i < n; i++) {
    const c = classOf(random.next(), prior);
    const [f1, f2, f3] = rowOf(c, random);
    rows.push({ f1: f1!, f2: f2!, f3: f3! });
    labels.push(CLASSES[c]!);
  }
  return { rows, labels };
}
