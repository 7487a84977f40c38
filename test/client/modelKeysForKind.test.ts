// A model key (or train flag) of another model kind is refused, naming the key, the kinds that read it and the kind
// in force, instead of being accepted and ignored.
import { describe, expect, it } from 'vitest';
import { resolvePipelineSpec } from '../../client/pipelineSpec.js';
import { InvalidInputError } from '../../core/invalidInputError.js';
import { checkModelFlagsForKind } from '../../core/spec/modelSpecKeys.js';

const spec = (model: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  modelName: 'm',
  input: { paths: ['x.csv'], label: 'label' },
  model,
  ...extra,
});

describe('model keys of another kind', () => {
  it('are refused in a spec, naming the key, its kinds and the kind in force', () => {
    expect(() => resolvePipelineSpec(spec({ kind: 'logreg', trees: 50 }), 's.json')).toThrow(
      's.json: model.trees: applies to model.kind "forest" or "auto", but model.kind is "logreg", which would ignore it; remove the key or set model.kind to "forest" or "auto"',
    );
    expect(() => resolvePipelineSpec(spec({ kind: 'forest', learningRate: 0.1 }), 's.json')).toThrow(
      's.json: model.learningRate: applies to model.kind "gbdt", but model.kind is "forest"',
    );
    expect(() => resolvePipelineSpec(spec({ kind: 'gbdt', l2: 1 }), 's.json')).toThrow('model.l2: applies to model.kind "logreg"');
    expect(() => resolvePipelineSpec(spec({ kind: 'forest', budgetSeconds: 5 }), 's.json')).toThrow(
      'model.budgetSeconds: applies to model.kind "auto", but model.kind is "forest"',
    );
  });

  it('say when the kind is the default one, or set by a flag', () => {
    // auto is the default kind; its candidates use their own forest settings, so mtry would be ignored.
    expect(() => resolvePipelineSpec(spec({ mtry: 3 }), 's.json')).toThrow(
      's.json: model.mtry: applies to model.kind "forest", but model.kind is "auto" (the default), which would ignore it',
    );
    // With ADASYN in front the default kind is the balanced forest, which has no budget.
    expect(() => resolvePipelineSpec(spec({ budgetSeconds: 5 }, { adasyn: { enabled: true } }), 's.json')).toThrow(
      'model.budgetSeconds: applies to model.kind "auto", but model.kind is "forest" (the default)',
    );
    expect(() => resolvePipelineSpec(spec({ kind: 'gbdt', splitter: 'random' }), 's.json', { kindFrom: 'set by --kind' })).toThrow(
      'model.splitter: applies to model.kind "forest", but model.kind is "gbdt" (set by --kind)',
    );
  });

  it('are accepted where the kind reads them', () => {
    expect(resolvePipelineSpec(spec({ trees: 40, budgetSeconds: 5 }), 's.json').model).toMatchObject({
      kind: 'auto',
      trees: 40,
      budgetSeconds: 5,
    });
    const forest = resolvePipelineSpec(spec({ kind: 'forest', splitter: 'random', mtry: 2, minNodeSize: 3, maxDepth: 9 }), 's.json');
    expect(forest.model).toMatchObject({ kind: 'forest', trees: 100, sampling: 'balanced', splitter: 'random', mtry: 2 });
    expect(resolvePipelineSpec(spec({ kind: 'gbdt', learningRate: 0.2, earlyStopping: 'on' }), 's.json').model.kind).toBe('gbdt');
    expect(resolvePipelineSpec(spec({ kind: 'logreg', l2: 0.01, threshold: 'gmean' }), 's.json').model.kind).toBe('logreg');
  });

  it('are refused as train flags, named as flags', () => {
    const refusal = (model: Record<string, unknown>, kind: 'logreg' | 'forest' | 'gbdt') => {
      try {
        checkModelFlagsForKind(model, kind);
      } catch (e) {
        expect(e).toBeInstanceOf(InvalidInputError);
        return (e as Error).message;
      }
      return 'accepted';
    };
    expect(refusal({ trees: 5 }, 'logreg')).toBe(
      '--trees: applies to --kind forest, but --kind is logreg, which would ignore it; drop --trees or use --kind forest',
    );
    expect(refusal({ maxLeafNodes: 7 }, 'forest')).toMatch(/^--max-leaf-nodes: applies to --kind gbdt, but --kind is forest/);
    expect(refusal({ splitter: 'random', trees: 3 }, 'forest')).toBe('accepted');
    expect(refusal({ trees: undefined }, 'logreg')).toBe('accepted');
  });
});
