// auto's soft vote (stages/voteCandidate.ts): its out-of-fold scores from its members' on the same rows, the weights
// greedy ensemble selection gives the finalists, and the fitted vote as a sealed model file that loads, scores and
// predicts like any other.

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { FoldScores } from '../../core/models/candidateRanking.js';
import { parseModelArtifact, scoreModel } from '../../core/models/modelArtifact.js';
import { IntegrityError } from '../../core/integrityError.js';
import { costThresholdAt } from '../../core/models/thresholdPolicy.js';
import { thresholdCentred } from '../../core/models/voteModel.js';
import { fitCandidate, MODEL_CANDIDATES } from '../../stages/modelCandidates.js';
import { scoreBatchStage } from '../../stages/scoreBatch.js';
import { fitModelArtifact } from '../../stages/train.js';
import {
  assembleVote,
  greedyVoteWeights,
  meanFoldGMean,
  proposeVote,
  voteCostThreshold,
  voteFoldScores,
  voteName,
} from '../../stages/voteCandidate.js';
import { choiceFitBase, shiftedTriples } from '../support/modelChoiceData.js';

const dir = mkdtempSync(join(tmpdir(), 'rareflow-vote-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const candidate = (name: string) => MODEL_CANDIDATES.find((c) => c.name === name)!;

/** A fitted vote of the weighted logistic regression (weight 2) and the balanced forest (weight 1) on a small seeded set. */
async function fittedVote() {
  const train = shiftedTriples(120, 20, 5);
  const f = { fit: fitModelArtifact, base: choiceFitBase, trees: 9 };
  const members = [candidate('logreg-weighted'), candidate('balanced-forest')];
  const fits = [];
  for (const c of members) fits.push(await fitCandidate(c, train, undefined, 7, f));
  return { train, fits, fitted: assembleVote(voteName(members), fits, [2, 1], train, { kind: 'prevalence' }) };
}

describe('the soft-vote candidate', () => {
  it('averages the members’ centred scores of the rows every member scored, fold by fold', () => {
    const fold = (scores: number[], rows: number[], labels: number[], q: number): FoldScores => ({
      repeat: 0,
      scores: Float64Array.from(scores),
      labels: Uint8Array.from(labels),
      qStarThreshold: q,
      rows: Int32Array.from(rows),
    });
    // The forest's out-of-bag scores skip row 4 (no tree left it out).
    const logreg = [fold([0.2, 0.7, 0.9], [1, 4, 6], [0, 1, 1], 0.5)];
    const forest = [fold([0.05, 0.3], [1, 6], [0, 1], 0.1)];
    const [vote] = voteFoldScores([logreg, forest])!;
    const [weighted] = voteFoldScores([logreg, forest], [3, 1])!;
    expect(weighted!.scores[1]).toBeCloseTo((3 * thresholdCentred(0.9, 0.5) + thresholdCentred(0.3, 0.1)) / 4, 12);
    expect(Array.from(vote!.rows!)).toEqual([1, 6]);
    expect(Array.from(vote!.labels)).toEqual([0, 1]);
    expect(vote!.qStarThreshold).toBe(0.5);
    expect(vote!.scores[0]).toBeCloseTo((thresholdCentred(0.2, 0.5) + thresholdCentred(0.05, 0.1)) / 2, 12);
    expect(vote!.scores[1]).toBeCloseTo((thresholdCentred(0.9, 0.5) + thresholdCentred(0.3, 0.1)) / 2, 12);
    // Members scored on different folds cannot be averaged.
    expect(voteFoldScores([logreg, [...forest, ...forest]])).toBeUndefined();
  });

  it('weighs the finalists by greedy selection, keeping the earliest of equally good weightings and a vote only when it gains', () => {
    const fold = (scores: number[], q = 0.5): FoldScores => ({
      repeat: 0,
      scores: Float64Array.from(scores),
      labels: Uint8Array.from([1, 1, 0, 0]),
      qStarThreshold: q,
      rows: Int32Array.from([0, 1, 2, 3]),
    });
    // Each misses a different positive; their mean finds both (G-mean 1 against 0.7071 alone).
    const a = [fold([0.9, 0.4, 0.1, 0.1])];
    const b = [fold([0.4, 0.9, 0.1, 0.45])];
    expect(meanFoldGMean(a)).toBeCloseTo(Math.SQRT1_2, 12);
    expect(greedyVoteWeights([a, b], (f) => meanFoldGMean(f))?.weights).toEqual([1, 1]);
    // A finalist that is right everywhere alone: adding another ties at best, and the earlier (single) one is kept.
    const perfect = [fold([1, 0.8, 0, 0.2])];
    expect(greedyVoteWeights([perfect, b], (f) => meanFoldGMean(f))).toBeUndefined();
    // The vote must beat the best finalist alone by 0.005: here the objective is closeness to 0.8 of row 0's score.
    const flat = (v: number) => [fold([v, v, v, v])];
    const near = (f: FoldScores[]) => -((f[0]!.scores[0]! - 0.8) ** 2);
    expect(greedyVoteWeights([flat(0.7), flat(0.9)], near)?.weights).toEqual([1, 1]); // gains 0.01
    expect(greedyVoteWeights([flat(0.79), flat(0.81)], near)).toBeUndefined(); // gains 0.0001
    // Members scored on different folds cannot be weighed.
    expect(greedyVoteWeights([a, [...b, ...b]], (f) => meanFoldGMean(f))).toBeUndefined();

    const ranked = [
      { c: candidate('logreg-weighted'), folds: a },
      { c: candidate('balanced-forest'), folds: b },
    ];
    const proposal = proposeVote(ranked)!;
    expect(proposal.candidate.name).toBe('vote(logreg-weighted+balanced-forest)');
    expect(proposal.members.map((m) => [m.s.c.name, m.weight])).toEqual([
      ['logreg-weighted', 1],
      ['balanced-forest', 1],
    ]);
    expect(proposal.reason).toBe(
      "vote(logreg-weighted+balanced-forest): greedy selection over the finalists' inner-fold scores weighted " +
        "logreg-weighted 1/2, balanced-forest 1/2; mean inner-fold G-mean 1.0000 at the vote's prevalence threshold, " +
        'against 0.7071 for logreg-weighted alone at its prevalence threshold',
    );
    expect(proposeVote([ranked[0]!, { ...ranked[1]!, folds: perfect }])).toBeUndefined();
  });

  it('is a sealed model file that round-trips, scores as its members centred and averaged, and keeps its seal', async () => {
    const { train, fits, fitted } = await fittedVote();
    const file = JSON.stringify(fitted.artifact);
    const loaded = parseModelArtifact(JSON.parse(file), 'vote.json');
    expect(loaded).toEqual(JSON.parse(file));
    expect(loaded.model.kind).toBe('vote');
    expect(loaded.threshold).toBe(0.5);
    expect(loaded.training.rows).toBe(120);
    expect(loaded.training.outOfBag).toBeUndefined();
    const scores = scoreModel(loaded, train.x);
    const members = fits.map((f) => scoreModel(f.artifact, train.x));
    for (let r = 0; r < train.y.length; r++) {
      const want =
        (2 * thresholdCentred(members[0]![r]!, fits[0]!.artifact.threshold) +
          thresholdCentred(members[1]![r]!, fits[1]!.artifact.threshold)) /
        3;
      expect(scores[r]).toBeCloseTo(want, 12);
    }
    expect(fitted.note).toMatch(
      /^vote\(logreg-weighted\+balanced-forest\) \(logreg .*forest .*\); threshold 0\.5000: the vote's prevalence rule/,
    );
    // A changed member weight breaks the seal.
    const tampered = JSON.parse(file) as { model: { members: { weight: number }[] } };
    tampered.model.members[1]!.weight = 5;
    expect(() => parseModelArtifact(tampered, 'vote.json')).toThrow(IntegrityError);
    const single = JSON.parse(file) as { model: { members: unknown[] } };
    single.model.members = single.model.members.slice(0, 1);
    expect(() => parseModelArtifact(single, 'vote.json')).toThrow(
      'vote.json is not a usable rareflow model: "model.members" must list at least two models.',
    );
  });

  it('predicts a file with the scores of scoreModel', async () => {
    const { fitted } = await fittedVote();
    const rows = shiftedTriples(40, 8, 9);
    const lines = ['a,b,c'];
    for (let r = 0; r < 40; r++) lines.push(Array.from(rows.x.values.subarray(r * 3, r * 3 + 3)).join(','));
    writeFileSync(join(dir, 'in.csv'), `${lines.join('\n')}\n`);
    const out = join(dir, 'out.csv');
    const done = await scoreBatchStage({ model: fitted.artifact, input: join(dir, 'in.csv'), out });
    expect(done.rows).toBe(40);
    const want = scoreModel(fitted.artifact, rows.x);
    const got = readFileSync(out, 'utf8').trim().split('\n').slice(1);
    got.forEach((line, r) => {
      const [score, pred] = line.split(',');
      expect(Number(score)).toBeCloseTo(want[r]!, 12);
      expect(pred).toBe(want[r]! >= fitted.artifact.threshold ? '1' : '0');
    });
  });

  it('takes a cost rule on its own scale: each member’s cost threshold moved to that member’s scale, centred and averaged', async () => {
    const { train, fits } = await fittedVote();
    const cost = { kind: 'cost' as const, lossFalsePositive: 1, lossFalseNegative: 9 };
    // Both members are fitted at 1:1 (threshold 1/2). For data of 5.7% positives, P(positive) > 1/10 is odds above
    // (1/9)/odds(0.057) on their scale: 0.648, which the vote's scale keeps (a member's 1/2 maps to 1/2).
    const vote = assembleVote('vote', fits, [2, 1], train, cost, 0.057);
    const logit = (p: number) => Math.log(p / (1 - p));
    const moved = 1 / (1 + Math.exp(-(Math.log(1 / 9) - logit(0.057))));
    expect(fits.map((f) => f.artifact.threshold)).toEqual([0.5, 0.5]);
    expect(vote.artifact.threshold).toBeCloseTo(moved, 12);
    expect(vote.artifact.threshold).toBeGreaterThan(0.6);
    expect(vote.artifact.thresholdReason).toContain("moved to each member's scale");
    // Members at other scales: each one's cost threshold is put on the vote's scale as its scores are, then averaged.
    const costAt = costThresholdAt(cost, 0.057);
    const members = [
      { threshold: 0.5, weight: 2 },
      { threshold: 0.057, weight: 1 },
    ];
    const expected = (2 * thresholdCentred(costAt(0.5), 0.5) + thresholdCentred(costAt(0.057), 0.057)) / 3;
    expect(voteCostThreshold(members, costAt)).toBeCloseTo(expected, 12);
    // On the inner folds the vote's cost threshold is the same average of its members' (fold by fold).
    const fold = (q: number): FoldScores => ({
      repeat: 0,
      scores: Float64Array.from([0.05, 0.9]),
      labels: Uint8Array.from([0, 1]),
      qStarThreshold: q,
      rows: Int32Array.from([0, 1]),
    });
    const [combined] = voteFoldScores([[fold(0.5)], [fold(0.057)]], [2, 1], costAt)!;
    expect(combined!.costThreshold).toBeCloseTo(expected, 12);
  });
});
