// What `pred` holds (the label's own class values and type), the multi-class per-class report, and model files
// without the newer optional fields still loading with their old meaning.

import { describe, expect, it } from 'vitest';
import { classValueJson, predictedClassesOf } from '../../core/labels/predictedClass.js';
import { multiClassReport } from '../../core/metrics/multiClassReport.js';
import { parseModelArtifact, sealModelArtifact, type ModelArtifact } from '../../core/models/modelArtifact.js';

describe('predictedClassesOf', () => {
  it('keeps text labels as text, [negative, positive]', () => {
    const c = predictedClassesOf({ positiveLabel: 'fraud', negativeLabel: 'ok' });
    expect(c).toEqual({ values: ['ok', 'fraud'], type: 'text' });
    expect(classValueJson(c.values[1]!, c.type)).toBe('fraud');
  });

  it('keeps a 0/1 label as integers and a true/false label as booleans', () => {
    const ints = predictedClassesOf({ positiveLabel: '1', negativeLabel: '0' });
    expect(ints).toEqual({ values: ['0', '1'], type: 'integer' });
    expect(classValueJson('1', ints.type)).toBe(1);
    const bools = predictedClassesOf({ positiveLabel: 'true', negativeLabel: 'false' });
    expect(bools.type).toBe('boolean');
    expect(classValueJson('false', bools.type)).toBe(false);
    expect(predictedClassesOf({ positiveLabel: '2.5', negativeLabel: '1' }).type).toBe('double');
    // "01" is not how an integer prints: the label was text.
    expect(predictedClassesOf({ positiveLabel: '01', negativeLabel: '00' }).type).toBe('text');
  });

  it('answers a multi-class model with its classes, and several negatives with their stored joined text', () => {
    expect(predictedClassesOf({ positiveLabel: 'a', negativeLabel: 'b|c', multiClass: { classes: ['a', 'b', 'c'] } })).toEqual({
      values: ['a', 'b', 'c'],
      type: 'text',
    });
    expect(predictedClassesOf({ positiveLabel: 'fraud', negativeLabel: 'ok|review' }).values).toEqual(['ok|review', 'fraud']);
  });
});

describe('multiClassReport', () => {
  it('gives exact per-class recall, precision, accuracy and macro G-mean', () => {
    // truth: a a a b b c ; predicted: a a b b b a
    const r = multiClassReport(['a', 'b', 'c'], [0, 0, 0, 1, 1, 2], [0, 0, 1, 1, 1, 0]);
    expect(r.confusion).toEqual([
      [2, 1, 0],
      [0, 2, 0],
      [1, 0, 0],
    ]);
    expect(r.classes[0]).toMatchObject({ class: 'a', support: 3, predicted: 3, recall: 2 / 3, precision: 2 / 3 });
    expect(r.classes[1]).toMatchObject({ support: 2, predicted: 3, recall: 1, precision: 2 / 3 });
    expect(r.classes[2]).toMatchObject({ support: 1, predicted: 0, recall: 0, precision: null, f1: null });
    expect(r.accuracy).toBeCloseTo(4 / 6, 12);
    expect(r.macroGMean).toBe(0);
    expect(r.macroRecall).toBeCloseTo((2 / 3 + 1 + 0) / 3, 12);
    const perfect = multiClassReport(['a', 'b', 'c'], [0, 1, 2, 2], [0, 1, 2, 2]);
    expect(perfect.macroGMean).toBeCloseTo(1, 12);
  });
});

describe('model files', () => {
  const base: ModelArtifact = sealModelArtifact({
    format: 'rareflow-model',
    schemaVersion: 1,
    modelName: 'm',
    featureNames: ['a'],
    labelName: 'label',
    positiveLabel: '1',
    negativeLabel: '0',
    threshold: 0.5,
    thresholdPolicy: { kind: 'bayes' },
    thresholdReason: 'test',
    model: { kind: 'logreg', weights: [1], intercept: 0, standardiser: { mean: [0], scale: [1] } },
    training: { rows: 1, positives: 1, fitPrevalence: 0.5, datasetSha256: 'x', seed: 1, runId: 'r', codeVersion: 'c' },
  } as unknown as ModelArtifact);

  it('loads a file written before positiveWhen existed, with 0/1 predictions as before', () => {
    const loaded = parseModelArtifact(JSON.parse(JSON.stringify(base)), 'old.json');
    expect(loaded.positiveWhen).toBeUndefined();
    expect(predictedClassesOf(loaded)).toEqual({ values: ['0', '1'], type: 'integer' });
  });

  it('refuses an empty positiveWhen, naming the file and the key', () => {
    const bad = sealModelArtifact({ ...base, positiveWhen: ' ' });
    expect(() => parseModelArtifact(JSON.parse(JSON.stringify(bad)), 'bad.json')).toThrow(
      'bad.json is not a usable rareflow model: "positiveWhen" must be a non-empty SQL predicate.',
    );
  });

  it('refuses a sealed file whose parts could not score a row, naming the key (the seal alone proves no shape)', () => {
    const refused = (changed: Record<string, unknown>) => () =>
      parseModelArtifact(JSON.parse(JSON.stringify(sealModelArtifact({ ...base, ...changed } as ModelArtifact))), 'm.json');
    const logreg = base.model as unknown as Record<string, unknown>;
    expect(refused({ model: { ...logreg, standardiser: undefined } })).toThrow(
      'm.json is not a usable rareflow model: "model.standardiser" must hold a finite mean and a positive scale per feature (1).',
    );
    expect(refused({ model: { ...logreg, weights: [null] } })).toThrow('"model.weights" must hold one finite number per feature (1)');
    expect(refused({ model: { ...logreg, intercept: 'x' } })).toThrow('"model.intercept" must be a finite number');
    expect(refused({ featureNames: [], model: { ...logreg, weights: [] } })).toThrow('"featureNames" must be a list of column names');
    expect(refused({ featureNames: ['a', 'a'] })).toThrow('"featureNames" lists "a" twice');
    const multiClass = { classes: ['x', 'y', 'z'], models: [logreg, logreg, logreg], thresholds: [0.3, 0.3, 0.3] };
    expect(() => refused({ multiClass })()).not.toThrow();
    expect(refused({ multiClass: { ...multiClass, thresholds: [0.3, -1, 0.3] } })).toThrow(
      '"multiClass.thresholds" must be numbers in [0, 1], one per class',
    );
    expect(refused({ multiClass: { ...multiClass, models: [logreg, { ...logreg, weights: [1, 2] }, logreg] } })).toThrow(
      '"multiClass.models[1].weights" must hold one finite number per feature (1)',
    );
  });
});
