// The one table `npm run bench` ends with: each stage's rareflow figure against its peer's, the ratio, the goal and
// whether it is met. Pure formatting and arithmetic; the benches measure and bench/benchResults.ts carries rows.

/** A figure and how to read it: seconds and milliseconds are better lower, rows/s better higher. */
export interface Measure {
  value: number;
  unit: 's' | 'ms' | 'rows/s';
  /** Peak resident memory of whatever produced the figure (MB), when measured. */
  peakMb?: number;
}

/**
 * What a row must reach: `speedup` is a floor on the ratio (peer time over ours, or our rows/s over theirs);
 * `ceiling` is an upper bound on rareflow's own figure, in its unit (pipeline seconds, p99 milliseconds).
 */
export type Goal = { kind: 'speedup'; atLeast: number } | { kind: 'ceiling'; atMost: number } | { kind: 'none' };

export interface RatioRow {
  stage: string;
  rareflow: Measure;
  peer?: Measure;
  goal: Goal;
  /** Size and setting notes shown after the stage name, e.g. `200k × 40`. */
  note?: string;
  /** Why the goal is not met whatever the figure (e.g. the pipeline ended without promoting a model). */
  unmetBecause?: string;
}

/** How many times faster rareflow is than the peer (> 1 means faster); undefined without a comparable peer. */
export function speedup(ours: Measure, peer: Measure | undefined): number | undefined {
  if (!peer || peer.unit !== ours.unit || !(ours.value > 0) || !(peer.value > 0)) return undefined;
  return ours.unit === 'rows/s' ? ours.value / peer.value : peer.value / ours.value;
}

/** Whether the row meets its goal: true, false, or undefined when it has none or lacks the figure it needs. */
export function goalMet(row: RatioRow): boolean | undefined {
  if (row.unmetBecause !== undefined) return false;
  switch (row.goal.kind) {
    case 'speedup': {
      const r = speedup(row.rareflow, row.peer);
      return r === undefined ? undefined : r >= row.goal.atLeast;
    }
    case 'ceiling':
      return Number.isFinite(row.rareflow.value) ? row.rareflow.value <= row.goal.atMost : undefined;
    case 'none':
      return undefined;
  }
}

function formatMeasure(m: Measure | undefined): string {
  if (!m || !Number.isFinite(m.value)) return '—';
  const figure =
    m.unit === 'rows/s'
      ? `${(m.value / 1e6).toFixed(m.value >= 1e6 ? 2 : 3)}M rows/s`
      : `${m.value.toFixed(m.unit === 's' && m.value >= 100 ? 0 : 2)} ${m.unit}`;
  return m.peakMb === undefined ? figure : `${figure}, peak RSS ${Math.round(m.peakMb)} MB`;
}

function formatGoal(goal: Goal, unit: Measure['unit']): string {
  switch (goal.kind) {
    case 'speedup':
      return `≥ ${goal.atLeast}×`;
    case 'ceiling':
      return `≤ ${goal.atMost} ${unit}`;
    case 'none':
      return '—';
  }
}

/** The table as Markdown: `stage | rareflow | peer | ratio | goal | met?`. */
export function formatRatioTable(rows: RatioRow[]): string {
  const lines = ['| stage | rareflow | peer | ratio | goal | met? |', '|---|---|---|---|---|---|'];
  for (const row of rows) {
    const r = speedup(row.rareflow, row.peer);
    const met = goalMet(row);
    const stage = row.note ? `${row.stage} (${row.note})` : row.stage;
    lines.push(
      `| ${stage} | ${formatMeasure(row.rareflow)} | ${formatMeasure(row.peer)} | ${r === undefined ? '—' : `${r.toFixed(2)}×`} | ` +
        `${formatGoal(row.goal, row.rareflow.unit)} | ${met === undefined ? '—' : met ? 'yes' : row.unmetBecause ? `no: ${row.unmetBecause}` : 'no'} |`,
    );
  }
  return lines.join('\n');
}
