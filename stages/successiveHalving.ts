// Successive halving of `auto`'s candidates (binary and multi-class): after a round of repeats the better half by
// the ranking of core/models/candidateRanking.ts goes on; the last round ranks the finalists.

import { rankCandidates } from '../core/models/candidateRanking.js';
import type { ModelCandidate } from './modelCandidates.js';

/**
 * Whether successive halving ranks after repeat `repeat`: after every one of one or two repeats (then the better half
 * of the first goes on), else after the first half of them and the last, so that a small class's extra repeats
 * (steadyFoldPlan) steady each round's ranking instead of halving the field down to one.
 */
export function halvesAfter(repeat: number, repeats: number): boolean {
  return repeats <= 2 || repeat === Math.ceil(repeats / 2) - 1 || repeat === repeats - 1;
}

export type Ranked = { c: ModelCandidate; dropped?: string };
type Evidence = { gMeans: number[]; prAucs: number[] };

/**
 * One round of successive halving after repeat `repeat`: ranks the candidates this repeat scored and keeps the
 * better half (all of them after the last repeat), marking the others dropped.
 */
export function keepBetterHalf<S extends Ranked>(
  alive: S[],
  repeat: number,
  repeats: number,
  budget: number,
  warnings: string[],
  evidence: (s: S) => Evidence,
  independentFolds?: number,
): S[] {
  const scored = alive.filter((s) => !s.dropped);
  if (alive.some((s) => s.dropped?.startsWith('budget')))
    warnings.push(`the budget of ${budget}s cut repeat ${repeat + 1}: some candidates were dropped`);
  const ranked = rankCandidates(
    scored.map((s) => ({ name: s.c.name, relativeCost: s.c.relativeCost, ...evidence(s) })),
    independentFolds,
  );
  const keep = repeat + 1 < repeats ? Math.ceil(ranked.order.length / 2) : ranked.order.length;
  const order = ranked.order.map((name) => scored.find((s) => s.c.name === name)!);
  for (const [rank, s] of order.slice(keep).entries())
    s.dropped = `halved after repeat ${repeat + 1} (rank ${keep + rank + 1} of ${ranked.order.length})`;
  return order.slice(0, keep);
}

/**
 * The candidates still in the running, best first, and the ranking's reason; undefined when none is left.
 * `independentFolds`: as spreadOf's (core/models/candidateRanking.ts).
 */
export function rankFinalists<S extends Ranked>(
  alive: S[],
  evidence: (s: S) => Evidence,
  independentFolds?: number,
  /** Every candidate the choice began with, dropped ones included, so a lone finalist's reason can name them. */
  everyone: S[] = alive,
): { winner: S; order: S[]; ranked: { reason: string } } | undefined {
  const finalists = alive.filter((s) => !s.dropped);
  if (finalists.length === 0) return undefined;
  const ranked = rankCandidates(
    finalists.map((s) => ({ name: s.c.name, relativeCost: s.c.relativeCost, ...evidence(s) })),
    independentFolds,
  );
  const order = ranked.order.map((name) => finalists.find((s) => s.c.name === name)!);
  // One finalist of several candidates: it was not the only one scored, the others were dropped by earlier rounds.
  const dropped = everyone.filter((s) => s.dropped).map((s) => `${s.c.name} (${s.dropped})`);
  if (finalists.length === 1 && dropped.length > 0) {
    return { winner: order[0]!, order, ranked: { reason: `the only candidate left in the last round; ${dropped.join(', ')}` } };
  }
  return { winner: order[0]!, order, ranked };
}
