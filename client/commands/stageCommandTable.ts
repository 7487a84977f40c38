// The stage commands (generate, sample, denoise, adasyn, train, evaluate, fit, predict): their flags, declared
// once, and how each calls its step. Each loads its modules when it runs, so --help starts without DuckDB.

import { InvalidInputError } from '../../core/invalidInputError.js';
import { EXIT_CODES } from '../exitCodes.js';
import { listFlag, numberFlag, requiredString, stringFlag, type CommandSpec } from '../cliArgs.js';
import { fillValueFlag, missingFlag, missingValueFlags } from '../missingValueFlags.js';
import {
  categorical,
  input,
  json,
  label,
  labelledFile,
  neighbors,
  neighborsOf,
  modelKindRefused,
  modelOut,
  modelReference,
  out,
  positive,
  rawDistances,
  seed,
  tableOrJson,
} from './commonFlags.js';

const stage = () => import('../stageCommands.js');

export const stageCommands: CommandSpec[] = [
  {
    name: 'generate',
    summary: 'write a seeded synthetic rare-event dataset (streamed, so 10M+ rows never sit in memory)',
    flags: {
      rows: { type: 'integer', help: 'rows to write', required: true, min: 1, placeholder: 'N' },
      'positive-rate': { type: 'number', help: 'share of positives, 1e-4 to 0.5', required: true, min: 1e-4, max: 0.5, placeholder: 'R' },
      features: { type: 'integer', help: 'numeric feature columns', required: true, min: 1, placeholder: 'M' },
      categorical: { type: 'integer', help: 'categorical (text) columns to add', min: 0, default: 0, placeholder: 'C' },
      noise: { type: 'number', help: 'share of labels flipped', min: 0, max: 0.5, default: 0, placeholder: 'P' },
      drift: {
        type: 'number',
        help: 'drift: informative feature means shift by D sd (negative: away from the positives), prior × (1+|D|)',
        min: -100,
        max: 100,
        default: 0,
        placeholder: 'D',
      },
      seed,
      // Streamed as Parquet parts, so only .parquet and .csv (the other commands also write .arrow).
      out: { ...out, help: 'output file (.parquet or .csv)' },
      json,
    },
    run: async (f) => ({
      value: await (
        await stage()
      ).generateCommand({
        rows: numberFlag(f, 'rows')!,
        positiveRate: numberFlag(f, 'positive-rate')!,
        features: numberFlag(f, 'features')!,
        categorical: numberFlag(f, 'categorical')!,
        noise: numberFlag(f, 'noise')!,
        drift: numberFlag(f, 'drift')!,
        seed: numberFlag(f, 'seed')!,
        out: requiredString(f, 'out'),
      }),
    }),
  },
  {
    name: 'sample',
    summary: 'adaptive sampling: keep positives up to 50 per parameter, reservoir-sample negatives, stop early',
    usage:
      'rareflow sample --input GLOB --label COL [--positive VALUE | --positive-when SQL] --target-size N [--params M | --nr NR] [--shards S] [--method adaptive] [--order auto|sequential|random-blocks] [--seed S] --out FILE',
    flags: {
      input: { type: 'list', help: 'CSV or Parquet files or a glob (repeatable)', required: true, placeholder: 'GLOB' },
      label: {
        type: 'string',
        help: 'label column (with --positive-when: the name of the 0/1 column written)',
        required: true,
        placeholder: 'COLUMN',
      },
      positive,
      'positive-when': { type: 'string', help: 'SQL predicate that makes a row positive, e.g. "revenue >= 1000"', placeholder: 'SQL' },
      'target-size': { type: 'integer', help: 'N: rows in the sample', required: true, min: 1, placeholder: 'N' },
      params: { type: 'integer', help: 'M: model parameters; Nr = 50·M positives (default: features + 1)', min: 1, placeholder: 'M' },
      'positives-per-param': {
        type: 'integer',
        help: 'positives per parameter (default 50, the paper\'s "one in 50" rule)',
        min: 1,
        default: 50,
        placeholder: 'K',
      },
      nr: { type: 'integer', help: 'Nr directly, instead of --params', min: 1, placeholder: 'NR' },
      shards: {
        type: 'integer',
        help: 'shards sampled separately and merged: row ranges of Parquet, whole CSV files',
        min: 1,
        default: 1,
        placeholder: 'S',
      },
      method: {
        type: 'choice',
        help: 'adaptive (default), or a baseline: uniform, firstCome, dualReservoir',
        choices: ['adaptive', 'uniform', 'firstCome', 'dualReservoir'],
        default: 'adaptive',
        placeholder: 'METHOD',
      },
      order: {
        type: 'choice',
        help: 'row order fed to the sampler: auto (default: test whether rows are in random order, read seeded random row blocks when not), sequential (file order) or random-blocks',
        choices: ['auto', 'sequential', 'random-blocks'],
        default: 'auto',
        placeholder: 'ORDER',
      },
      seed,
      out,
      json,
    },
    run: async (f) => {
      const params = numberFlag(f, 'params');
      const nr = numberFlag(f, 'nr');
      const pos = stringFlag(f, 'positive');
      const when = stringFlag(f, 'positive-when');
      if (pos !== undefined && when !== undefined)
        throw new InvalidInputError('--positive-when', '--positive and --positive-when both define positives; pass one of them');
      return {
        value: await (
          await stage()
        ).sampleCommand({
          inputs: listFlag(f, 'input')!,
          label: requiredString(f, 'label'),
          ...(pos !== undefined ? { positive: pos } : {}),
          ...(when !== undefined ? { positiveWhen: when } : {}),
          targetSize: numberFlag(f, 'target-size')!,
          ...(params !== undefined ? { params } : {}),
          ...(nr !== undefined ? { positiveTarget: nr } : {}),
          positivesPerParameter: numberFlag(f, 'positives-per-param')!,
          shards: numberFlag(f, 'shards')!,
          method: stringFlag(f, 'method') as 'adaptive',
          order: stringFlag(f, 'order') as 'auto',
          seed: numberFlag(f, 'seed')!,
          out: requiredString(f, 'out'),
        }),
      };
    },
  },
  {
    name: 'denoise',
    summary:
      'label-noise filtering: edited nearest neighbours (enn), repeated ENN (renn), Tomek links or confident learning, with minority typing',
    usage:
      'rareflow denoise --input FILE --label COL [--k 3] [--method enn|renn|tomek|confident] [--neighbors auto|exact|ivf|hnsw] [--missing reject|mean|median|constant [--fill-value V]] [--seed S] --out FILE [--removed FILE]',
    flags: {
      input,
      label,
      positive,
      categorical,
      missing: missingFlag,
      'fill-value': fillValueFlag,
      removed: {
        type: 'string',
        help: 'also write the removed rows (.csv or .parquet): 0-based input row, label, reason (enn, renn, tomek, confident), RENN round, ENN neighbour labels',
        placeholder: 'FILE',
      },
      k: { type: 'integer', help: 'neighbours per row', min: 1, default: 3, placeholder: 'K' },
      method: {
        type: 'string',
        help: 'enn (default), renn, tomek or confident (confident learning: out-of-fold probabilities)',
        default: 'enn',
        placeholder: 'METHOD',
      },
      neighbors,
      'raw-distances': rawDistances,
      seed,
      out,
      json,
    },
    run: async (f) => {
      const removed = stringFlag(f, 'removed');
      return {
        value: await (
          await stage()
        ).denoiseCommand({
          ...labelledFile(f),
          k: numberFlag(f, 'k')!,
          method: stringFlag(f, 'method')!,
          ...(removed !== undefined ? { removed } : {}),
          neighbors: neighborsOf(f),
          scaling: f['raw-distances'] ? 'raw' : 'standardise',
        }),
      };
    },
  },
  {
    name: 'adasyn',
    summary: 'ADASYN: synthetic minority rows where the minority is hardest to learn (He et al. 2008)',
    usage:
      'rareflow adasyn --input FILE --label COL [--k 5] [--beta 1] [--exact | --neighbors auto|exact|ivf|hnsw] [--max-synthetic-ratio R] [--no-lineage] [--missing reject|mean|median|constant [--fill-value V]] [--seed S] --out FILE',
    flags: {
      input,
      label,
      positive,
      categorical,
      missing: missingFlag,
      'fill-value': fillValueFlag,
      k: { type: 'integer', help: 'neighbours per minority row', min: 1, default: 5, placeholder: 'K' },
      beta: { type: 'number', help: 'balance level in (0, 1]: G = (negatives − positives)·β', default: 1, placeholder: 'B' },
      exact: { type: 'boolean', help: 'exact neighbour search (same as --neighbors exact)' },
      neighbors,
      'raw-distances': rawDistances,
      'max-synthetic-rows': {
        type: 'integer',
        help: 'quota: at most this many synthetic rows (allocation scaled down)',
        min: 1,
        placeholder: 'N',
      },
      'max-synthetic-ratio': { type: 'number', help: 'quota: at most this many synthetic rows per input row', placeholder: 'R' },
      'no-lineage': {
        type: 'boolean',
        help: 'leave out the lineage columns _synthetic, _seed_row, _neighbor_row, _gap (written after the label by default)',
      },
      seed,
      out,
      json,
    },
    run: async (f) => {
      const maxRows = numberFlag(f, 'max-synthetic-rows');
      const maxRatio = numberFlag(f, 'max-synthetic-ratio');
      return {
        value: await (
          await stage()
        ).adasynCommand({
          ...labelledFile(f),
          k: numberFlag(f, 'k')!,
          beta: numberFlag(f, 'beta')!,
          neighbors: f.exact ? 'exact' : neighborsOf(f),
          scaling: f['raw-distances'] ? 'raw' : 'standardise',
          ...(maxRows !== undefined ? { maxSyntheticRows: maxRows } : {}),
          ...(maxRatio !== undefined ? { maxSyntheticRatio: maxRatio } : {}),
          lineage: !f['no-lineage'],
        }),
      };
    },
  },
  {
    name: 'train',
    summary: 'train a model and choose its decision threshold',
    usage:
      'rareflow train --input FILE --label COL --kind logreg|forest|gbdt [--threshold bayes|prevalence|cost:L0,L1|gmean|gmean-oob] [--trees N] [--sampling balanced] [--learning-rate R] [--max-iterations N] [--max-leaf-nodes N] [--early-stopping auto|on|off] [--missing reject|mean|median|constant [--fill-value V]] [--seed S] --out MODEL.json',
    flags: {
      input,
      label,
      positive,
      categorical,
      missing: missingFlag,
      'fill-value': fillValueFlag,
      kind: { type: 'string', help: 'logreg, forest or gbdt (gradient-boosted trees)', required: true, placeholder: 'KIND' },
      model: modelKindRefused('train'),
      trees: { type: 'integer', help: 'forest: trees (default 100)', min: 1, placeholder: 'N' },
      sampling: { type: 'string', help: 'forest: bootstrap, subsample or balanced (default balanced)', placeholder: 'KIND' },
      'learning-rate': { type: 'number', help: 'gbdt: shrinkage of each tree, in (0, 1] (default 0.1)', min: 0, max: 1, placeholder: 'R' },
      'max-iterations': { type: 'integer', help: 'gbdt: most boosting iterations (default 200)', min: 1, placeholder: 'N' },
      'max-leaf-nodes': { type: 'integer', help: 'gbdt: most leaves per tree (default 31)', min: 2, placeholder: 'N' },
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
      l2: { type: 'number', help: 'L2 penalty per row (default 1e-4)', min: 0, placeholder: 'L2' },
      seed,
      out: modelOut,
      json,
    },
    run: async (f) => {
      const l2 = numberFlag(f, 'l2');
      const trees = numberFlag(f, 'trees');
      const sampling = stringFlag(f, 'sampling');
      const learningRate = numberFlag(f, 'learning-rate');
      const maxIterations = numberFlag(f, 'max-iterations');
      const maxLeafNodes = numberFlag(f, 'max-leaf-nodes');
      const earlyStopping = stringFlag(f, 'early-stopping');
      return {
        value: await (
          await stage()
        ).trainCommand({
          ...labelledFile(f),
          model: requiredString(f, 'kind'),
          threshold: stringFlag(f, 'threshold')!,
          ...(l2 !== undefined ? { l2 } : {}),
          ...(trees !== undefined ? { trees } : {}),
          ...(sampling !== undefined ? { sampling } : {}),
          ...(learningRate !== undefined ? { learningRate } : {}),
          ...(maxIterations !== undefined ? { maxIterations } : {}),
          ...(maxLeafNodes !== undefined ? { maxLeafNodes } : {}),
          ...(earlyStopping !== undefined ? { earlyStopping } : {}),
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
      });
      const shown = tableOrJson(f, r, (await import('../stateTables.js')).formatEvaluation);
      return { ...shown, exitCode: gates && 'verdict' in r && r.verdict !== 'pass' ? EXIT_CODES.verdictFailed : EXIT_CODES.success };
    },
  },
  {
    name: 'fit',
    summary: "the default pipeline's data→model stages (noise filtering, ADASYN, model, threshold) on one file, in one process",
    usage:
      'rareflow fit --input FILE --label COL [--positive VALUE] [--categorical COLS] [--config PIPELINE.json] [--kind auto|forest|logreg|gbdt [--budget 60s]] [--missing reject|mean|median|constant [--fill-value V]] [--seed S] --out MODEL.json [--json]',
    flags: {
      input,
      label,
      positive,
      categorical,
      missing: missingFlag,
      'fill-value': fillValueFlag,
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
      return {
        value: await (
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
          ...missingValueFlags(f),
          out: requiredString(f, 'out'),
        }),
      };
    },
  },
  {
    name: 'predict',
    summary: 'streaming batch scoring of a CSV or Parquet file: score, pred (and the id column first)',
    usage: 'rareflow predict --model MODEL --input FILE --out FILE.csv|FILE.parquet [--id COL] [--json]',
    flags: {
      model: modelReference,
      input,
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
