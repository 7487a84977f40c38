// The input files a list of paths and globs names, each file once: two names of one file (a symbolic link beside its
// target, a hard link, one path given twice, a glob and a path that both match it) would read its rows twice, so the
// later name is dropped, and said when the names differ.

import { realpath, stat } from 'node:fs/promises';
import { relative } from 'node:path';

/** `files` (resolved paths, in order) with each file kept under its first name, and a warning for each one dropped. */
export async function distinctInputFiles(files: readonly string[]): Promise<{ files: string[]; warnings: string[] }> {
  const kept: string[] = [];
  const warnings: string[] = [];
  const firstNameOf = new Map<string, string>();
  for (const file of files) {
    const identity = await fileIdentity(file);
    const first = firstNameOf.get(identity);
    if (first === undefined) {
      firstNameOf.set(identity, file);
      kept.push(file);
    } else if (first !== file) {
      warnings.push(
        `--input: ${shown(file)} is the same file as ${shown(first)} (${await howSame(file, first)}); its rows are read once, not twice`,
      );
    }
  }
  return { files: kept, warnings };
}

/** What makes two paths one file: the device and inode it resolves to, or the path itself where it cannot be stat'ed. */
async function fileIdentity(file: string): Promise<string> {
  try {
    const s = await stat(file);
    return `${s.dev}:${s.ino}`;
  } catch {
    return file;
  }
}

/** How `later`, a second name of the file `first` names, is that file: through a symbolic link, or a hard link. */
async function howSame(later: string, first: string): Promise<string> {
  const [real, firstReal] = await Promise.all([realpath(later).catch(() => later), realpath(first).catch(() => first)]);
  if (real !== firstReal) return 'a hard link to it';
  if (real === first) return 'a symbolic link to it';
  if (firstReal === later) return 'the target of its symbolic link';
  return `both lead to ${shown(real)} through symbolic links`;
}

/** `path` relative to the working directory when it lies under it (as the user likely typed it), else as it is. */
function shown(path: string): string {
  const inside = relative(process.cwd(), path);
  return inside !== '' && !inside.startsWith('..') && !inside.startsWith('/') ? inside : path;
}
