// The model commands (train, evaluate, fit, predict): their flags, declared once, and how each calls its step.
// Each loads its modules when it runs, so --help starts without DuckDB.

import { EXIT_CODES } from '../exitCodes.js';
import { INPUT_AS_GIVEN, listFlag, numberFlag, requiredString, stringFlag, type CommandSpec } from '../cliArgs.js';
import { fillValueFlag, missingFlag, missingValueFlags } from '../missingValueFlags.js';
import { missingIndicatorsFlag, missingIndicatorsFlagOf } from '../missingIndicatorFlags.js';
import { selectionText } from '../selectionText.js';
import { stagesText } from '../stagesText.js';
import { valueText } from '../valueText.js';
import type { ModelSelection } from '../../core/models/modelSelection.js';
import { MAX_BOOSTING_ITERATIONS, MAX_L2, MAX_LEAF_NODES, MAX_TREES } from '../../core/spec/modelKeyBounds.js';
import {
  categorical,
  input,
  json,
  label,
  labelledFile,
  modelKindRefused,
  modelOut,
  modelOutPath,
  modelReference,
  positive,
  seed,
  tableOrJson,
} from './commonFlags.js';

export const modelCommands: CommandSpec[] = [
  {
    name: 'train',
    summary: 'train a model and choose its decision threshold',
    usage:
      'rareflow train --input FILE --label COL --kind logreg|forest|gbdt [--threshold bayes|prevalence|cost:L0,L1|gmean|gmean-oob] [--trees N] [--sampling balanced] [--splitter best|random] [--learning-rate R] [--max-iterations N] [--max-leaf-nodes N] [--early-stopping auto|on|off] [--missing reject|mean|median|constant [--fill-value V]] [--missing-indicators on|related|off] [--seed S] --out MODEL.json',
    flags: {
      input,
      label,
      positive,
      categorical,
      missing: missingFlag,
      'fill-value': fillValueFlag,
      'missing-indicators': missingIndicatorsFlag,
      kind: { type: 'string', help: 'logreg, forest or gbdt (gradient-boosted trees)', required: true, placeholder: 'KIND' },
      model: modelKindRefused('train'),
      trees: { type: 'integer', help: 'forest: trees (default 100)', min: 1, max: MAX_TREES, placeholder: 'N' },
      sampling: {
        type: 'choice',
        help: 'forest: bootstrap, subsample or balanced (default balanced)',
        choices: ['bootstrap', 'subsample', 'balanced'],
        placeholder: 'KIND',
      },
      splitter: {
        type: 'choice',
        help: 'forest: best cut of each tried feature (default), or one random cut each (extremely randomised trees)',
        choices: ['best', 'random'],
        placeholder: 'HOW',
      },
      'learning-rate': { type: 'number', help: 'gbdt: shrinkage of each tree, in (0, 1] (default 0.1)', min: 0, max: 1, placeholder: 'R' },
      'max-iterations': {
        type: 'integer',
        help: 'gbdt: most boosting iterations (default 200)',
        min: 1,
        max: MAX_BOOSTING_ITERATIONS,
        placeholder: 'N',
      },
      'max-leaf-nodes': { type: 'integer', help: 'gbdt: most leaves per tree (default 31)', min: 2, max: MAX_LEAF_NODES, placeholder: 'N' },
      'early-stopping': {
        type: 'choice',
        help: 'gbdt: stop on a stratified 10% inner validation split: auto (from 10,000 rows, default), on or off',
        choices: ['auto', 'on', 'off'],
        placeholder: 'WHEN',
      },
      threshold: {
        type: 'string',
        help: 'threshold policy (default prevalence: the threshold is the share of positives in the training rows)',
        default: 'prevalence',
        placeholder: 'POLICY',
      },
      l2: { type: 'number', help: 'L2 penalty per row (default 1e-4)', min: 0, max: MAX_L2, placeholder: 'L2' },
      seed,
      out: modelOut,
      json,
    },
    run: async (f) => {
      const l2 = numberFlag(f, 'l2');
      const trees = numberFlag(f, 'trees');
      const sampling = stringFlag(f, 'sampling') as 'bootstrap' | 'subsample' | 'balanced' | undefined;
      const splitter = stringFlag(f, 'splitter') as 'best' | 'random' | undefined;
      const learningRate = numberFlag(f, 'learning-rate');
      const maxIterations = numberFlag(f, 'max-iterations');
      const maxLeafNodes = numberFlag(f, 'max-leaf-nodes');
      const earlyStopping = stringFlag(f, 'early-stopping');
      return {
        value: await (
          await import('../trainCommand.js')
        ).trainCommand({
          ...labelledFile(f),
          out: modelOutPath(f),
          model: requiredString(f, 'kind'),
          threshold: stringFlag(f, 'threshold')!,
          ...(l2 !== undefined ? { l2 } : {}),
          ...(trees !== undefined ? { trees } : {}),
          ...(sampling !== undefined ? { sampling } : {}),
          ...(splitter !== undefined ? { splitter } : {}),
          ...(learningRate !== undefined ? { learningRate } : {}),
          ...(maxIterations !== undefined ? { maxIterations } : {}),
          ...(maxLeafNodes !== undefined ? { maxLeafNodes } : {}),
          ...(earlyStopping !== undefined ? { earlyStopping } : {}),
          ...missingIndicatorsFlagOf(f),
        }),
      };
    },
  },
  {
    name: 'evaluate',
    summary: 'per-class report of a model on labelled data, judged by gates',
    usage: 'rareflow evaluate --model MODEL --input FILE --label COL [--gates GATES.json] [--report DIR]',
    flags: {
      model: modelReference,
      input,
      label,
      gates: { type: 'string', help: 'gate spec; exit 1 when the verdict is not pass', placeholder: 'GATES.json' },
      report: { type: 'string', help: 'directory for report.json', placeholder: 'DIR' },
      json,
    },
    run: async (f) => {
      const gates = stringFlag(f, 'gates');
      const report = stringFlag(f, 'report');
      const r = await (
        await import('../evaluateCommand.js')
      ).evaluateCommand({
        model: requiredString(f, 'model'),
        input: requiredString(f, 'input'),
        label: requiredString(f, 'label'),
        ...(gates ? { gates } : {}),
        ...(report ? { report } : {}),
        inputAsGiven: stringFlag(f, INPUT_AS_GIVEN),
      });
      const shown = tableOrJson(f, r, (await import('../stateTables.js')).formatEvaluation);
      return { ...shown, exitCode: gates && 'verdict' in r && r.verdict !== 'pass' ? EXIT_CODES.verdictFailed : EXIT_CODES.success };
    },
  },
  {
    name: 'fit',
    summary: "the default pipeline's data→model stages (noise filtering, ADASYN, model, threshold) on one file, in one process",
    usage:
      'rareflow fit --input FILE --label COL [--positive VALUE] [--categorical COLS] [--config PIPELINE.json] [--kind auto|forest|logreg|gbdt [--budget 60s]] [--missing reject|mean|median|constant [--fill-value V]] [--missing-indicators on|related|off] [--seed S] --out MODEL.json [--json]',
    flags: {
      input,
      label,
      positive,
      categorical,
      missing: {
        ...missingFlag,
        help: 'missing numeric values (null, empty, NaN): filled with the training median by default (said in the output), or reject, or impute with the mean or a constant',
      },
      'fill-value': fillValueFlag,
      'missing-indicators': missingIndicatorsFlag,
      config: {
        type: 'string',
        help: 'pipeline spec whose denoise, adasyn and model settings override the defaults',
        placeholder: 'PIPELINE.json',
      },
      kind: {
        type: 'choice',
        choices: ['auto', 'forest', 'logreg', 'gbdt'],
        help: "auto: choose the model by inner cross-validation on the training rows (default: the spec's model)",
        placeholder: 'KIND',
      },
      model: modelKindRefused('fit'),
      budget: { type: 'duration', help: 'auto: time for the inner folds (default 60s)', placeholder: 'DURATION' },
      // No default here: fit takes the spec's seed (or the workflow's default) unless --seed is given.
      seed: { type: 'integer', help: 'seed of every random step (default 1)', placeholder: 'N' },
      out: modelOut,
      json,
    },
    run: async (f) => {
      const pos = stringFlag(f, 'positive');
      const cats = listFlag(f, 'categorical');
      const config = stringFlag(f, 'config');
      const s = numberFlag(f, 'seed');
      const modelKind = stringFlag(f, 'kind');
      const budgetMs = numberFlag(f, 'budget');
      const value = await (
        await import('../fitCommand.js')
      ).fitCommand({
        input: requiredString(f, 'input'),
        label: requiredString(f, 'label'),
        ...(pos !== undefined ? { positive: pos } : {}),
        ...(cats ? { categorical: cats } : {}),
        ...(config ? { config } : {}),
        ...(s !== undefined ? { seed: s } : {}),
        ...(modelKind ? { model: modelKind as 'auto' | 'forest' | 'logreg' | 'gbdt' } : {}),
        ...(budgetMs !== undefined ? { budgetSeconds: budgetMs / 1000 } : {}),
        ...missingValueFlags(f, config !== undefined),
        ...missingIndicatorsFlagOf(f),
        out: modelOutPath(f),
      });
      if (f.json) return { value };
      // Without --json, the model selection reads as a table and the stages a line each, instead of lines of JSON.
      const selection = (v: unknown) => selectionText(v as ModelSelection);
      return { value, text: valueText(value, { selection, stages: stagesText }), shownToHuman: true };
    },
  },
  {
    name: 'predict',
    summary: 'streaming batch scoring of a CSV or Parquet file: score, pred (and the id column first)',
    usage: 'rareflow predict --model MODEL --input FILE --out FILE.csv|FILE.parquet [--id COL] [--json]',
    flags: {
      model: modelReference,
      input: { ...input, help: 'input CSV or Parquet file' },
      out: { type: 'string', help: 'output file (.csv or .parquet)', required: true, placeholder: 'FILE' },
      id: { type: 'string', help: 'id column copied first', placeholder: 'COL' },
      json,
    },
    run: async (f) => {
      const id = stringFlag(f, 'id');
      return {
        value: await (
          await import('../predictCommand.js')
        ).predictCommand({
          model: requiredString(f, 'model'),
          input: requiredString(f, 'input'),
          out: requiredString(f, 'out'),
          ...(id ? { id } : {}),
        }),
      };
    },
  },
];
