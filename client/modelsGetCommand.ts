// `rareflow models get --model REF [--out FILE]`: the model file a reference names, verified, written to FILE or
// to stdout, so a registered model can be copied out of the artifact store by name.

import { readFile } from 'node:fs/promises';
import { basename, extname, resolve } from 'node:path';
import { createHash } from 'node:crypto';
import { InvalidInputError } from '../core/invalidInputError.js';
import { loadModelFile, requireOutputDirectory, writeFileAtomically } from './localFiles.js';
import { registeredModelField, resolveModelFlag } from './modelByReference.js';

export interface ModelsGetArgs {
  model: string;
  /** The file to write; without it the bytes go to stdout. */
  out?: string;
  json: boolean;
}

/**
 * Writes the model. A registered model's bytes are checked against the registry's sha256; a model file is checked
 * to be a rareflow model. With `out`, the result describes what was written; without it, stdout carries only the
 * model's bytes.
 */
export async function modelsGetCommand(a: ModelsGetArgs) {
  if (a.out === undefined && a.json)
    throw new InvalidInputError('--json', '--json: expected --out FILE too; without --out, stdout carries the model file itself');
  // A model file is JSON whatever its name says: `--out model.csv` would write JSON under a CSV name.
  if (a.out !== undefined && extname(a.out).toLowerCase() !== '.json')
    throw new InvalidInputError('--out', `--out: expected a model file ending in .json, got ${basename(a.out)}`);
  const out = a.out === undefined ? undefined : await requireOutputDirectory(a.out);
  const resolved = await resolveModelFlag(a.model);
  let bytes: Buffer;
  if (resolved.source === 'file') {
    await loadModelFile(resolved.path);
    bytes = await readFile(resolved.path);
  } else {
    bytes = resolved.bytes;
  }
  if (out === undefined) {
    await new Promise<void>((done, fail) => process.stdout.write(bytes, (err) => (err ? fail(err) : done())));
    return { value: null, shownToHuman: true };
  }
  await writeFileAtomically(out, bytes);
  return {
    value: {
      command: 'models get',
      model: a.model,
      ...registeredModelField(resolved),
      out: resolve(out),
      sha256: createHash('sha256').update(bytes).digest('hex'),
      bytes: bytes.length,
    },
  };
}
