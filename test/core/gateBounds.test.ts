// A gate bound a metric can never meet (recall ≥ 2), or a floor on a metric where lower is better (Brier), is a
// typo that would reject every retrain: refused by its key.

import { describe, expect, it } from 'vitest';
import { parseGateSpec } from '../../core/gates/gateSpec.js';

const spec = (gate: Record<string, unknown>) => ({ gates: [gate] });

describe('gate bounds', () => {
  it('refuses a min or max outside 0..1 on a metric between 0 and 1', () => {
    expect(() => parseGateSpec(spec({ metric: 'recall', class: 'positive', min: 2 }), 'g.json')).toThrow(
      /gates\[0\]\.min.*a number from 0 to 1 \(recall lies between them\).*2/,
    );
    expect(() => parseGateSpec(spec({ metric: 'gMean', max: -0.1 }), 'g.json')).toThrow(/gates\[0\]\.max/);
    expect(parseGateSpec(spec({ metric: 'gMean', min: 0.6 }), 'g.json').gates[0]!.min).toBe(0.6);
    // The PR-AUC above the prevalence can be negative.
    expect(parseGateSpec(spec({ metric: 'prAucNormalised', min: -0.05 }), 'g.json').gates[0]!.min).toBe(-0.05);
    // …but never passes 1, and the normalised Brier score is never negative.
    expect(() => parseGateSpec(spec({ metric: 'prAucNormalised', min: 1.5 }), 'g.json')).toThrow(
      /gates\[0\]\.min.*a number from −1 to 1 \(prAucNormalised/,
    );
    expect(() => parseGateSpec(spec({ metric: 'brierNormalised', max: -0.5 }), 'g.json')).toThrow(/gates\[0\]\.max.*a number ≥ 0/);
    expect(parseGateSpec(spec({ metric: 'brierNormalised', max: 1.2 }), 'g.json').gates[0]!.max).toBe(1.2);
  });

  it('refuses a min on a metric where lower is better, and takes a max', () => {
    expect(() => parseGateSpec(spec({ metric: 'brier', min: 0.5 }), 'g.json')).toThrow(/gates\[0\]\.min.*max for brier \(lower is better/);
    expect(parseGateSpec(spec({ metric: 'brier', max: 0.2 }), 'g.json').gates[0]!.max).toBe(0.2);
  });

  it('refuses a gate that passes every model, and a max on a metric where higher is better', () => {
    expect(() => parseGateSpec(spec({ metric: 'recall', class: 'positive', min: 0 }), 'g.json')).toThrow(
      /gates\[0\]\.min.*a number above 0 \(recall is never below 0, so this floor passes every model\).*0/,
    );
    expect(() => parseGateSpec(spec({ metric: 'prAucNormalised', min: -1 }), 'g.json')).toThrow(/gates\[0\]\.min.*a number above -1/);
    expect(() => parseGateSpec(spec({ metric: 'gMean', max: 1 }), 'g.json')).toThrow(
      /gates\[0\]\.max.*min for gMean \(higher is better, so a max would reject the better models\)/,
    );
    expect(() => parseGateSpec(spec({ metric: 'gMean', max: 0.1 }), 'g.json')).toThrow(/gates\[0\]\.max.*min for gMean/);
    expect(parseGateSpec(spec({ metric: 'recall', class: 'positive', min: 0.01 }), 'g.json').gates[0]!.min).toBe(0.01);
  });
});
