// Output paths checked before a command runs: one that names the command's own input would replace the user's data
// (or model) with the result, and one that is a directory would fail only after all the work.

import { realpathSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { globPattern } from '../core/globPattern.js';
import { InvalidInputError } from '../core/invalidInputError.js';
import type { FlagSpec, FlagValues } from './cliArgs.js';

/** Flags a command writes to (a `DIR` flag: the report files in it). */
const OUTPUT_FLAGS = ['out', 'removed', 'report'];
/** Flags naming files a command reads. */
const INPUT_FLAGS = ['input', 'model', 'config', 'reference', 'current', 'gates', 'evidence'];
/** The files a report directory receives. */
const REPORT_FILES = ['report.json', 'report.html'];

/** The path as the file system knows it: symlinks followed where the file exists. */
function canonical(path: string): string {
  const absolute = resolve(path);
  try {
    return realpathSync(absolute);
  } catch {
    return absolute;
  }
}

/**
 * An output that names a file the command reads (or, for a `DIR` flag, a directory holding one as report.json or
 * report.html): refused before any work, since writing it would replace the user's data, model or gates with the result.
 */
export function rejectOutputOverInput(flags: FlagValues, specs: Readonly<Record<string, FlagSpec>> = {}): void {
  for (const outFlag of OUTPUT_FLAGS) {
    const out = flags[outFlag];
    if (typeof out !== 'string' || out === '' || out.includes('://')) continue;
    const isDirectory = specs[outFlag]?.placeholder === 'DIR';
    const targets = isDirectory ? REPORT_FILES.map((f) => canonical(join(out, f))) : [canonical(out)];
    for (const inFlag of INPUT_FLAGS) {
      const given = flags[inFlag];
      const paths = Array.isArray(given) ? given : typeof given === 'string' ? [given] : [];
      for (const p of paths) {
        if (typeof p !== 'string' || p.includes('://')) continue;
        const hit = targets.find((t) => canonical(p) === t);
        if (hit !== undefined)
          throw new InvalidInputError(
            `--${outFlag}`,
            isDirectory
              ? `--${outFlag} ${out} would receive ${basename(hit)}, which is the file given to --${inFlag}; writing it would replace that input: choose another directory for --${outFlag}`
              : `--${outFlag} ${out} is the file given to --${inFlag}; writing it would replace that input: choose another path for --${outFlag}`,
          );
        // A glob that matches the output reads the last run's output back in as input, then replaces it.
        if (!isDirectory && /[*?[]/.test(p) && globPattern(resolve(p)).test(resolve(out)))
          throw new InvalidInputError(
            `--${outFlag}`,
            `--${outFlag} ${out} matches the glob given to --${inFlag} (${p}); a later run would read this output back in as input: choose a path outside the glob for --${outFlag}`,
          );
      }
    }
  }
}

/** An output flag that takes a file (not a `DIR`) naming an existing directory: refused before any work. */
export function rejectDirectoryOutput(flags: FlagValues, specs: Readonly<Record<string, FlagSpec>>): void {
  for (const outFlag of OUTPUT_FLAGS) {
    const out = flags[outFlag];
    if (typeof out !== 'string' || out === '' || out.includes('://') || specs[outFlag]?.placeholder === 'DIR') continue;
    // `out.csv/` names a directory; the path would otherwise be resolved without the slash and written as a file.
    if (/[/\\]$/.test(out)) {
      throw new InvalidInputError(
        `--${outFlag}`,
        `--${outFlag} ${out} ends with a slash, which names a directory; expected the path of a file to write`,
      );
    }
    let found;
    try {
      found = statSync(out, { throwIfNoEntry: false });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOTDIR') throw err;
      throw new InvalidInputError(
        `--${outFlag}`,
        `--${outFlag} ${out}: a part of the path before the file name is a file, not a directory; choose a path inside a directory`,
      );
    }
    if (found?.isDirectory()) {
      throw new InvalidInputError(`--${outFlag}`, `--${outFlag} ${out} is a directory; expected the path of a file to write`);
    }
  }
}
