// An output flag that names one of the command's own input files would replace the user's data (or model) with
// the command's result: refused before anything runs, naming both flags.

import { realpathSync } from 'node:fs';
import { resolve } from 'node:path';
import { InvalidInputError } from '../core/invalidInputError.js';
import type { FlagValues } from './cliArgs.js';

/** Flags a command writes to. */
const OUTPUT_FLAGS = ['out', 'removed'];
/** Flags naming files a command reads. */
const INPUT_FLAGS = ['input', 'model', 'config', 'reference', 'current'];

/** The path as the file system knows it: symlinks followed where the file exists. */
function canonical(path: string): string {
  const absolute = resolve(path);
  try {
    return realpathSync(absolute);
  } catch {
    return absolute;
  }
}

export function rejectOutputOverInput(flags: FlagValues): void {
  for (const outFlag of OUTPUT_FLAGS) {
    const out = flags[outFlag];
    if (typeof out !== 'string' || out === '' || out.includes('://')) continue;
    const target = canonical(out);
    for (const inFlag of INPUT_FLAGS) {
      const given = flags[inFlag];
      const paths = Array.isArray(given) ? given : typeof given === 'string' ? [given] : [];
      for (const p of paths) {
        if (typeof p !== 'string' || p.includes('://') || canonical(p) !== target) continue;
        throw new InvalidInputError(
          `--${outFlag}`,
          `--${outFlag} ${out} is the file given to --${inFlag}; writing it would replace that input: choose another path for --${outFlag}`,
        );
      }
    }
  }
}
