import { describe, expect, it } from 'vitest';
import { canaryAnalysis } from '../../core/canary/canaryAnalysis.js';
import type { ArmWindow } from '../../core/canary/canaryArmWindow.js';
import { macroGMeanNonInferiority } from '../../core/canary/classRecallCanary.js';
import { gMeanNonInferiority } from '../../core/canary/nonInferiority.js';
import { InvalidInputError } from '../../core/invalidInputError.js';

const PER_CLASS = 400;

/** An arm with `PER_CLASS` labelled requests of each class, `recalls[v]` of them predicted right. */
function arm(recalls: Record<string, number>, perClass = PER_CLASS): ArmWindow {
  const classes = Object.entries(recalls).map(([value, r]) => ({ value, labelled: perClass, correct: Math.round(r * perClass) }));
  const labelled = classes.length * perClass;
  // The binary view (first class positive) is kept but not judged for a multi-class window.
  const first = classes[0]!;
  return {
    requests: labelled,
    errors: 0,
    latencyP99Ms: 5,
    confusion: { tp: first.correct, fn: perClass - first.correct, fp: 0, tn: labelled - perClass },
    classes,
  };
}

const champion = arm({ a: 0.9, b: 0.9, c: 0.9 });

describe('canaryAnalysis of a multi-class window', () => {
  it("rolls back a challenger that loses one class's recall even though its macro G-mean holds", () => {
    const result = canaryAnalysis(champion, arm({ a: 0.97, b: 0.97, c: 0.75 }));
    expect(result.decision).toBe('rollback');
    const byName = Object.fromEntries(result.checks.map((c) => [c.name, c]));
    expect(byName['macroGMean']!.passed).toBe(true);
    expect(byName['classRecall:a']!.passed).toBe(true);
    expect(byName['classRecall:b']!.passed).toBe(true);
    expect(byName['classRecall:c']!.passed).toBe(false);
    expect(byName['classRecall:c']!.value).toBeCloseTo(-0.15, 12);
    expect(result.reasons).toEqual([byName['classRecall:c']!.detail]);
    expect(result.reasons[0]).toMatch(
      /^challenger recall of class "c" 0\.75 vs champion 0\.9: difference −0\.15, 90% interval \[.*\], below the −0\.05 margin$/,
    );
    // The binary label checks are not part of a multi-class judgement.
    expect(byName['positiveRecall']).toBeUndefined();
    expect(byName['gMean']).toBeUndefined();
    expect(result.arms.challenger.classRecall).toEqual({ a: 0.97, b: 0.97, c: 0.75 });
    expect(result.arms.challenger.macroGMean).toBeCloseTo(Math.cbrt(0.97 * 0.97 * 0.75), 12);
  });

  it('promotes a challenger that is better on every class', () => {
    const result = canaryAnalysis(champion, arm({ a: 0.95, b: 0.95, c: 0.95 }));
    expect(result.decision).toBe('promote');
    const names = result.checks.filter((c) => c.passed === true).map((c) => c.name);
    expect(names).toEqual(expect.arrayContaining(['classRecall:a', 'classRecall:b', 'classRecall:c', 'macroGMean']));
    expect(result.arms.champion.macroGMean).toBeCloseTo(0.9, 12);
  });

  it('rolls back on the macro G-mean when every class loses a little within its own margin', () => {
    // Each class −0.06, inside a 0.1 recall margin; the macro G-mean −0.06 is shown below the 0.05 tolerance.
    const result = canaryAnalysis(arm({ a: 0.9, b: 0.9, c: 0.9 }, 5000), arm({ a: 0.84, b: 0.84, c: 0.84 }, 5000), {
      maxRecallDrop: 0.1,
    });
    const byName = Object.fromEntries(result.checks.map((c) => [c.name, c]));
    for (const v of ['a', 'b', 'c']) expect(byName[`classRecall:${v}`]!.passed).toBe(true);
    expect(byName['macroGMean']!.value).toBeCloseTo(-0.06, 12);
    expect(byName['macroGMean']!.passed).toBe(false);
    expect(result.decision).toBe('rollback');
    expect(result.reasons).toEqual([byName['macroGMean']!.detail]);
  });

  it('asks for more traffic while a class is short of labels, naming the class and the arm', () => {
    const short = arm({ a: 0.95, b: 0.95, c: 0.95 });
    short.classes![2] = { value: 'c', labelled: 12, correct: 11 };
    const result = canaryAnalysis(champion, short);
    expect(result.decision).toBe('insufficient-evidence');
    expect(result.reasons).toEqual(['challenger has 12 labelled requests of class "c", needs at least 20']);
    expect(result.checks.find((c) => c.name === 'classRecall:c')!.detail).toBe(
      'recall of class "c" not judged (too few labelled requests): challenger 0.917 vs champion 0.9',
    );
  });

  it('judges a class the challenger never saw labelled as short of labels', () => {
    const missing = arm({ a: 0.95, b: 0.95 });
    const result = canaryAnalysis(champion, missing);
    expect(result.decision).toBe('insufficient-evidence');
    expect(result.reasons).toEqual(['challenger has 0 labelled requests of class "c", needs at least 20']);
  });

  it('refuses per-class counts that do not add up, naming the arm and the field', () => {
    const bad = arm({ a: 0.9, b: 0.9, c: 0.9 });
    bad.classes![1] = { value: 'b', labelled: 10, correct: 11 };
    expect(() => canaryAnalysis(champion, bad)).toThrow(InvalidInputError);
    expect(() => canaryAnalysis(champion, bad)).toThrow(/challenger\.classes\[1\]\.correct/);
  });

  it('keeps the binary judgement, word for word, when the counts name two classes', () => {
    const binary = (tp: number, fn: number, fp: number, tn: number): ArmWindow => ({
      requests: 2000,
      errors: 0,
      latencyP99Ms: 5,
      confusion: { tp, fn, fp, tn },
    });
    const champ = binary(90, 10, 50, 1850);
    const chall = binary(80, 20, 40, 1860);
    const withClasses = (w: ArmWindow): ArmWindow => ({
      ...w,
      classes: [
        { value: 'fraud', labelled: w.confusion.tp + w.confusion.fn, correct: w.confusion.tp },
        { value: 'ok', labelled: w.confusion.fp + w.confusion.tn, correct: w.confusion.tn },
      ],
    });
    expect(canaryAnalysis(withClasses(champ), withClasses(chall))).toEqual(canaryAnalysis(champ, chall));
  });
});

describe('macroGMeanNonInferiority', () => {
  it('is the binary G-mean check when there are two classes', () => {
    const champ = { tp: 85, fn: 15, fp: 120, tn: 880 };
    const chall = { tp: 80, fn: 20, fp: 90, tn: 910 };
    const counts = (m: typeof champ) => [
      { value: 'pos', labelled: m.tp + m.fn, correct: m.tp },
      { value: 'neg', labelled: m.fp + m.tn, correct: m.tn },
    ];
    const binary = gMeanNonInferiority(chall, champ, 0.05, 0.05);
    const macro = macroGMeanNonInferiority(counts(chall), counts(champ), ['neg', 'pos'], 0.05, 0.05);
    expect(macro.verdict).toBe(binary.verdict);
    expect(macro.check.value).toBeCloseTo(binary.check.value!, 12);
    expect(macro.check.interval![0]).toBeCloseTo(binary.check.interval![0], 12);
    expect(macro.check.interval![1]).toBeCloseTo(binary.check.interval![1], 12);
  });
});
