// Scratch files written beside an output (the on-disk table `predict` fills before it copies it to the output, the
// folder of parts `generate` writes), named with their writer's process: one left by a process that was interrupted
// (Ctrl-C, SIGTERM, kill -9) is removed by the next command that writes into that directory, never one a running
// process still writes.

import { randomBytes } from 'node:crypto';
import { readdir, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { OWNER_TAG, ownerIsGone } from './artifactStore.js';

/** A hidden scratch path beside `out`, ending in `.ext`, tagged with this process. */
export function scratchPathBeside(out: string, ext: string): string {
  return join(dirname(out), `.${basename(out)}.${randomBytes(6).toString('hex')}${OWNER_TAG}.${ext}`);
}

/** Removes the scratch files (and their DuckDB `.wal`) in `out`'s directory whose writer no longer runs. */
export async function sweepScratchBeside(out: string): Promise<void> {
  const dir = dirname(out);
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return;
  }
  for (const name of names) {
    if (!name.startsWith('.') || !SCRATCH.test(name) || !ownerIsGone(join(dir, name))) continue;
    // A folder too: generate's folder of parts.
    await rm(join(dir, name), { force: true, recursive: true });
  }
}

/** A scratch name of scratchPathBeside: `.<out>.<12 hex><owner tag>.<ext>`, a DuckDB write-ahead log after it too. */
const SCRATCH = /\.[0-9a-f]{12}~[0-9a-f]{8}\.\d+\.[0-9a-f]{8}~\.[a-z]+(\.wal)?$/;

/**
 * `err` with the scratch file's path (and its DuckDB `.wal`) in its message replaced by the output's: a write that
 * failed there (a file size limit, a full disk) is the output's failure, and the user never named the scratch file.
 */
export function namingOutput(err: unknown, scratch: string, out: string): unknown {
  if (err instanceof Error && err.message.includes(scratch))
    err.message = err.message.replaceAll(`${scratch}.wal`, out).replaceAll(scratch, out);
  return err;
}
