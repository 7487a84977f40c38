// The one schema of the pipeline spec: strict at every depth with a did-you-mean, typed, ranged and finite numbers,
// errors naming the spec path; the shipped JSON Schema is the generated one; one rule for names.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkPipelineSpecShape, resolvePipelineSpec } from '../../client/pipelineSpec.js';
import { InvalidInputError } from '../../core/invalidInputError.js';
import { checkResourceName, isResourceName } from '../../core/resourceName.js';
import { closestName } from '../../core/spec/closestName.js';
import { pipelineJsonSchemaText } from '../../core/spec/pipelineSpecSchema.js';
import { GATES_SCHEMA_FILE, PIPELINE_SCHEMA_FILE, gatesJsonSchemaText } from '../../infra/writePipelineSchema.js';

const base = { modelName: 'fraud', input: { paths: ['a.csv'], label: 'y' } };

function messageOf(raw: unknown): string {
  try {
    resolvePipelineSpec(raw, 'spec.json');
  } catch (err) {
    expect(err).toBeInstanceOf(InvalidInputError);
    return (err as Error).message;
  }
  throw new Error(`accepted ${JSON.stringify(raw)}`);
}

describe('pipeline spec schema', () => {
  it('refuses unknown keys at every depth, suggesting the closest known key', () => {
    expect(messageOf({ ...base, input: { ...base.input, exlude: ['id'] } })).toMatch(
      /^spec\.json: input\.exlude: unknown key; did you mean input\.exclude\? \(input takes paths, label, /,
    );
    expect(messageOf({ ...base, model: { tres: 10 } })).toMatch(/^spec\.json: model\.tres: unknown key; did you mean model\.trees\?/);
    expect(messageOf({ ...base, modelname: 'x' })).toMatch(/^spec\.json: modelname: unknown key; did you mean modelName\?/);
    expect(messageOf({ ...base, canary: { criteria: { alpah: 0.1 } } })).toMatch(
      /^spec\.json: canary\.criteria\.alpah: unknown key; did you mean canary\.criteria\.alpha\?/,
    );
    expect(messageOf({ ...base, gates: { gates: [{ metric: 'recall', class: 'positive', mni: 0.5 }] } })).toMatch(
      /^spec\.json: gates\.gates\[0\]\.mni: unknown key; did you mean gates\.gates\[0\]\.min\?/,
    );
    expect(messageOf({ ...base, zzz: 1 })).toMatch(/^spec\.json: zzz: unknown key \(the spec takes /);
  });

  it('refuses sections of the wrong type and numbers out of range or not finite, naming the path and the bound', () => {
    expect(messageOf({ ...base, sampling: 'big' })).toBe(
      'spec.json: sampling: expected an object with targetSize, params, positivesPerParameter, shards, order, got "big"',
    );
    expect(messageOf({ ...base, sampling: { order: 'shuffled' } })).toMatch(
      /^spec\.json: sampling\.order: expected "auto", "sequential" or "random-blocks", got "shuffled"$/,
    );
    expect(messageOf({ ...base, adasyn: true })).toMatch(
      /^spec\.json: adasyn: expected an object with enabled, k, beta, neighbors, maxSyntheticRatio, got true$/,
    );
    expect(messageOf({ ...base, adasyn: { maxSyntheticRatio: JSON.parse('1e999') } })).toBe(
      'spec.json: adasyn.maxSyntheticRatio: expected a finite number in (0, 1000], got Infinity',
    );
    expect(messageOf({ ...base, sampling: { targetSize: 1e15 } })).toBe(
      'spec.json: sampling.targetSize: expected an integer in [1, 100000000], got 1000000000000000',
    );
    expect(messageOf({ ...base, seed: 1.5 })).toBe('spec.json: seed: expected an integer, got 1.5');
    // JSON reads 9007199254740993 as 9007199254740992: an integer, but not one held exactly (it was called "not an integer").
    expect(messageOf({ ...base, seed: 2 ** 53 })).toBe(
      'spec.json: seed: expected an integer, got 9007199254740992, a whole number past 2⁵³ (9007199254740991), where a number is no longer held exactly',
    );
    expect(messageOf({ ...base, sampling: { params: 1_000_000, positivesPerParameter: 1000 } })).toBe(
      'spec.json: sampling.params: expected positivesPerParameter × params ≤ 100000000 (the positives a sample holds), got 1000 × 1000000',
    );
    expect(messageOf({ ...base, canary: 5 })).toMatch(/^spec\.json: canary: expected true or an object with steps, /);
    expect(messageOf({ ...base, model: { threshold: 'cost:1,-2' } })).toMatch(
      /^spec\.json: model\.threshold: expected "bayes", "prevalence", "gmean" or cost:L0,L1/,
    );
    expect(messageOf({ ...base, model: { kind: 'logreg', threshold: 'gmean-oob' } })).toBe(
      'spec.json: model.threshold: "gmean-oob" needs a forest (it uses the trees\' out-of-bag scores), got kind "logreg"; use "gmean"',
    );
    expect(messageOf({ ...base, model: { threshold: 'gmean-oob' } })).toBe(
      'spec.json: model.threshold: "gmean-oob" needs a forest (it uses the trees\' out-of-bag scores), got kind "auto"; leave model.threshold out (under "auto" the G-mean-optimal threshold is one of the rules chosen on the inner folds), or set model.kind "forest"',
    );
    // Under auto a fixed rule other than a cost rule was dropped without a word: refused; a cost rule or a named kind
    // keeps it ("prevalence" is the default's own spelling there: fit warns about it).
    for (const threshold of ['gmean', 'bayes']) {
      expect(messageOf({ ...base, model: { threshold } })).toBe(
        `spec.json: model.threshold: "${threshold}" fixes the threshold rule, but under model kind "auto" the rule is chosen with the model (the threshold at the positive share or the G-mean-optimal one, on the inner folds); leave model.threshold out, give a cost rule ("cost:L0,L1"), or name a model kind (model.kind) to fix the rule`,
      );
      expect(resolvePipelineSpec({ ...base, model: { kind: 'forest', threshold } }, 'spec.json').model.threshold).toBe(threshold);
    }
    expect(resolvePipelineSpec({ ...base, model: { threshold: 'cost:1,9' } }, 'spec.json').model).toMatchObject({
      kind: 'auto',
      threshold: 'cost:1,9',
    });
    // ADASYN in front: the default is the balanced forest, and auto is refused (its folds would judge synthetic rows).
    expect(resolvePipelineSpec({ ...base, adasyn: { enabled: true } }, 'spec.json').model).toEqual({
      kind: 'forest',
      threshold: 'prevalence',
      trees: 100,
      sampling: 'balanced',
    });
    expect(messageOf({ ...base, adasyn: { enabled: true }, model: { kind: 'auto' } })).toMatch(
      /^spec\.json: model\.kind: "auto" cannot follow ADASYN \(adasyn\.enabled: true\): its inner folds would judge synthetic rows/,
    );
    // So does the noise filter in front (its folds would judge only the rows it kept; before, auto ran behind it).
    expect(resolvePipelineSpec({ ...base, denoise: { method: 'enn' } }, 'spec.json').model).toEqual({
      kind: 'forest',
      threshold: 'prevalence',
      trees: 100,
      sampling: 'balanced',
    });
    expect(messageOf({ ...base, denoise: { method: 'tomek' }, model: { kind: 'auto' } })).toMatch(
      /^spec\.json: model\.kind: "auto" cannot follow the noise filter \(denoise\.method: "tomek"\): its inner folds would judge only the rows the filter kept/,
    );
    expect(resolvePipelineSpec({ ...base, model: { kind: 'forest', threshold: 'gmean-oob' } }, 'spec.json').model).toEqual({
      kind: 'forest',
      threshold: 'gmean-oob',
      trees: 100,
      sampling: 'balanced',
    });
    expect(messageOf({ ...base, input: { paths: [], label: 'y' } })).toBe(
      'spec.json: input.paths: expected a CSV or Parquet path or glob, or a non-empty list of them, got an empty list',
    );
    expect(messageOf([])).toMatch(/^spec\.json: expected a JSON object with "modelName" and "input", got an empty list$/);
  });

  it('keeps the defaults and the cross-field checks of resolvePipelineSpec', () => {
    const spec = resolvePipelineSpec(
      { ...base, input: { paths: 'a.csv', label: 'y', positive: 1 }, model: { kind: 'logreg' } },
      'spec.json',
    );
    expect(spec.input).toEqual({ paths: ['a.csv'], label: 'y', positive: '1' });
    expect(spec.model).toEqual({ kind: 'logreg', threshold: 'prevalence' });
    expect(spec.sampling).toEqual({ positivesPerParameter: 50, shards: 1 });
    expect(spec.seed).toBe(1);
    expect(messageOf({ ...base, split: { train: 0.5, validation: 0.2, test: 0.2 } })).toMatch(
      /^spec\.json: split: expected .* that sum to 1/,
    );
    expect(messageOf({ ...base, canary: { steps: [0.5, 0.2, 1] } })).toMatch(
      /^spec\.json: canary\.steps\[1\]: expected a weight greater than the previous step 0\.5/,
    );
    // "$schema" (for editors) and "description" are allowed and carry no setting.
    expect(resolvePipelineSpec({ ...base, $schema: './schema/pipeline.schema.json', description: 'nightly' }, 'spec.json').modelName).toBe(
      'fraud',
    );
    // A resolved spec is itself valid: the client re-checks what it sends to a lifecycle.
    const full = resolvePipelineSpec(
      { ...base, gates: { gates: [{ metric: 'gmean', vsChampion: 'noWorseThan', by: 0.02 }] }, canary: { steps: [0.1, 1] } },
      'spec.json',
    );
    expect(() => checkPipelineSpecShape(full, 'resolved')).not.toThrow();
  });

  it('ships the JSON Schema generated from the zod schema (npm run schema regenerates it)', () => {
    expect(readFileSync(PIPELINE_SCHEMA_FILE, 'utf8')).toBe(pipelineJsonSchemaText());
    expect(readFileSync(GATES_SCHEMA_FILE, 'utf8')).toBe(gatesJsonSchemaText());
    const schema = JSON.parse(pipelineJsonSchemaText()) as {
      additionalProperties: boolean;
      required: string[];
      properties: Record<string, { additionalProperties?: boolean }>;
    };
    expect(schema.additionalProperties).toBe(false);
    expect(schema.required).toEqual(['modelName', 'input']);
    expect(schema.properties.sampling!.additionalProperties).toBe(false);
  });
});

describe('one rule for names', () => {
  it('accepts ordinary names and refuses what would leave a directory or break an id', () => {
    for (const ok of ['fraud', 'card-fraud', 'v1.2_b', 'a'.repeat(100)]) expect(isResourceName(ok), ok).toBe(true);
    for (const bad of ['x..y', '../x', 'x/y', '', '-x', 'x.', 'a b', 'a'.repeat(101), 7])
      expect(isResourceName(bad), String(bad)).toBe(false);
    expect(() => checkResourceName('x..y', '--model')).toThrow(
      /^--model: expected 1–100 letters, digits, '\.', '_' or '-', starting and ending with a letter or digit, without '\.\.', got "x\.\.y"$/,
    );
    expect(messageOf({ ...base, modelName: 'x..y' })).toMatch(/^spec\.json: modelName: expected 1–100 letters, .* got "x\.\.y"$/);
  });

  it('suggests only close names', () => {
    expect(closestName('sampler', ['sampling', 'split'])).toBe('sampling');
    expect(closestName('x', ['a', 'b'])).toBeUndefined();
    expect(closestName('imputer', ['missing', 'fillValue'])).toBeUndefined();
    expect(closestName('minimum', ['metric', 'min', 'max'])).toBe('min');
  });
});
