// `auto`'s soft-vote candidate: the best finalist and the best finalist of another model kind, averaged on one scale
// (core/models/voteModel.ts). It is judged on its members' out-of-fold scores of the same inner folds, and wins only
// when it beats the best single candidate by more than that candidate's standard error.

import { classCounts, type LabelledData } from '../core/dataset.js';
import { spreadOf, type FoldScores } from '../core/models/candidateRanking.js';
import { sealModelArtifact, type ModelArtifact } from '../core/models/modelArtifact.js';
import { chooseThreshold, type ThresholdPolicy } from '../core/models/thresholdPolicy.js';
import { combineVoteScores, type VoteMember, type VoteModel } from '../core/models/voteModel.js';
import type { ModelCandidate } from './modelCandidates.js';
import type { FittedArtifact } from './train.js';

/** Members of a vote: two. A third would be one more blend tried on the same few folds, a larger winner's curse. */
const VOTE_SIZE = 2;

/** The vote's name in the selection block, the registry kind (`auto:vote(a+b)`) and `fit --json`. */
export const voteName = (members: readonly ModelCandidate[]) => `vote(${members.map((m) => m.name).join('+')})`;

/**
 * The members of the vote among the finalists, best first (`ranked`: the ranking's order): the first, then the best
 * of another model kind (forest, logreg, gbdt), so the vote averages models that err differently. Two variants of
 * one kind (a forest with and without ENN) mostly agree, and their average adds little; undefined when every
 * finalist is of one kind.
 */
export function voteMembers<S extends { c: ModelCandidate }>(ranked: readonly S[]): S[] | undefined {
  const members: S[] = [];
  for (const s of ranked) {
    if (members.some((m) => m.c.model.kind === s.c.model.kind)) continue;
    members.push(s);
    if (members.length === VOTE_SIZE) return members;
  }
  return undefined;
}

/**
 * The vote's out-of-fold scores: on each fold, the rows every member scored (a forest's out-of-bag scores skip the
 * rows no tree left out), each member's score centred on its own fold model's q* threshold and averaged. Its q*
 * threshold is then 1/2: the point where the members, each read against its own q*, lean neither way. Undefined
 * when the members were not scored on the same folds.
 */
export function voteFoldScores(memberFolds: readonly (readonly FoldScores[])[]): FoldScores[] | undefined {
  const count = memberFolds[0]!.length;
  if (count === 0 || memberFolds.some((f) => f.length !== count || f.some((s) => !s.rows))) return undefined;
  const out: FoldScores[] = [];
  for (let k = 0; k < count; k++) {
    const folds = memberFolds.map((f) => f[k]!);
    if (folds.some((f) => f.repeat !== folds[0]!.repeat)) return undefined;
    // Rows of each fold are ascending: keep those every member scored, and each member's position of them.
    const common = folds[0]!.rows!.filter((r) => folds.every((f) => binarySearch(f.rows!, r) >= 0));
    const labels = new Uint8Array(common.length);
    const memberScores = folds.map((f) => {
      const s = new Float64Array(common.length);
      common.forEach((r, i) => {
        const at = binarySearch(f.rows!, r);
        s[i] = f.scores[at]!;
        labels[i] = f.labels[at]!;
      });
      return s;
    });
    const scores = combineVoteScores(
      memberScores,
      folds.map((f) => ({ threshold: f.qStarThreshold, weight: 1 })),
    );
    out.push({ repeat: folds[0]!.repeat, scores, labels, qStarThreshold: 0.5, rows: common });
  }
  return out;
}

function binarySearch(sorted: Int32Array, value: number): number {
  let lo = 0;
  let hi = sorted.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const v = sorted[mid]!;
    if (v === value) return mid;
    if (v < value) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

/**
 * The vote of the finalists `ranked` (best first) on their out-of-fold scores, and whether it wins; undefined when
 * there is no second model kind among them or the members' folds differ. `gMeansOf`: per-fold G-mean under the
 * best policy, as every candidate is judged.
 */
export function proposeVote<S extends { c: ModelCandidate; folds: FoldScores[] }>(
  ranked: readonly S[],
  gMeansOf: (folds: FoldScores[]) => number[],
  independentFolds?: number,
): { candidate: ModelCandidate; folds: FoldScores[]; members: S[]; judged: ReturnType<typeof judgeVote> } | undefined {
  const members = voteMembers(ranked);
  const folds = members && voteFoldScores(members.map((m) => m.folds));
  if (!members || !folds) return undefined;
  const names = members.map((m) => m.c.name);
  const candidate: ModelCandidate = {
    name: voteName(members.map((m) => m.c)),
    fits: `soft vote: the mean of ${names.join(' and ')}, each score centred on its own prevalence threshold`,
    relativeCost: Number(members.reduce((a, m) => a + m.c.relativeCost, 0).toFixed(2)),
    model: members[0]!.c.model,
  };
  const mean = (s: S) => spreadOf(gMeansOf(s.folds)).mean;
  const best = ranked.reduce((a, b) => (mean(b) > mean(a) ? b : a));
  const judged = judgeVote(candidate.name, gMeansOf(folds), { name: best.c.name, gMeans: gMeansOf(best.folds) }, independentFolds);
  return { candidate, folds, members, judged };
}

/**
 * Whether the vote wins: its mean inner-fold G-mean must exceed the best single candidate's by more than that
 * candidate's standard error over its folds. This bar is deliberately higher than the ranking's paired tie
 * (core/models/candidateRanking.ts tiesWith): the vote is built from the very folds it is judged on (its members are
 * the best of them there), it is dearer than either member, and on the shared sets it did not pay on average, so it
 * must clear the folds' whole spread, not only the fold-by-fold difference. `independentFolds`: as spreadOf's.
 */
export function judgeVote(
  name: string,
  vote: readonly number[],
  best: { name: string; gMeans: readonly number[] },
  independentFolds?: number,
): { wins: true; reason: string } | { wins: false; dropped: string } {
  const v = spreadOf(vote);
  const b = spreadOf(best.gMeans, independentFolds);
  const g = (x: number) => x.toFixed(4);
  if (v.mean > b.mean + b.standardError) {
    return {
      wins: true,
      reason:
        `${name}: mean inner-fold G-mean ${g(v.mean)} beats the best single candidate, ${best.name} (${g(b.mean)}), ` +
        `by more than its standard error ${g(b.standardError)}`,
    };
  }
  return {
    wins: false,
    dropped: `mean inner-fold G-mean ${g(v.mean)} not above ${best.name}'s ${g(b.mean)} by more than its standard error ${g(b.standardError)}`,
  };
}

/**
 * The vote fitted on all of `train` from its members' fits (each fitted there with its q* threshold, as a single
 * winner is), sealed with the threshold of `policy`: `prevalence` is the vote's q*, 1/2 on its scale; `cost` the
 * weighted-Bayes threshold at a 1:1 mix (the scale's own); `gmean` is set afterwards from the vote's out-of-fold
 * scores, as for any winner.
 */
export function assembleVote(
  name: string,
  memberFits: readonly FittedArtifact[],
  train: LabelledData,
  policy: ThresholdPolicy,
): FittedArtifact {
  const members: VoteMember[] = memberFits.map((f) => {
    const model = f.artifact.model;
    if (model.kind === 'vote') throw new Error('a vote member cannot be a vote; this is a bug');
    return { model, threshold: f.artifact.threshold, weight: 1 };
  });
  const model: VoteModel = { kind: 'vote', combine: 'threshold-centred', members };
  const first = memberFits[0]!.artifact;
  const { outOfBag: _memberOnly, ...training } = first.training;
  const [, positives] = classCounts(train.y);
  const chosen =
    policy.kind === 'cost'
      ? chooseThreshold(policy, { prevalence: 0.5 })
      : {
          threshold: 0.5,
          reason:
            "the vote's prevalence rule: threshold 0.5, where each member's own prevalence threshold (the positive share " +
            'of the rows it was fitted on) lands on the vote scale',
        };
  const artifact: ModelArtifact = sealModelArtifact({
    ...first,
    model,
    threshold: chosen.threshold,
    thresholdPolicy: policy.kind === 'cost' ? policy : { kind: 'prevalence' },
    thresholdReason: chosen.reason,
    training: { ...training, rows: train.y.length, positives, fitPrevalence: 0.5 },
  });
  const described = (note: string) => (note.includes('; threshold ') ? note.slice(0, note.lastIndexOf('; threshold ')) : note);
  const description = `${name} (${memberFits.map((f) => described(f.note)).join(' and ')})`;
  return { artifact, note: `${description}; threshold ${chosen.threshold.toFixed(4)}: ${chosen.reason}` };
}
