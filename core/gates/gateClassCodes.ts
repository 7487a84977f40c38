// A gate may name its class by the label codes "1" (the positive class) and "0" (the negative class). Where the
// label's own values are 0 and 1 the other way round (a rare class 0 taken as the positive), or a multi-class label
// has a class 1 or 0, the code would judge another class than the one it spells: such a gate is refused as
// ambiguous, before any work, naming the gate and what to write instead.

import { InvalidInputError } from '../invalidInputError.js';

/** The model's classes: a two-class label's positive and negative values, or a multi-class label's values. */
export type GateLabels = { positive: string; negative: string } | { classes: readonly string[] };

/** True when a label value spells the number `code` (`1`, `1.0`, `01`; true/false as 1/0). */
function spells(value: string, code: 0 | 1): boolean {
  const text = value.trim().toLowerCase();
  if (text === 'true') return code === 1;
  if (text === 'false') return code === 0;
  return text !== '' && Number(text) === code;
}

/** Refuses a per-class gate of the raw gate spec `json` written with class "1"/"0" that would judge another class. */
export function checkGateClassCodes(json: unknown, labels: GateLabels, sourceName: string): void {
  const gates = (json as { gates?: unknown } | null)?.gates;
  if (!Array.isArray(gates)) return;
  gates.forEach((gate: unknown, i) => {
    const written = (gate as { class?: unknown } | null)?.class;
    if (written !== 1 && written !== 0 && written !== '1' && written !== '0') return;
    const code = Number(written) as 0 | 1;
    const at = `${sourceName}: gates[${i}].class`;
    const plain = `write "positive" or "negative" instead of ${JSON.stringify(written)}`;
    if ('classes' in labels) {
      const spelt = labels.classes.find((c) => spells(c, code));
      if (spelt === undefined) return;
      throw new InvalidInputError(
        sourceName,
        `${at}: ${JSON.stringify(written)} is read as the ${code === 1 ? 'positive' : 'negative'} class, not as the class "${spelt}" of this multi-class label: a multi-class model's per-class gates apply to every class; write "positive" to judge every class`,
      );
    }
    // The negative side of a label with a chosen positive holds every other value, joined by "|".
    const sides = { positive: [labels.positive], negative: labels.negative.split('|') };
    const meant = code === 1 ? sides.positive : sides.negative;
    const other = code === 1 ? sides.negative : sides.positive;
    const spelt = other.find((v) => spells(v, code));
    if (spelt !== undefined && !meant.some((v) => spells(v, code))) {
      throw new InvalidInputError(
        sourceName,
        `${at}: ${JSON.stringify(written)} is read as the ${code === 1 ? 'positive' : 'negative'} class, which is "${meant.join('", "')}" here, while the label's value "${spelt}" is ${code === 1 ? 'on the negative side' : 'the positive class'}: ${plain}`,
      );
    }
  });
}
