// Files of the local commands: the output directory check, write-then-rename, and reading a model file.

import { constants, existsSync, statSync } from 'node:fs';
import { duplicateKeyText, firstDuplicateJsonKey } from '../core/spec/duplicateJsonKeys.js';
import { access, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { InvalidInputError } from '../core/invalidInputError.js';
import { parseModelArtifact, type ModelArtifact } from '../core/models/modelArtifact.js';

export async function requireOutputDirectory(out: string, flag = '--out'): Promise<string> {
  const abs = resolve(out);
  if (!existsSync(dirname(abs))) {
    throw new InvalidInputError(
      flag,
      `${flag}: the directory ${dirname(abs)} does not exist; create it or choose another path for ${basename(abs)}`,
    );
  }
  if (!statSync(dirname(abs)).isDirectory()) {
    throw new InvalidInputError(flag, `${flag} ${out}: ${dirname(abs)} is a file, not a directory; choose a path inside a directory`);
  }
  await requireWritable(dirname(abs), flag, out);
  return abs;
}

/**
 * A directory the command will write in (it or, when missing, the nearest one above it that exists): refused before
 * any work when it cannot be written (a read-only file system, no permission), instead of failing at the end with the
 * name of a temporary file.
 */
async function requireWritable(dir: string, flag: string, given: string): Promise<void> {
  let existing = dir;
  while (!existsSync(existing) && dirname(existing) !== existing) existing = dirname(existing);
  try {
    await access(existing, constants.W_OK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'EROFS' ? 'it is on a read-only file system' : code === 'EACCES' || code === 'EPERM' ? 'permission denied' : code;
    throw new InvalidInputError(flag, `${flag} ${given}: cannot write in ${existing} (${why}); choose a path where files can be written`);
  }
}

/**
 * A `DIR` flag that receives report.json and report.html: a directory (made when missing), never a file or a path
 * inside one, and writable; checked before any work.
 */
export async function requireReportDirectory(dir: string, flag: string): Promise<void> {
  const target = resolve(dir);
  for (let path = target; ; path = dirname(path)) {
    const found = await stat(path).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT' || err.code === 'ENOTDIR') return undefined;
      throw err;
    });
    if (found?.isDirectory()) break;
    if (found) {
      const got = path === target ? 'an existing file' : `a path inside the file ${path}`;
      throw new InvalidInputError(flag, `${flag} ${dir}: expected a directory for report.json and report.html, got ${got}`);
    }
    if (dirname(path) === path) break;
  }
  await requireWritable(target, flag, dir);
}

/** Writes `path` by a temporary file renamed over it, so a reader never sees half a file; the temporary file is removed on failure. */
export async function writeFileAtomically(path: string, text: string | Uint8Array): Promise<void> {
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  try {
    await writeFile(temp, text);
    await rename(temp, path);
  } catch (err) {
    await rm(temp, { force: true });
    const code = (err as NodeJS.ErrnoException).code;
    // Named by the file the user asked for, not by the temporary one.
    if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS')
      throw new InvalidInputError(path, `cannot write ${path} (${code === 'EROFS' ? 'a read-only file system' : 'permission denied'})`);
    if (code === 'ENOSPC') throw new Error(`cannot write ${path}: no space left on the device`, { cause: err });
    throw err;
  }
}

export async function loadModelFile(path: string): Promise<ModelArtifact> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    throw new InvalidInputError(`--model ${path}`, `--model: cannot read ${path}; expected a model file written by rareflow train or fit`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new InvalidInputError(`--model ${path}`, `--model: ${path} is not a rareflow model (not JSON)`);
  }
  // A key written twice keeps its last value, and the seal (over the parsed model) still matches: an edit put in
  // front of a key would be dropped without a word. A file as rareflow wrote it is its own compact JSON; only one that
  // reads otherwise (reformatted, or edited) is searched for a repeated key.
  if (JSON.stringify(json) !== text.trim()) {
    const duplicate = firstDuplicateJsonKey(text);
    if (duplicate) throw new InvalidInputError(`--model ${path}`, `--model ${path}: ${duplicateKeyText(duplicate)}`);
  }
  return parseModelArtifact(json, path);
}
