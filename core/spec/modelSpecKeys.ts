// Which `model` keys of a pipeline spec each model kind reads. A key of another kind would be accepted and then
// ignored (a learning rate on a forest, a forest's mtry under auto, whose candidates use their own settings), so the
// spec is refused instead, naming the key and the kinds it belongs to.

import { InvalidInputError } from '../invalidInputError.js';
import type { ModelSpec } from '../pipelineTypes.js';

type Kind = ModelSpec['kind'];

/** The model kinds that read each kind-specific key; `kind` and `threshold` apply to every kind. */
const KEY_KINDS: Readonly<Record<string, readonly Kind[]>> = {
  budgetSeconds: ['auto'],
  // auto passes the tree count to its forest candidates.
  trees: ['forest', 'auto'],
  sampling: ['forest'],
  splitter: ['forest'],
  mtry: ['forest'],
  minNodeSize: ['forest'],
  maxDepth: ['forest'],
  l2: ['logreg'],
  learningRate: ['gbdt'],
  maxIterations: ['gbdt'],
  maxLeafNodes: ['gbdt'],
  earlyStopping: ['gbdt'],
};

/** The first key of `model` that `kind` does not read, with the kinds that do; undefined when all apply. */
function misfitKey(model: object, kind: Kind): { key: string; kinds: readonly Kind[] } | undefined {
  for (const [key, value] of Object.entries(model)) {
    const kinds = KEY_KINDS[key];
    if (value !== undefined && kinds !== undefined && !kinds.includes(kind)) return { key, kinds };
  }
  return undefined;
}

/**
 * Refuses a `model` key of a pipeline spec that the model kind does not read. `kindFrom` says where the kind came
 * from when the spec did not name it ("the default", "set by --kind"), for the message.
 */
export function checkModelKeysForKind(model: object, kind: Kind, source: string, kindFrom?: string): void {
  const misfit = misfitKey(model, kind);
  if (!misfit) return;
  const kinds = misfit.kinds.map((k) => `"${k}"`).join(' or ');
  const named = `model.kind is "${kind}"${kindFrom ? ` (${kindFrom})` : ''}`;
  throw new InvalidInputError(
    `${source}: model.${misfit.key}`,
    `${source}: model.${misfit.key}: applies to model.kind ${kinds}, but ${named}, which would ignore it; remove the key or set model.kind to ${kinds}`,
  );
}

/** The same refusal for the flags of `rareflow train` (`trees` is `--trees`, `learningRate` is `--learning-rate`). */
export function checkModelFlagsForKind(model: object, kind: Kind): void {
  const misfit = misfitKey(model, kind);
  if (!misfit) return;
  const flag = `--${misfit.key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
  const kinds = misfit.kinds.filter((k) => k !== 'auto').join(' or ');
  throw new InvalidInputError(
    flag,
    `${flag}: applies to --kind ${kinds}, but --kind is ${kind}, which would ignore it; drop ${flag} or use --kind ${kinds}`,
  );
}
