// `model.kind: "auto"` as a fit: the choice of stages/modelChoice.ts on the training rows, then the chosen model
// fitted on all of them (a forest scored out of bag already is), its threshold set, and the evidence recorded.

import type { LabelledData } from '../core/dataset.js';
import { coveredOutOfBagRows, summariseOutOfBag } from '../core/models/forestOutOfBag.js';
import { sealModelArtifact, type ModelArtifact } from '../core/models/modelArtifact.js';
import { splitSelectionTimes } from '../core/models/modelSelection.js';
import { chooseThreshold, costThresholdAt, parseThresholdPolicy } from '../core/models/thresholdPolicy.js';
import { positiveShare } from '../core/sampling/sampleWeights.js';
import { fitCandidate, type CandidateFit, type FitModel } from './modelCandidates.js';
import { chooseModel } from './modelChoice.js';
import type { StageProgress } from './stageProgress.js';
import type { FitModelOptions, FittedArtifact } from './train.js';
import { assembleVote } from './voteCandidate.js';

/** `fitted` with another threshold, its note and out-of-bag summary updated to match. */
function withThreshold(
  fitted: FittedArtifact,
  y: Uint8Array,
  threshold: number,
  thresholdPolicy: ModelArtifact['thresholdPolicy'],
  reason: string,
): FittedArtifact {
  const { artifact, outOfBag } = fitted;
  const training = outOfBag ? { ...artifact.training, outOfBag: summariseOutOfBag(outOfBag, y, threshold) } : artifact.training;
  const at = fitted.note.lastIndexOf('; threshold ');
  const description = at >= 0 ? fitted.note.slice(0, at) : fitted.note;
  return {
    ...fitted,
    artifact: { ...artifact, threshold, thresholdPolicy, thresholdReason: reason, training },
    note: `${description}; threshold ${threshold.toFixed(4)}: ${reason}`,
  };
}

/**
 * `fitModelArtifact` for `model.kind: "auto"`: chooses on `train` alone, fits the winner on all of `train` (a forest
 * scored out of bag already is) and records the evidence as the model's `selection`. A G-mean-optimal threshold is
 * taken on the winner's out-of-fold scores (pooled over its inner folds, or its out-of-bag scores), never on rows
 * outside `train`.
 */
export async function fitChosenModel(
  train: LabelledData,
  o: FitModelOptions,
  fit: FitModel,
  progress?: StageProgress,
): Promise<FittedArtifact> {
  const { model, sampleWeights, validation: _validation, ...given } = o;
  // The data's positive share, for a cost rule: that of `train` before any candidate filters or oversamples it.
  const base = { ...given, dataPrevalence: o.dataPrevalence ?? positiveShare(train.y, sampleWeights) };
  const policy = parseThresholdPolicy(model.threshold);
  const costAt = policy.kind === 'cost' ? costThresholdAt(policy, base.dataPrevalence) : undefined;
  const shared: CandidateFit = {
    fit,
    base,
    ...(model.trees !== undefined ? { trees: model.trees } : {}),
    ...(o.categoricalGroups ? { categoricalGroups: o.categoricalGroups } : {}),
  };
  const choice = await chooseModel(train, {
    ...shared,
    seed: o.seed,
    ...(model.budgetSeconds !== undefined ? { budgetSeconds: model.budgetSeconds } : {}),
    ...(costAt !== undefined ? { costAt } : {}),
    ...(sampleWeights ? { sampleWeights } : {}),
    ...(progress ? { progress } : {}),
  });
  let fitted: FittedArtifact;
  if (choice.vote) {
    const fits: FittedArtifact[] = [];
    for (const m of choice.vote.members) {
      if (!m.fit) progress?.({ stage: 'fitting', candidate: m.c.name });
      fits.push(m.fit ?? (await fitCandidate(m.c, train, sampleWeights, o.seed, shared)));
    }
    fitted = assembleVote(
      choice.vote.name,
      fits,
      choice.vote.members.map((m) => m.weight),
      train,
      choice.thresholdPolicy === 'cost' ? policy : { kind: 'prevalence' },
      base.dataPrevalence,
    );
  } else if (choice.winnerFit) {
    fitted = choice.winnerFit;
    if (choice.thresholdPolicy === 'cost') {
      const t = chooseThreshold(policy, {
        prevalence: fitted.artifact.training.fitPrevalence,
        dataPrevalence: base.dataPrevalence,
      });
      fitted = withThreshold(fitted, train.y, t.threshold, policy, t.reason);
    }
  } else {
    progress?.({ stage: 'fitting', candidate: choice.winner.name });
    const threshold = choice.thresholdPolicy === 'cost' ? model.threshold : 'prevalence';
    fitted = await fitCandidate(choice.winner, train, sampleWeights, o.seed, shared, threshold);
  }
  if (choice.thresholdPolicy === 'gmean') {
    const pooled = choice.winnerFit
      ? coveredOutOfBagRows(choice.winnerFit.outOfBag, train.y)
      : {
          scores: Float64Array.from(choice.winnerFolds.flatMap((f) => Array.from(f.scores))),
          labels: Uint8Array.from(choice.winnerFolds.flatMap((f) => Array.from(f.labels))),
        };
    const t = chooseThreshold({ kind: 'gmean' }, { prevalence: 0.5, validationScores: pooled.scores, validationLabels: pooled.labels });
    const source = choice.winnerFit ? 'out-of-bag scores of the training rows' : 'out-of-fold scores of the inner folds';
    fitted = withThreshold(fitted, train.y, t.threshold, { kind: 'gmean' }, t.reason.replace('validation rows', source));
  }
  const { selection, times } = splitSelectionTimes(choice.selection);
  const artifact = sealModelArtifact({ ...fitted.artifact, selection });
  return { ...fitted, artifact, selectionTimes: times, note: `auto chose ${selection.chosen} (${selection.reason}): ${fitted.note}` };
}
