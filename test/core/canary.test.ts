import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../core/invalidInputError.js';
import { DEFAULT_CANARY_STEPS, canaryArm, requestBucket, validateCanarySteps } from '../../core/canary/trafficSplit.js';
import { canaryAnalysis } from '../../core/canary/canaryAnalysis.js';
import type { ArmWindow } from '../../core/canary/canaryArmWindow.js';
import { defaultCanaryCriteria, resolveCanaryCriteria } from '../../core/canary/canaryCriteria.js';
import { newcombeDifferenceInterval } from '../../core/canary/proportionDifference.js';

const N = 20_000;
const ids = Array.from({ length: N }, (_, i) => `req-${i + 1}`);

/** The error an InvalidInputError-throwing call throws, for checking its message. */
function errorOf(fn: () => unknown): InvalidInputError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidInputError);
    return error as InvalidInputError;
  }
  throw new Error('expected an InvalidInputError, nothing was thrown');
}

describe('requestBucket and canaryArm', () => {
  it('is a stable function of the id alone', () => {
    // sha256("req-1") = 9456bdfa12ea…; its first 6 bytes over 2^48, computed independently with Python's hashlib.
    expect(requestBucket('req-1')).toBeCloseTo(0.5794485793621007, 15);
    // Exact: 6 bytes fit a double's 53-bit mantissa, so the bucket is the integer over 2^48 with no rounding.
    expect(requestBucket('req-1')).toBe(0x9456bdfa12ea / 2 ** 48);
    // sha256("req-2") = a697f8b99a46…, computed the same way.
    expect(requestBucket('req-2')).toBe(0xa697f8b99a46 / 2 ** 48);
    for (const id of ids.slice(0, 100)) {
      const b = requestBucket(id);
      expect(b).toBeGreaterThanOrEqual(0);
      expect(b).toBeLessThan(1);
    }
  });

  it('gives each weight its share of sequential ids within 4 binomial standard deviations', () => {
    for (const w of [0.05, 0.25, 0.5]) {
      const challengers = ids.filter((id) => canaryArm(id, w) === 'challenger').length;
      expect(Math.abs(challengers - N * w)).toBeLessThanOrEqual(4 * Math.sqrt(N * w * (1 - w)));
    }
  });

  it('sends everything to the champion at weight 0 and to the challenger at weight 1', () => {
    expect(ids.every((id) => canaryArm(id, 0) === 'champion')).toBe(true);
    expect(ids.every((id) => canaryArm(id, 1) === 'challenger')).toBe(true);
  });

  it('is monotone in the weight: a challenger request at 5% stays on the challenger at 25%', () => {
    for (const id of ids) {
      if (canaryArm(id, 0.05) === 'challenger') expect(canaryArm(id, 0.25)).toBe('challenger');
      if (canaryArm(id, 0.25) === 'challenger') expect(canaryArm(id, 0.5)).toBe('challenger');
    }
  });

  it('fills 20 equal buckets uniformly (chi-square, p > 0.001)', () => {
    const counts = new Array<number>(20).fill(0);
    for (const id of ids) counts[Math.floor(requestBucket(id) * 20)]! += 1;
    const expected = N / 20;
    const chiSquare = counts.reduce((sum, o) => sum + (o - expected) ** 2 / expected, 0);
    // Upper 0.001 quantile of chi-square with 19 degrees of freedom.
    expect(chiSquare).toBeLessThan(43.82);
  });

  it('rejects a weight outside [0, 1] naming weight', () => {
    for (const bad of [-0.1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      const error = errorOf(() => canaryArm('req-1', bad));
      expect(error.subject).toBe('weight');
      expect(error.message).toMatch(/^weight: expected a finite number in \[0, 1\]/);
    }
  });
});

describe('validateCanarySteps', () => {
  it('accepts the default steps and returns a copy', () => {
    const steps = validateCanarySteps(DEFAULT_CANARY_STEPS, 'pipeline.json: canary.steps');
    expect(steps).toEqual([0.05, 0.25, 0.5, 1]);
    expect(steps).not.toBe(DEFAULT_CANARY_STEPS);
    expect(validateCanarySteps([1], 'steps')).toEqual([1]);
  });

  it('rejects empty, non-increasing, out-of-range and unfinished steps, naming the source', () => {
    expect(errorOf(() => validateCanarySteps([], 'spec.steps')).message).toMatch(
      /^spec\.steps: expected a non-empty array .* got an empty array/,
    );
    expect(errorOf(() => validateCanarySteps('0.5', 'spec.steps')).message).toMatch(/got "0\.5"/);
    expect(errorOf(() => validateCanarySteps([0.1, 0.1, 1], 'spec.steps')).message).toMatch(
      /^spec\.steps\[1\]: expected a weight greater than the previous step 0\.1 .* got 0\.1/,
    );
    expect(errorOf(() => validateCanarySteps([0, 1], 'spec.steps')).message).toMatch(
      /^spec\.steps\[0\]: expected a weight in \(0, 1\], got 0/,
    );
    expect(errorOf(() => validateCanarySteps([0.5, 1.2], 'spec.steps')).message).toMatch(
      /^spec\.steps\[1\]: expected a weight in \(0, 1\], got 1\.2/,
    );
    expect(errorOf(() => validateCanarySteps([0.05, 0.5], 'spec.steps')).message).toMatch(
      /^spec\.steps\[1\]: expected the last step to be 1 .* got 0\.5; append 1/,
    );
    expect(errorOf(() => validateCanarySteps([0.05, 0.5], 'spec.steps')).subject).toBe('spec.steps');
  });
});

describe('newcombeDifferenceInterval', () => {
  it('matches Newcombe (1998) Table II, method 10: 56/70 vs 48/80 → [0.0524, 0.3339] at 95%', () => {
    const [lower, upper] = newcombeDifferenceInterval(56, 70, 48, 80, 0.025)!;
    expect(lower).toBeCloseTo(0.0524, 3);
    expect(upper).toBeCloseTo(0.3339, 3);
  });

  it('is antisymmetric in the arms and narrows at larger alpha', () => {
    const [l, u] = newcombeDifferenceInterval(48, 80, 56, 70, 0.025)!;
    expect(l).toBeCloseTo(-0.3339, 3);
    expect(u).toBeCloseTo(-0.0524, 3);
    const [l90, u90] = newcombeDifferenceInterval(56, 70, 48, 80, 0.05)!;
    expect(l90).toBeGreaterThan(0.0524);
    expect(u90).toBeLessThan(0.3339);
  });

  it('is null on an empty arm and rejects bad counts', () => {
    expect(newcombeDifferenceInterval(0, 0, 3, 10, 0.05)).toBeNull();
    expect(errorOf(() => newcombeDifferenceInterval(11, 10, 3, 10, 0.05)).message).toBe('x1: expected an integer in [0, 10], got 11');
    expect(errorOf(() => newcombeDifferenceInterval(1, 10, 3, 10, 0.5)).subject).toBe('alpha');
  });
});

function arm(requests: number, errors: number, latencyP99Ms: number | null, tp: number, fn: number, fp: number, tn: number): ArmWindow {
  return { requests, errors, latencyP99Ms, confusion: { tp, fn, fp, tn } };
}

const champion = arm(20_000, 2, 20, 400, 100, 300, 9700);

describe('canaryAnalysis', () => {
  it('promotes a clearly better challenger', () => {
    const result = canaryAnalysis(champion, arm(20_000, 3, 22, 460, 40, 250, 9750));
    expect(result.decision).toBe('promote');
    expect(result.checks.map((c) => c.name)).toEqual([
      'errorRate',
      'errorRateIncrease',
      'latencyP99',
      'latencyVsChampion',
      'positiveRecall',
      'gMean',
      'negativeRecall',
      'positivePrecision',
    ]);
    expect(result.checks.every((c) => c.passed === true)).toBe(true);
    expect(result.arms.challenger.positiveRecall).toBeCloseTo(0.92, 12);
    expect(result.arms.champion.gMean).toBeCloseTo(Math.sqrt(0.8 * 0.97), 12);
    expect(result.arms.champion.negativePrecision).toBeCloseTo(9700 / 9800, 12);
    expect(result.criteria).toEqual(defaultCanaryCriteria());
    expect(JSON.parse(JSON.stringify(result))).toEqual(result);
  });

  it('promotes an equal challenger when there are labels enough to show non-inferiority', () => {
    expect(canaryAnalysis(champion, { ...champion }).decision).toBe('promote');
  });

  it('rolls back a challenger whose positive recall is 0.4 against 0.9', () => {
    const result = canaryAnalysis(arm(20_000, 2, 20, 450, 50, 300, 9700), arm(20_000, 2, 20, 200, 300, 300, 9700));
    expect(result.decision).toBe('rollback');
    const recall = result.checks.find((c) => c.name === 'positiveRecall')!;
    expect(recall.passed).toBe(false);
    expect(recall.value).toBeCloseTo(-0.5, 12);
    expect(recall.threshold).toBe(-0.05);
    expect(recall.interval![1]).toBeLessThan(-0.05);
    expect(result.reasons[0]).toMatch(
      /^challenger positive recall 0\.4 vs champion 0\.9: difference −0\.5, 90% interval \[−0\.\d+, −0\.\d+\], below the −0\.05 margin$/,
    );
  });

  it('asks for more evidence when an arm has too few labelled positives, with both numbers', () => {
    const result = canaryAnalysis(champion, arm(1000, 0, 20, 8, 2, 15, 485));
    expect(result.decision).toBe('insufficient-evidence');
    expect(result.reasons).toEqual(['challenger has 10 labelled positives (tp + fn), needs at least 20']);
    expect(result.checks.find((c) => c.name === 'positiveRecall')!.passed).toBeNull();
    expect(result.checks.find((c) => c.name === 'errorRate')!.passed).toBe(true);
  });

  it('rolls back an error-rate spike even with no labels', () => {
    const result = canaryAnalysis(arm(2000, 0, 20, 0, 0, 0, 0), arm(200, 30, 20, 0, 0, 0, 0));
    expect(result.decision).toBe('rollback');
    const errorRate = result.checks.find((c) => c.name === 'errorRate')!;
    expect(errorRate.passed).toBe(false);
    expect(errorRate.value).toBeGreaterThan(0.1);
    expect(result.checks.find((c) => c.name === 'errorRateIncrease')!.passed).toBe(false);
    expect(result.reasons[0]).toMatch(
      /^challenger error rate 0\.15 \(30 of 200 requests\), 95% Wilson lower bound 0\.1\d+ above the 0\.01 maximum$/,
    );
  });

  it('does not judge the guards on too few challenger requests', () => {
    const result = canaryAnalysis(arm(2000, 0, 20, 0, 0, 0, 0), arm(20, 0, 20, 0, 0, 0, 0));
    expect(result.decision).toBe('insufficient-evidence');
    expect(result.reasons[0]).toBe('challenger answered 20 requests in the window; the error-rate and latency guards need at least 50');
    expect(result.checks.slice(0, 4).every((c) => c.passed === null)).toBe(true);
  });

  it('rolls back a latency spike', () => {
    const result = canaryAnalysis(champion, arm(20_000, 3, 120, 460, 40, 250, 9750));
    expect(result.decision).toBe('rollback');
    expect(result.reasons).toEqual([
      'challenger p99 latency 120 ms above the 50 ms maximum',
      'challenger p99 latency 120 ms vs champion 20 ms: above 2 × 20 + 1 = 41 ms',
    ]);
  });

  it('rolls back on the latency ratio alone when the absolute limit is loose', () => {
    const result = canaryAnalysis(champion, arm(20_000, 3, 45, 460, 40, 250, 9750), { maxLatencyP99Ms: 100 });
    expect(result.decision).toBe('rollback');
    expect(result.checks.filter((c) => c.passed === false).map((c) => c.name)).toEqual(['latencyVsChampion']);
  });

  it('does not compare with a champion that answered too few requests (a step at 100%): no rollback on its p99', () => {
    // 19 champion requests, answered before the services took the new weight; the defaults ask 50 for a guard.
    const result = canaryAnalysis(arm(19, 1, 1, 2, 0, 1, 16), arm(20_000, 3, 3, 460, 40, 250, 9750));
    expect(result.decision).not.toBe('rollback');
    const byName = Object.fromEntries(result.checks.map((c) => [c.name, c]));
    expect(byName.latencyVsChampion).toMatchObject({ passed: null });
    expect(byName.latencyVsChampion!.detail).toBe(
      'p99 latency vs champion not judged: the champion answered 19 requests, a comparison with it needs 50',
    );
    expect(byName.errorRateIncrease).toMatchObject({ passed: null });
    expect(byName.latencyP99).toMatchObject({ passed: true });
  });

  it('calls a close race with moderate labels inconclusive', () => {
    const result = canaryAnalysis(arm(5000, 0, 20, 36, 4, 10, 190), arm(5000, 0, 20, 35, 5, 10, 190));
    expect(result.decision).toBe('insufficient-evidence');
    const recall = result.checks.find((c) => c.name === 'positiveRecall')!;
    expect(recall.passed).toBeNull();
    expect(recall.interval![0]).toBeLessThan(-0.05);
    expect(recall.interval![1]).toBeGreaterThan(-0.05);
    expect(result.checks.find((c) => c.name === 'gMean')!.passed).toBeNull();
    expect(
      result.reasons.some((r) =>
        /^challenger positive recall 0\.875 vs champion 0\.9: .* straddles the −0\.05 margin: inconclusive/.test(r),
      ),
    ).toBe(true);
  });

  it('rolls back a challenger whose G-mean is shown lower (an alert flood), even with the same recall', () => {
    // Recall 0.9 on both arms, specificity 0.6 against 0.97 on thousands of negatives.
    const result = canaryAnalysis(arm(20_000, 0, 20, 450, 50, 300, 9700), arm(20_000, 0, 20, 450, 50, 4000, 6000));
    expect(result.decision).toBe('rollback');
    expect(result.checks.find((c) => c.name === 'positiveRecall')!.passed).toBe(true);
    const gMean = result.checks.find((c) => c.name === 'gMean')!;
    expect(gMean.passed).toBe(false);
    expect(gMean.value).toBeCloseTo(Math.sqrt(0.9 * 0.6) - Math.sqrt(0.9 * 0.97), 12);
    expect(gMean.detail).toMatch(
      /^challenger G-mean 0\.735 vs champion 0\.934: difference −0\.199, 90% interval \[−0\.\d+, −0\.\d+\], below the −0\.05 margin$/,
    );
    expect(result.checks.find((c) => c.name === 'negativeRecall')!.passed).toBe(false);
  });

  it('promotes a challenger that restores minority recall after drift at some cost in specificity', () => {
    // The stale champion misses the rare class (recall 0.31) but rarely alarms; the retrained challenger finds
    // 0.88 of positives with specificity 0.85: G-mean 0.86 against 0.55.
    const result = canaryAnalysis(arm(3000, 0, 5, 10, 22, 30, 2938), arm(3000, 0, 5, 28, 4, 450, 2518));
    expect(result.decision).toBe('promote');
    expect(result.checks.find((c) => c.name === 'negativeRecall')!.passed).toBe(true);
    expect(result.checks.find((c) => c.name === 'gMean')!.passed).toBe(true);
  });

  it('does not let a G-mean inside its margin but unproven promote: more evidence first', () => {
    // Recall 0.85 vs 0.9 on 100 positives: both recall and G-mean straddle their margins.
    const result = canaryAnalysis(arm(20_000, 0, 20, 90, 10, 300, 9700), arm(20_000, 0, 20, 85, 15, 300, 9700));
    expect(result.decision).toBe('insufficient-evidence');
    expect(result.checks.find((c) => c.name === 'gMean')!.passed).toBeNull();
  });

  it('rejects malformed windows naming the arm and field', () => {
    expect(errorOf(() => canaryAnalysis(champion, arm(10, 11, 20, 0, 0, 0, 0))).message).toBe(
      'challenger.errors: expected an integer in [0, 10], got 11',
    );
    expect(errorOf(() => canaryAnalysis(arm(10, 0, 20, -1, 0, 0, 0), champion)).subject).toBe('champion.confusion.tp');
    expect(errorOf(() => canaryAnalysis(arm(10.5, 0, 20, 0, 0, 0, 0), champion)).subject).toBe('champion.requests');
    expect(errorOf(() => canaryAnalysis(champion, arm(10, 0, -5, 0, 0, 0, 0))).subject).toBe('challenger.latencyP99Ms');
    expect(errorOf(() => canaryAnalysis(champion, champion, { alpha: 0.7 })).subject).toBe('criteria.alpha');
  });
});

describe('resolveCanaryCriteria', () => {
  it('fills defaults and keeps overrides', () => {
    expect(resolveCanaryCriteria({}, 'spec.canary')).toEqual(defaultCanaryCriteria());
    expect(resolveCanaryCriteria(undefined, 'spec.canary')).toEqual(defaultCanaryCriteria());
    expect(resolveCanaryCriteria({ maxRecallDrop: 0.1, minLabelledPositives: 50 }, 'spec.canary')).toEqual({
      ...defaultCanaryCriteria(),
      maxRecallDrop: 0.1,
      minLabelledPositives: 50,
    });
  });

  it('rejects unknown fields and bad values, naming the field', () => {
    const unknown = errorOf(() => resolveCanaryCriteria({ maxRecalDrop: 0.1 }, 'spec.canary'));
    expect(unknown.subject).toBe('spec.canary.maxRecalDrop');
    expect(unknown.message).toMatch(
      /^spec\.canary\.maxRecalDrop: expected a known canary criterion \(one of minRequestsForGuards, .*maxRecallDrop.*\), got an unknown field$/,
    );
    const negative = errorOf(() => resolveCanaryCriteria({ maxErrorRate: -0.01 }, 'spec.canary'));
    expect(negative.subject).toBe('spec.canary.maxErrorRate');
    expect(negative.message).toBe('spec.canary.maxErrorRate: expected a number in [0, 1] (fraction of requests), got -0.01');
    expect(errorOf(() => resolveCanaryCriteria({ minLabelledPositives: 2.5 }, 's')).message).toBe(
      's.minLabelledPositives: expected an integer ≥ 1, got 2.5',
    );
    expect(errorOf(() => resolveCanaryCriteria({ alpha: '0.05' }, 's')).message).toMatch(
      /^s\.alpha: expected a number in \(0, 0\.5\).*, got "0\.05"$/,
    );
    expect(errorOf(() => resolveCanaryCriteria([1], 's')).message).toMatch(/^s: expected an object of canary criteria .* got an array$/);
  });
});
