// What every rareflow activity shares: input errors become non-retryable failures, heartbeats that are safe
// outside Temporal (stage commands reuse the activities), and memoisation of outputs by input hashes + parameters.

import { ApplicationFailure, Context } from '@temporalio/activity';
import { readFile } from 'node:fs/promises';
import { InvalidInputError } from '../core/invalidInputError.js';
import { ArtifactStore } from '../data/artifactStore.js';
import { codeVersion } from '../data/codeVersion.js';
import { FailureType, type ArtifactRef } from '../workflows/contract.js';

export interface ComputeDeps {
  artifacts: ArtifactStore;
  /** The scoring service's serving directory (state and logs), read by canary analysis and drift checks. */
  servingDir?: string;
}

/** Runs `work`; an InvalidInputError leaves as a non-retryable ApplicationFailure of type InvalidInput. */
export async function failingOnBadInput<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof InvalidInputError) {
      throw ApplicationFailure.create({ message: err.message, type: FailureType.invalidInput, nonRetryable: true, details: [err.subject] });
    }
    throw err;
  }
}

function inActivity(): boolean {
  try {
    Context.current();
    return true;
  } catch {
    return false;
  }
}

/** What the previous attempt of this activity heartbeated last (undefined on a first attempt or outside Temporal). */
export function heartbeatDetails(): unknown {
  return inActivity() ? Context.current().info.heartbeatDetails : undefined;
}

/** Records progress when running inside an activity; a no-op in local stage commands. */
export function heartbeat(details?: unknown): void {
  if (inActivity()) Context.current().heartbeat(details);
}

/**
 * Returns the result stored under `keyParts` when an earlier attempt finished (so a retried or re-run activity
 * neither redoes nor duplicates work); otherwise runs `work`, stores its artifacts and result under the key.
 */
export async function memoised<T extends object>(
  artifacts: ArtifactStore,
  keyParts: unknown,
  work: () => Promise<{ result: T; outputs: Record<string, ArtifactRef> }>,
): Promise<T> {
  // The code version is part of the key: a worker running other code recomputes instead of reusing.
  const key = ArtifactStore.keyOf({ codeVersion: codeVersion(), keyParts });
  const found = await artifacts.findByKey(key);
  if (found?.result && (await Promise.all(Object.values(found).map((r) => artifacts.has(r)))).every(Boolean)) {
    return JSON.parse(await readFile(artifacts.pathOf(found.result), 'utf8')) as T;
  }
  const { result, outputs } = await work();
  const resultRef = await artifacts.putBytes(JSON.stringify(result), 'result', 'json');
  await artifacts.recordKey(key, { ...outputs, result: resultRef });
  return result;
}

export function secondsSince(startMs: number): number {
  return Math.round((performance.now() - startMs) / 10) / 100;
}
