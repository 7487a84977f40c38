// `rareflow predict`: streaming batch scoring of a file with a model (a file or a registered reference), through
// the score-batch stage (stages/scoreBatch.ts); the output is written atomically.

import { basename, extname } from 'node:path';
import { InvalidInputError } from '../core/invalidInputError.js';
import { scoreBatchStage } from '../stages/scoreBatch.js';
import { requireOutputDirectory } from './localFiles.js';
import { loadModelReference, registeredModelField } from './modelByReference.js';
import { progressLine } from './progressLine.js';

export async function predictCommand(a: { model: string; input: string; out: string; id?: string }) {
  const { model, resolved } = await loadModelReference(a.model);
  const out = await requireOutputDirectory(a.out);
  const outExt = extname(out).toLowerCase();
  if (outExt !== '.csv' && outExt !== '.parquet')
    throw new InvalidInputError('--out', `--out: expected a .csv or .parquet file, got ${basename(out)}`);
  const line = progressLine('predict');
  try {
    return {
      command: 'predict',
      ...registeredModelField(resolved),
      ...(await scoreBatchStage(
        { model, input: a.input, out, ...(a.id !== undefined ? { id: a.id } : {}) },
        line.active ? line.stageProgress : undefined,
      )),
    };
  } finally {
    line.end();
  }
}
