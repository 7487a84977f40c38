// The spec settings a multi-class retrain (a label of three or more classes, no input.positive) cannot honour,
// refused by their spec key before any sampling starts. Gates get a per-class meaning where one exists; ADASYN runs
// multi-class (stages/multiClassOversample.ts), so it is not refused.

import type { GateSpec } from '../gates/gateSpec.js';
import { InvalidInputError } from '../invalidInputError.js';
import type { DenoiseSpec } from '../pipelineTypes.js';

/** Gate metrics a multi-class model is judged on: recall, precision and F1 of every class, and the macro G-mean. */
export const MULTI_CLASS_GATE_METRICS = ['recall', 'precision', 'f1', 'gMean'] as const;

/**
 * Throws an InvalidInputError naming the first spec key that only makes sense for a binary label. `labelText` names
 * the label and its classes, e.g. `label column "kind" has 3 classes (a, b, c)`.
 */
export function checkMultiClassSpec(
  spec: { denoise?: DenoiseSpec; gates?: GateSpec; model?: { threshold?: string | undefined } },
  labelText: string,
): void {
  const binaryFix = 'or set input.positive to train one class against the rest';
  checkMultiClassThreshold(spec.model?.threshold, labelText, 'model.threshold', binaryFix);
  if (spec.denoise && spec.denoise.method !== 'none') {
    throw new InvalidInputError(
      'denoise.method',
      `denoise.method: "${spec.denoise.method}" cleans two-class training rows, but ${labelText} and the pipeline trains one model per class; set denoise.method to "none", ${binaryFix}`,
    );
  }
  spec.gates?.gates.forEach((gate, i) => {
    const at = `gates[${i}]`;
    if (!(MULTI_CLASS_GATE_METRICS as readonly string[]).includes(gate.metric)) {
      throw new InvalidInputError(
        `${at}.metric`,
        `${at}.metric: "${gate.metric}" is a two-class metric, but ${labelText}; a multi-class model is gated on ${MULTI_CLASS_GATE_METRICS.join(', ')} (gMean is the macro G-mean), ${binaryFix}`,
      );
    }
    if (gate.class === 'negative') {
      throw new InvalidInputError(
        `${at}.class`,
        `${at}.class: "negative" names the rest of a two-class label, but ${labelText}; use "positive", which a multi-class model applies to every class, ${binaryFix}`,
      );
    }
    if (gate.metric === 'gMean' && gate.use === 'lower95') {
      throw new InvalidInputError(
        `${at}.use`,
        `${at}.use: "lower95" on gMean needs the two-class bootstrap interval, but ${labelText}; remove "use" (the macro G-mean is judged on its value), ${binaryFix}`,
      );
    }
  });
}

/**
 * A cost threshold (`cost:L0,L1`) weighs a false positive against a false negative of one positive class: a model of
 * three or more classes sets every class's threshold to the same q, and its prediction (the class whose score is
 * furthest above its threshold) would be the plain argmax, whatever the costs. Refused instead of ignored.
 */
export function checkMultiClassThreshold(threshold: string | undefined, labelText: string, key: string, fix: string): void {
  if (threshold === undefined || !threshold.trim().startsWith('cost:')) return;
  throw new InvalidInputError(
    key,
    `${key}: "${threshold}" weighs the errors of one positive class against the rest, but ${labelText}, and a cost rule would set every class's threshold alike (the prediction would ignore the costs); use "prevalence" (the default) or "gmean", ${fix}`,
  );
}
