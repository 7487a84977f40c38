// What `rareflow fit` says about a file it can learn from but should not be trusted on as it is: missing categories
// and numbers it filled by default, classes of a handful of rows, a column that alone separates the classes (a
// leak of the label), a column that is only a row number or an id (core/features/identifierColumns.ts).

import type { FeatureMatrix } from '../core/dataset.js';
import { scoreModel, type ModelArtifact } from '../core/models/modelArtifact.js';
import { identifierColumnWarnings } from '../core/features/identifierColumns.js';
import { InvalidInputError } from '../core/invalidInputError.js';
import { negativeWordPositiveWarning } from '../core/labels/negativeWordPositive.js';

/** The warnings of the read stage, in the order a reader meets the causes. */
export function readWarnings(
  x: FeatureMatrix,
  names: readonly string[],
  defaultFill: { cells: number; columns: string[]; indicators?: string[]; unrelated?: string[] } | undefined,
  classOf: ArrayLike<number>,
  classes: readonly string[],
  missingCategories: Record<string, number> = {},
  categories: Record<string, string[]> = {},
  /** Whether the positive class was taken as the rarer value (no --positive): only then is a "no" positive said. */
  positiveByRarity = true,
): string[] {
  return [
    ...spacedValueWarnings(categories, classes),
    ...Object.entries(missingCategories).map(
      ([name, rows]) =>
        `${rows} row${rows === 1 ? '' : 's'} of categorical column "${name}" ${rows === 1 ? 'has' : 'have'} no category (an empty cell or a missing-value marker such as "?" or "NA"): read as none of its categories, also when the model scores; pass --missing reject to refuse them`,
    ),
    ...(defaultFill
      ? [
          `${defaultFill.cells} missing numeric value${defaultFill.cells === 1 ? '' : 's'} (in ${defaultFill.columns.join(', ')}) filled with the median of the training rows${indicatorNote(defaultFill)}, also when the model scores; pass --missing reject to refuse them, or --missing mean or constant`,
        ]
      : []),
    ...fewRowsWarning(classOf, classes),
    ...(classes.length === 2 ? largerPositiveWarning(classOf, classes[1]!, classes[0]!) : []),
    ...(classes.length === 2 && positiveByRarity
      ? negativeWordPositiveWarning(classes[1]!, classes[0]!, (v) => `pass --positive "${v}"`)
      : []),
    ...constantColumns(x, names).map(
      (name) =>
        `column "${name}" holds one value on every row (missing values aside): it cannot tell the classes apart, and the model reads it for nothing; leave it out with "exclude" in the config's input block`,
    ),
    // With a class of a handful of rows (said above), some column separates them by chance: no leak to report.
    ...(classes.length === 2 && !hasFewRows(classOf, classes.length) ? separatingColumns(x, names, classOf) : []).map(
      (name) =>
        `column "${name}" alone separates the two classes on every row (one threshold puts each class on its own side): if it is recorded after the outcome or derived from the label, it leaks the label, and the model will fail on new rows; leave it out with "exclude" in the config's input block unless it is truly known in advance`,
    ),
    ...(classes.length === 2 && !hasFewRows(classOf, classes.length) ? separatingCategoricals(x, names, classOf, categories) : []).map(
      (name) =>
        `categorical column "${name}" alone separates the two classes on every row (each of its categories holds rows of one class only): if it is recorded after the outcome or derived from the label, it leaks the label, and the model will fail on new rows; leave it out with "exclude" in the config's input block unless it is truly known in advance`,
    ),
    ...identifierColumnWarnings(x, names, 'the model learns from it as a feature', 'with "exclude" in the config\'s input block'),
  ];
}

/** Rows per category a categorical column needs before a split of its categories by class counts as a leak. */
const ROWS_PER_CATEGORY_FOR_A_LEAK = 5;

/**
 * Categorical columns whose every category holds rows of one class only, both classes present: the one-hot features
 * each hold one category, so no single one of them separates the classes when the label's copy has three or more
 * values (`chargeback`, `disputed` for the positives; `settled`, `pending` for the rest). Only with enough rows a
 * category, so that a handful of rows in many categories does not look like a leak by chance.
 */
function separatingCategoricals(
  x: FeatureMatrix,
  names: readonly string[],
  classOf: ArrayLike<number>,
  categories: Record<string, string[]>,
): string[] {
  return Object.entries(categories)
    .filter(([column, values]) => {
      if (values.length < 2 || x.rows < ROWS_PER_CATEGORY_FOR_A_LEAK * values.length) return false;
      const features = values.map((v) => names.indexOf(`${column}=${v}`));
      if (features.some((f) => f < 0)) return false;
      // Per category (and for rows of none), which classes it holds: bit 1 the negatives, bit 2 the positives.
      const held = new Uint8Array(values.length + 1);
      for (let r = 0; r < x.rows; r++) {
        const k = classOf[r]!;
        if (k !== 0 && k !== 1) continue;
        const at = features.findIndex((f) => x.values[r * x.cols + f] === 1);
        held[at < 0 ? values.length : at]! |= k === 1 ? 2 : 1;
      }
      const both = held.some((h) => h === 3);
      const classes = held.reduce((all, h) => all | h, 0);
      return !both && classes === 3;
    })
    .map(([column]) => column);
}

/** Training rows scored, spread over the file, to tell a model that gives every row the same score. */
const CONSTANT_CHECK_ROWS = 2000;

/**
 * A two-class model whose scores are the same on every training row (a learning rate of 1e-300, a penalty that
 * flattens every weight) predicts one class for every row: said, since its file looks like any other.
 */
export function sameScoreWarning(model: ModelArtifact, x: FeatureMatrix): string[] {
  if (model.multiClass || x.rows < 2) return [];
  const rows = Math.min(x.rows, CONSTANT_CHECK_ROWS);
  const step = x.rows / rows;
  const values = new Float64Array(rows * x.cols);
  for (let r = 0; r < rows; r++) {
    const from = Math.floor(r * step) * x.cols;
    values.set(x.values.subarray(from, from + x.cols), r * x.cols);
  }
  const scores = scoreModel(model, { rows, cols: x.cols, values });
  let low = Infinity;
  let high = -Infinity;
  for (const s of scores) {
    low = Math.min(low, s);
    high = Math.max(high, s);
  }
  if (high - low > 1e-12) return [];
  const predicted = low >= model.threshold ? model.positiveLabel : model.negativeLabel;
  return [
    `the model gives every training row the same score (${Number(low.toPrecision(6))}), so it predicts "${predicted}" for every row and cannot tell the classes apart; check its settings (a learning rate or a penalty far from the usual) and the features`,
  ];
}

/** How the single-step commands (denoise, adasyn, train) leave a column out: they read every column of the file. */
export const LEAVE_OUT_OF_FILE = 'of the file (or start its name with "_", which every rareflow command leaves out)';

/** Which filled columns got a `column=missing` feature and which did not, in one parenthesis (empty when neither). */
function indicatorNote(fill: { indicators?: string[]; unrelated?: string[] }): string {
  const parts = [
    ...(fill.indicators?.length
      ? [`the model also reads ${fill.indicators.map((c) => `${c}=missing`).join(', ')}, 1 where the value was missing`]
      : []),
    ...(fill.unrelated?.length
      ? [
          `no missing-value feature for ${fill.unrelated.join(', ')}: ${fill.unrelated.length === 1 ? 'its gaps are' : 'their gaps are'} not related to the class`,
        ]
      : []),
  ];
  return parts.length ? ` (${parts.join('; ')})` : '';
}

/** Feature columns with a single value on every row where they have one (all missing counts as one value). */
function constantColumns(x: FeatureMatrix, names: readonly string[]): string[] {
  return names.filter((_, c) => {
    let first = Number.NaN;
    for (let r = 0; r < x.rows; r++) {
      const v = x.values[r * x.cols + c]!;
      if (Number.isNaN(v)) continue;
      if (Number.isNaN(first)) first = v;
      else if (v !== first) return false;
    }
    return true;
  });
}

/**
 * Refuses a file whose every feature column holds one value on every row: no model can tell the classes apart on
 * it, and one fitted anyway flags every row or none at a threshold that means nothing.
 */
export function requireVaryingFeature(x: FeatureMatrix, names: readonly string[], input: string): void {
  if (names.length === 0 || constantColumns(x, names).length < names.length) return;
  throw new InvalidInputError(
    `file ${input}`,
    `${input}: every feature column holds one value on every row (${names.slice(0, 5).join(', ')}${names.length > 5 ? ', …' : ''}); expected at least one column whose values vary, or there is nothing to learn the classes from`,
  );
}

/** Whether some class has fewer than FEW_CLASS_ROWS rows. */
function hasFewRows(classOf: ArrayLike<number>, classCount: number): boolean {
  const counts = new Array<number>(classCount).fill(0);
  for (let i = 0; i < classOf.length; i++) if (classOf[i]! >= 0) counts[classOf[i]!]! += 1;
  return counts.some((n) => n < FEW_CLASS_ROWS);
}

/** Fewer rows than this in a class leave the model and its threshold resting on a handful of examples. */
const FEW_CLASS_ROWS = 10;

/** A warning per class with fewer than FEW_CLASS_ROWS rows: the model is written, but it is not to be trusted. */
export function fewRowsWarning(classOf: ArrayLike<number>, classes: readonly string[]): string[] {
  const counts = new Array<number>(classes.length).fill(0);
  for (let i = 0; i < classOf.length; i++) if (classOf[i]! >= 0) counts[classOf[i]!]! += 1;
  return classes.flatMap((value, c) =>
    counts[c]! < FEW_CLASS_ROWS
      ? [
          `class "${value}" has only ${counts[c]} row${counts[c] === 1 ? '' : 's'}: the model and its threshold rest on too few examples to be trusted; gather more rows of it`,
        ]
      : [],
  );
}

/** Missing (NaN) cells of `x` and the columns holding them, or undefined when there are none. */
export function missingCells(x: FeatureMatrix, names: readonly string[]): { cells: number; columns: string[] } | undefined {
  let cells = 0;
  const columns = new Set<string>();
  for (let i = 0; i < x.values.length; i++) {
    if (Number.isNaN(x.values[i])) {
      cells++;
      columns.add(names[i % x.cols]!);
    }
  }
  return cells > 0 ? { cells, columns: [...columns] } : undefined;
}

/**
 * Feature columns on which one threshold splits the two classes without error: every value of one class above
 * every value of the other (missing values aside). A feature known in advance rarely does that on real data; a
 * copy of the label, or a value recorded after the outcome, does.
 */
function separatingColumns(x: FeatureMatrix, names: readonly string[], classOf: ArrayLike<number>): string[] {
  return names.filter((_, c) => {
    const low = [Infinity, Infinity];
    const high = [-Infinity, -Infinity];
    for (let r = 0; r < x.rows; r++) {
      const k = classOf[r]!;
      const v = x.values[r * x.cols + c]!;
      if ((k !== 0 && k !== 1) || Number.isNaN(v)) continue;
      if (v < low[k]!) low[k] = v;
      if (v > high[k]!) high[k] = v;
    }
    if (high[0] === -Infinity || high[1] === -Infinity) return false;
    return high[0]! < low[1]! || high[1]! < low[0]!;
  });
}

/**
 * Text is read as spelt, spaces included: a file written with ", " between fields (as some public datasets are)
 * makes categories and classes such as " Male" and " >50K", which a file without the spaces, or a row sent to the
 * scoring service, will not match. Said once per column, with an example.
 */
function spacedValueWarnings(categories: Record<string, string[]>, classes: readonly string[]): string[] {
  const spaced = (values: readonly string[]) => values.filter((v) => v !== v.trim());
  const said = (what: string, values: string[]) =>
    `${what} ${values.length === 1 ? 'has a value' : `has ${values.length} values`} with spaces around it (such as ${JSON.stringify(values[0])}): values are read as spelt, so files scored later must spell them with the same spaces; strip them from the file (a CSV written with ", " between fields) unless they mean something`;
  return [
    ...Object.entries(categories).flatMap(([name, values]) => {
      const found = spaced(values);
      return found.length > 0 ? [said(`categorical column "${name}"`, found)] : [];
    }),
    ...(spaced(classes).length > 0 ? [said('the label', spaced(classes))] : []),
  ];
}

/**
 * A positive class larger than the negative one: the thresholds, gates and sampling treat the positive class as
 * the rare one, so a 0/1 label whose rare class is 0 (or a --positive naming the common class) is worth a word.
 */
export function largerPositiveWarning(classOf: ArrayLike<number>, positive: string, negative: string): string[] {
  let positives = 0;
  for (let i = 0; i < classOf.length; i++) if (classOf[i] === 1) positives++;
  const negatives = classOf.length - positives;
  if (positives <= negatives) return [];
  return [
    `the positive class "${positive}" is the larger class (${positives} of ${classOf.length} rows): thresholds, gates and sampling treat the positive class as the rare one; if the rare class is "${negative}", pass --positive "${negative}"`,
  ];
}
