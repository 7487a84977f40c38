// model.kind "auto" (stages/modelChoice.ts): chosen on the training rows alone, the same for a seed, bounded by its
// budget, and honest about classes too small for the folds. Tiny synthetic data and few trees keep it fast.

import { describe, expect, it } from 'vitest';
import { featureMatrix } from '../../core/dataset.js';
import { parseModelArtifact } from '../../core/models/modelArtifact.js';
import type { ModelSelection } from '../../core/models/modelSelection.js';
import { chooseModel } from '../../stages/modelChoice.js';
import { MODEL_CANDIDATES, type FitModel } from '../../stages/modelCandidates.js';
import { fitModelArtifact, trainStage } from '../../stages/train.js';
import { choiceFitBase, shiftedTriples } from '../support/modelChoiceData.js';

const data = shiftedTriples;
const base = choiceFitBase;

const choiceOptions = (extra = {}) => ({ fit: fitModelArtifact, base, trees: 5, seed: 7, budgetSeconds: 600, ...extra });

/** The selection without its timings, which vary run to run. */
function untimed(s: ModelSelection | undefined) {
  if (!s) return s;
  const { seconds: _s, ...rest } = s;
  return { ...rest, candidates: rest.candidates.map(({ seconds: _c, ...c }) => c) };
}

describe('model choice by inner validation', () => {
  it('gives the same model file, byte for byte, for the same seed: the seconds stay out of it', async () => {
    const train = data(150, 25, 1);
    const model = { kind: 'auto' as const, threshold: 'prevalence' as const, trees: 5, budgetSeconds: 600 };
    const a = await fitModelArtifact(train, { ...base, model });
    const b = await fitModelArtifact(train, { ...base, model });
    expect(JSON.stringify(b.artifact)).toBe(JSON.stringify(a.artifact));
    const s = a.artifact.selection!;
    expect(s.seconds).toBeUndefined();
    expect(s.candidates.every((c) => c.seconds === undefined)).toBe(true);
    // The seconds come back beside the file, one per candidate.
    expect(Object.keys(a.selectionTimes!.candidates)).toEqual(s.candidates.map((c) => c.name));
    expect(a.selectionTimes!.seconds).toBeGreaterThan(0);
    // 25 positives, each validated once per repeat: 4 repeats bring the 100 validations steadyFoldPlan aims at.
    expect(s.folds).toBe(3);
    expect(s.repeats).toBe(4);
    expect(s.foldNote).toMatch(/^4 repeats instead of 2: the smaller class has only 25 rows/);
    expect(s.candidates.slice(0, MODEL_CANDIDATES.length).map((c) => c.name)).toEqual(MODEL_CANDIDATES.map((c) => c.name));
    expect(s.candidates.find((c) => c.name === s.chosen)!.dropped).toBeUndefined();
    // Successive halving after the first two repeats: half of the seven go on to the last two.
    expect(s.candidates.filter((c) => c.dropped?.startsWith('halved after repeat 2')).length).toBe(3);
    expect(s.candidates.find((c) => c.name === s.chosen)!.gMean!.folds).toBe(12);
    // The soft vote of the best finalist and the best of another kind is judged on the same folds.
    const vote = s.candidates.find((c) => c.name.startsWith('vote('));
    if (vote) {
      expect(vote.scoredBy).toBe('members');
      expect(vote.gMean!.folds).toBe(12);
      expect(vote.name === s.chosen || vote.dropped!.startsWith('mean inner-fold G-mean')).toBe(true);
    }
    // The model file carries the evidence and still loads.
    expect(parseModelArtifact(JSON.parse(JSON.stringify(a.artifact)), 'm.json').selection).toEqual(a.artifact.selection);
  });

  it('keeps two repeats, halved after the first, when the repeats are given', async () => {
    const choice = await chooseModel(data(150, 25, 1), choiceOptions({ repeats: 2 }));
    const s = choice.selection;
    expect(s.repeats).toBe(2);
    expect(s.foldNote).toBeUndefined();
    expect(s.candidates.filter((c) => c.dropped?.startsWith('halved after repeat 1')).length).toBe(3);
    expect(s.candidates.find((c) => c.name === s.chosen)!.gMean!.folds).toBe(6);
  });

  it('never looks outside the training rows: poisoned held-out labels leave the choice and threshold unchanged', async () => {
    const all = data(200, 32, 2);
    const train = { x: featureMatrix(150, 3, all.x.values.slice(0, 150 * 3)), y: all.y.slice(0, 150) };
    const held = { x: featureMatrix(50, 3, all.x.values.slice(150 * 3)), y: all.y.slice(150) };
    const poisoned = { x: held.x, y: Uint8Array.from(held.y, (v) => 1 - v) };
    const input = {
      train,
      featureNames: base.featureNames,
      labelName: 'y',
      weightSource: 'test',
      model: { kind: 'auto' as const, threshold: 'gmean' as const, trees: 5, budgetSeconds: 600 },
      labels: base.labels,
      modelName: 'm',
      seed: 3,
      runId: 'test',
      datasetSha256: 'test',
    };
    const clean = await trainStage({ ...input, validation: held });
    const dirty = await trainStage({ ...input, validation: poisoned });
    expect(untimed(dirty.artifact.selection)).toEqual(untimed(clean.artifact.selection));
    expect(dirty.artifact.threshold).toBe(clean.artifact.threshold);
    expect(dirty.artifact.thresholdReason).toBe(clean.artifact.thresholdReason);
  });

  it('ranks every candidate on the repeats all finished when the budget stops a later repeat part-way', async () => {
    // Logistic regression is slowed to 0.4 s a fit, so its second repeat (3 fits) would overrun the 2 s budget; the
    // forest, scored out of bag, has its second repeat for free. Both must be compared on the first repeat alone.
    const slowLogreg: FitModel = async (train, o) => {
      if (o.model.kind === 'logreg') await new Promise((r) => setTimeout(r, 400));
      return fitModelArtifact(train, o);
    };
    const candidates = ['balanced-forest', 'logreg-weighted'].map((n) => MODEL_CANDIDATES.find((c) => c.name === n)!);
    const choice = await chooseModel(data(300, 40, 5), { ...choiceOptions({ budgetSeconds: 2 }), fit: slowLogreg, candidates, repeats: 3 });
    const s = choice.selection;
    expect(s.warnings).toContainEqual(
      expect.stringMatching(
        /^the budget of 2s stopped repeat 2 part-way: balanced-forest, logreg-weighted are ranked on the 1 repeat all of them finished/,
      ),
    );
    expect(s.candidates.slice(0, 2).map((c) => [c.name, c.gMean?.folds, c.dropped])).toEqual([
      ['balanced-forest', 3, undefined],
      ['logreg-weighted', 3, undefined],
    ]);
    // On that repeat the linear model is ahead here; without the common footing the forest won by default.
    const [forest, logreg] = s.candidates;
    expect(logreg!.gMean!.mean).toBeGreaterThan(forest!.gMean!.mean);
    // It wins alone, or as the first member of a vote.
    expect(choice.winner.name).toBe('logreg-weighted');
    expect(s.chosen === 'logreg-weighted' || s.chosen.startsWith('vote(logreg-weighted+')).toBe(true);
  });

  it('falls back to the balanced forest with a warning when the budget is below one candidate', async () => {
    const choice = await chooseModel(data(120, 20, 3), choiceOptions({ budgetSeconds: 1e-6 }));
    expect(choice.winner.name).toBe('balanced-forest');
    // Its rule is the one its row shows (before: always prevalence, whatever the row said).
    expect(choice.thresholdPolicy).toBe(choice.selection.candidates[0]!.thresholdPolicy);
    expect(choice.selection.thresholdPolicy).toBe(choice.selection.candidates[0]!.thresholdPolicy);
    expect(choice.selection.warnings![0]).toMatch(/^the budget of 0\.000001s is below what one candidate needs \(balanced-forest took /);
    expect(choice.selection.candidates.slice(1).every((c) => c.dropped === 'not scored: budget')).toBe(true);
    // A cost rule given stays the rule (before, the fallback dropped it for the prevalence rule).
    const costly = await chooseModel(data(120, 20, 3), choiceOptions({ budgetSeconds: 1e-6, costAt: (share: number) => share }));
    expect(costly.thresholdPolicy).toBe('cost');
  });

  it('uses fewer folds when the minority is smaller than the folds, and says so', async () => {
    const choice = await chooseModel(data(60, 2, 4), choiceOptions());
    expect(choice.selection.folds).toBe(2);
    expect(choice.selection.foldNote).toBe(
      '2-fold instead of 3-fold: the smaller class has only 2 rows; 10 repeats instead of 2: the smaller class has only 2 ' +
        'rows, and each repeat validates each once (100 validations in all are the aim, at most 10 repeats)',
    );
    expect(choice.selection.repeats).toBe(10);
  });

  it('keeps the default unscored, with a warning, when a class has a single row', async () => {
    const choice = await chooseModel(data(40, 1, 5), choiceOptions());
    expect(choice.winner.name).toBe('balanced-forest');
    expect(choice.selection.folds).toBe(0);
    expect(choice.selection.warnings).toEqual([
      'a class has fewer than 2 training rows, too few for any inner fold: the first candidate was kept unscored',
    ]);
  });
});
