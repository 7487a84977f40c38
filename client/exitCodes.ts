// The `rareflow` exit codes and the one mapping from a failure to its code and its line on stderr.

import { errorCauses } from '../core/errorCauses.js';
import { InvalidInputError } from '../core/invalidInputError.js';
import { diskFullMessage, diskFullPath, pastFileSizeLimit } from '../data/diskFull.js';
import { TemporalCliNotFoundError } from '../infra/temporalCli.js';

export const EXIT_CODES = {
  /** The command did what it was asked (for `run --wait`: the retrain was promoted). */
  success: 0,
  /** A verdict the user asked to fail on: `evaluate --gates` not passing, `run --wait` not promoted, a demo off course. */
  verdictFailed: 1,
  /** Bad input: a flag, a file, a spec, an unknown model or run; also a Temporal CLI that cannot be found. */
  badInput: 2,
  /** Anything else: a full disk, an unreachable server, an unexpected error. */
  failed: 3,
} as const;

/** The exit codes as `rareflow --help` lists them. */
export const EXIT_CODE_LINES = [
  '0  success',
  '1  a verdict you asked to fail on (evaluate --gates; run --wait when the retrain was not promoted)',
  '2  bad input (one line on stderr naming the flag, file or field)',
  '3  any other failure (disk full, server unreachable)',
];

/** Failure types (workflows/contract.ts) whose message is bad input, anywhere in a Temporal failure's cause chain. */
const INPUT_FAILURE_TYPES = new Set(['InvalidInput', 'IntegrityError', 'StorageSettings']);
/** Temporal's failures whose own message says only that something failed ("Workflow execution failed"). */
const TEMPORAL_FAILURE_NAMES = new Set(['WorkflowFailedError', 'ActivityFailure', 'ChildWorkflowFailure', 'ApplicationFailure']);
/** DISK_FULL_FAILURE_TYPE of workflows/contract.ts. */
const DISK_FULL_FAILURE_TYPE = 'DiskFull';

/** A failed command's exit code and its one line for stderr (without the `rareflow COMMAND: ` prefix). */
export function failureExit(err: unknown): { exitCode: number; message: string } {
  if (err instanceof InvalidInputError || err instanceof TemporalCliNotFoundError)
    return { exitCode: EXIT_CODES.badInput, message: err.message };
  const causes = [...errorCauses(err)];
  const input = causes.find((e) => e.type !== undefined && INPUT_FAILURE_TYPES.has(e.type));
  if (input?.message) return { exitCode: EXIT_CODES.badInput, message: input.message };
  const diskFull = causes.find((e) => e.type === DISK_FULL_FAILURE_TYPE);
  if (diskFull?.message) return { exitCode: EXIT_CODES.failed, message: diskFull.message };
  const path = diskFullPath(err);
  if (path !== undefined) return { exitCode: EXIT_CODES.failed, message: diskFullMessage(path, pastFileSizeLimit(err)) };
  // A Temporal failure says "Workflow execution failed" (or "Activity task failed") outermost: the cause that says
  // what went wrong is the innermost one with a message of its own.
  const outer = (err as Error)?.message ?? String(err);
  if (!TEMPORAL_FAILURE_NAMES.has((err as Error)?.name)) return { exitCode: EXIT_CODES.failed, message: outer };
  const innermost = causes.filter((e) => typeof e.message === 'string' && e.message !== '').at(-1)?.message;
  return { exitCode: EXIT_CODES.failed, message: innermost && !outer.includes(innermost) ? `${outer}: ${innermost}` : outer };
}
