// Flags several commands share (input, label, seed, --json, neighbour search, who acts), declared once, and the
// readers that turn them into a command's arguments.

import { userInfo, hostname } from 'node:os';
import { basename, extname } from 'node:path';
import { InvalidInputError } from '../../core/invalidInputError.js';
import type { NeighborSearch } from '../../workflows/contract.js';
import { listFlag, numberFlag, requiredString, stringFlag, type CommandResult, type FlagSpec, type FlagValues } from '../cliArgs.js';
import { missingValueFlags } from '../missingValueFlags.js';

export const json: FlagSpec = { type: 'boolean', help: 'print one JSON object on stdout' };
export const seed: FlagSpec = { type: 'integer', help: 'seed of every random step', default: 1, placeholder: 'N' };
export const label: FlagSpec = { type: 'string', help: 'label column', required: true, placeholder: 'COLUMN' };
export const positive: FlagSpec = {
  type: 'string',
  help: 'label value of the positive (rare) class (default 1/true, or the rarer class)',
  placeholder: 'VALUE',
};
export const input: FlagSpec = { type: 'string', help: 'input CSV, Parquet or rareflow .arrow file', required: true, placeholder: 'FILE' };
export const out: FlagSpec = { type: 'string', help: 'output file (.parquet, .csv or .arrow)', required: true, placeholder: 'FILE' };
export const categorical: FlagSpec = {
  type: 'list',
  help: 'text columns to one-hot encode (comma-separated, repeatable); in distances a different category counts one step (SMOTE-NC), and ADASYN never interpolates them',
  placeholder: 'COLS',
};
export const model: FlagSpec = { type: 'string', help: 'model name', required: true, placeholder: 'NAME' };
/** `--model` where a model is read: a file or a registered model (data/modelReference.ts). */
export const modelReference: FlagSpec = {
  type: 'string',
  help: 'a model file from train or fit, or a registered model: NAME (its champion), NAME@ALIAS or NAME/VERSION',
  required: true,
  placeholder: 'MODEL',
};
export const neighbors: FlagSpec = {
  type: 'choice',
  help: 'neighbour search: auto (by estimated cost, default), exact, ivf or hnsw',
  choices: ['auto', 'exact', 'ivf', 'hnsw'],
  default: 'auto',
  placeholder: 'KIND',
};
export const rawDistances: FlagSpec = {
  type: 'boolean',
  help: 'find neighbours on raw features, as imbalanced-learn does (default: standardised features)',
};

export const neighborsOf = (f: FlagValues) => stringFlag(f, 'neighbors') as NeighborSearch;

/** The arguments every stage command on one labelled file shares. */
export function labelledFile(f: FlagValues) {
  const pos = stringFlag(f, 'positive');
  const cats = listFlag(f, 'categorical');
  return {
    input: requiredString(f, 'input'),
    label: requiredString(f, 'label'),
    ...(pos !== undefined ? { positive: pos } : {}),
    ...(cats ? { categorical: cats } : {}),
    ...missingValueFlags(f),
    seed: numberFlag(f, 'seed')!,
    out: requiredString(f, 'out'),
  };
}

/** Who approves, rejects or controls a canary: --by, else the OS user at this host (recorded in the registry). */
export function approverOf(f: FlagValues): string {
  const by = stringFlag(f, 'by');
  if (by !== undefined) {
    if (by.trim() === '') throw new InvalidInputError('--by', '--by: expected a name, got an empty string');
    return by;
  }
  let user = process.env.USER ?? 'unknown';
  try {
    user = userInfo().username;
  } catch {
    // No passwd entry (some containers): keep $USER.
  }
  return `${user}@${hostname()}`;
}

/** The model file a command writes. */
export const modelOut: FlagSpec = { type: 'string', help: 'model file to write (.json)', required: true, placeholder: 'MODEL' };

/** --out of `train`, which writes a model file: a .json path (a model is JSON, whatever its name said). */
export function modelOutPath(f: FlagValues): string {
  const out = requiredString(f, 'out');
  if (extname(out).toLowerCase() !== '.json') {
    throw new InvalidInputError('--out', `--out: expected a model file ending in .json, got ${basename(out)}`);
  }
  return out;
}

/** `--model` on train and fit, where it once meant the model kind: now refused with a pointer to `--kind`. */
export const modelKindRefused = (command: string): FlagSpec => ({
  type: 'string',
  help: 'replaced by --kind',
  placeholder: 'KIND',
  refused: {
    why: `rareflow ${command} takes the model kind as --kind (--model names a trained model: a file, NAME, NAME@ALIAS or NAME/VERSION)`,
    use: 'kind',
  },
});

/** A command's state as a human table by default, or its value as one JSON object with --json. */
export function tableOrJson<T>(f: FlagValues, value: T, table: (value: T, nowMs: number) => string): CommandResult {
  return f.json ? { value } : { value, shownToHuman: true, text: table(value, Date.now()) };
}

/** `--why TEXT`, a recorded reason: absent is fine, an empty or blank text is refused (it would record nothing). */
export function reasonOf(f: FlagValues): string | undefined {
  const why = stringFlag(f, 'why');
  if (why !== undefined && why.trim() === '') throw new InvalidInputError('--why', '--why: expected a reason, got an empty string');
  return why;
}
