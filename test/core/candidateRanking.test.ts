// Model choice statistics: inner fold plans and folds, policy G-means cross-fitted on other folds, and the tie rule.

import { describe, expect, it } from 'vitest';
import { policyGMeans, rankCandidates, spreadOf, tiesWith, type FoldScores } from '../../core/models/candidateRanking.js';
import { costThresholdAt } from '../../core/models/thresholdPolicy.js';
import { planFolds, steadyFoldPlan, stratifiedFolds } from '../../core/sampling/stratifiedFolds.js';

const labels = (negatives: number, positives: number) =>
  Uint8Array.from({ length: negatives + positives }, (_, i) => (i < negatives ? 0 : 1));

describe('inner fold plan and folds', () => {
  it('keeps the folds asked for when both classes have enough rows', () => {
    expect(planFolds(labels(20, 5), 3, 2)).toEqual({ folds: 3, repeats: 2 });
  });

  it('lowers the folds to the smaller class and says so', () => {
    expect(planFolds(labels(20, 2), 3, 2)).toEqual({
      folds: 2,
      repeats: 2,
      note: '2-fold instead of 3-fold: the smaller class has only 2 rows',
    });
  });

  it('gives no plan when a class has a single row', () => {
    expect(planFolds(labels(20, 1), 3, 2)).toBeNull();
    expect(steadyFoldPlan(labels(20, 1), 3, 2)).toBeNull();
  });

  it('steadies a small class: repeats until 100 of its rows are validated (at most 10), at least 2 of them per fold', () => {
    // 50 positives: 2 repeats validate 100 of them, as asked.
    expect(steadyFoldPlan(labels(500, 50), 3, 2)).toEqual({ folds: 3, repeats: 2 });
    expect(steadyFoldPlan(labels(500, 34), 3, 2)).toEqual({
      folds: 3,
      repeats: 3,
      note:
        '3 repeats instead of 2: the smaller class has only 34 rows, and each repeat validates each once ' +
        '(100 validations in all are the aim, at most 10 repeats)',
    });
    expect(steadyFoldPlan(labels(200, 14), 3, 2)!.repeats).toBe(8);
    expect(steadyFoldPlan(labels(200, 6), 3, 2)).toMatchObject({ folds: 3, repeats: 10 });
    // Five positives in three folds would leave a fold with one.
    expect(steadyFoldPlan(labels(200, 5), 3, 2)!.note).toMatch(
      /^2-fold instead of 3-fold: the smaller class has only 5 rows, fewer than 2 per fold; 10 repeats instead of 2/,
    );
    expect(steadyFoldPlan(labels(200, 5), 3, 2)!.folds).toBe(2);
    // The smaller class can be the negatives.
    expect(steadyFoldPlan(labels(20, 500), 3, 2)!.repeats).toBe(5);
  });

  it('deals every row to exactly one validation fold, each fold holding both classes, the same for a seed', () => {
    const y = labels(17, 7);
    const folds = stratifiedFolds(y, 3, 0, 5);
    const seen = new Int32Array(y.length);
    for (const f of folds) {
      for (const i of f.validation) seen[i]!++;
      expect(f.train.length + f.validation.length).toBe(y.length);
      const positives = Array.from(f.validation).filter((i) => y[i] === 1).length;
      expect(positives === 2 || positives === 3).toBe(true);
    }
    expect(Array.from(seen).every((v) => v === 1)).toBe(true);
    expect(stratifiedFolds(y, 3, 0, 5)).toEqual(folds);
    expect(stratifiedFolds(y, 3, 1, 5)[0]!.validation).not.toEqual(folds[0]!.validation);
  });
});

describe('threshold policies on out-of-fold scores', () => {
  it('scores q* with each fold model threshold and the G-mean threshold from the other folds', () => {
    const fold = (scores: number[], y: number[], q: number): FoldScores => ({
      repeat: 0,
      scores: Float64Array.from(scores),
      labels: Uint8Array.from(y),
      qStarThreshold: q,
    });
    const folds = [fold([0.1, 0.2, 0.6, 0.7], [0, 0, 1, 1], 0.9), fold([0.1, 0.3, 0.65, 0.8], [0, 0, 1, 1], 0.9)];
    const g = policyGMeans(folds, () => 0.5);
    expect(g.prevalence).toEqual([0, 0]);
    expect(g.cost).toEqual([1, 1]);
    // A cost rule is judged on each fold model's scale: moved from the data's share to the share it was fitted at.
    const cost = costThresholdAt({ kind: 'cost', lossFalsePositive: 1, lossFalseNegative: 1 }, 0.1);
    const atShares = [fold([0.1, 0.6, 0.92, 0.95], [0, 0, 1, 1], 0.5), fold([0.05, 0.3, 0.6, 0.7], [0, 0, 1, 1], 0.1)];
    // Equal costs: 1/2 at the data's share 0.1 is 0.9 on a 1:1 scale (odds × 9), and stays 1/2 on a model fitted at 0.1.
    expect(cost(0.5)).toBeCloseTo(0.9, 12);
    expect(cost(0.1)).toBeCloseTo(0.5, 12);
    expect(policyGMeans(atShares, cost).cost).toEqual([1, 1]);
    // The rule unmoved (1/2 on every scale) flags the 1:1 model's negative at 0.6.
    expect(policyGMeans(atShares, () => 0.5).cost).toEqual([Math.SQRT1_2, 1]);
    // Fold 0 is judged at fold 1's best threshold (0.65), which misses its positive at 0.6: never tuned on itself.
    expect(g.gmean).toEqual([Math.SQRT1_2, 1]);
  });
});

describe('spread', () => {
  it('caps the n of the standard error at the independent folds: extra repeats steady the mean, not the margin', () => {
    const values = [0.6, 0.8, 0.7, 0.9, 0.6, 0.8, 0.7, 0.9, 0.6, 0.8, 0.7, 0.9];
    const all = spreadOf(values);
    const capped = spreadOf(values, 6);
    expect(capped.mean).toBe(all.mean);
    expect(capped.sd).toBe(all.sd);
    expect(capped.folds).toBe(12);
    expect(all.standardError).toBeCloseTo(all.sd / Math.sqrt(12), 12);
    expect(capped.standardError).toBeCloseTo(all.sd / Math.sqrt(6), 12);
    expect(spreadOf([0.5, 0.7], 6).standardError).toBeCloseTo(spreadOf([0.5, 0.7]).standardError, 12);
  });
});

describe('ranking', () => {
  it('gives a tie within one standard error of the paired differences to the better PR-AUC', () => {
    const r = rankCandidates([
      { name: 'logreg', relativeCost: 0.1, gMeans: [0.79, 0.8, 0.79], prAucs: [0.4, 0.4, 0.4] },
      { name: 'forest', relativeCost: 1, gMeans: [0.8, 0.82, 0.78], prAucs: [0.5, 0.5, 0.5] },
      { name: 'weak', relativeCost: 0.05, gMeans: [0.5, 0.52, 0.51], prAucs: [0.3, 0.3, 0.3] },
    ]);
    // forest leads by 0.0067; the differences 0.01, 0.02, −0.01 have a standard error of 0.0088: a tie.
    expect(r.order).toEqual(['forest', 'logreg', 'weak']);
    expect(r.reason).toContain('tied with logreg');
    expect(r.reason).toContain('the best mean PR-AUC of them');
  });

  it('breaks a tie at equal PR-AUC by the lower cost', () => {
    const r = rankCandidates([
      { name: 'a', relativeCost: 1, gMeans: [0.8, 0.82, 0.78], prAucs: [0.5, 0.5, 0.5] },
      { name: 'b', relativeCost: 0.5, gMeans: [0.79, 0.8, 0.79], prAucs: [0.5, 0.5, 0.5] },
    ]);
    expect(r.order[0]).toBe('b');
    expect(r.reason).toContain('the cheapest of those with the best mean PR-AUC');
  });

  it('does not call a steady lead a tie, however much the folds vary', () => {
    // The folds differ a lot (0.7 to 0.9), but the leader is ahead by 0.01 on every one of them.
    const evidence = [
      { name: 'leader', relativeCost: 1, gMeans: [0.8, 0.9, 0.7], prAucs: [0.5, 0.5, 0.5] },
      { name: 'cheap', relativeCost: 0.1, gMeans: [0.79, 0.89, 0.69], prAucs: [0.9, 0.9, 0.9] },
    ];
    expect(tiesWith(evidence[0]!, evidence[1]!)).toEqual({
      ties: false,
      lead: expect.closeTo(0.01, 12),
      standardError: expect.closeTo(0, 12),
    });
    const r = rankCandidates(evidence);
    expect(r.order).toEqual(['leader', 'cheap']);
    expect(r.reason).toMatch(/^highest mean inner-fold G-mean \(0\.8000\); it leads the next, cheap, by 0\.0100/);
  });

  it("falls back to the leader's own standard error when the folds do not line up", () => {
    const t = tiesWith({ gMeans: [0.8, 0.9, 0.7] }, { gMeans: [0.79, 0.89] });
    expect(t.standardError).toBeCloseTo(spreadOf([0.8, 0.9, 0.7]).standardError, 12);
    expect(t.ties).toBe(true);
  });

  it('keeps the best when no other candidate ties', () => {
    const r = rankCandidates([
      { name: 'cheap', relativeCost: 0.1, gMeans: [0.6, 0.61, 0.6], prAucs: [0.9, 0.9, 0.9] },
      { name: 'best', relativeCost: 1, gMeans: [0.8, 0.81, 0.8], prAucs: [0.5, 0.5, 0.5] },
    ]);
    expect(r.order).toEqual(['best', 'cheap']);
    expect(r.reason).toMatch(/^highest mean inner-fold G-mean \(0\.8033\); it leads the next, cheap/);
  });

  it('spreads: mean, sample sd and standard error', () => {
    const s = spreadOf([1, 2, 3]);
    expect(s.mean).toBe(2);
    expect(s.sd).toBe(1);
    expect(s.standardError).toBeCloseTo(1 / Math.sqrt(3), 12);
  });
});
