// model.kind "auto" with forests scored out of bag (stages/modelChoice.ts): their figures are the stored out-of-bag
// scores read on the inner folds, the winner forest is not fitted again, and the choice counts fewer model fits.

import { describe, expect, it } from 'vitest';
import { outOfBagFoldScores, policyGMeans, foldPrAucs, spreadOf, bestPolicy } from '../../core/models/candidateRanking.js';
import { stratifiedFolds } from '../../core/sampling/stratifiedFolds.js';
import { fitChosenModel } from '../../stages/chosenModelFit.js';
import { chooseModel } from '../../stages/modelChoice.js';
import { fitCandidate, MODEL_CANDIDATES, scoredOutOfBag, type FitModel } from '../../stages/modelCandidates.js';
import { fitModelArtifact } from '../../stages/train.js';
import { choiceFitBase, shiftedTriples } from '../support/modelChoiceData.js';

const data = shiftedTriples;
const base = choiceFitBase;

/** `fitModelArtifact` that counts its calls. */
function countingFit(): { fit: FitModel; count: () => number } {
  let fits = 0;
  return {
    fit: (train, o) => {
      fits++;
      return fitModelArtifact(train, o);
    },
    count: () => fits,
  };
}

const forests = MODEL_CANDIDATES.filter(scoredOutOfBag);
const round = (v: number) => Number(v.toFixed(4));

describe('model choice with forests scored out of bag', () => {
  it('scores the balanced and RFQ forests out of bag and every other candidate on inner folds', () => {
    expect(forests.map((c) => c.name)).toEqual(['balanced-forest', 'rfq-forest']);
  });

  it("reports each forest's figures as a recomputation from its out-of-bag scores on the same folds", async () => {
    const train = data(150, 25, 11);
    const { fit } = countingFit();
    const candidates = [...forests, MODEL_CANDIDATES.find((c) => c.name === 'logreg-weighted')!];
    const choice = await chooseModel(train, { fit, base, trees: 15, seed: 7, budgetSeconds: 600, candidates, repeats: 2 });
    expect(choice.selection.candidates.some((r) => r.scoredBy === 'out-of-bag' && r.gMean!.folds === 6)).toBe(true);
    for (const c of forests) {
      const stored =
        c.name === choice.winner.name && choice.winnerFit
          ? choice.winnerFit
          : await fitCandidate(c, train, undefined, 7, { fit, base, trees: 15 });
      const result = choice.selection.candidates.find((r) => r.name === c.name)!;
      // Halving: a candidate kept for the second repeat has six folds, one dropped after the first three.
      const repeats = result.gMean!.folds === 6 ? [0, 1] : [0];
      const folds = repeats.flatMap((repeat) =>
        outOfBagFoldScores(stored.outOfBag!, train.y, stored.artifact.threshold, stratifiedFolds(train.y, 3, repeat, 7)),
      );
      const perPolicy = policyGMeans(folds);
      const policy = bestPolicy(perPolicy);
      expect(result.scoredBy).toBe('out-of-bag');
      expect(result.thresholdPolicy).toBe(policy);
      expect(result.gMean!.mean).toBe(round(spreadOf(perPolicy[policy]!).mean));
      expect(result.gMean!.standardError).toBe(round(spreadOf(perPolicy[policy]!).standardError));
      expect(result.gMean!.folds).toBe(3 * repeats.length);
      expect(result.prAuc!.mean).toBe(round(spreadOf(foldPrAucs(folds)).mean));
    }
  });

  it('fits each forest once and does not refit the winner when it is one', async () => {
    const counter = countingFit();
    const choice = await chooseModel(data(150, 25, 12), {
      fit: counter.fit,
      base,
      trees: 15,
      seed: 7,
      budgetSeconds: 600,
      candidates: forests,
    });
    expect(counter.count()).toBe(2);
    const { artifact, ...rest } = choice.winnerFit!;
    const direct = await fitCandidate(choice.winner, data(150, 25, 12), undefined, 7, { fit: fitModelArtifact, base, trees: 15 });
    expect(artifact.model).toEqual(direct.artifact.model);
    expect(rest.outOfBag.scores).toEqual(direct.outOfBag!.scores);
  });

  it('counts one fit per forest plus one per inner fold of the others, and no final refit of a forest winner', async () => {
    const counter = countingFit();
    const o = { ...base, model: { kind: 'auto' as const, threshold: 'prevalence' as const, trees: 15, budgetSeconds: 600 } };
    const { artifact } = await fitChosenModel(data(150, 25, 13), o, counter.fit);
    const s = artifact.selection!;
    // The soft vote is scored on its members' out-of-fold scores: no fit of its own.
    const scored = s.candidates.filter((c) => c.gMean && c.scoredBy !== 'members');
    expect(scored.length).toBe(MODEL_CANDIDATES.length);
    const innerFits = scored.filter((c) => c.scoredBy === 'inner folds').reduce((a, c) => a + c.gMean!.folds, 0);
    // The final fit: none for a forest winner (its out-of-bag fit is it), one per member of a vote that is not one.
    const chosen = s.chosen.startsWith('vote(') ? s.chosen.slice(5, -1).split('+') : [s.chosen];
    const finalFits = chosen.filter((name) => !forests.some((c) => c.name === name)).length;
    expect(counter.count()).toBe(forests.length + innerFits + finalFits);
    // Inner folds for every candidate would have fitted each forest once per fold it was scored on, plus the winner.
    const everyOnFolds = scored.reduce((a, c) => a + c.gMean!.folds, 0) + 1;
    expect(counter.count()).toBeLessThanOrEqual(everyOnFolds - 2 * (3 - 1));
    expect(s.scoring).toMatch(/^forests without a step in front are fitted once on all training rows/);
  });

  it('gives the same selection and model for the same seed', async () => {
    const train = data(150, 25, 14);
    const o = { ...base, model: { kind: 'auto' as const, threshold: 'gmean' as const, trees: 15, budgetSeconds: 600 } };
    const a = await fitChosenModel(train, o, fitModelArtifact);
    const b = await fitChosenModel(train, o, fitModelArtifact);
    const untimed = (x: typeof a) => ({
      ...x.artifact.selection!,
      seconds: 0,
      candidates: x.artifact.selection!.candidates.map((c) => ({ ...c, seconds: 0 })),
    });
    expect(untimed(a)).toEqual(untimed(b));
    expect(a.artifact.model).toEqual(b.artifact.model);
    expect(a.artifact.threshold).toBe(b.artifact.threshold);
  });
});
