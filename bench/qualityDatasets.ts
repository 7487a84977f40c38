// The shared datasets the quality benches read (quality.ts, missingValues.ts): the two-class CSV files in name order
// and, per file, the text columns the benches one-hot encode as `fit` would.

import { readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { numericType } from '../data/columnTypes.js';
import { describeColumns } from '../data/inputSources.js';

/** Multi-class files (MANIFEST.md); the binary ones have two label values. */
export const MULTICLASS = new Set(['ecoli_multiclass', 'yeast_multiclass', 'dermatology', 'kr-vs-k', 'nursery', 'car', 'page-blocks']);

/** The two-class CSV files of `datasetsDir` in name order; with `only`, just those names. */
export function binaryDatasetFiles(datasetsDir: string, only?: string[]): Array<{ name: string; path: string }> {
  return readdirSync(datasetsDir)
    .filter((f) => f.endsWith('.csv'))
    .sort()
    .map((f) => ({ name: basename(f, '.csv'), path: join(datasetsDir, f) }))
    .filter(({ name }) => !MULTICLASS.has(name) && (!only || only.includes(name)));
}

/** The columns of `path` other than `label` that are not numbers. */
export async function textColumnsOf(path: string): Promise<string[]> {
  return (await describeColumns(path)).filter((c) => c.name !== 'label' && !numericType.test(c.type)).map((c) => c.name);
}
