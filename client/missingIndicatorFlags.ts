// --missing-indicators on|related|off of `fit` and `train`: which filled numeric columns get a 0/1 `column=missing`
// feature (every gapped one by default), decided on the training rows, and the read data with those features in place.

import { indicateMissingNumbers, type MissingClassTest } from '../core/features/missingIndicators.js';
import type { MissingValuePolicy } from '../core/features/missingValues.js';
import { InvalidInputError } from '../core/invalidInputError.js';
import type { LoadedDataset } from '../data/datasetReader.js';
import { stringFlag, type FlagSpec, type FlagValues } from './cliArgs.js';
import { keepsMissing, type MissingValueArgs } from './missingValueFlags.js';

export type MissingIndicatorsFlag = 'on' | 'related' | 'off';

export const missingIndicatorsFlag: FlagSpec = {
  type: 'choice',
  choices: ['on', 'related', 'off'],
  help: 'with a fill: on (default) puts a 0/1 feature COLUMN=missing, which the model learns from, beside each numeric column with gaps; related: only where the gaps are related to the class in the training rows; off: the fill alone',
  placeholder: 'on|related|off',
};
/** --missing-indicators, when given. */
export function missingIndicatorsFlagOf(f: FlagValues): { missingIndicators?: MissingIndicatorsFlag } {
  const v = stringFlag(f, 'missing-indicators');
  return v !== undefined ? { missingIndicators: v as MissingIndicatorsFlag } : {};
}

/**
 * An explicit `--missing-indicators on|related` where missing values are rejected asks for two opposite things:
 * beside `--missing reject`, or with no --missing where the command's own default rejects them (`train`; `fit`
 * fills by default, so it passes no `defaultMissing`).
 */
export function checkMissingIndicatorsFlag(
  flag: MissingIndicatorsFlag | undefined,
  a: MissingValueArgs,
  defaultMissing?: MissingValuePolicy,
): void {
  if (flag !== 'on' && flag !== 'related') return;
  if (a.missing === 'reject') {
    throw new InvalidInputError(
      '--missing-indicators',
      `--missing-indicators ${flag}: marks missing values that are filled, but --missing reject refuses them; drop one of the two`,
    );
  }
  if (a.missing === undefined && defaultMissing === 'reject') {
    throw new InvalidInputError(
      '--missing-indicators',
      `--missing-indicators ${flag}: marks missing values that are filled, but without --missing they are refused (the default is --missing reject); pass --missing mean, median or constant, or drop --missing-indicators`,
    );
  }
}

/**
 * `read` with a `column=missing` feature beside each filled numeric column with a gap: `on` (default) beside every
 * one, `related` only where the gaps are related to the class of the rows (`classOf` indexes `classes`), `off` none.
 */
export function addMissingIndicators(
  read: LoadedDataset,
  a: MissingValueArgs,
  flag: MissingIndicatorsFlag | undefined,
  rows: { classOf: ArrayLike<number>; classes: readonly string[] },
): { data: LoadedDataset; columns: Set<string>; tests?: MissingClassTest[]; unrelated: string[] } {
  if (!keepsMissing(a) || flag === 'off') return { data: read, columns: new Set(), unrelated: [] };
  const indicated = indicateMissingNumbers(read.data.x, read.featureNames, read.categorical, flag === 'related' ? rows : undefined);
  return {
    data: { ...read, featureNames: indicated.featureNames, data: { ...read.data, x: indicated.x } },
    columns: new Set(indicated.columns),
    ...(indicated.tests ? { tests: indicated.tests } : {}),
    unrelated: indicated.tests?.filter((t) => !t.indicator).map((t) => t.column) ?? [],
  };
}
