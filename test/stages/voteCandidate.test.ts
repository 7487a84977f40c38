// auto's soft vote (stages/voteCandidate.ts): its out-of-fold scores from its members' on the same rows, the margin it
// must win by, and the fitted vote as a sealed model file that loads, scores and predicts like any other.

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { FoldScores } from '../../core/models/candidateRanking.js';
import { parseModelArtifact, scoreModel } from '../../core/models/modelArtifact.js';
import { IntegrityError } from '../../core/integrityError.js';
import { thresholdCentred } from '../../core/models/voteModel.js';
import { fitCandidate, MODEL_CANDIDATES } from '../../stages/modelCandidates.js';
import { scoreBatchStage } from '../../stages/scoreBatch.js';
import { fitModelArtifact } from '../../stages/train.js';
import { assembleVote, judgeVote, voteFoldScores, voteMembers, voteName } from '../../stages/voteCandidate.js';
import { choiceFitBase, shiftedTriples } from '../support/modelChoiceData.js';

const dir = mkdtempSync(join(tmpdir(), 'rareflow-vote-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const candidate = (name: string) => MODEL_CANDIDATES.find((c) => c.name === name)!;

/** A fitted vote of the weighted logistic regression and the balanced forest on a small seeded set. */
async function fittedVote() {
  const train = shiftedTriples(120, 20, 5);
  const f = { fit: fitModelArtifact, base: choiceFitBase, trees: 9 };
  const members = [candidate('logreg-weighted'), candidate('balanced-forest')];
  const fits = [];
  for (const c of members) fits.push(await fitCandidate(c, train, undefined, 7, f));
  return { train, fits, fitted: assembleVote(voteName(members), fits, train, { kind: 'prevalence' }) };
}

describe('the soft-vote candidate', () => {
  it('takes the best finalist and the best of another model kind', () => {
    const ranked = ['enn-logreg-weighted', 'logreg-weighted', 'rfq-forest', 'balanced-forest'].map((n) => ({ c: candidate(n) }));
    expect(voteMembers(ranked)!.map((s) => s.c.name)).toEqual(['enn-logreg-weighted', 'rfq-forest']);
    expect(voteMembers(ranked.slice(0, 2))).toBeUndefined();
  });

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
    expect(Array.from(vote!.rows!)).toEqual([1, 6]);
    expect(Array.from(vote!.labels)).toEqual([0, 1]);
    expect(vote!.qStarThreshold).toBe(0.5);
    expect(vote!.scores[0]).toBeCloseTo((thresholdCentred(0.2, 0.5) + thresholdCentred(0.05, 0.1)) / 2, 12);
    expect(vote!.scores[1]).toBeCloseTo((thresholdCentred(0.9, 0.5) + thresholdCentred(0.3, 0.1)) / 2, 12);
    // Members scored on different folds cannot be averaged.
    expect(voteFoldScores([logreg, [...forest, ...forest]])).toBeUndefined();
  });

  it('wins only by more than the best single candidate’s standard error', () => {
    const best = { name: 'logreg-weighted', gMeans: [0.7, 0.8, 0.9] }; // mean 0.8, standard error 0.0577
    expect(judgeVote('v', [0.85, 0.85, 0.85], best).wins).toBe(false);
    const won = judgeVote('v', [0.86, 0.86, 0.86], best);
    expect(won).toEqual({
      wins: true,
      reason:
        'v: mean inner-fold G-mean 0.8600 beats the best single candidate, logreg-weighted (0.8000), by more than its standard error 0.0577',
    });
    expect(judgeVote('v', [0.85], best)).toEqual({
      wins: false,
      dropped: "mean inner-fold G-mean 0.8500 not above logreg-weighted's 0.8000 by more than its standard error 0.0577",
    });
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
        (thresholdCentred(members[0]![r]!, fits[0]!.artifact.threshold) + thresholdCentred(members[1]![r]!, fits[1]!.artifact.threshold)) /
        2;
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
});
