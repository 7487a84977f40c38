// How categorical columns become model features, in one place for the pipeline: `column=category` one-hot
// features in column order, their groups (for SMOTE-NC distances), and the raw columns and SQL they come from.

import type { InputColumn } from '../models/modelArtifact.js';

/**
 * The number a category stands for, when it reads as one ("1.0" → 1; "", "a" → undefined): scoring matches a number by
 * this value, in a file's numeric column (`rareflow predict`) and in a `/score` request alike.
 */
export function categoryNumber(category: string): number | undefined {
  const value = Number(category);
  return category.trim() !== '' && Number.isFinite(value) ? value : undefined;
}

/**
 * Whether every category is a number spelt as a column of numbers spells it (no leading zero or trailing decimal zero
 * but the ".0" of a whole double), with no two of the same value: codes such as "01" and "1" are text, matched as such.
 */
export function categoriesLearntFromNumbers(categories: readonly string[]): boolean {
  const values = new Set<number>();
  for (const c of categories) {
    const v = categoryNumber(c);
    if (v === undefined || isWideWholeNumber(c) || values.has(v)) return false;
    if (c !== String(v) && !(Number.isInteger(v) && c === `${v}.0`)) return false;
    values.add(v);
  }
  return categories.length > 0;
}

/**
 * Two categories that read as one number (`01` and `1`, `1` and `1.0`), or undefined: a cell read as a number, or a
 * JSON number, would match both, a row no training row was, so such a match is refused, never scored.
 */
export function categoriesOfOneNumber(categories: Iterable<string>): [string, string] | undefined {
  const seen = new Map<number, string>();
  for (const c of categories) {
    // Whole numbers past 2^53 are matched by their digits, never by a double (isWideWholeNumber).
    const value = isWideWholeNumber(c) ? undefined : categoryNumber(c);
    if (value === undefined) continue;
    const first = seen.get(value);
    if (first !== undefined) return [first, c];
    seen.set(value, c);
  }
  return undefined;
}

/**
 * Whether `category` is a whole number past 2^53 (a 19-digit account id, say): beyond that, neighbouring whole numbers
 * read as the same double, so such a category must be matched by its exact digits, never by its double value (else a
 * cell of one id would match every nearby id's category at once).
 */
export function isWideWholeNumber(category: string): boolean {
  const text = category.trim();
  if (!/^[+-]?\d+$/.test(text)) return false;
  const value = BigInt(text);
  return (value < 0n ? -value : value) > BigInt(Number.MAX_SAFE_INTEGER);
}

/** The features of `columns`: a numeric column itself, a categorical one as `column=category` per category. */
export function oneHotFeatureNames(columns: readonly string[], categorical: Readonly<Record<string, readonly string[]>>): string[] {
  return columns.flatMap((c) => (categorical[c] ? categorical[c].map((v) => `${c}=${v}`) : [c]));
}

/**
 * The one-hot column groups of the categorical features, from the reader's column names (`colour=red` …, in
 * matrix order): group i lists the columns of the i-th categorical feature that has any.
 */
export function oneHotGroups(featureNames: readonly string[], categorical: Readonly<Record<string, readonly string[]>>): number[][] {
  const groups: number[][] = [];
  for (const [name, categories] of Object.entries(categorical)) {
    const wanted = new Set(categories.map((v) => `${name}=${v}`));
    const columns: number[] = [];
    featureNames.forEach((f, c) => {
      if (wanted.has(f)) columns.push(c);
    });
    if (columns.length > 0) groups.push(columns);
  }
  return groups;
}

/**
 * The raw column each feature reads (`channel` for `channel=web`), from the features and the categorical map:
 * only features named by the map are one-hot, so a numeric column whose name holds `=` stays itself.
 */
export function sourceColumnsOf(featureNames: readonly string[], categorical: Readonly<Record<string, readonly string[]>> = {}): string[] {
  const oneHot = new Map<string, string>();
  for (const [c, values] of Object.entries(categorical)) for (const v of values) oneHot.set(`${c}=${v}`, c);
  return featureNames.map((f) => oneHot.get(f) ?? f);
}

/** The category a one-hot feature stands for, or undefined for a numeric feature. */
export function oneHotCategoryOf(
  feature: string,
  categorical: Readonly<Record<string, readonly string[]>>,
): { column: string; category: string } | undefined {
  for (const [column, values] of Object.entries(categorical)) {
    for (const category of values) if (feature === `${column}=${category}`) return { column, category };
  }
  return undefined;
}

/**
 * The model file's raw input columns for these features (before any `column=missing` feature): categorical columns
 * with their categories, boolean columns marked, every other feature numeric, with a missing-value indicator where
 * `indicated` names it.
 */
export function pipelineInputColumns(
  featureNames: readonly string[],
  categorical: Readonly<Record<string, readonly string[]>>,
  booleanColumns: readonly string[],
  indicated: ReadonlySet<string> = new Set(),
): InputColumn[] {
  const booleans = new Set(booleanColumns);
  const out: InputColumn[] = [];
  const seen = new Set<string>();
  for (const column of sourceColumnsOf(featureNames, categorical)) {
    if (seen.has(column)) continue;
    seen.add(column);
    const categories = categorical[column];
    if (categories) out.push({ name: column, kind: 'categorical', categories: [...categories] });
    else {
      out.push({
        name: column,
        kind: 'numeric',
        ...(booleans.has(column) ? { boolean: true } : {}),
        ...(indicated.has(column) ? { missingIndicator: true } : {}),
      });
    }
  }
  return out;
}
