// The retrain's stage timings, measured in workflow time: Date.now() inside a workflow is the time of the current
// workflow task, recorded in the history, so the timings are the same on every replay and need no patch.

import type { StageTiming } from './contract.js';

export class StageClock {
  private readonly done: StageTiming[] = [];
  private open: { stage: string; startMs: number } | null = null;
  /** When the first stage began (workflow time): the run's start, before anything was read. */
  private firstStartMs: number | null = null;

  /** Ends the open stage and starts `stage`; returns it, so `stage = clock.enter('training')` keeps the query's text. */
  enter(stage: string): string {
    this.end();
    this.open = { stage, startMs: Date.now() };
    this.firstStartMs ??= this.open.startMs;
    return stage;
  }

  /** The first stage's start as ISO 8601, or now when none has begun. */
  startedAt(): string {
    return new Date(this.firstStartMs ?? Date.now()).toISOString();
  }

  /** Ends the open stage and returns every stage's timing, in order. */
  finish(): StageTiming[] {
    this.end();
    return [...this.done];
  }

  private end(): void {
    if (this.open === null) return;
    const endMs = Date.now();
    this.done.push({
      stage: this.open.stage,
      startedAt: new Date(this.open.startMs).toISOString(),
      finishedAt: new Date(endMs).toISOString(),
      durationMs: endMs - this.open.startMs,
    });
    this.open = null;
  }
}
