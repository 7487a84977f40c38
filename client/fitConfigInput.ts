// `rareflow fit --config`: what the config's input block may say beside --input and --label, which fit trains on.

import { InvalidInputError } from '../core/invalidInputError.js';
/**
 * The config's input block beside --input and --label: fit trains on --input and --label, so the config's paths and
 * label are not read, and --positive overrides its positive class: each said in a warning. A predicate defining the
 * positives is refused: fit has no way to apply it.
 */
export function checkConfigInput(configInput: Record<string, unknown>, a: { input: string; label: string; positive?: string }): string[] {
  const { label, positive, positiveWhen, paths } = configInput;
  if (positiveWhen !== undefined) {
    throw new InvalidInputError(
      'input.positiveWhen',
      `input.positiveWhen: fit takes the positive class from --positive or input.positive, not from a predicate (the pipeline reads it: rareflow run); write the 0/1 column into the file, or use rareflow run`,
    );
  }
  // A pipeline spec reused as fit's config keeps its own data: what fit does not read from it is said, not ignored.
  return [
    ...(paths !== undefined ? [`input.paths of the config is not read by fit: it trains on --input ${a.input}`] : []),
    ...(label !== undefined && label !== a.label
      ? [`input.label of the config (${JSON.stringify(label)}) is not read by fit: it trains on --label ${a.label}`]
      : []),
    ...(positive !== undefined && a.positive !== undefined && String(positive) !== a.positive
      ? [`input.positive of the config (${JSON.stringify(positive)}) is overridden by --positive ${a.positive}`]
      : []),
  ];
}
