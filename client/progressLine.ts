// One progress line on stderr for the long local commands (predict, evaluate, fit): the step, rows done, rows/s
// and the ETA when the total is known, redrawn in place a few times a second and cleared at the end. Silent when
// stderr is not a terminal, so pipes, logs and tests see exactly what they saw without it.

import type { StageProgress } from '../stages/stageProgress.js';

/** The part of a stream the line needs; process.stderr in use, a fake in tests. */
export interface ProgressStream {
  isTTY?: boolean;
  write(text: string): unknown;
}

export interface ProgressLine {
  /** False when the stream is not a terminal and nothing is ever drawn: callers then pass no progress callback. */
  active: boolean;
  /** A new step (reading, scoring, training...): drawn at once; `totalRows` when known gives the ETA. */
  step(name: string, totalRows?: number, unit?: string): void;
  /** Rows of the current step done so far; drawn at most every `minIntervalMs`. */
  rows(done: number): void;
  /**
   * A stage's progress callback: its `stage` (and `candidate`, `fold`) name the step, `rows`/`totalRows` count
   * (in `unit`, rows unless it says otherwise: a forest counts trees).
   */
  stageProgress: StageProgress;
  /** Clear the line; call it before the command prints its result or error. */
  end(): void;
}

export interface ProgressLineOptions {
  /** @default process.stderr */
  stream?: ProgressStream;
  /** Least time between two redraws of a step's row count, in ms. @default 250 */
  minIntervalMs?: number;
  /** Clock in ms. @default performance.now */
  now?: () => number;
}

const silent: ProgressLine = { active: false, step: () => {}, rows: () => {}, stageProgress: () => {}, end: () => {} };

const CLEAR = '\r\u001b[2K';

function count(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

function duration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  return m < 60 ? `${m}m${String(s % 60).padStart(2, '0')}s` : `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

/** A progress line for `command`, or one that does nothing when the stream is not a terminal. */
export function progressLine(command: string, o: ProgressLineOptions = {}): ProgressLine {
  const stream = o.stream ?? process.stderr;
  if (!stream.isTTY) return silent;
  const now = o.now ?? (() => performance.now());
  const minIntervalMs = o.minIntervalMs ?? 250;
  const commandStarted = now();
  let name = '';
  let total: number | undefined;
  let stepStarted = commandStarted;
  let done = 0;
  let unit = 'rows';
  let drawnAt = -Infinity;
  let drawn = false;

  const draw = () => {
    const t = now();
    drawnAt = t;
    const seconds = (t - stepStarted) / 1000;
    const parts = [`${command}: ${name}`];
    if (done > 0 || total !== undefined) {
      const rate = seconds > 0 ? done / seconds : 0;
      parts.push(`${count(done)}${total !== undefined ? ` of ${count(total)}` : ''} ${unit}`);
      if (rate > 0) parts.push(`${count(rate)} ${unit}/s`);
      if (total !== undefined && rate > 0 && done < total) parts.push(`ETA ${duration((total - done) / rate)}`);
    }
    parts.push(`${duration((t - commandStarted) / 1000)} so far`);
    stream.write(`${CLEAR}${parts.join(', ')}`);
    drawn = true;
  };

  const line: ProgressLine = {
    active: true,
    step(stepName, totalRows, stepUnit = 'rows') {
      name = stepName;
      unit = stepUnit;
      total = totalRows;
      done = 0;
      stepStarted = now();
      draw();
    },
    rows(rowsDone) {
      done = rowsDone;
      if (now() - drawnAt >= minIntervalMs) draw();
    },
    stageProgress(details) {
      const stage = typeof details.stage === 'string' ? details.stage : name;
      const candidate = typeof details.candidate === 'string' ? ` ${details.candidate}` : '';
      const fold = typeof details.fold === 'number' ? ` fold ${details.fold}` : '';
      const stepName = `${stage}${candidate}${fold}`;
      const totalRows = typeof details.totalRows === 'number' ? details.totalRows : undefined;
      const stepUnit = typeof details.unit === 'string' ? details.unit : 'rows';
      if (stepName !== name || totalRows !== total || stepUnit !== unit) line.step(stepName, totalRows, stepUnit);
      if (typeof details.rows === 'number') line.rows(details.rows);
    },
    end() {
      if (drawn) stream.write(CLEAR);
      drawn = false;
    },
  };
  return line;
}
