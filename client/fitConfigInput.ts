// `rareflow fit --config`: what the config's input block may say beside --input and --label, which fit trains on.

import { InvalidInputError } from '../core/invalidInputError.js';
import { isObject } from './pipelineSpec.js';

/** Keys of a pipeline spec that only a pipeline run reads: sampling, the split, gates, the canary and approvals. */
const FIT_UNREAD_KEYS = ['sampling', 'split', 'gates', 'canary', 'requireApproval', 'approvalTimeoutMs'];

/**
 * A pipeline spec given to fit as its config: the keys only a pipeline run reads are each named in a warning. Its input
 * block beside --input and --label: fit trains on --input and --label, so the config's paths and
 * label are not read, and --positive overrides its positive class: each said in a warning. A predicate defining the
 * positives is refused: fit has no way to apply it.
 */
export function checkConfigInput(
  config: Record<string, unknown>,
  a: { input: string; label: string; positive?: string; seed?: number | undefined },
): string[] {
  const unread = [
    ...FIT_UNREAD_KEYS.filter((key) => config[key] !== undefined).map(
      (key) => `${key} of the config is not read by fit (it belongs to a pipeline run: rareflow run)`,
    ),
    ...(config.seed !== undefined && a.seed !== undefined && config.seed !== a.seed
      ? [`seed of the config (${JSON.stringify(config.seed)}) is overridden by --seed ${a.seed}`]
      : []),
  ];
  const configInput = config.input;
  if (!isObject(configInput)) return unread;
  const { label, positive, positiveWhen, paths } = configInput;
  if (positiveWhen !== undefined) {
    throw new InvalidInputError(
      'input.positiveWhen',
      `input.positiveWhen: fit takes the positive class from --positive or input.positive, not from a predicate (the pipeline reads it: rareflow run); write the 0/1 column into the file, or use rareflow run`,
    );
  }
  // A pipeline spec reused as fit's config keeps its own data: what fit does not read from it is said, not ignored.
  return [
    ...unread,
    ...(paths !== undefined ? [`input.paths of the config is not read by fit: it trains on --input ${a.input}`] : []),
    ...(label !== undefined && label !== a.label
      ? [`input.label of the config (${JSON.stringify(label)}) is not read by fit: it trains on --label ${a.label}`]
      : []),
    ...(positive !== undefined && a.positive !== undefined && String(positive) !== a.positive
      ? [`input.positive of the config (${JSON.stringify(positive)}) is overridden by --positive ${a.positive}`]
      : []),
  ];
}
