// The data commands (generate, sample, denoise, adasyn): their flags, declared once, and how each calls its step.
// Each loads its modules when it runs, so --help starts without DuckDB.

import { InvalidInputError } from '../../core/invalidInputError.js';
import { POSITIVES_PER_PARAMETER } from '../../core/sampling/adaptiveSample.js';
import { listFlag, numberFlag, requiredString, stringFlag, type CommandSpec } from '../cliArgs.js';
import { fillValueFlag, missingFlag } from '../missingValueFlags.js';
import { categorical, input, json, label, labelledFile, neighbors, neighborsOf, out, positive, rawDistances, seed } from './commonFlags.js';

const generate = () => import('../generateCommand.js');
const sample = () => import('../sampleCommand.js');
const denoise = () => import('../denoiseCommand.js');
const adasyn = () => import('../adasynCommand.js');

export const dataCommands: CommandSpec[] = [
  {
    name: 'generate',
    summary: 'write a seeded synthetic rare-event dataset (streamed, so 10M+ rows never sit in memory)',
    flags: {
      rows: { type: 'integer', help: 'rows to write', required: true, min: 1, placeholder: 'N' },
      'positive-rate': { type: 'number', help: 'share of positives, 1e-4 to 0.5', required: true, min: 1e-4, max: 0.5, placeholder: 'R' },
      features: { type: 'integer', help: 'numeric feature columns', required: true, min: 1, placeholder: 'M' },
      categorical: { type: 'integer', help: 'categorical (text) columns to add', min: 0, default: 0, placeholder: 'C' },
      noise: {
        type: 'number',
        help: "label noise: each positive's label flips to 0 with this probability, and negatives flip to 1 at the rate that keeps the positive rate",
        min: 0,
        max: 0.5,
        default: 0,
        placeholder: 'P',
      },
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
        await generate()
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
      input: { type: 'list', help: 'CSV or Parquet files or a glob (repeatable)', required: true, placeholder: 'GLOB', files: true },
      label: {
        type: 'string',
        help: "label column; the sample keeps each row's value (with --positive-when: the name of the new 0/1 column written, not a column of the input)",
        required: true,
        placeholder: 'COLUMN',
      },
      positive,
      'positive-when': { type: 'string', help: 'SQL predicate that makes a row positive, e.g. "revenue >= 1000"', placeholder: 'SQL' },
      'target-size': { type: 'integer', help: 'N: rows in the sample', required: true, min: 1, placeholder: 'N' },
      params: {
        type: 'integer',
        help: 'M: model parameters; Nr = 50·M positives, or every positive the sample has room for when all negatives fit (default: features + 1)',
        min: 1,
        placeholder: 'M',
      },
      'positives-per-param': {
        type: 'integer',
        help: 'positives per parameter with --params or its default (default 50, the "one in 50" rule)',
        min: 1,
        placeholder: 'K',
      },
      nr: { type: 'integer', help: 'Nr directly, kept as given, instead of --params', min: 1, placeholder: 'NR' },
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
      // The uniform baseline keeps no positive quota: an Nr given for it would be ignored.
      if (stringFlag(f, 'method') === 'uniform' && (params !== undefined || nr !== undefined)) {
        const flag = nr !== undefined ? '--nr' : '--params';
        throw new InvalidInputError(
          flag,
          `${flag} sets Nr, the positives to keep, which --method uniform does not read (it samples every row alike); drop ${flag} or use another method`,
        );
      }
      // Left without a default in the flag table, so that one given where nothing reads it is refused, not ignored.
      const perParam = numberFlag(f, 'positives-per-param');
      if (perParam !== undefined && (nr !== undefined || stringFlag(f, 'method') === 'uniform')) {
        const why = nr !== undefined ? '--nr sets Nr itself' : '--method uniform keeps no positive quota';
        throw new InvalidInputError(
          '--positives-per-param',
          `--positives-per-param ${perParam} sets Nr through --params M, but ${why}, so it would be ignored; drop --positives-per-param`,
        );
      }
      if (params !== undefined && nr !== undefined) {
        throw new InvalidInputError(
          '--nr',
          `--params ${params} and --nr ${nr} both set Nr, the positives to keep (--params M asks for ${perParam ?? POSITIVES_PER_PARAMETER}·M, --nr for Nr itself); pass one of them`,
        );
      }
      return {
        value: await (
          await sample()
        ).sampleCommand({
          inputs: listFlag(f, 'input')!,
          label: requiredString(f, 'label'),
          ...(pos !== undefined ? { positive: pos } : {}),
          ...(when !== undefined ? { positiveWhen: when } : {}),
          targetSize: numberFlag(f, 'target-size')!,
          ...(params !== undefined ? { params } : {}),
          ...(nr !== undefined ? { positiveTarget: nr } : {}),
          positivesPerParameter: perParam ?? POSITIVES_PER_PARAMETER,
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
      // No declared default: a --k given with a method that reads no k is refused (denoiseCommand), 3 otherwise.
      k: { type: 'integer', help: 'neighbours per row, read by --method enn and renn only (default 3)', min: 1, placeholder: 'K' },
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
      const k = numberFlag(f, 'k');
      return {
        value: await (
          await denoise()
        ).denoiseCommand({
          ...labelledFile(f),
          ...(k !== undefined ? { k } : {}),
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
      // --neighbors defaults to auto, so only another value shows it was given beside --exact.
      if (f.exact && neighborsOf(f) !== 'auto') {
        throw new InvalidInputError(
          '--exact',
          `--exact and --neighbors ${neighborsOf(f)} both choose the neighbour search; pass one of them (--exact is --neighbors exact)`,
        );
      }
      return {
        value: await (
          await adasyn()
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
];
