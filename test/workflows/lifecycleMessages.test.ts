// The lifecycle's message checks and trigger coalescing as plain functions (no Temporal server): payloads refused
// with a reason, the old `(reason, spec?)` form of retrainNow read as before, and coalesced reasons kept bounded.

import { describe, expect, it } from 'vitest';
import { resolvePipelineSpec } from '../../client/pipelineSpec.js';
import {
  COALESCED_REASONS_KEPT,
  REFUSED_MESSAGES_KEPT,
  REQUEST_IDS_KEPT,
  driftEvidenceProblem,
  mergeTrigger,
  retrainRequestOf,
  withRefusal,
} from '../../workflows/lifecycleMessages.js';
import type { RetrainTrigger } from '../../workflows/contract.js';

const spec = resolvePipelineSpec(
  { modelName: 'm1', input: { paths: ['a.csv'], label: 'label' }, model: { kind: 'logreg', threshold: 'prevalence' }, seed: 1 },
  'test spec',
);

describe('driftEvidenceProblem', () => {
  it('accepts evidence with optional data paths and metrics', () => {
    expect(driftEvidenceProblem({ source: 'cli', reason: 'psi 0.3' })).toBeUndefined();
    expect(driftEvidenceProblem({ source: 'cli', reason: 'psi 0.3', dataPaths: ['/d.parquet'], metrics: { psi: 0.3 } })).toBeUndefined();
  });

  it.each([
    [null, 'expected an object {source, reason, dataPaths?, metrics?}, got null'],
    ['psi', 'expected an object {source, reason, dataPaths?, metrics?}, got "psi"'],
    [{ reason: 'x' }, 'source must be a string, got undefined'],
    [{ source: 'cli', reason: 42 }, 'reason must be a string, got 42'],
    [{ source: 'cli', reason: 'x', dataPaths: 'a.csv' }, 'dataPaths must be a list of file paths, got "a.csv"'],
    [{ source: 'cli', reason: 'x', metrics: { psi: 'high' } }, 'metrics.psi must be a finite number, got "high"'],
  ])('refuses %j', (evidence, problem) => {
    expect(driftEvidenceProblem(evidence)).toBe(problem);
  });
});

describe('retrainRequestOf', () => {
  it('takes the kind from the typed field', () => {
    expect(retrainRequestOf({ trigger: 'schedule', reason: 'nightly' }, undefined, 'm1')).toEqual({
      request: { trigger: 'schedule', reason: 'nightly' },
    });
    expect(retrainRequestOf({ trigger: 'manual', reason: 'edited', spec }, undefined, 'm1')).toEqual({
      request: { trigger: 'manual', reason: 'edited', spec },
    });
  });

  it('reads the bare reason string of old histories as it was read then', () => {
    expect(retrainRequestOf('schedule rareflow-retrain-m1-x', undefined, 'm1')).toEqual({
      request: { trigger: 'schedule', reason: 'schedule rareflow-retrain-m1-x' },
    });
    expect(retrainRequestOf('first', spec, 'm1')).toEqual({ request: { trigger: 'manual', reason: 'first', spec } });
  });

  it('refuses an unknown kind, a missing reason, and a spec of another model', () => {
    expect(retrainRequestOf({ trigger: 'drift', reason: 'x' }, undefined, 'm1')).toEqual({
      problem: 'trigger must be "schedule" or "manual", got "drift"',
    });
    expect(retrainRequestOf({ trigger: 'manual' }, undefined, 'm1')).toEqual({ problem: 'reason must be a string, got undefined' });
    expect(retrainRequestOf(7, undefined, 'm1')).toEqual({ problem: 'expected {trigger, reason, spec?} or a reason string, got 7' });
    expect(retrainRequestOf({ trigger: 'manual', reason: 'x', spec: { ...spec, modelName: 'm2' } }, undefined, 'm1')).toEqual({
      problem: 'spec is for model "m2", not "m1"',
    });
  });
});

describe('mergeTrigger', () => {
  const signal = (i: number, kind: RetrainTrigger['kind'] = 'manual') => ({ kind, reason: `r${i}` });

  it('coalesces: drift wins the kind, the newest data paths win, metrics merge', () => {
    let t = mergeTrigger(undefined, { ...signal(0, 'drift'), dataPaths: ['/a'], metrics: { psi: 0.2, ks: 0.1 } });
    t = mergeTrigger(t, { ...signal(1, 'schedule'), metrics: { psi: 0.4 } });
    t = mergeTrigger(t, { ...signal(2), dataPaths: ['/b'] });
    expect(t).toEqual({ kind: 'drift', reason: 'r0; r1; r2', dataPaths: ['/b'], metrics: { psi: 0.4, ks: 0.1 }, coalesced: 3 });
  });

  it('keeps the first ten reasons and counts the rest', () => {
    let t: RetrainTrigger | undefined;
    for (let i = 0; i < 25; i++) t = mergeTrigger(t, signal(i));
    const first = Array.from({ length: COALESCED_REASONS_KEPT }, (_, i) => `r${i}`).join('; ');
    expect(t).toEqual({ kind: 'manual', reason: `${first}; and 15 more`, coalesced: 25, omittedReasons: 15 });
  });

  it('keeps all reasons up to the limit', () => {
    let t: RetrainTrigger | undefined;
    for (let i = 0; i < COALESCED_REASONS_KEPT; i++) t = mergeTrigger(t, signal(i));
    expect(t!.omittedReasons).toBeUndefined();
    expect(t!.reason.split('; ')).toHaveLength(COALESCED_REASONS_KEPT);
  });
});

describe('mergeTrigger and the requests it serves', () => {
  it('keeps the newest request ids, and the newest request with a spec names the spec the retrain uses', () => {
    let t = mergeTrigger(undefined, { kind: 'manual', reason: 'a', requestIds: ['a'], specRequestId: 'a' });
    t = mergeTrigger(t, { kind: 'drift', reason: 'drift' });
    expect(t).toMatchObject({ requestIds: ['a'], specRequestId: 'a' });
    t = mergeTrigger(t, { kind: 'manual', reason: 'b', requestIds: ['b'], specRequestId: 'b' });
    expect(t).toMatchObject({ kind: 'drift', requestIds: ['a', 'b'], specRequestId: 'b', coalesced: 3 });
    // A spec sent without an id still replaces the named one: the sender of that one must not think its spec ran.
    t = mergeTrigger(t, { kind: 'manual', reason: 'c', specRequestId: '' });
    expect(t.specRequestId).toBe('');
    // A drift signal's data, then a request with its own spec: the spec's input paths apply again.
    t = mergeTrigger(t, { kind: 'drift', reason: 'new data', dataPaths: ['/new.csv'] });
    expect(t.dataPaths).toEqual(['/new.csv']);
    t = mergeTrigger(t, { kind: 'manual', reason: 'd', requestIds: ['d'], specRequestId: 'd' });
    expect(t.dataPaths).toBeUndefined();
    for (let i = 0; i < REQUEST_IDS_KEPT + 10; i++) t = mergeTrigger(t, { kind: 'manual', reason: `r${i}`, requestIds: [`r${i}`] });
    expect(t.requestIds).toHaveLength(REQUEST_IDS_KEPT);
    expect(t.requestIds!.at(-1)).toBe(`r${REQUEST_IDS_KEPT + 9}`);
  });
});

describe('withRefusal', () => {
  it('keeps the newest refusals', () => {
    let refused = withRefusal(undefined, { message: 'drift', reason: 'drift: r0', at: 't' });
    for (let i = 1; i < 30; i++) refused = withRefusal(refused, { message: 'drift', reason: `drift: r${i}`, at: 't' });
    expect(refused).toHaveLength(REFUSED_MESSAGES_KEPT);
    expect(refused.at(-1)!.reason).toBe('drift: r29');
    expect(refused[0]!.reason).toBe(`drift: r${30 - REFUSED_MESSAGES_KEPT}`);
  });
});
