// Files of the local commands: the output directory check, write-then-rename, and reading a model file.

import { existsSync } from 'node:fs';
import { readFile, writeFile, rename } from 'node:fs/promises';
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
  return abs;
}
export async function writeFileAtomically(path: string, text: string | Uint8Array): Promise<void> {
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  await writeFile(temp, text);
  await rename(temp, path);
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
  return parseModelArtifact(json, path);
}
