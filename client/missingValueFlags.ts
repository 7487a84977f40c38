// The declared missing-value policy of the stage commands and `fit` (--missing, --fill-value): parsed once, fitted on
// the rows a filter or model learns from, applied to every row, and summarised for the JSON output.

import type { FeatureMatrix } from '../core/dataset.js';
import {
  fillMissingValues,
  fitMissingValueFill,
  MISSING_VALUE_POLICIES,
  type MissingValueFill,
  type MissingValuePolicy,
} from '../core/features/missingValues.js';
import { InvalidInputError } from '../core/invalidInputError.js';
import type { ModelMissingValues } from '../core/models/modelArtifact.js';
import { numberFlag, stringFlag, type FlagSpec, type FlagValues } from './cliArgs.js';

export interface MissingValueArgs {
  /** @default 'reject' */
  missing?: MissingValuePolicy;
  /** Fill of `missing: 'constant'`. @default 0 */
  fillValue?: number;
}

export const missingFlag: FlagSpec = {
  type: 'choice',
  help: 'missing numeric values (null, empty, NaN): reject (default), or impute with the training mean, median or a constant',
  choices: MISSING_VALUE_POLICIES,
  placeholder: 'POLICY',
};
export const fillValueFlag: FlagSpec = { type: 'number', help: 'the fill value of --missing constant (default 0)', placeholder: 'V' };

/**
 * --missing and --fill-value (each checked by its declaration): a fill value without `--missing constant` is bad
 * input, unless `policyFromConfig` (fit with --config, whose `features.missing` may be the constant policy: checked
 * once the config is read, requireFillValuePolicy).
 */
export function missingValueFlags(f: FlagValues, policyFromConfig = false): MissingValueArgs {
  const policy = stringFlag(f, 'missing');
  const fillValue = numberFlag(f, 'fill-value');
  if (!policyFromConfig) requireFillValuePolicy(fillValue, policy);
  return { ...(policy !== undefined ? { missing: policy as MissingValuePolicy } : {}), ...(fillValue !== undefined ? { fillValue } : {}) };
}

/** A fill value belongs to the constant policy (given by --missing, or by a config's `features.missing`). */
export function requireFillValuePolicy(fillValue: number | undefined, policy: string | undefined): void {
  if (fillValue !== undefined && policy !== 'constant') {
    throw new InvalidInputError(
      '--fill-value',
      `--fill-value is the fill of --missing constant; pass --missing constant, or drop --fill-value${policy ? ` (--missing ${policy} computes its own fill)` : ''}`,
    );
  }
}

/** Whether the readers should keep missing numbers as NaN: only under a declared imputing policy. */
export function keepsMissing(a: MissingValueArgs): boolean {
  return a.missing !== undefined && a.missing !== 'reject';
}

/** What the JSON output says: per column with filled values, how many and with what. */
export interface MissingValueSummary {
  policy: MissingValuePolicy;
  /** Values filled in all columns. */
  filled: number;
  /** Feature column → values filled and the fill value; only columns where something was filled. */
  columns: Record<string, { filled: number; fillValue: number }>;
}

/** The fill fitted on `learn` (the rows a filter or model learns from), or undefined under 'reject'. */
export function fitDeclaredFill(a: MissingValueArgs, learn: FeatureMatrix): MissingValueFill | undefined {
  if (!keepsMissing(a)) return undefined;
  return fitMissingValueFill(learn, { missing: a.missing!, ...(a.fillValue !== undefined ? { fillValue: a.fillValue } : {}) });
}

/**
 * Fill every matrix of `parts` with `fill`, counting the filled values over all of them; `featureNames` names the
 * columns in the summary. Without a fill, the parts come back unchanged (they hold no NaN: the readers rejected it).
 */
export function applyDeclaredFill(
  fill: MissingValueFill | undefined,
  parts: FeatureMatrix[],
  featureNames: string[],
): { parts: FeatureMatrix[]; summary?: MissingValueSummary } {
  if (fill === undefined || fill.fillValues === null) return { parts };
  const filled = new Array<number>(featureNames.length).fill(0);
  const out = parts.map((x) => {
    const r = fillMissingValues(fill, x);
    r.counts.filled.forEach((n, c) => (filled[c]! += n));
    return r.x;
  });
  const columns: MissingValueSummary['columns'] = {};
  filled.forEach((n, c) => {
    if (n > 0) columns[featureNames[c]!] = { filled: n, fillValue: fill.fillValues![c]! };
  });
  return { parts: out, summary: { policy: fill.missing, filled: filled.reduce((s, n) => s + n, 0), columns } };
}

/** The model file's record of a fill (absent under 'reject', so such models are written exactly as before). */
export function modelMissingValues(fill: MissingValueFill | undefined): ModelMissingValues | undefined {
  if (fill === undefined || fill.fillValues === null || fill.missing === 'reject') return undefined;
  return { policy: fill.missing, fillValues: [...fill.fillValues] };
}
