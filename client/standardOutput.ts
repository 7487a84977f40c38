// Errors writing standard output: a full disk behind `> file` (ENOSPC), a closed pipe (`| head`: EPIPE). Without a
// listener, Node either threw them as an unhandled 'error' event (a stack trace) or lost them when the process exited
// first (exit 0 with an empty file, for a script that redirected `models list --json` to a full disk).

let failure: NodeJS.ErrnoException | undefined;

/** Records the first error writing standard output, from now on. */
export function watchStandardOutput(): void {
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    failure ??= err;
  });
}

/** Waits for standard output's pending writes, then returns the first error writing it, if any. */
export async function standardOutputFailure(): Promise<NodeJS.ErrnoException | undefined> {
  await new Promise<void>((resolve) => {
    if (process.stdout.destroyed || process.stdout.writableEnded) resolve();
    else process.stdout.write('', () => resolve());
  });
  // The error event of a failed write comes a tick after its callback.
  await new Promise((resolve) => setImmediate(resolve));
  return failure;
}

/** A reader that stopped reading (`| head`): not a failure of the command, which said what was asked. */
export function isClosedPipe(err: unknown): boolean {
  return (err as NodeJS.ErrnoException | undefined)?.code === 'EPIPE';
}
