import { describe, it, expect } from 'vitest';
import { editedNearestNeighbours, repeatedEditedNearestNeighbours } from '../../core/denoise/editedNearestNeighbours.js';
import { tomekLinks } from '../../core/denoise/tomekLinks.js';
import { typeMinority } from '../../core/denoise/minorityTyping.js';
import { REMOVAL_REASON } from '../../core/denoise/removalReason.js';
import type { LabelledData } from '../../core/dataset.js';

function line(points: [number, number][]): LabelledData {
  return {
    x: { rows: points.length, cols: 1, values: Float64Array.from(points.map((p) => p[0])) },
    y: Uint8Array.from(points.map((p) => p[1])),
  };
}

describe('edited nearest neighbours lineage', () => {
  it('returns removed rows, sorted, each with the ENN reason code', () => {
    const data = line([
      [0, 0],
      [1, 0],
      [2, 0],
      [3, 0],
      [10, 0],
      [11, 1],
      [12, 1],
      [13, 1],
      [2.5, 1],
      [20, 0],
      [21, 0],
      [22, 0],
      [23, 0],
    ]);
    const got = editedNearestNeighbours(data, { kindSel: 'mode', sampling: 'all' });
    expect(Array.from(got.removed)).toEqual([4, 8]);
    expect(Array.from(got.reasons)).toEqual([REMOVAL_REASON.editedNearestNeighbours, REMOVAL_REASON.editedNearestNeighbours]);
    expect(got.kept.length + got.removed.length).toBe(13);
  });
});

describe('repeatedEditedNearestNeighbours', () => {
  // k = 1. Round 1 removes the negative at 1 (nearest: the positive at 0); then the negative at 2.5 has the
  // positive at 4.5 as its nearest and goes in round 2. The far negatives see only negatives.
  const CASCADE = line([
    [0, 1],
    [1, 0],
    [2.5, 0],
    [4.5, 1],
    [100, 0],
    [101, 0],
    [102, 0],
    [103, 0],
  ]);

  it('golden: removes row by row until a round removes nothing', () => {
    const got = repeatedEditedNearestNeighbours(CASCADE, { k: 1 });
    expect(Array.from(got.kept)).toEqual([0, 3, 4, 5, 6, 7]);
    expect(Array.from(got.removed)).toEqual([1, 2]);
    expect(Array.from(got.rounds)).toEqual([1, 2]);
    expect(Array.from(got.reasons)).toEqual([2, 2]);
    expect(got.roundsApplied).toBe(2);
    expect(got.stoppedBecause).toBe('converged');
    expect(got.removedPerClass).toEqual([2, 0]);
  });

  it('stops at maxRounds, and before negatives would fall below the positives', () => {
    const capped = repeatedEditedNearestNeighbours(CASCADE, { k: 1, maxRounds: 1 });
    expect(Array.from(capped.removed)).toEqual([1]);
    expect(capped.stoppedBecause).toBe('max-rounds');
    // 4 positives, 5 negatives: round 2 would leave 3 negatives, fewer than the 4 positives, so it is not applied.
    const tight = line([
      [0, 1],
      [1, 0],
      [2.5, 0],
      [4.5, 1],
      [100, 0],
      [101, 0],
      [102, 0],
      [200, 1],
      [201, 1],
    ]);
    const got = repeatedEditedNearestNeighbours(tight, { k: 1 });
    expect(Array.from(got.removed)).toEqual([1]);
    expect(got.roundsApplied).toBe(1);
    expect(got.stoppedBecause).toBe('class-would-shrink-below-minority');
    expect(() => repeatedEditedNearestNeighbours(tight, { maxRounds: 0 })).toThrow('maxRounds must be an integer from 1 to 65535; got 0.');
  });
});

describe('tomekLinks', () => {
  // Nearest rows: 1↔2 (negative 1, positive 2) and 5↔6 (negative 10, positive 10.5) are mutual; 7's nearest is 6,
  // but 6's nearest is 5, so 6–7 is no link.
  const SET = line([
    [-1, 0],
    [1, 0],
    [2, 1],
    [5, 1],
    [6, 1],
    [10, 0],
    [10.5, 1],
    [12, 0],
  ]);

  it('golden: removes the negative member of each link', () => {
    const got = tomekLinks(SET);
    expect(Array.from(got.links)).toEqual([1, 2, 5, 6]);
    expect(Array.from(got.kept)).toEqual([0, 2, 3, 4, 6, 7]);
    expect(Array.from(got.removed)).toEqual([1, 5]);
    expect(Array.from(got.reasons)).toEqual([REMOVAL_REASON.tomekLink, REMOVAL_REASON.tomekLink]);
    expect(got.removedPerClass).toEqual([2, 0]);
  });

  it("removes both members with sampling 'all', and rejects one class", () => {
    expect(Array.from(tomekLinks(SET, { sampling: 'all' }).removed)).toEqual([1, 2, 5, 6]);
    expect(() =>
      tomekLinks(
        line([
          [0, 0],
          [1, 0],
        ]),
      ),
    ).toThrow('Tomek links need both classes; got one class only (2 negatives, 0 positives).');
  });
});

describe('typeMinority by majority neighbours', () => {
  it('reports each minority row’s majority-neighbour count: 0–1 safe, 2–3 borderline, 4 rare, 5 outlier', () => {
    const data = line([
      [0, 1],
      [1, 1],
      [2, 1],
      [3, 1],
      [4, 1],
      [5, 1],
      [98, 0],
      [99, 0],
      [100, 1],
      [101, 0],
      [102, 0],
      [103, 0],
      [198, 0],
      [199, 0],
      [200, 1],
      [201, 1],
      [202, 0],
      [203, 0],
      [204, 0],
      [298, 0],
      [299, 0],
      [300, 1],
      [301, 1],
      [302, 1],
      [303, 0],
      [304, 0],
      // E: a positive with exactly one negative among its 5 nearest: still safe.
      [400, 1],
      [401, 1],
      [402, 1],
      [403, 1],
      [404, 1],
      [405.5, 0],
    ]);
    const got = typeMinority(data);
    expect(Array.from(got.majorityNeighbours)).toEqual([0, 0, 0, 0, 0, 0, 5, 4, 4, 3, 3, 3, 1, 1, 1, 1, 1]);
    expect(Array.from(got.types)).toEqual([0, 0, 0, 0, 0, 0, 3, 2, 2, 1, 1, 1, 0, 0, 0, 0, 0]);
    expect(got.counts).toEqual({ safe: 11, borderline: 3, rare: 2, outlier: 1 });
  });
});
