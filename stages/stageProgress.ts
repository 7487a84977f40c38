// What every stage shares: a progress callback (activities turn it into heartbeats; local commands pass none)
// and the rounding of a step's seconds.

/** Called as a stage makes progress; the details are JSON-plain (an activity heartbeats them). */
export type StageProgress = (details: Record<string, unknown>) => void;

/** Seconds since `startMs` (a performance.now() reading), to two decimals. */
export function secondsSince(startMs: number): number {
  return Math.round((performance.now() - startMs) / 10) / 100;
}

/** A neighbour search's batch callback that reports through `progress` (none when there is no progress to report). */
export function searchProgress(progress: StageProgress | undefined, stage: string) {
  return progress ? { onBatch: (rowsDone: number, rowsTotal: number) => progress({ stage, rowsDone, rowsTotal }) } : {};
}
