// What every rareflow activity shares: input errors become non-retryable failures, heartbeats that are safe
// outside Temporal (tests call activities directly), and memoisation of outputs by input hashes + parameters.

import { ApplicationFailure, Context } from '@temporalio/activity';
import { IntegrityError } from '../core/integrityError.js';
import { InvalidInputError } from '../core/invalidInputError.js';
import { ArtifactStore } from '../data/artifactStore.js';
import { StorageAccessError } from '../data/objectStore.js';
import { codeVersion } from '../data/codeVersion.js';
import { FailureType, type ArtifactRef } from '../core/pipelineTypes.js';

export interface ComputeDeps {
  artifacts: ArtifactStore;
  /** The scoring service's serving directory (state and logs), read by canary analysis and drift checks. */
  servingDir?: string;
}

/**
 * The settings the data layer's messages name by their command-line flag, and the pipeline spec key each has: in a
 * pipeline run the user wrote the spec, so its errors name the spec's keys.
 */
const SPEC_KEY_OF_FLAG: Readonly<Record<string, string>> = {
  '--positive-when': 'input.positiveWhen',
  '--positive': 'input.positive',
  '--label': 'input.label',
  '--categorical': 'input.categorical',
  '--input': 'input.paths',
  '--shards': 'sampling.shards',
};
const INPUT_FLAG = /--(?:positive-when|positive|label|categorical|input|shards)(?![\w-])/g;

/** `text` with the input flags it names replaced by the pipeline spec's keys (and a flag's spec-key aside dropped). */
export function inSpecWords(text: string): string {
  return text
    .replace(/(--[a-z-]+) \((input\.[A-Za-z]+) in a pipeline spec\)/g, (whole, flag: string, key: string) =>
      SPEC_KEY_OF_FLAG[flag] === key ? flag : whole,
    )
    .replace(INPUT_FLAG, (flag) => SPEC_KEY_OF_FLAG[flag] ?? flag);
}

/**
 * Runs `work`; an InvalidInputError leaves as a non-retryable ApplicationFailure of type InvalidInput (in the spec's
 * words), an IntegrityError (a stored file that fails its sha256) as one of type IntegrityError naming the file, and
 * storage refused as configured as one of type StorageSettings naming the setting (not the spec's fault).
 */
export async function failingOnBadInput<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof IntegrityError) {
      throw ApplicationFailure.create({ message: err.message, type: FailureType.integrity, nonRetryable: true, details: [err.path] });
    }
    if (err instanceof StorageAccessError && err.setting !== undefined) {
      throw ApplicationFailure.create({
        message: err.message,
        type: FailureType.storageSettings,
        nonRetryable: true,
        details: [err.setting],
      });
    }
    if (err instanceof InvalidInputError) {
      throw ApplicationFailure.create({
        message: inSpecWords(err.message),
        type: FailureType.invalidInput,
        nonRetryable: true,
        details: [inSpecWords(err.subject)],
      });
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

/** The details each running activity heartbeated last, so a keep-alive beat repeats them instead of erasing them. */
const lastDetails = new WeakMap<Context, unknown>();

/**
 * Records progress when running inside an activity; a no-op outside one (tests call activities directly). Stages
 * call it from inside their loops, often; the SDK sends at most one heartbeat per interval, with the newest details.
 */
export function heartbeat(details?: unknown): void {
  if (!inActivity()) return;
  const ctx = Context.current();
  lastDetails.set(ctx, details);
  ctx.heartbeat(details);
}

/** How often a keep-alive beat is sent while an activity waits (worker threads, I/O) and its event loop is free. */
export const KEEP_ALIVE_HEARTBEAT_MS = 5_000;

/**
 * Runs `work` with a timer that repeats the activity's last heartbeat details every KEEP_ALIVE_HEARTBEAT_MS. It
 * fires only while the event loop is free (awaiting worker threads or I/O); synchronous loops heartbeat through
 * their progress callbacks. A killed process sends nothing, so its activity still times out and moves elsewhere.
 */
export async function keepingAlive<T>(ctx: Context, work: () => Promise<T>): Promise<T> {
  if (!ctx.info.heartbeatTimeoutMs) return work();
  const timer = setInterval(() => ctx.heartbeat(lastDetails.get(ctx) ?? ctx.info.heartbeatDetails), KEEP_ALIVE_HEARTBEAT_MS);
  try {
    return await work();
  } finally {
    clearInterval(timer);
  }
}

/** Aborts when this activity is cancelled (undefined outside Temporal). */
export function cancellationSignal(): AbortSignal | undefined {
  return inActivity() ? Context.current().cancellationSignal : undefined;
}

/** A warning in the activity's log, or on stderr outside Temporal. */
export function warn(message: string): void {
  if (inActivity()) Context.current().log.warn(message);
  else process.stderr.write(`[WARN] ${message}\n`);
}

/**
 * Returns the result stored under `keyParts` when an earlier attempt finished (so a retried or re-run activity
 * neither redoes nor duplicates work); otherwise runs `work`, stores its artifacts and result under the key.
 * Every stored output is re-hashed before it is reused: a file changed since it was written is removed and the
 * whole step recomputed from its inputs (which are verified as they are read).
 */
export async function memoised<T extends object>(
  artifacts: ArtifactStore,
  keyParts: unknown,
  work: () => Promise<{ result: T; outputs: Record<string, ArtifactRef> }>,
): Promise<T> {
  // The code version is part of the key: a worker running other code recomputes instead of reusing.
  const key = ArtifactStore.keyOf({ codeVersion: codeVersion(), keyParts });
  const found = await artifacts.findByKey(key);
  if (found?.result) {
    const checks = await Promise.all(Object.entries(found).map(async ([name, ref]) => ({ name, ref, check: await artifacts.check(ref) })));
    if (checks.every((c) => c.check.status === 'ok')) return JSON.parse((await artifacts.readVerified(found.result)).toString('utf8')) as T;
    for (const { name, ref, check } of checks) {
      if (check.status !== 'corrupt') continue;
      warn(
        `stored output "${name}" ${check.path} failed verification (sha256 ${check.actualSha256}, expected ${ref.sha256}): recomputing it`,
      );
      await artifacts.discardIfCorrupt(ref);
    }
  }
  const { result, outputs } = await work();
  const resultRef = await artifacts.putBytes(JSON.stringify(result), 'result', 'json');
  await artifacts.recordKey(key, { ...outputs, result: resultRef });
  return result;
}
