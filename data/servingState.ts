// What the scoring service serves for one model: the champion and, while a canary runs, the challenger and its
// traffic weight. The registry worker publishes it as one small JSON file per model (write-then-rename); the
// service polls it, so the service never opens the registry's DuckDB file (DuckDB allows one writer process).
// On s3:// storage it is one object replaced with If-Match on its ETag, and polled with If-None-Match.
// Layout under the serving directory (RAREFLOW_SERVING, default <RAREFLOW_HOME>/serving, or s3://bucket/prefix):
//   <model>/state.json                 this file
//   <model>/predictions/part-*.parquet the service's prediction log
//   <model>/feedback/part-*.parquet    delayed true labels, by request id

import { randomBytes } from 'node:crypto';
import { readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { makeStorageDir } from './localStorageDirs.js';
import { join } from 'node:path';
import { InvalidInputError } from '../core/invalidInputError.js';
import { checkResourceName } from '../core/resourceName.js';
import { isS3Uri } from './objectStore.js';
import { S3ObjectStore } from './s3ObjectStore.js';

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
  return joinLocation(servingDir, checkResourceName(modelName, 'model name'));
}

export function servingStatePath(servingDir: string, modelName: string): string {
  return joinLocation(servingModelDir(servingDir, modelName), 'state.json');
}

export function predictionLogDir(servingDir: string, modelName: string): string {
  return joinLocation(servingModelDir(servingDir, modelName), 'predictions');
}

export function feedbackLogDir(servingDir: string, modelName: string): string {
  return joinLocation(servingModelDir(servingDir, modelName), 'feedback');
}

/** `name` under a directory or an s3:// prefix. */
function joinLocation(location: string, name: string): string {
  return isS3Uri(location) ? `${location.replace(/\/+$/, '')}/${name}` : join(location, name);
}

/** How many times a compare-and-swap of the state is re-read and retried after another writer won. */
const STATE_SWAP_ATTEMPTS = 5;

/**
 * Replaces the state of `modelName` with `next(previous)`; `previous` is null when none is published or it cannot be
 * read. On s3:// the write is conditional on the ETag read (If-Match, or If-None-Match when absent): a writer that
 * lost a race re-reads and rebuilds, so no change is lost. A directory has one writer: read, build, rename.
 */
export async function updateServingState(
  servingDir: string,
  modelName: string,
  next: (previous: ServingState | null) => ServingState | Promise<ServingState>,
): Promise<ServingState> {
  if (!isS3Uri(servingDir)) {
    const state = await next(await readServingState(servingDir, modelName).catch(() => null));
    await writeServingState(servingDir, state);
    return state;
  }
  const remote = new S3ObjectStore(servingDir, 'RAREFLOW_SERVING');
  const key = `${checkResourceName(modelName, 'model name')}/state.json`;
  for (let attempt = 0; attempt < STATE_SWAP_ATTEMPTS; attempt++) {
    const found = await remote.get(key);
    const current = found && found !== 'not-modified' ? found : null;
    let previous: ServingState | null;
    try {
      previous = current ? parseServingState(current.body.toString('utf8'), remote.uriOf(key), modelName) : null;
    } catch {
      previous = null; // an unreadable state is replaced, as a file one is
    }
    const state = await next(previous);
    const written = await remote.put(key, { bytes: stateText(state) }, current ? { ifMatch: current.etag } : { ifNoneMatch: true });
    if (written !== 'precondition-failed') return state;
  }
  throw new Error(
    `serving state ${remote.uriOf(key)} was replaced by another writer during each of ${STATE_SWAP_ATTEMPTS} attempts to update it; retrying`,
  );
}

/** Publishes `state` atomically: readers see the old file or the new one, never a part (on s3://, unconditionally). */
/**
 * Makes the model's serving directory (on S3, reads its state), so a directory that cannot be made (a file in its
 * place, no permission) or a bucket that cannot be read fails before the registry moves the champion, not after.
 */
export async function prepareServingDir(servingDir: string, modelName: string): Promise<void> {
  const dir = servingModelDir(servingDir, modelName);
  if (!isS3Uri(servingDir)) {
    await makeStorageDir(dir, 'RAREFLOW_SERVING', servingDir);
    return;
  }
  // On S3, one read of the state: a missing bucket or refused credentials fail here too (an absent state is fine).
  await new S3ObjectStore(servingDir, 'RAREFLOW_SERVING').get(`${checkResourceName(modelName, 'model name')}/state.json`);
}

export async function writeServingState(servingDir: string, state: ServingState): Promise<void> {
  if (isS3Uri(servingDir)) {
    const remote = new S3ObjectStore(servingDir, 'RAREFLOW_SERVING');
    await remote.put(`${checkResourceName(state.modelName, 'model name')}/state.json`, { bytes: stateText(state) });
    return;
  }
  const path = servingStatePath(servingDir, state.modelName);
  await makeStorageDir(join(servingDir, state.modelName), 'RAREFLOW_SERVING', servingDir);
  const temp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    await writeFile(temp, stateText(state));
    await rename(temp, path);
  } catch (err) {
    await rm(temp, { force: true });
    throw err;
  }
}

function stateText(state: ServingState): string {
  return `${JSON.stringify(state, null, 2)}\n`;
}

/** The last state read from each s3:// state object, with its ETag: a poll that finds it unchanged gets no body. */
const polledStates = new Map<string, { etag: string; state: ServingState }>();

/** The published state of `modelName`, or null when nothing has been published for it yet. */
export async function readServingState(servingDir: string, modelName: string): Promise<ServingState | null> {
  const path = servingStatePath(servingDir, modelName);
  if (isS3Uri(servingDir)) {
    const remote = new S3ObjectStore(servingDir, 'RAREFLOW_SERVING');
    const seen = polledStates.get(path);
    const found = await remote.get(`${modelName}/state.json`, seen?.etag);
    if (found === 'not-modified') return seen!.state;
    if (found === null) return null;
    const state = parseServingState(found.body.toString('utf8'), path, modelName);
    polledStates.set(path, { etag: found.etag, state });
    return state;
  }
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  return parseServingState(text, path, modelName);
}

function parseServingState(text: string, path: string, modelName: string): ServingState {
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
