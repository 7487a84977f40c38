// Spec keys that are each valid alone but contradict one another: a column both a feature and left out, listed twice,
// or the label listed as a feature; a sample too small for the positives its own settings ask for; a neighbour count
// for a noise filter that reads none. Checked before any work, by the CLI (`run`, `fit --config`), so the contradiction
// is refused by its key instead of being settled silently one way or failing a run after it started.

import { InvalidInputError } from '../invalidInputError.js';

interface InputLists {
  label: string;
  features?: string[] | undefined;
  exclude?: string[] | undefined;
  categorical?: string[] | undefined;
}

/** The input block's column lists: no name twice in one list, none both kept and left out, the label in none. */
export function checkInputColumnLists(input: InputLists, source: string): void {
  const refuse = (key: string, why: string): never => {
    throw new InvalidInputError(`${source}: input.${key}`, `${source}: input.${key}: ${why}`);
  };
  const lists = { features: input.features, exclude: input.exclude, categorical: input.categorical };
  for (const [key, list] of Object.entries(lists)) {
    const seen = new Set<string>();
    for (const name of list ?? []) {
      if (seen.has(name)) refuse(key, `"${name}" is listed twice; list each column once`);
      seen.add(name);
    }
  }
  for (const kept of ['features', 'categorical'] as const) {
    const both = lists[kept]?.find((name) => input.exclude?.includes(name));
    if (both !== undefined)
      refuse('exclude', `"${both}" is also in input.${kept}; a column is either read or left out: remove it from one of the two`);
  }
  for (const key of ['features', 'categorical'] as const) {
    if (lists[key]?.includes(input.label))
      refuse(key, `"${input.label}" is the label column (input.label), which is never a feature: remove it from input.${key}`);
  }
}

/** With `params` given, Nr = positivesPerParameter × params positives must fit in the sample of targetSize rows. */
export function checkSamplingTarget(
  sampling: { targetSize?: number | undefined; params?: number | undefined; positivesPerParameter?: number | undefined },
  source: string,
): void {
  const { targetSize, params, positivesPerParameter } = sampling;
  if (targetSize === undefined || params === undefined || positivesPerParameter === undefined) return;
  const nr = params * positivesPerParameter;
  if (nr > targetSize) {
    throw new InvalidInputError(
      `${source}: sampling.targetSize`,
      `${source}: sampling.targetSize ${targetSize} is below Nr = ${nr} (${positivesPerParameter} positives × M = ${params} parameters); raise sampling.targetSize or lower sampling.params`,
    );
  }
}

/** The noise filters that read a neighbour count: ENN and RENN vote among k neighbours (Tomek links pair nearest neighbours; confident learning reads probabilities). */
export const DENOISE_METHODS_READING_K = ['enn', 'renn'];

/** `denoise.k` as the user wrote it, beside a method that reads no k (Tomek links, confident learning, none). */
export function checkDenoiseK(denoise: { method?: string | undefined; k?: number | undefined } | undefined, source: string): void {
  if (denoise?.k === undefined) return;
  const method = denoise.method ?? 'none';
  if (!DENOISE_METHODS_READING_K.includes(method)) {
    throw new InvalidInputError(
      `${source}: denoise.k`,
      `${source}: denoise.k: read by methods ${DENOISE_METHODS_READING_K.join(' and ')} only, but denoise.method is "${method}", which would ignore it; remove denoise.k or choose one of those methods`,
    );
  }
}

/** The `adasyn` keys read only when the stage runs. */
const ADASYN_SETTINGS = ['k', 'beta', 'neighbors', 'maxSyntheticRatio'] as const;

/**
 * Settings of a stage that is off: `adasyn.beta` without `adasyn.enabled: true` (off by default), or
 * `denoise.neighbors` without a `denoise.method` (none by default). Each would be accepted and ignored, and a user who
 * set it would believe the stage ran.
 */
export function checkSettingsOfStagesOff(
  adasyn: Partial<Record<(typeof ADASYN_SETTINGS)[number] | 'enabled', unknown>> | undefined,
  denoise: { method?: string | undefined; neighbors?: unknown } | undefined,
  source: string,
): void {
  const adasynKey = adasyn?.enabled === true ? undefined : ADASYN_SETTINGS.find((key) => adasyn?.[key] !== undefined);
  if (adasynKey !== undefined) {
    const state = adasyn?.enabled === false ? 'adasyn.enabled is false' : 'adasyn.enabled is not set (ADASYN is off by default)';
    throw new InvalidInputError(
      `${source}: adasyn.${adasynKey}`,
      `${source}: adasyn.${adasynKey}: read only when ADASYN runs, but ${state}, so it would be ignored; set adasyn.enabled to true, or remove adasyn.${adasynKey}`,
    );
  }
  if (denoise?.neighbors !== undefined && (denoise.method ?? 'none') === 'none') {
    throw new InvalidInputError(
      `${source}: denoise.neighbors`,
      `${source}: denoise.neighbors: read only by a noise filter, but denoise.method is ${denoise.method === undefined ? 'not set (no filter by default)' : '"none"'}, so it would be ignored; set denoise.method, or remove denoise.neighbors`,
    );
  }
}

/**
 * `approvalTimeoutMs` is read only when a retrain can ask a person: `requireApproval`, an `onInsufficientEvidence` of
 * `"require-approval"` (gates or canary) or `canary.approveBeforeFull`. Set without any of them it would be ignored,
 * and a user who set it would believe a person decides.
 */
export function checkApprovalTimeout(spec: ApprovalSettings & { approvalTimeoutMs?: number | undefined }, source: string): void {
  if (spec.approvalTimeoutMs === undefined || asksForApproval(spec)) return;
  throw new InvalidInputError(
    `${source}: approvalTimeoutMs`,
    `${source}: approvalTimeoutMs: read only when a retrain asks for approval (requireApproval: true, an onInsufficientEvidence of "require-approval" in gates or canary, or canary.approveBeforeFull), but none is set, so it would be ignored; set one of them, or remove approvalTimeoutMs`,
  );
}

/** The spec keys that can make a retrain ask a person for approval. */
interface ApprovalSettings {
  requireApproval?: boolean | undefined;
  gates?: { onInsufficientEvidence?: string | undefined } | undefined;
  canary?: true | { onInsufficientEvidence?: string | undefined; approveBeforeFull?: boolean | undefined } | undefined;
}

/** Whether a retrain of this spec can ask for approval (and so read approvalTimeoutMs). */
export function asksForApproval(spec: ApprovalSettings): boolean {
  const canary = spec.canary === true ? undefined : spec.canary;
  return (
    spec.requireApproval === true ||
    spec.gates?.onInsufficientEvidence === 'require-approval' ||
    canary?.onInsufficientEvidence === 'require-approval' ||
    canary?.approveBeforeFull === true
  );
}
