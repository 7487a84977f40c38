// A local storage location (RAREFLOW_ARTIFACTS, RAREFLOW_SERVING) that cannot be a directory rareflow writes: a
// path through a regular file, a read-only or forbidden folder. Retrying cannot help, so it is a storage setting
// refused as configured (StorageAccessError, with the setting named), checked when a worker starts and where a
// directory is made for a step, instead of an activity retried for minutes on ENOTDIR.

import { randomBytes } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { StorageAccessError } from './objectStore.js';

/** Errors of making a directory that no retry mends, and how each reads. */
const SETTING_ERRORS: Record<string, string> = {
  ENOTDIR: 'a part of that path is a file, not a directory',
  EEXIST: 'a file of that name is there, not a directory',
  EACCES: 'permission denied',
  EPERM: 'the operation is not permitted',
  EROFS: 'the filesystem is read-only',
};

/** `err` as a StorageAccessError naming `setting` when making `dir` failed for good; otherwise `err` itself. */
export function storageSettingError(err: unknown, dir: string, setting: string, location: string): unknown {
  const code = (err as NodeJS.ErrnoException)?.code;
  const why = code !== undefined ? SETTING_ERRORS[code] : undefined;
  if (why === undefined) return err;
  return new StorageAccessError(
    dir,
    `${setting} is ${location}: cannot make the directory ${dir} (${why}); expected a directory rareflow can write: point ${setting} at one`,
    setting,
  );
}

/** Makes `dir` (and its parents) under the location of `setting`, failing with storageSettingError. */
export async function makeStorageDir(dir: string, setting: string, location: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true });
  } catch (err) {
    throw storageSettingError(err, dir, setting, location);
  }
}

/**
 * makeStorageDir, then a file written and removed in it: a directory that exists but cannot be written (read-only,
 * immutable, forbidden) is refused as the setting when a worker starts. Making it succeeded there, and each stage's
 * first write failed and was retried for minutes, naming a temporary file instead of the setting.
 */
export async function requireWritableStorageDir(dir: string, setting: string, location: string): Promise<void> {
  await makeStorageDir(dir, setting, location);
  const probe = join(dir, `.rareflow-write-check-${randomBytes(6).toString('hex')}`);
  try {
    await writeFile(probe, '');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException)?.code;
    const why = code !== undefined ? SETTING_ERRORS[code] : undefined;
    if (why === undefined) throw err;
    throw new StorageAccessError(
      dir,
      `${setting} is ${location}: cannot write in the directory ${dir} (${why}); expected a directory rareflow can write: point ${setting} at one`,
      setting,
    );
  }
  await rm(probe, { force: true });
}
