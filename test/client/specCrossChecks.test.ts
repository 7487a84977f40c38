// Spec keys valid alone that contradict one another are refused by their key before any work, in `run` and in
// `fit --config` alike: a column both read and left out, listed twice or the label listed as a feature; a sample too
// small for the positives its own params ask for; a neighbour count beside a noise filter that reads none; settings of
// a stage that is off.

import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readPipelineSpecFile, resolvePipelineSpec } from '../../client/pipelineSpec.js';
import { InvalidInputError } from '../../core/invalidInputError.js';

const dir = mkdtempSync(join(tmpdir(), 'rareflow-spec-cross-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

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

  it('refuses a target size below the positives its params ask for, for a two-class label (its positive named)', () => {
    const file = (name: string, raw: unknown) => {
      const path = join(dir, name);
      writeFileSync(path, JSON.stringify(raw));
      return path;
    };
    const binary = file('binary.json', spec({ sampling: { targetSize: 100, params: 50 } }, { positive: 'yes' }));
    expect(() => readPipelineSpecFile(binary)).toThrow(
      `${binary}: sampling.targetSize 100 is below Nr = 2500 (50 positives × M = 50 parameters); raise sampling.targetSize or lower sampling.params`,
    );
    // Without a positive class the label may hold three or more classes, whose sampling plans its own targets: the
    // data decides (the describe stage checks a two-class label), and fit, which does not sample, never refuses it.
    expect(() => readPipelineSpecFile(file('open.json', spec({ sampling: { targetSize: 100, params: 50 } })))).not.toThrow();
    expect(() => resolvePipelineSpec(spec({ sampling: { targetSize: 100, params: 50 } }, { positive: 'yes' }), 's.json')).not.toThrow();
  });

  it('refuses denoise.k beside a method that reads no k, and takes it beside enn', () => {
    for (const denoise of [{ method: 'tomek', k: 5 }, { method: 'confident', k: 5 }, { k: 5 }]) {
      expect(refusal(spec({ denoise }))).toMatch(
        /^s\.json: denoise\.k: read by methods enn and renn only, but denoise\.method is "(tomek|confident|none)"/,
      );
    }
    expect(resolvePipelineSpec(spec({ denoise: { method: 'renn', k: 5 } }), 's.json').denoise.k).toBe(5);
  });

  it('refuses settings of ADASYN while it is off and a neighbour search without a noise filter, and takes them when on', () => {
    expect(refusal(spec({ adasyn: { beta: 0.5 } }))).toBe(
      's.json: adasyn.beta: read only when ADASYN runs, but adasyn.enabled is not set (ADASYN is off by default), so it would be ignored; set adasyn.enabled to true, or remove adasyn.beta',
    );
    for (const adasyn of [
      { enabled: false, k: 7 },
      { enabled: false, neighbors: 'exact' },
      { enabled: false, maxSyntheticRatio: 2 },
    ]) {
      expect(refusal(spec({ adasyn }))).toMatch(
        /^s\.json: adasyn\.(k|neighbors|maxSyntheticRatio): read only when ADASYN runs, but adasyn\.enabled is false/,
      );
    }
    expect(() => resolvePipelineSpec(spec({ adasyn: { enabled: false } }), 's.json')).not.toThrow();
    const on = resolvePipelineSpec(spec({ adasyn: { enabled: true, beta: 0.5, k: 7 } }), 's.json').adasyn;
    expect([on.beta, on.k]).toEqual([0.5, 7]);
    for (const denoise of [{ neighbors: 'exact' }, { method: 'none', neighbors: 'hnsw' }]) {
      expect(refusal(spec({ denoise }))).toMatch(
        /^s\.json: denoise\.neighbors: read only by a noise filter, but denoise\.method is (not set|"none")/,
      );
    }
    expect(resolvePipelineSpec(spec({ denoise: { method: 'tomek', neighbors: 'exact' } }), 's.json').denoise.neighbors).toBe('exact');
  });

  it('takes a resolved spec back as it was resolved (the run page shows it; settings of a stage that is off are not filled in)', () => {
    for (const raw of [spec({}), spec({ denoise: { method: 'enn' }, adasyn: { enabled: true }, model: { kind: 'forest' } })]) {
      const resolved = resolvePipelineSpec(raw, 's.json');
      expect(resolvePipelineSpec(JSON.parse(JSON.stringify(resolved)), 's.json')).toEqual(resolved);
    }
    const off = resolvePipelineSpec(spec({}), 's.json');
    expect([off.denoise, off.adasyn]).toEqual([{ method: 'none' }, { enabled: false }]);
    const on = resolvePipelineSpec(spec({ denoise: { method: 'enn' }, adasyn: { enabled: true }, model: { kind: 'forest' } }), 's.json');
    expect([on.denoise, on.adasyn]).toEqual([
      { k: 3, method: 'enn' },
      { k: 5, beta: 1, enabled: true },
    ]);
  });

  it('refuses approvalTimeoutMs when no approval can be asked for, and takes it when one can', () => {
    expect(refusal(spec({ approvalTimeoutMs: 60_000 }))).toBe(
      's.json: approvalTimeoutMs: read only when a retrain asks for approval (requireApproval: true, an onInsufficientEvidence of "require-approval" in gates or canary, or canary.approveBeforeFull), but none is set, so it would be ignored; set one of them, or remove approvalTimeoutMs',
    );
    expect(refusal(spec({ approvalTimeoutMs: 60_000, requireApproval: false, canary: true }))).toMatch(
      /^s\.json: approvalTimeoutMs: read only/,
    );
    for (const extra of [
      { requireApproval: true },
      { gates: { onInsufficientEvidence: 'require-approval', gates: [{ metric: 'gMean', min: 0.5 }] } },
      { canary: { approveBeforeFull: true } },
      { canary: { onInsufficientEvidence: 'require-approval' } },
    ])
      expect(resolvePipelineSpec(spec({ approvalTimeoutMs: 60_000, ...extra }), 's.json').approvalTimeoutMs).toBe(60_000);
  });
});
