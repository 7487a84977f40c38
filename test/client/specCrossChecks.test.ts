// Spec keys valid alone that contradict one another are refused by their key before any work, in `run` and in
// `fit --config` alike: a column both read and left out, listed twice or the label listed as a feature; a sample too
// small for the positives its own params ask for; a neighbour count beside a noise filter that reads none.

import { describe, expect, it } from 'vitest';
import { resolvePipelineSpec } from '../../client/pipelineSpec.js';
import { InvalidInputError } from '../../core/invalidInputError.js';

const spec = (over: Record<string, unknown>, input: Record<string, unknown> = {}) => ({
  modelName: 'm',
  input: { paths: ['x.csv'], label: 'label', ...input },
  ...over,
});
const refusal = (raw: unknown): string => {
  try {
    resolvePipelineSpec(raw, 's.json');
  } catch (err) {
    expect(err).toBeInstanceOf(InvalidInputError);
    return (err as Error).message;
  }
  throw new Error('not refused');
};

describe('contradicting spec keys', () => {
  it('refuses a column both read and left out, listed twice, or the label as a feature', () => {
    expect(refusal(spec({}, { features: ['a', 'b'], exclude: ['a'] }))).toBe(
      's.json: input.exclude: "a" is also in input.features; a column is either read or left out: remove it from one of the two',
    );
    expect(refusal(spec({}, { categorical: ['c'], exclude: ['c'] }))).toMatch(
      /^s\.json: input\.exclude: "c" is also in input\.categorical/,
    );
    expect(refusal(spec({}, { features: ['a', 'a', 'b'] }))).toBe('s.json: input.features: "a" is listed twice; list each column once');
    expect(refusal(spec({}, { features: ['a', 'label'] }))).toMatch(/^s\.json: input\.features: "label" is the label column/);
    expect(() => resolvePipelineSpec(spec({}, { features: ['a', 'b'], exclude: ['c'], categorical: ['b'] }), 's.json')).not.toThrow();
  });

  it('refuses a target size below the positives its params ask for', () => {
    expect(refusal(spec({ sampling: { targetSize: 100, params: 50 } }))).toBe(
      's.json: sampling.targetSize 100 is below Nr = 2500 (50 positives × M = 50 parameters); raise sampling.targetSize or lower sampling.params',
    );
    expect(() => resolvePipelineSpec(spec({ sampling: { targetSize: 2500, params: 50 } }), 's.json')).not.toThrow();
  });

  it('refuses denoise.k beside a method that reads no k, and takes it beside enn', () => {
    for (const denoise of [{ method: 'tomek', k: 5 }, { method: 'confident', k: 5 }, { k: 5 }]) {
      expect(refusal(spec({ denoise }))).toMatch(
        /^s\.json: denoise\.k: read by methods enn and renn only, but denoise\.method is "(tomek|confident|none)"/,
      );
    }
    expect(resolvePipelineSpec(spec({ denoise: { method: 'renn', k: 5 } }), 's.json').denoise.k).toBe(5);
  });
});
