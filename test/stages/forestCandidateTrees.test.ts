// auto's forest candidates grow more trees on a large class imbalance (stages/modelCandidates.ts), so each row of the
// largest class still reaches about ten balanced trees, and on a small file, so each row is out of bag in about 150
// trees; a spec's `model.trees` always wins.

import { describe, expect, it } from 'vitest';
import { balancedForestTrees, fitCandidate, forestCandidateTrees, MODEL_CANDIDATES } from '../../stages/modelCandidates.js';
import { fitModelArtifact } from '../../stages/train.js';
import { choiceFitBase, shiftedTriples } from '../support/modelChoiceData.js';

const labels = (negatives: number, positives: number) => {
  const y = new Uint8Array(negatives + positives);
  y.fill(1, negatives);
  return y;
};

describe('trees of a balanced forest candidate', () => {
  it('keeps 100 trees up to a 10:1 imbalance, then ten per unit of the ratio, at most 500', () => {
    expect(balancedForestTrees(labels(500, 500))).toBe(100);
    expect(balancedForestTrees(labels(1000, 100))).toBe(100);
    expect(balancedForestTrees(labels(1700, 100))).toBe(170);
    expect(balancedForestTrees(labels(2501, 100))).toBe(251);
    expect(balancedForestTrees(labels(10_000, 100))).toBe(500);
  });

  it('measures the ratio between the largest and the smallest class of a multi-class label', () => {
    expect(balancedForestTrees(Uint8Array.from([...Array(300).fill(0), ...Array(10).fill(1), ...Array(100).fill(2)]))).toBe(300);
  });

  it('keeps 100 trees when only one class is present', () => {
    expect(balancedForestTrees(labels(50, 0))).toBe(100);
  });

  it('grows 408 trees on a small file, fewer as rows × trees pass four million, never fewer than the rule above', () => {
    expect(forestCandidateTrees('bootstrap', labels(285, 15))).toBe(408);
    expect(forestCandidateTrees('balanced', labels(285, 15))).toBe(408);
    expect(forestCandidateTrees('bootstrap', labels(19_900, 100))).toBe(200);
    expect(forestCandidateTrees('bootstrap', labels(39_900, 100))).toBe(100);
    expect(forestCandidateTrees('bootstrap', labels(400_000, 100))).toBe(100);
    expect(forestCandidateTrees('balanced', labels(19_900, 100))).toBe(500);
    expect(forestCandidateTrees('balanced', labels(15_000, 5_000))).toBe(200);
  });

  it('grows them in the candidate fit, unless the spec sets the trees', async () => {
    const train = shiftedTriples(300, 15, 5);
    const balanced = MODEL_CANDIDATES.find((c) => c.name === 'balanced-forest')!;
    const rfq = MODEL_CANDIDATES.find((c) => c.name === 'rfq-forest')!;
    const grown = await fitCandidate(balanced, train, undefined, 3, { fit: fitModelArtifact, base: choiceFitBase });
    expect(grown.artifact.model.kind === 'forest' && grown.artifact.model.roots.length).toBe(408); // 300 rows: each out of bag in about 150 trees
    const set = await fitCandidate(balanced, train, undefined, 3, { fit: fitModelArtifact, base: choiceFitBase, trees: 7 });
    expect(set.artifact.model.kind === 'forest' && set.artifact.model.roots.length).toBe(7);
    const bootstrap = await fitCandidate(rfq, train, undefined, 3, { fit: fitModelArtifact, base: choiceFitBase });
    expect(bootstrap.artifact.model.kind === 'forest' && bootstrap.artifact.model.roots.length).toBe(408);
  });
});
