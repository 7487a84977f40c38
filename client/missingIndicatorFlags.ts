// --missing-indicators auto|on|off of `fit` and `train`: which filled numeric columns get a 0/1 `column=missing`
// feature, decided on the training rows, and the read data with those features in place.

import { indicateMissingNumbers, type MissingClassTest } from '../core/features/missingIndicators.js';
import { InvalidInputError } from '../core/invalidInputError.js';
import type { LoadedDataset } from '../data/datasetReader.js';
import { stringFlag, type FlagSpec, type FlagValues } from './cliArgs.js';
import { keepsMissing, type MissingValueArgs } from './missingValueFlags.js';

export type MissingIndicatorsFlag = 'auto' | 'on' | 'off';

export const missingIndicatorsFlag: FlagSpec = {
  type: 'choice',
  choices: ['auto', 'on', 'off'],
  help: 'with a fill: auto (default) puts a 0/1 feature COLUMN=missing, which the model learns from, beside each numeric column whose gaps are related to the class in the training rows; on: beside every column with gaps; off: the fill alone',
  placeholder: 'auto|on|off',
};
/** --missing-indicators, when given. */
export function missingIndicatorsFlagOf(f: FlagValues): { missingIndicators?: MissingIndicatorsFlag } {
  const v = stringFlag(f, 'missing-indicators');
  return v !== undefined ? { missingIndicators: v as MissingIndicatorsFlag } : {};
}

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
export function addMissingIndicators(
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
