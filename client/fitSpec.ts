// `rareflow fit`'s arguments and the pipeline spec it trains by: the workflow's defaults, a `--config` pipeline spec
// (its input block, denoise, adasyn, model and features settings; what only a run reads is named in a warning) and the
// flags that override it (--kind, --budget, --seed, --missing).

import { basename } from 'node:path';
import { InvalidInputError } from '../core/invalidInputError.js';
import { MAX_BUDGET_SECONDS } from '../core/spec/pipelineSpecSchema.js';
import type { PipelineSpec } from '../workflows/contract.js';
import { checkConfigInput } from './fitConfigInput.js';
import { requireFillValuePolicy } from './missingValueFlags.js';
import { checkMissingIndicatorsFlag, type MissingIndicatorsFlag } from './missingIndicatorFlags.js';
import type { MissingValueArgs } from './missingValueFlags.js';
import { autoAfterAdasyn, autoAfterDenoise, isObject, readPipelineConfigJson, resolvePipelineSpec } from './pipelineSpec.js';

export interface FitArgs extends MissingValueArgs {
  input: string;
  label: string;
  positive?: string;
  categorical?: string[];
  config?: string;
  seed?: number;
  /** `auto` chooses the model by inner cross-validation (stages/modelChoice.ts); default: the spec's model. */
  model?: 'auto' | 'forest' | 'logreg' | 'gbdt';
  /**
   * A 0/1 `column=missing` feature beside a filled numeric column: `on` (default) beside every gapped column, `related`
   * where its gaps are related to the class in the training rows, `off` never.
   */
  missingIndicators?: MissingIndicatorsFlag;
  /** Seconds `auto` may spend on its inner folds; default: the spec's `model.budgetSeconds`, else 60. */
  budgetSeconds?: number;
  out: string;
}

/** A model name for `--out FILE` that follows the name rule: `my model.json` → `my-model`. */
function modelNameOfFile(out: string): string {
  const name = basename(out)
    .replace(/\.json$/, '')
    .replace(/[^A-Za-z0-9_.-]/g, '-')
    .replace(/\.{2,}/g, '.')
    .replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, '')
    .slice(0, 100)
    .replace(/[^A-Za-z0-9]+$/, '');
  return name || 'model';
}

/**
 * The spec fit trains by, the arguments with the config's missing-value policy applied where no flag gave one, and the
 * warnings about the config's keys fit does not read.
 */
export function resolveFitSpec(a: FitArgs, out: string): { spec: PipelineSpec; args: FitArgs; configWarnings: string[] } {
  const defaults = { modelName: modelNameOfFile(out), input: { paths: [a.input], label: a.label } };
  // A config supplies input.exclude, denoise, adasyn and model settings; the data is always --input and --label.
  const config = a.config ? readPipelineConfigJson(a.config) : undefined;
  const configInput = config?.input;
  const input = configInput === undefined ? defaults.input : isObject(configInput) ? { ...configInput, ...defaults.input } : configInput;
  const configWarnings = isObject(config) ? checkConfigInput(config, a) : [];
  const adasynAsked = isObject(config?.adasyn) && config.adasyn.enabled === true;
  if (a.model === 'auto' && adasynAsked) throw autoAfterAdasyn('--kind');
  const denoiseAsked = isObject(config?.denoise) && typeof config.denoise.method === 'string' ? config.denoise.method : 'none';
  if (a.model === 'auto' && denoiseAsked !== 'none') throw autoAfterDenoise('--kind', denoiseAsked);
  // --kind replaces the config's model kind; the config's other model keys still apply, so they must suit that kind.
  const configModel = isObject(config?.model) ? config.model : {};
  const model = a.model !== undefined ? { model: { ...configModel, kind: a.model } } : {};
  const kindFrom = a.model !== undefined ? { kindFrom: 'set by --kind' } : {};
  const base =
    config && a.config
      ? resolvePipelineSpec({ ...defaults, ...config, input, ...model }, a.config, kindFrom)
      : resolvePipelineSpec({ ...defaults, ...model }, 'defaults', kindFrom);
  const spec = { ...base, ...(a.seed !== undefined ? { seed: a.seed } : {}) };
  if (a.budgetSeconds !== undefined) {
    if (spec.model.kind !== 'auto') {
      throw new InvalidInputError(
        '--budget',
        `--budget: applies when the model is chosen (kind auto), but the model kind is "${spec.model.kind}", which would ignore it; drop --budget or use --kind auto`,
      );
    }
    if (!(a.budgetSeconds > 0 && a.budgetSeconds <= MAX_BUDGET_SECONDS)) {
      throw new InvalidInputError(
        '--budget',
        `--budget: expected a duration above 0 and at most 24h (the spec's model.budgetSeconds allows the same), got ${a.budgetSeconds} s`,
      );
    }
    spec.model = { ...spec.model, budgetSeconds: a.budgetSeconds };
  }
  if (spec.model.kind === 'auto' && configModel.threshold === 'prevalence' && a.config) {
    configWarnings.push(
      `${a.config}: model.threshold "prevalence" does not fix the rule under model kind "auto": the rule is chosen with the model (the threshold at the positive share or the G-mean-optimal one, on the inner folds); name a model kind (model.kind or --kind) to fix it`,
    );
  }
  // --missing and --fill-value override the config's `features` block.
  if (a.missing !== undefined && spec.features?.missing !== undefined && a.missing !== spec.features.missing && a.config) {
    configWarnings.push(`--missing ${a.missing} replaces ${a.config}: features.missing "${spec.features.missing}"`);
  }
  if (
    a.fillValue !== undefined &&
    a.missing === undefined &&
    spec.features?.missing !== undefined &&
    spec.features.missing !== 'constant'
  ) {
    throw new InvalidInputError(
      '--fill-value',
      `--fill-value is the fill of the constant policy, but ${a.config}: features.missing is "${spec.features.missing}", which computes its own fill; drop --fill-value, or pass --missing constant`,
    );
  }
  if (a.missing === undefined && spec.features?.missing !== undefined) {
    const fillValue = a.fillValue ?? spec.features.fillValue;
    a = { ...a, missing: spec.features.missing, ...(fillValue !== undefined ? { fillValue } : {}) };
  }
  // --fill-value beside a config whose policy is the constant one is that constant (it was refused as if no constant
  // policy were in force); beside any other policy it is refused.
  requireFillValuePolicy(a.fillValue, a.missing);
  checkMissingIndicatorsFlag(a.missingIndicators, a);
  return { spec, args: a, configWarnings };
}

/** An error about `--positive` told of the config key that gave the positive class instead. */
export function renamedPositiveError(err: unknown, key: string): unknown {
  if (!(err instanceof InvalidInputError) || !err.message.includes('--positive')) return err;
  return new InvalidInputError(key, err.message.replaceAll('--positive', key));
}
