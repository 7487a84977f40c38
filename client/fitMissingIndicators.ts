// `fit`'s missing-value indicators (--missing-indicators auto|on|off): which filled numeric columns get a 0/1
// `column=missing` feature, decided on the training rows, and the read data with those features in place.

import { indicateMissingNumbers, type MissingClassTest } from '../core/features/missingIndicators.js';
import { InvalidInputError } from '../core/invalidInputError.js';
import type { LoadedDataset } from '../data/datasetReader.js';
import { keepsMissing, type MissingValueArgs } from './missingValueFlags.js';

export type MissingIndicatorsFlag = 'auto' | 'on' | 'off';

/** An explicit `--missing-indicators auto|on` beside `--missing reject` asks for two opposite things. */
export function checkMissingIndicatorsFlag(flag: MissingIndicatorsFlag | undefined, a: MissingValueArgs): void {
  if ((flag === 'on' || flag === 'auto') && a.missing === 'reject') {
    throw new InvalidInputError(
      '--missing-indicators',
      `--missing-indicators ${flag}: marks missing values that are filled, but --missing reject refuses them; drop one of the two`,
    );
  }
}

/**
 * `read` with a `column=missing` feature beside each filled numeric column with a gap: `auto` (default) only where
 * the gaps are related to the class of the rows (`classOf` indexes `classes`), `on` beside every one, `off` none.
 */
export function withFitIndicators(
  read: LoadedDataset,
  a: MissingValueArgs,
  flag: MissingIndicatorsFlag | undefined,
  rows: { classOf: ArrayLike<number>; classes: readonly string[] },
): { data: LoadedDataset; columns: Set<string>; tests?: MissingClassTest[]; unrelated: string[] } {
  if (!keepsMissing(a) || flag === 'off') return { data: read, columns: new Set(), unrelated: [] };
  const indicated = indicateMissingNumbers(read.data.x, read.featureNames, read.categorical, flag === 'on' ? undefined : rows);
  return {
    data: { ...read, featureNames: indicated.featureNames, data: { ...read.data, x: indicated.x } },
    columns: new Set(indicated.columns),
    ...(indicated.tests ? { tests: indicated.tests } : {}),
    unrelated: indicated.tests?.filter((t) => !t.indicator).map((t) => t.column) ?? [],
  };
}
