// A challenger trained without one of the champion's classes is failed, whatever its gates said.

import { describe, expect, it } from 'vitest';
import { disjointLabels, droppedClasses, withClassCoverage } from '../../core/gates/classCoverage.js';
import type { GateEvaluation } from '../../core/gates/evaluateGates.js';

const binary = (positiveLabel: string, negativeLabel: string, positiveWhen?: string) => ({
  positiveLabel,
  negativeLabel,
  ...(positiveWhen !== undefined ? { positiveWhen } : {}),
});
const multi = (...classes: string[]) => ({
  positiveLabel: classes[0]!,
  negativeLabel: classes.slice(1).join('|'),
  multiClass: { classes, models: [], thresholds: [] },
});
const passed: GateEvaluation = { verdict: 'pass', checks: [], reasons: ['all 0 judged gates passed'] };

describe('class coverage of a challenger', () => {
  it('names the classes of a multi-class champion that the challenger never saw', () => {
    expect(droppedClasses(multi('bird', 'cat', 'eel'), binary('cat', 'bird'))).toEqual(['eel']);
    expect(droppedClasses(multi('bird', 'cat', 'eel', 'fox'), multi('bird', 'cat', 'eel'))).toEqual(['fox']);
    expect(droppedClasses(multi('bird', 'cat', 'eel', 'fox'), binary('cat', 'bird'))).toEqual(['eel', 'fox']);
  });

  it('keeps a challenger trained on every class, also one class against the rest', () => {
    expect(droppedClasses(multi('bird', 'cat', 'eel'), multi('bird', 'cat', 'eel'))).toEqual([]);
    expect(droppedClasses(multi('bird', 'cat', 'eel'), binary('eel', 'bird|cat'))).toEqual([]);
    expect(droppedClasses(multi('bird', 'cat', 'eel'), multi('bird', 'cat', 'eel', 'fox'))).toEqual([]);
  });

  it('asks of a two-class champion only its positive class', () => {
    expect(droppedClasses(binary('fraud', 'ok|chargeback'), binary('fraud', 'ok'))).toEqual([]);
    expect(droppedClasses(binary('fraud', 'ok'), binary('chargeback', 'ok'))).toEqual(['fraud']);
    expect(droppedClasses(binary('fraud', 'ok'), multi('chargeback', 'fraud', 'ok'))).toEqual([]);
  });

  it('does not call a label spelt wholly another way a dropped class: the two labels share no value', () => {
    expect(droppedClasses(binary('fraud', 'ok'), binary('1', '0'))).toEqual([]);
    expect(disjointLabels(binary('fraud', 'ok'), binary('1', '0'))).toBe(true);
    expect(disjointLabels(binary('fraud', 'ok'), binary('chargeback', 'ok'))).toBe(false);
    expect(disjointLabels(binary('1', '0'), binary('1.0', '0.0'))).toBe(false);
    expect(disjointLabels(binary('true', 'false'), binary('1', '0'))).toBe(false);
    expect(disjointLabels(binary('yes', 'no'), binary('True', 'False'))).toBe(false);
  });

  it('reads a class spelt another way as the same class', () => {
    expect(droppedClasses(binary('1', '0'), binary('1.0', '0.0'))).toEqual([]);
    expect(droppedClasses(multi('Bird', 'cat', 'eel'), multi('bird', 'cat ', 'EEL'))).toEqual([]);
    expect(droppedClasses(multi('1', '2', '3'), binary('2.0', '1'))).toEqual(['3']);
  });

  it('leaves positives defined by a predicate alone', () => {
    expect(droppedClasses(binary('true', 'false', 'amount > 10'), binary('cat', 'bird'))).toEqual([]);
    expect(droppedClasses(multi('bird', 'cat', 'eel'), binary('true', 'false', 'f1 > 1'))).toEqual([]);
  });

  it('fails a passing evaluation with the reason first, and leaves a covering one unchanged', () => {
    const failed = withClassCoverage(passed, multi('bird', 'cat', 'eel'), binary('cat', 'bird'));
    expect(failed.verdict).toBe('fail');
    expect(failed.reasons).toEqual([
      'classes: the champion predicts the class "eel", but this model was trained on rows without that class, so it could never predict that class; retrain on data that has it',
    ]);
    const insufficient: GateEvaluation = { verdict: 'insufficient-evidence', checks: [], reasons: ['insufficient evidence: 3 positives'] };
    const two = withClassCoverage(insufficient, multi('bird', 'cat', 'eel', 'fox'), binary('cat', 'bird'));
    expect(two.verdict).toBe('fail');
    expect(two.reasons[0]).toMatch(/^classes: the champion predicts the classes "eel", "fox", but .* retrain on data that has them$/);
    expect(two.reasons[1]).toBe('insufficient evidence: 3 positives');
    expect(withClassCoverage(passed, multi('bird', 'cat', 'eel'), multi('bird', 'cat', 'eel'))).toBe(passed);
    expect(withClassCoverage(passed, undefined, binary('cat', 'bird'))).toBe(passed);
  });
});
