// A directory on a read-only file system, for tests of outputs and storage that cannot be written: a small tmpfs
// mounted read-only, which needs root. Where mounting is not allowed, `mounted` is false and the tests say so by
// skipping.

import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';

/** Makes `dir` and mounts a read-only tmpfs on it; false where that is not allowed. */
export function mountReadOnly(dir: string): boolean {
  mkdirSync(dir, { recursive: true });
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'ro,size=1m', 'tmpfs', dir], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Unmounts what mountReadOnly mounted on `dir`. */
export function unmountReadOnly(dir: string): void {
  execFileSync('umount', [dir]);
}
