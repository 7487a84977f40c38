// The tables and summary of bench/quality.ts: per dataset and metric, then the means, the mean rank by G-mean,
// how often the default chose each candidate, and the sets where the default loses to a peer by more than noise.

export type Metrics = { gMean: number; recall: number; prAucNormalised: number };

export interface DatasetResult {
  name: string;
  rows: number;
  features: number;
  imbalanceRatio: number;
  models: Record<string, Metrics>;
  /** Per model, the G-mean of every fold of every repeat, in the same order for every model. */
  gMeanFolds: Record<string, number[]>;
  /** The candidate the default chose on each outer fold (empty when the default is a fixed recipe). */
  chosen: string[];
  notes: string[];
}

const METRICS = [
  ['gMean', 'G-mean'],
  ['recall', 'minority recall'],
  ['prAucNormalised', 'normalised PR-AUC (AP − π)'],
] as const;

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const cell = (v: number | undefined) => (v === undefined || Number.isNaN(v) ? '—' : v.toFixed(3)).padStart(19);

/** One table per metric: a row per dataset, then the mean over datasets. */
export function qualityTables(results: DatasetResult[], modelNames: string[]): string[] {
  const lines: string[] = [];
  for (const [metric, title] of METRICS) {
    lines.push('', title, `${'dataset'.padEnd(28)}${'IR'.padStart(6)}  ${modelNames.map((m) => m.padStart(19)).join('')}`);
    for (const r of results) {
      lines.push(
        `${r.name.padEnd(28)}${r.imbalanceRatio.toFixed(1).padStart(6)}  ${modelNames.map((m) => cell(r.models[m]?.[metric])).join('')}`,
      );
    }
    lines.push(
      `${'mean'.padEnd(28)}${''.padStart(6)}  ${modelNames.map((m) => cell(mean(results.map((r) => r.models[m]?.[metric] ?? NaN)))).join('')}`,
    );
  }
  return lines;
}

/** Ranks of `values` (1 = highest), ties sharing the mean of their ranks. */
export function ranksOf(values: number[]): number[] {
  const order = values.map((v, i) => ({ v, i })).sort((a, b) => b.v - a.v);
  const ranks = new Array<number>(values.length);
  for (let start = 0; start < order.length;) {
    let end = start;
    while (end + 1 < order.length && order[end + 1]!.v === order[start]!.v) end++;
    for (let k = start; k <= end; k++) ranks[order[k]!.i] = (start + end) / 2 + 1;
    start = end + 1;
  }
  return ranks;
}

/** Mean and standard error of the paired per-fold differences a − b. */
function pairedDifference(a: number[], b: number[]): { mean: number; standardError: number } {
  const d = a.map((v, i) => v - b[i]!);
  const m = mean(d);
  const variance = d.length > 1 ? d.reduce((s, v) => s + (v - m) ** 2, 0) / (d.length - 1) : 0;
  return { mean: m, standardError: Math.sqrt(variance / d.length) };
}

/** The means, mean rank, the default's choices and its clear losses to peers. */
export function qualitySummary(results: DatasetResult[], modelNames: string[], defaultColumn: string, peers: string[]): string[] {
  const lines = ['', `summary over ${results.length} datasets (mean rank by G-mean among the ${modelNames.length} columns; 1 is best)`];
  const rankSums = new Map<string, number>(modelNames.map((m) => [m, 0]));
  for (const r of results) {
    const ranks = ranksOf(modelNames.map((m) => r.models[m]?.gMean ?? -1));
    modelNames.forEach((m, i) => rankSums.set(m, rankSums.get(m)! + ranks[i]!));
  }
  lines.push(`${'model'.padEnd(20)}${'G-mean'.padStart(9)}${'recall'.padStart(9)}${'PR-AUC'.padStart(9)}${'mean rank'.padStart(11)}`);
  for (const m of modelNames) {
    const of = (k: keyof Metrics) =>
      mean(results.map((r) => r.models[m]?.[k] ?? NaN))
        .toFixed(3)
        .padStart(9);
    lines.push(
      `${m.padEnd(20)}${of('gMean')}${of('recall')}${of('prAucNormalised')}${(rankSums.get(m)! / results.length).toFixed(2).padStart(11)}`,
    );
  }
  // Votes are counted by size (their member sets vary too much to list), and their members separately.
  const chosen = new Map<string, number>();
  const inVotes = new Map<string, number>();
  for (const r of results) {
    for (const c of r.chosen) {
      const members = c.startsWith('vote(') ? c.slice(5, -1).split('+') : undefined;
      const key = members ? `vote of ${members.length}` : c;
      chosen.set(key, (chosen.get(key) ?? 0) + 1);
      for (const m of members ?? []) inVotes.set(m, (inVotes.get(m) ?? 0) + 1);
    }
  }
  if (chosen.size > 0) {
    const total = [...chosen.values()].reduce((a, b) => a + b, 0);
    lines.push(
      '',
      `the default's choice on ${total} outer folds: ${[...chosen]
        .sort((a, b) => b[1] - a[1])
        .map(([c, n]) => `${c} ${n}`)
        .join(', ')}`,
      ...(inVotes.size > 0
        ? [
            `members of those votes: ${[...inVotes]
              .sort((a, b) => b[1] - a[1])
              .map(([c, n]) => `${c} ${n}`)
              .join(', ')}`,
          ]
        : []),
    );
  }
  if (peers.length > 0) {
    const bestPeerMean = Math.max(...peers.map((p) => mean(results.map((r) => r.models[p]?.gMean ?? NaN))));
    const ours = mean(results.map((r) => r.models[defaultColumn]?.gMean ?? NaN));
    lines.push(
      '',
      `${defaultColumn}: mean G-mean ${ours.toFixed(3)}, best peer's ${bestPeerMean.toFixed(3)} (difference ${(ours - bestPeerMean).toFixed(3)})`,
    );
    lines.push('sets where a peer beats the default by more than the standard error of the paired fold differences:');
    for (const r of results) {
      const own = r.gMeanFolds[defaultColumn];
      if (!own) continue;
      const losses = peers
        .filter((p) => r.gMeanFolds[p]?.length === own.length)
        .map((p) => ({ p, d: pairedDifference(r.gMeanFolds[p]!, own) }))
        .filter(({ d }) => d.mean > d.standardError && d.mean > 0)
        .sort((a, b) => b.d.mean - a.d.mean);
      if (losses.length === 0) continue;
      const picks = [...new Set(r.chosen.map((c) => (c.startsWith('vote(') ? 'a vote' : c)))].join('/') || 'a fixed recipe';
      lines.push(
        `  ${r.name}: ${losses.map(({ p, d }) => `${p} +${d.mean.toFixed(3)} (± ${d.standardError.toFixed(3)})`).join(', ')}; the default chose ${picks}`,
      );
    }
  }
  return lines;
}
