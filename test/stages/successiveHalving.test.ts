// The last round of successive halving: a lone finalist's reason says the others were dropped by earlier rounds (and
// why), not that it was the only candidate scored.

import { describe, expect, it } from 'vitest';
import { MODEL_CANDIDATES } from '../../stages/modelCandidates.js';
import { keepBetterHalf, rankFinalists, type Ranked } from '../../stages/successiveHalving.js';

type State = Ranked & { gMeans: number[]; prAucs: number[] };

const state = (i: number, gMeans: number[], dropped?: string): State => ({
  c: MODEL_CANDIDATES[i]!,
  gMeans,
  prAucs: gMeans.map((g) => g / 2),
  ...(dropped ? { dropped } : {}),
});

describe('the finalists of successive halving', () => {
  it('name the candidates earlier rounds dropped when one is left', () => {
    const states = [state(0, [0.8, 0.82, 0.81]), state(1, [0.6, 0.62, 0.61]), state(2, [], 'budget: 20s would be exceeded by repeat 1')];
    const warnings: string[] = [];
    const alive = keepBetterHalf(states, 0, 2, 20, warnings, (s) => s);
    expect(alive.map((s) => s.c.name)).toEqual(['balanced-forest']);
    expect(warnings).toEqual(['the budget of 20s cut repeat 1: some candidates were dropped']);
    const final = rankFinalists(alive, (s) => s, undefined, states)!;
    expect(final.winner.c.name).toBe('balanced-forest');
    expect(final.ranked.reason).toBe(
      'the only candidate left in the last round; rfq-forest (halved after repeat 1 (rank 2 of 2)), logreg-weighted (budget: 20s would be exceeded by repeat 1)',
    );
    // Alone from the start, it is the only one scored.
    expect(rankFinalists([state(0, [0.8, 0.82])], (s) => s)!.ranked.reason).toMatch(/^the only candidate scored/);
  });
});
