// What the scoring service serves for one model: the champion and, while a canary runs, the challenger and its
// traffic weight. The registry worker publishes it as one small JSON file per model (write-then-rename); the
// service polls it, so the service never opens the registry's DuckDB file (DuckDB allows one writer process).
// Layout under the serving directory (RAREFLOW_SERVING, default <RAREFLOW_HOME>/serving):
//   <model>/state.json                 this file
//   <model>/predictions/part-*.parquet the service's prediction log
//   <model>/feedback/part-*.parquet    delayed true labels, by request id

import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { InvalidInputError } from '../core/invalidInputError.js';
import { checkResourceName } from '../core/resourceName.js';

export const SERVING_STATE_FORMAT = 'rareflow-serving-state';

/** A model the service can load: its file in the artifact store and the sha256 the file must have. */
export interface ServedModel {
  sha256: string;
  /** file:// URI of the model file. */
  uri: string;
  kind: string;
  threshold: number;
  runId: string;
}

export interface CanaryState {
  challenger: ServedModel;
  /** Share of requests routed to the challenger, in [0, 1]. */
  weight: number;
  /** Workflow id of the canaryRollout that owns this canary. */
  rolloutId: string;
  /** Index of the current step in the rollout's weights. */
  step: number;
  /** ms since the epoch at which this weight took effect (the start of the observation window). */
  sinceMs: number;
}

export interface ServingState {
  format: typeof SERVING_STATE_FORMAT;
  modelName: string;
  /** Grows with every change; the service reloads when it moves. */
  revision: number;
  /** ISO 8601. */
  updatedAt: string;
  champion: ServedModel | null;
  canary: CanaryState | null;
}

/** The model's folder under the serving directory; the name is checked, so it never leaves that directory. */
export function servingModelDir(servingDir: string, modelName: string): string {
  return join(servingDir, checkResourceName(modelName, 'model name'));
}

export function servingStatePath(servingDir: string, modelName: string): string {
  return join(servingModelDir(servingDir, modelName), 'state.json');
}

export function predictionLogDir(servingDir: string, modelName: string): string {
  return join(servingModelDir(servingDir, modelName), 'predictions');
}

export function feedbackLogDir(servingDir: string, modelName: string): string {
  return join(servingModelDir(servingDir, modelName), 'feedback');
}

/** Publishes `state` atomically: readers see the old file or the new one, never a part. */
export async function writeServingState(servingDir: string, state: ServingState): Promise<void> {
  const path = servingStatePath(servingDir, state.modelName);
  await mkdir(join(servingDir, state.modelName), { recursive: true });
  const temp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    await writeFile(temp, `${JSON.stringify(state, null, 2)}\n`);
    await rename(temp, path);
  } catch (err) {
    await rm(temp, { force: true });
    throw err;
  }
}

/** The published state of `modelName`, or null when nothing has been published for it yet. */
export async function readServingState(servingDir: string, modelName: string): Promise<ServingState | null> {
  const path = servingStatePath(servingDir, modelName);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new InvalidInputError(path, `${path} is not valid JSON: expected a rareflow serving state`);
  }
  const s = parsed as Partial<ServingState>;
  if (s.format !== SERVING_STATE_FORMAT || s.modelName !== modelName || typeof s.revision !== 'number') {
    throw new InvalidInputError(path, `${path}: expected a serving state of model ${modelName} ("format": "${SERVING_STATE_FORMAT}")`);
  }
  return s as ServingState;
}

/** Models with a folder under the serving directory (a published state or logs), sorted; none when it is absent. */
export async function servedModelNames(servingDir: string): Promise<string[]> {
  try {
    const entries = await readdir(servingDir, { withFileTypes: true });
    return entries
      .filter((e) => e.isDirectory())
      .map((e) => e.name)
      .sort();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
}
