// Turns a /score request's `features` object into the model's feature row, as `rareflow predict` reads a file:
// numbers as numbers, boolean-like values as 1/0 (the one rule for booleans everywhere), categories one-hot (an
// unseen category: all zeros, noted for the per-feature counter).

import { TRUTH_OF_WORD, truthCategories } from '../core/features/booleanWords.js';
import { categoriesLearntFromNumbers, categoryNumber, isWideWholeNumber } from '../core/features/oneHotFeatures.js';
import { encodedWidth, inputColumnsOf, type ModelArtifact } from '../core/models/modelArtifact.js';

/** Unknown feature keys a /score answer names one by one; the rest are counted. */
const UNKNOWN_KEYS_NAMED = 20;

interface EncodedColumn {
  name: string;
  /** Its first feature index. */
  offset: number;
  /** Numeric columns of a model with fitted fill values: the value a null input is scored as. */
  fill?: number;
  /** The model marks it boolean-like: only true/false spellings and 0/1 are valid. */
  boolean: boolean;
  /** Categorical columns: category → index within the column's one-hot block. */
  categories?: Map<string, number>;
  /**
   * Categorical columns: the categories that read as numbers, by value, for a JSON number (1 matches "1.0", as
   * `rareflow predict` matches a numeric file column by value); a string matches its exact text only.
   */
  byValue?: Map<number, number[]>;
  /** Some categories are whole numbers past 2^53: a JSON number of that size cannot say which one it is. */
  wideWholeNumbers?: boolean;
  /** Numeric columns with a missing-value indicator: feature `offset + 1` is 1 for a null input, else 0. */
  indicator?: boolean;
  /**
   * Categorical columns whose two categories are words of opposite truth (`false`/`true` of a Parquet BOOLEAN,
   * `no`/`yes`): a truth word of either spelling (any case, not 1/0) or a JSON boolean matches the category of its
   * value, as `rareflow predict` matches a CSV's `True` or `yes`.
   */
  truthCategories?: Map<0 | 1, string>;
  /**
   * Categorical columns whose categories a column of numbers spelt (categoriesLearntFromNumbers): a text of a number
   * ("1.50") matches the category of its value, as `rareflow predict` matches a text column.
   */
  numberCategories?: boolean;
  width: number;
}

/**
 * What `rareflow predict` reads as a boolean in a file (any case), so /score takes what a batch takes: → 1 or 0.
 * Not y/n: a file of y/n is text to DuckDB, which predict refuses for a boolean column, and /score took it.
 */
const BOOLEAN_SPELLINGS = TRUTH_OF_WORD;

/** The index of the category of opposite-truth categories (truthCategories) that a truth word or boolean `v` names. */
function truthCategory(c: EncodedColumn, v: unknown): number | undefined {
  if (!c.truthCategories) return undefined;
  const truth =
    typeof v === 'boolean' ? (v ? 1 : 0) : typeof v === 'string' && !/^[01]$/.test(v) ? BOOLEAN_SPELLINGS.get(v.toLowerCase()) : undefined;
  const category = truth === undefined ? undefined : c.truthCategories.get(truth);
  return category === undefined ? undefined : c.categories?.get(category);
}

/**
 * The categories that read as finite numbers, by value (several spellings of one number keep every index), except
 * whole numbers past 2^53, whose neighbours share a double: those match only by their exact text.
 */
function categoriesByValue(categories: readonly string[]): Map<number, number[]> {
  const out = new Map<number, number[]>();
  categories.forEach((category, i) => {
    if (isWideWholeNumber(category)) return;
    const value = categoryNumber(category);
    if (value !== undefined) out.set(value, [...(out.get(value) ?? []), i]);
  });
  return out;
}

export function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object') return 'an object';
  if (typeof v === 'string') return `the string ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v)}`;
  return `${typeof v} ${String(v)}`;
}

/**
 * One row buffer per model, reused by every request (scoring is synchronous, so no two requests share it at once).
 * A JSON boolean is 1/0 in any numeric column (a file's boolean column is read as 0/1 in training); a column the
 * model marks boolean-like also takes the text spellings. An unseen category or null sets no one-hot feature.
 */
export class RequestFeatureEncoder {
  readonly row: Float64Array;
  private readonly columns: EncodedColumn[];
  /** The input columns the model reads, by name. */
  private readonly names: Set<string>;
  /** Set by `encode`: the request held a boolean or boolean text in a numeric column, logged as its 1/0. */
  private normalised = false;
  /** Set by `encode`: the categorical columns whose value was a category training never saw (scored all-zero). */
  readonly unseen: string[] = [];
  /**
   * Set by `encode`: what was scored otherwise than the request spelt it, one sentence each (an unseen category, a
   * JSON boolean in a column the model learnt as numbers), returned with the answer so a client can see it.
   */
  readonly warnings: string[] = [];

  constructor(artifact: ModelArtifact, source: string) {
    this.columns = [];
    let offset = 0;
    for (const c of inputColumnsOf(artifact)) {
      if (c.kind === 'numeric') {
        const fill = artifact.missingValues?.fillValues[offset];
        const width = encodedWidth(c);
        this.columns.push({
          name: c.name,
          offset,
          width,
          boolean: c.boolean === true,
          ...(fill !== undefined ? { fill } : {}),
          ...(c.missingIndicator ? { indicator: true } : {}),
        });
        offset += width;
      } else {
        const truth = truthCategories(c.categories);
        this.columns.push({
          name: c.name,
          offset,
          width: encodedWidth(c),
          boolean: false,
          categories: new Map(c.categories.map((v, i) => [v, i])),
          byValue: categoriesByValue(c.categories),
          ...(c.categories.some(isWideWholeNumber) ? { wideWholeNumbers: true } : {}),
          ...(truth ? { truthCategories: truth } : {}),
          ...(categoriesLearntFromNumbers(c.categories) ? { numberCategories: true } : {}),
        });
        offset += encodedWidth(c);
      }
    }
    if (offset !== artifact.featureNames.length) {
      throw new Error(`model file ${source}: its input columns make ${offset} features, but it lists ${artifact.featureNames.length}`);
    }
    this.row = new Float64Array(offset);
    this.names = new Set(this.columns.map((c) => c.name));
  }

  /** Fills `row` from `features`; returns the error (naming the field) when the request cannot be scored, else null. */
  encode(features: Record<string, unknown>): string | null {
    const row = this.row;
    const cols = this.columns;
    this.normalised = false;
    this.unseen.length = 0;
    this.warnings.length = 0;
    for (let i = 0; i < cols.length; i++) {
      const c = cols[i]!;
      const v = features[c.name];
      if (c.categories === undefined) {
        if (c.indicator) row[c.offset + 1] = 0;
        if (typeof v === 'number' && Number.isFinite(v)) {
          if (c.boolean && v !== 0 && v !== 1)
            return `features.${c.name}: expected true/false, yes/no or 1/0 (a boolean-like column), got ${describeValue(v)}`;
          row[c.offset] = v;
          continue;
        }
        if (typeof v === 'boolean') {
          row[c.offset] = v ? 1 : 0;
          this.normalised = true;
          if (!c.boolean)
            this.warnings.push(
              `features.${c.name}: ${v} scored as ${v ? 1 : 0}, but the model learnt this column as numbers, not true/false`,
            );
          continue;
        }
        if (c.boolean && typeof v === 'string') {
          const at = BOOLEAN_SPELLINGS.get(v.toLowerCase());
          if (at === undefined)
            return `features.${c.name}: expected true/false, yes/no, t/f or 1/0 (any case) for this boolean-like column, got ${describeValue(v)}`;
          row[c.offset] = at;
          this.normalised = true;
          continue;
        }
        // A model trained with a missing-value policy scores null as its training fill, as `rareflow predict` does.
        if (v === null && c.fill !== undefined) {
          row[c.offset] = c.fill;
          if (c.indicator) row[c.offset + 1] = 1;
          // Said, as `predict` counts such cells per column: the score rests on a stand-in value.
          this.warnings.push(`features.${c.name}: null; scored as the training fill ${c.fill}`);
          continue;
        }
        if (v === undefined || !Object.hasOwn(features, c.name)) {
          return `features.${c.name} is missing; this model reads it as ${c.boolean ? 'a boolean (true/false, yes/no or 1/0)' : 'a number'}${c.fill !== undefined ? ' (null if unknown)' : ''}`;
        }
        return `features.${c.name}: expected ${c.boolean ? 'true/false, yes/no or 1/0 (a boolean-like column)' : 'a finite number'}, got ${describeValue(v)}`;
      }
      row.fill(0, c.offset, c.offset + c.width);
      if (v === null) {
        this.warnings.push(`features.${c.name}: null; scored as none of its categories`);
        continue;
      }
      if (c.wideWholeNumbers && typeof v === 'number' && Number.isInteger(v) && !Number.isSafeInteger(v))
        return (
          `features.${c.name}: the number ${String(v)} is a whole number past 2^53, which a JSON number cannot carry exactly, ` +
          `and this model's categories of "${c.name}" are such numbers; expected it as a string of its digits`
        );
      let text: string;
      if (typeof v === 'string') text = v;
      else if ((typeof v === 'number' && Number.isFinite(v)) || typeof v === 'boolean') text = String(v);
      else if (v === undefined || !Object.hasOwn(features, c.name))
        return `features.${c.name} is missing; this model reads it as a category (null if unknown)`;
      else return `features.${c.name}: expected a category (a string), got ${describeValue(v)}`;
      // A number matches the category of its value ("1" or "1.0", as predict's numeric match does).
      const byValue =
        typeof v === 'number'
          ? c.byValue?.get(v)
          : c.numberCategories && typeof v === 'string' && !c.categories.has(v) && categoryNumber(v) !== undefined
            ? c.byValue?.get(categoryNumber(v)!)
            : undefined;
      // One number, several categories (`01` and `1`): no training row set both, so neither is guessed.
      if (byValue !== undefined && byValue.length > 1) {
        const names = [...c.categories.entries()].filter(([, i]) => byValue.includes(i)).map(([k]) => JSON.stringify(k));
        return `features.${c.name}: the number ${String(v)} matches the model's categories ${names.join(' and ')} alike; expected the category as a string, spelt as one of them`;
      }
      const at = byValue === undefined ? (c.categories.get(text) ?? truthCategory(c, v)) : undefined;
      if (byValue !== undefined) row[c.offset + byValue[0]!] = 1;
      else if (at !== undefined) row[c.offset + at] = 1;
      else {
        this.unseen.push(c.name);
        this.warnings.push(`features.${c.name}: ${describeValue(v)} is not a category the model learnt; scored as none of its categories`);
      }
    }
    // A key the model does not read is ignored: said, since a misspelt optional column would otherwise pass unseen.
    // A key loop without the array Object.keys would allocate on every request.
    // Named up to UNKNOWN_KEYS_NAMED, then counted: 30,000 unknown keys once gave a 1.8 MB answer to a 379 KB request.
    let unknown = 0;
    for (const k in features) {
      if (!Object.hasOwn(features, k) || this.names.has(k)) continue;
      if (unknown++ < UNKNOWN_KEYS_NAMED)
        this.warnings.push(`features.${k.length > 80 ? `${k.slice(0, 80)}…` : k}: not an input column of this model; ignored`);
    }
    if (unknown > UNKNOWN_KEYS_NAMED)
      this.warnings.push(`${unknown - UNKNOWN_KEYS_NAMED} more keys of features are not input columns of this model; ignored`);
    return null;
  }

  /**
   * The features as the logs keep them, after a successful `encode`: boolean-like inputs of numeric columns as
   * their 1/0, so drift checks and retrain exports read the numbers the model saw; otherwise `features` itself.
   */
  logged(features: Record<string, unknown>): Record<string, unknown> {
    if (!this.normalised) return features;
    const out: Record<string, unknown> = { ...features };
    for (const c of this.columns)
      if (c.categories === undefined && Object.hasOwn(features, c.name) && features[c.name] !== null) out[c.name] = this.row[c.offset];
    return out;
  }
}
