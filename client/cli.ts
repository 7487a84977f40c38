#!/usr/bin/env node
// The `rareflow` command line: stage commands run one step locally; orchestrated commands talk to Temporal.
// Exit codes: 0 success, 1 a business verdict the user asked to fail on, 2 bad input (one line on stderr).

import { InvalidInputError } from '../core/invalidInputError.js';
import { TemporalCliNotFoundError } from '../infra/temporalCli.js';
import { diskFullMessage, diskFullPath } from '../data/diskFull.js';
import { durationFlagMs, helpText, listFlag, numberFlag, parseCommandFlags, requiredString, stringFlag, type CommandSpec, type ParsedFlags } from './cliArgs.js';
import { DEMO_DEFAULTS } from './demoDefaults.js';
import { fillValueFlag, missingFlag, missingValueFlags } from './missingValueFlags.js';
import { userInfo, hostname } from 'node:os';

// Each command loads its own modules when it runs, so `--help` and the light commands start without Temporal,
// DuckDB and the worker code they do not use.
const stage = () => import('./stageCommands.js');
const orchestrated = () => import('./orchestratedCommands.js');
import type { QueueName } from '../worker/rareflowWorkers.js';
import type { NeighborSearch } from '../workflows/contract.js';

const json = { type: 'boolean', help: 'print one JSON object on stdout' } as const;
const seed = { type: 'string', help: 'seed of every random step (default 1)', placeholder: 'N' } as const;
const label = { type: 'string', help: 'label column', required: true, placeholder: 'COLUMN' } as const;
const positive = { type: 'string', help: 'label value of the positive (rare) class (default 1/true, or the rarer class)', placeholder: 'VALUE' } as const;
const input = { type: 'string', help: 'input CSV, Parquet or rareflow .arrow file', required: true, placeholder: 'FILE' } as const;
const out = { type: 'string', help: 'output file (.parquet, .csv or .arrow)', required: true, placeholder: 'FILE' } as const;
const categorical = { type: 'string', help: 'text columns to one-hot encode (comma-separated, repeatable); in distances a different category counts one step (SMOTE-NC), and ADASYN never interpolates them', multiple: true, placeholder: 'COLS' } as const;
const model = { type: 'string', help: 'model name', required: true, placeholder: 'NAME' } as const;

/** `shownToHuman`: the command already printed its own tables, so the value is printed only with --json. */
type Result = { value: unknown; exitCode?: number; text?: string; shownToHuman?: boolean };
type Say = (line: string) => void;

interface Command extends CommandSpec {
  run(flags: ParsedFlags, positionals: string[], say: Say): Promise<Result>;
}

const seedOf = (f: ParsedFlags) => numberFlag(f, 'seed', { integer: true, default: 1 })!;
const neighbors = { type: 'string', help: 'neighbour search: auto (by estimated cost, default), exact, ivf or hnsw', placeholder: 'KIND' } as const;
const rawDistances = { type: 'boolean', help: 'find neighbours on raw features, as imbalanced-learn does (default: standardised features)' } as const;
function neighborsOf(f: ParsedFlags): NeighborSearch {
  const v = stringFlag(f, 'neighbors') ?? 'auto';
  if (v !== 'auto' && v !== 'exact' && v !== 'ivf' && v !== 'hnsw') throw new InvalidInputError('--neighbors', `--neighbors: expected auto, exact, ivf or hnsw, got "${v}"`);
  return v;
}

const commands: Command[] = [
  {
    name: 'generate',
    summary: 'write a seeded synthetic rare-event dataset (streamed, so 10M+ rows never sit in memory)',
    usage: 'rareflow generate --rows N --positive-rate R --features M [--categorical C] [--noise P] [--drift D] [--seed S] --out FILE',
    flags: {
      rows: { type: 'string', help: 'rows to write', required: true, placeholder: 'N' },
      'positive-rate': { type: 'string', help: 'share of positives, 1e-4 to 0.5', required: true, placeholder: 'R' },
      features: { type: 'string', help: 'numeric feature columns', required: true, placeholder: 'M' },
      categorical: { type: 'string', help: 'categorical (text) columns to add (default 0)', placeholder: 'C' },
      noise: { type: 'string', help: 'share of labels flipped (default 0)', placeholder: 'P' },
      drift: { type: 'string', help: 'drift: informative feature means shift by D sd (negative: away from the positives), prior × (1+|D|) (default 0)', placeholder: 'D' },
      seed, out, json,
    },
    run: async (f) => ({
      value: await (await stage()).generateCommand({
        rows: numberFlag(f, 'rows', { integer: true, min: 1 })!,
        positiveRate: numberFlag(f, 'positive-rate', { min: 1e-4, max: 0.5 })!,
        features: numberFlag(f, 'features', { integer: true, min: 1 })!,
        categorical: numberFlag(f, 'categorical', { integer: true, min: 0, default: 0 })!,
        noise: numberFlag(f, 'noise', { min: 0, max: 0.5, default: 0 })!,
        drift: numberFlag(f, 'drift', { min: -100, max: 100, default: 0 })!,
        seed: seedOf(f),
        out: requiredString(f, 'out'),
      }),
    }),
  },
  {
    name: 'sample',
    summary: 'adaptive sampling: keep positives up to 50 per parameter, reservoir-sample negatives, stop early',
    usage: 'rareflow sample --input GLOB --label COL [--positive VALUE | --positive-when SQL] --target-size N [--params M | --nr NR] [--shards S] [--method adaptive] [--order auto|sequential|random-blocks] [--seed S] --out FILE',
    flags: {
      input: { type: 'string', help: 'CSV or Parquet files or a glob (repeatable)', required: true, multiple: true, placeholder: 'GLOB' },
      label: { type: 'string', help: 'label column (with --positive-when: the name of the 0/1 column written)', required: true, placeholder: 'COLUMN' },
      positive,
      'positive-when': { type: 'string', help: 'SQL predicate that makes a row positive, e.g. "revenue >= 1000"', placeholder: 'SQL' },
      'target-size': { type: 'string', help: 'N: rows in the sample', required: true, placeholder: 'N' },
      params: { type: 'string', help: 'M: model parameters; Nr = 50·M positives (default: features + 1)', placeholder: 'M' },
      'positives-per-param': { type: 'string', help: 'positives per parameter (default 50, the paper\'s "one in 50" rule)', placeholder: 'K' },
      nr: { type: 'string', help: 'Nr directly, instead of --params', placeholder: 'NR' },
      shards: { type: 'string', help: 'shards sampled separately and merged: row ranges of Parquet, whole CSV files (default 1)', placeholder: 'S' },
      method: { type: 'string', help: 'adaptive (default), or a baseline: uniform, firstCome, dualReservoir', placeholder: 'METHOD' },
      order: { type: 'string', help: 'row order fed to the sampler: auto (default: test whether rows are in random order, read seeded random row blocks when not), sequential (file order) or random-blocks', placeholder: 'ORDER' },
      seed, out, json,
    },
    run: async (f) => {
      const params = numberFlag(f, 'params', { integer: true, min: 1 });
      const nr = numberFlag(f, 'nr', { integer: true, min: 1 });
      const pos = stringFlag(f, 'positive');
      const when = stringFlag(f, 'positive-when');
      if (pos !== undefined && when !== undefined) throw new InvalidInputError('--positive-when', '--positive and --positive-when both define positives; pass one of them');
      const method = stringFlag(f, 'method') ?? 'adaptive';
      if (!['adaptive', 'uniform', 'firstCome', 'dualReservoir'].includes(method)) {
        throw new InvalidInputError('--method', `--method: expected adaptive, uniform, firstCome or dualReservoir, got "${method}"`);
      }
      const order = stringFlag(f, 'order') ?? 'auto';
      if (!['auto', 'sequential', 'random-blocks'].includes(order)) {
        throw new InvalidInputError('--order', `--order: expected auto, sequential or random-blocks, got "${order}"`);
      }
      return {
        value: await (await stage()).sampleCommand({
          inputs: listFlag(f, 'input')!,
          label: requiredString(f, 'label'),
          ...(pos !== undefined ? { positive: pos } : {}),
          ...(when !== undefined ? { positiveWhen: when } : {}),
          targetSize: numberFlag(f, 'target-size', { integer: true, min: 1 })!,
          ...(params !== undefined ? { params } : {}),
          ...(nr !== undefined ? { positiveTarget: nr } : {}),
          positivesPerParameter: numberFlag(f, 'positives-per-param', { integer: true, min: 1, default: 50 })!,
          shards: numberFlag(f, 'shards', { integer: true, min: 1, default: 1 })!,
          method: method as 'adaptive',
          order: order as 'auto',
          seed: seedOf(f),
          out: requiredString(f, 'out'),
        }),
      };
    },
  },
  {
    name: 'denoise',
    summary: 'label-noise filtering: edited nearest neighbours (enn), repeated ENN (renn), Tomek links or confident learning, with minority typing',
    usage: 'rareflow denoise --input FILE --label COL [--k 3] [--method enn|renn|tomek|confident] [--neighbors auto|exact|ivf|hnsw] [--missing reject|mean|median|constant [--fill-value V]] [--seed S] --out FILE [--removed FILE]',
    flags: {
      input, label, positive, categorical,
      missing: missingFlag, 'fill-value': fillValueFlag,
      removed: { type: 'string', help: 'also write the removed rows (.csv or .parquet): 0-based input row, label, reason (enn, renn, tomek, confident), RENN round, ENN neighbour labels', placeholder: 'FILE' },
      k: { type: 'string', help: 'neighbours per row (default 3)', placeholder: 'K' },
      method: { type: 'string', help: 'enn (default), renn, tomek or confident (confident learning: out-of-fold probabilities)', placeholder: 'METHOD' },
      neighbors, 'raw-distances': rawDistances,
      seed, out, json,
    },
    run: async (f) => ({
      value: await (await stage()).denoiseCommand({
        ...labelledFile(f),
        k: numberFlag(f, 'k', { integer: true, min: 1, default: 3 })!,
        method: stringFlag(f, 'method') ?? 'enn',
        ...(stringFlag(f, 'removed') !== undefined ? { removed: stringFlag(f, 'removed')! } : {}),
        neighbors: neighborsOf(f),
        scaling: f['raw-distances'] ? 'raw' : 'standardise',
      }),
    }),
  },
  {
    name: 'adasyn',
    summary: 'ADASYN: synthetic minority rows where the minority is hardest to learn (He et al. 2008)',
    usage: 'rareflow adasyn --input FILE --label COL [--k 5] [--beta 1] [--exact | --neighbors auto|exact|ivf|hnsw] [--max-synthetic-ratio R] [--no-lineage] [--missing reject|mean|median|constant [--fill-value V]] [--seed S] --out FILE',
    flags: {
      input, label, positive, categorical,
      missing: missingFlag, 'fill-value': fillValueFlag,
      k: { type: 'string', help: 'neighbours per minority row (default 5)', placeholder: 'K' },
      beta: { type: 'string', help: 'balance level in (0, 1]: G = (negatives − positives)·β (default 1)', placeholder: 'B' },
      exact: { type: 'boolean', help: 'exact neighbour search (same as --neighbors exact)' },
      neighbors, 'raw-distances': rawDistances,
      'max-synthetic-rows': { type: 'string', help: 'quota: at most this many synthetic rows (allocation scaled down)', placeholder: 'N' },
      'max-synthetic-ratio': { type: 'string', help: 'quota: at most this many synthetic rows per input row', placeholder: 'R' },
      'no-lineage': { type: 'boolean', help: 'leave out the lineage columns _synthetic, _seed_row, _neighbor_row, _gap (written after the label by default)' },
      seed, out, json,
    },
    run: async (f) => {
      const maxRows = numberFlag(f, 'max-synthetic-rows', { integer: true, min: 1 });
      const maxRatio = numberFlag(f, 'max-synthetic-ratio');
      return {
        value: await (await stage()).adasynCommand({
          ...labelledFile(f),
          k: numberFlag(f, 'k', { integer: true, min: 1, default: 5 })!,
          beta: numberFlag(f, 'beta', { default: 1 })!,
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
    usage: 'rareflow train --input FILE --label COL --model logreg|forest [--threshold bayes|prevalence|cost:L0,L1|gmean] [--trees N] [--sampling balanced] [--missing reject|mean|median|constant [--fill-value V]] [--seed S] --out MODEL.json',
    flags: {
      input, label, positive, categorical,
      missing: missingFlag, 'fill-value': fillValueFlag,
      model: { type: 'string', help: 'logreg or forest', required: true, placeholder: 'KIND' },
      trees: { type: 'string', help: 'forest: trees (default 100)', placeholder: 'N' },
      sampling: { type: 'string', help: 'forest: bootstrap, subsample or balanced (default balanced)', placeholder: 'KIND' },
      threshold: { type: 'string', help: 'threshold policy (default prevalence: q* = π, the training share of positives)', placeholder: 'POLICY' },
      l2: { type: 'string', help: 'L2 penalty per row (default 1e-4)', placeholder: 'L2' },
      seed,
      out: { type: 'string', help: 'model file to write (.json)', required: true, placeholder: 'MODEL' },
      json,
    },
    run: async (f) => {
      const l2 = numberFlag(f, 'l2', { min: 0 });
      const trees = numberFlag(f, 'trees', { integer: true, min: 1 });
      const sampling = stringFlag(f, 'sampling');
      return {
        value: await (await stage()).trainCommand({
          ...labelledFile(f),
          model: requiredString(f, 'model'),
          threshold: stringFlag(f, 'threshold') ?? 'prevalence',
          ...(l2 !== undefined ? { l2 } : {}),
          ...(trees !== undefined ? { trees } : {}),
          ...(sampling !== undefined ? { sampling } : {}),
        }),
      };
    },
  },
  {
    name: 'evaluate',
    summary: 'per-class report of a model on labelled data, judged by gates',
    usage: 'rareflow evaluate --model MODEL --input FILE --label COL [--gates GATES.json] [--report DIR]',
    flags: {
      model: { type: 'string', help: 'model file from train or fit', required: true, placeholder: 'MODEL' },
      input, label,
      gates: { type: 'string', help: 'gate spec; exit 1 when the verdict is not pass', placeholder: 'GATES.json' },
      report: { type: 'string', help: 'directory for report.json', placeholder: 'DIR' },
      json,
    },
    run: async (f) => {
      const gates = stringFlag(f, 'gates');
      const report = stringFlag(f, 'report');
      const r = await (await stage()).evaluateCommand({ model: requiredString(f, 'model'), input: requiredString(f, 'input'), label: requiredString(f, 'label'), ...(gates ? { gates } : {}), ...(report ? { report } : {}) });
      return { value: r, exitCode: gates && r.verdict !== 'pass' ? 1 : 0 };
    },
  },
  {
    name: 'fit',
    summary: "the default pipeline's data→model stages (noise filtering, ADASYN, model, threshold) on one file, in one process",
    usage: 'rareflow fit --input FILE --label COL [--positive VALUE] [--categorical COLS] [--config PIPELINE.json] [--missing reject|mean|median|constant [--fill-value V]] [--seed S] --out MODEL.json [--json]',
    flags: {
      input, label, positive, categorical,
      missing: missingFlag, 'fill-value': fillValueFlag,
      config: { type: 'string', help: 'pipeline spec whose denoise, adasyn and model settings override the defaults', placeholder: 'PIPELINE.json' },
      seed,
      out: { type: 'string', help: 'model file to write (.json)', required: true, placeholder: 'MODEL' },
      json,
    },
    run: async (f) => {
      const pos = stringFlag(f, 'positive');
      const cats = listFlag(f, 'categorical');
      const config = stringFlag(f, 'config');
      const s = numberFlag(f, 'seed', { integer: true });
      return {
        value: await (await import('./fitCommand.js')).fitCommand({
          input: requiredString(f, 'input'),
          label: requiredString(f, 'label'),
          ...(pos !== undefined ? { positive: pos } : {}),
          ...(cats ? { categorical: cats } : {}),
          ...(config ? { config } : {}),
          ...(s !== undefined ? { seed: s } : {}),
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
      model: { type: 'string', help: 'model file from fit or train', required: true, placeholder: 'MODEL' },
      input,
      out: { type: 'string', help: 'output file (.csv or .parquet)', required: true, placeholder: 'FILE' },
      id: { type: 'string', help: 'id column copied first', placeholder: 'COL' },
      json,
    },
    run: async (f) => {
      const id = stringFlag(f, 'id');
      return { value: await (await import('./predictCommand.js')).predictCommand({ model: requiredString(f, 'model'), input: requiredString(f, 'input'), out: requiredString(f, 'out'), ...(id ? { id } : {}) }) };
    },
  },
  {
    name: 'demo',
    summary: 'the main job: retrain → gates → promotion → live traffic via rareflow serve → drift detected → retrain → canary → promotion; a bad challenger rolled back',
    usage: 'rareflow demo [--rows N] [--live-rows N] [--rate R] [--window-ms MS] [--seed S] [--json]',
    flags: {
      rows: { type: 'string', help: `rows of generated training data (default ${DEMO_DEFAULTS.rows})`, placeholder: 'N' },
      'live-rows': { type: 'string', help: `rows of each live traffic stream (default ${DEMO_DEFAULTS.liveRows})`, placeholder: 'N' },
      rate: { type: 'string', help: `requests per second sent to the scoring service (default ${DEMO_DEFAULTS.rate})`, placeholder: 'R' },
      'window-ms': { type: 'string', help: `drift monitor and canary window (default ${DEMO_DEFAULTS.windowMs})`, placeholder: 'MS' },
      seed: { type: 'string', help: `seed (default ${DEMO_DEFAULTS.seed})`, placeholder: 'S' },
      json,
    },
    run: async (f) => {
      const r = await (await import('./demo.js')).runDemo({
        ...DEMO_DEFAULTS,
        rows: numberFlag(f, 'rows', { integer: true, min: 1000, default: DEMO_DEFAULTS.rows })!,
        liveRows: numberFlag(f, 'live-rows', { integer: true, min: 1000, default: DEMO_DEFAULTS.liveRows })!,
        rate: numberFlag(f, 'rate', { min: 10, max: 100_000, default: DEMO_DEFAULTS.rate })!,
        windowMs: numberFlag(f, 'window-ms', { integer: true, min: 200, default: DEMO_DEFAULTS.windowMs })!,
        seed: numberFlag(f, 'seed', { integer: true, default: DEMO_DEFAULTS.seed })!,
        json: Boolean(f.json),
      });
      const [first, second, third] = r.results;
      const ok = first?.outcome === 'promoted' && second?.trigger.kind === 'drift' && second.outcome === 'promoted' && third?.outcome === 'rolled-back';
      return {
        value: {
          command: 'demo',
          outcomes: r.outcomes,
          runs: r.results.map((x) => ({ runId: x.runId, trigger: x.trigger.kind, outcome: x.outcome, model: x.modelSha256, ...(x.canary ? { canary: { outcome: x.canary.outcome, windows: x.canary.windows.length } } : {}) })),
          stationaryWindows: r.stationaryWindows,
          windowsToDetect: r.windowsToDetect,
          load: r.load,
          wallSeconds: r.wallSeconds,
        },
        exitCode: ok ? 0 : 1,
        shownToHuman: true,
        text: ok
          ? 'demo finished: promoted, drift detected on live traffic, retrained and promoted through the canary; the bad challenger was rolled back'
          : `demo finished with outcomes ${r.outcomes.join(', ')} (expected promoted, promoted after a drift signal, rolled-back; see above)`,
      };
    },
  },
  {
    name: 'dev',
    summary: 'run the embedded Temporal dev server, a worker and the Web UI until Ctrl-C',
    usage: 'rareflow dev',
    flags: {},
    run: async (_f, _p, say) => {
      await (await orchestrated()).devCommand(say);
      return { value: { stopped: true } };
    },
  },
  {
    name: 'worker',
    summary: 'run a worker against TEMPORAL_ADDRESS (or the embedded server)',
    usage: 'rareflow worker [--queues compute,registry]',
    flags: { queues: { type: 'string', help: 'compute, registry or both (default both; exactly one process may serve registry)', placeholder: 'LIST' } },
    run: async (f, _p, say) => {
      const queues = (listFlag(f, 'queues') ?? ['compute', 'registry']) as QueueName[];
      for (const q of queues) if (q !== 'compute' && q !== 'registry') throw new InvalidInputError('--queues', `--queues: expected compute and/or registry, got "${q}"`);
      await (await orchestrated()).workerCommand(say, queues);
      return { value: { stopped: true } };
    },
  },
  {
    name: 'serve',
    summary: "HTTP scoring service of a model's champion, splitting traffic to a canary challenger",
    usage: 'rareflow serve --model M [--host 127.0.0.1] [--port 8080] [--flush-ms 1000]',
    flags: {
      model,
      host: { type: 'string', help: 'address to listen on (default 127.0.0.1: loopback only)', placeholder: 'ADDR' },
      port: { type: 'string', help: 'HTTP port (default 8080; 0 picks a free one)', placeholder: 'P' },
      'flush-ms': { type: 'string', help: 'how often the prediction and feedback logs are written (default 1000)', placeholder: 'MS' },
    },
    run: async (f, _p, say) => {
      const host = stringFlag(f, 'host');
      const port = numberFlag(f, 'port', { integer: true, min: 0, max: 65535 });
      const flushMs = numberFlag(f, 'flush-ms', { integer: true, min: 10 });
      await (await import('./serveCommand.js')).serveCommand({ model: requiredString(f, 'model'), ...(host ? { host } : {}), ...(port !== undefined ? { port } : {}), ...(flushMs !== undefined ? { flushMs } : {}) }, say);
      return { value: { stopped: true } };
    },
  },
  {
    name: 'run',
    summary: "start (or signal) a model's lifecycle for a retrain from a pipeline spec",
    usage: 'rareflow run --config PIPELINE.json [--wait] [--reason TEXT] [--json]',
    flags: {
      config: { type: 'string', help: 'pipeline spec (see README)', required: true, placeholder: 'PIPELINE.json' },
      wait: { type: 'boolean', help: 'wait for the retrain and print its outcome; exit 1 unless it was promoted' },
      reason: { type: 'string', help: 'why this retrain (recorded)', placeholder: 'TEXT' },
      json,
    },
    run: async (f, _p, say) => {
      const r = await (await orchestrated()).runCommand(say, { config: requiredString(f, 'config'), wait: Boolean(f.wait), reason: stringFlag(f, 'reason') ?? 'rareflow run' });
      // --wait: exit 0 only when the retrain was promoted; any other outcome (rejected, rolled back...) exits 1.
      return { value: r, shownToHuman: 'outcome' in r, exitCode: 'outcome' in r && r.outcome !== 'promoted' ? 1 : 0 };
    },
  },
  {
    name: 'drift',
    summary: "signal drift to a model's lifecycle; it starts a retrain (coalesced with one running)",
    usage: 'rareflow drift --model M --reason TEXT [--data FILES] [--evidence FILE.json]',
    flags: {
      model,
      reason: { type: 'string', help: 'what drifted', required: true, placeholder: 'TEXT' },
      data: { type: 'string', help: 'new data to retrain on', multiple: true, placeholder: 'FILES' },
      evidence: { type: 'string', help: 'JSON object whose numbers (top level and under "metrics") travel with the signal and are recorded', placeholder: 'FILE' },
      json,
    },
    run: async (f, _p, say) => {
      const data = listFlag(f, 'data');
      const evidence = stringFlag(f, 'evidence');
      return { value: await (await orchestrated()).driftCommand(say, { model: requiredString(f, 'model'), reason: requiredString(f, 'reason'), ...(data ? { data } : {}), ...(evidence ? { evidence } : {}) }) };
    },
  },
  {
    name: 'monitor',
    summary: "a model's drift monitor: start, stop or status (windows of serving traffic vs the champion's training data)",
    usage: 'rareflow monitor start --model M [--window 1h] [--hold 3] [--cool-down 6h] [--min-positives 200] | stop --model M | status --model M',
    positionals: 'start|stop|status',
    flags: {
      model,
      window: { type: 'string', help: 'length of a window, e.g. 15m or 1h (default 1h)', placeholder: 'DURATION' },
      hold: { type: 'string', help: 'consecutive drifted windows before a retrain is signalled (default 3)', placeholder: 'N' },
      'cool-down': { type: 'string', help: 'quiet time after a signal or a new champion (default 6h)', placeholder: 'DURATION' },
      'min-positives': { type: 'string', help: 'labelled positives the recent window needs before the retrain on it (default 200)', placeholder: 'N' },
      'pipeline-input': { type: 'boolean', help: "retrain on the pipeline's own input instead of the recent serving window" },
      by: { type: 'string', help: 'who stops it (default USER@HOST)', placeholder: 'NAME' },
      json,
    },
    run: async (f, p, say) => {
      const action = p[0];
      if (!action) throw new InvalidInputError('monitor', 'rareflow monitor: expected start, stop or status; see rareflow monitor --help');
      const windowMs = durationFlagMs(f, 'window');
      const coolDownMs = durationFlagMs(f, 'cool-down');
      const holdWindows = numberFlag(f, 'hold', { integer: true, min: 1 });
      const minRetrainPositives = numberFlag(f, 'min-positives', { integer: true, min: 1 });
      const input = {
        ...(windowMs !== undefined ? { windowMs } : {}),
        ...(coolDownMs !== undefined ? { coolDownMs } : {}),
        ...(holdWindows !== undefined ? { holdWindows } : {}),
        ...(minRetrainPositives !== undefined ? { minRetrainPositives } : {}),
        ...(f['pipeline-input'] ? { retrainOnRecentWindow: false } : {}),
      };
      return { value: await (await orchestrated()).monitorCommand(say, { action, model: requiredString(f, 'model'), input, by: approverOf(f) }) };
    },
  },
  {
    name: 'approve',
    summary: 'approve a retrain waiting for a human decision',
    usage: 'rareflow approve --model M --run ID [--by NAME]',
    flags: { model, run: { type: 'string', help: 'retrain run id (see rareflow status)', required: true, placeholder: 'ID' }, by: { type: 'string', help: 'who decides (default USER@HOST)', placeholder: 'NAME' }, json },
    run: async (f, _p, say) => ({
      value: await (await orchestrated()).decideCommand(say, { model: requiredString(f, 'model'), run: requiredString(f, 'run'), approved: true, by: approverOf(f) }),
    }),
  },
  {
    name: 'reject',
    summary: 'reject a retrain waiting for a human decision',
    usage: 'rareflow reject --model M --run ID [--by NAME] [--why TEXT]',
    flags: {
      model,
      run: { type: 'string', help: 'retrain run id (see rareflow status)', required: true, placeholder: 'ID' },
      by: { type: 'string', help: 'who decides (default USER@HOST)', placeholder: 'NAME' },
      why: { type: 'string', help: 'reason, recorded', placeholder: 'TEXT' },
      json,
    },
    run: async (f, _p, say) => {
      const why = stringFlag(f, 'why');
      return {
        value: await (await orchestrated()).decideCommand(say, { model: requiredString(f, 'model'), run: requiredString(f, 'run'), approved: false, by: approverOf(f), ...(why ? { why } : {}) }),
      };
    },
  },
  {
    name: 'canary',
    summary: "the running canary rollout of a model: status, pause, resume or abort (abort rolls back)",
    usage: 'rareflow canary status|pause|resume|abort --model M [--by NAME] [--why TEXT] [--json]',
    positionals: 'status|pause|resume|abort',
    flags: {
      model,
      by: { type: 'string', help: 'who acts (default USER@HOST), recorded', placeholder: 'NAME' },
      why: { type: 'string', help: 'reason for an abort, recorded', placeholder: 'TEXT' },
      json,
    },
    run: async (f, p, say) => {
      const action = p[0];
      if (!action) throw new InvalidInputError('canary', 'rareflow canary: expected status, pause, resume or abort; see rareflow canary --help');
      const why = stringFlag(f, 'why');
      return { value: await (await orchestrated()).canaryCommand(say, { action, model: requiredString(f, 'model'), by: approverOf(f), ...(why ? { why } : {}) }) };
    },
  },
  {
    name: 'status',
    summary: "a model lifecycle's phase, pending retrain, champion and recent runs",
    usage: 'rareflow status --model M [--json]',
    flags: { model, json },
    run: async (f, _p, say) => ({ value: await (await orchestrated()).statusCommand(say, { model: requiredString(f, 'model') }) }),
  },
  {
    name: 'schedule',
    summary: 'scheduled retrains as Temporal Schedules: create, list, pause, unpause, delete',
    usage: 'rareflow schedule create --model M (--every 24h | --cron "0 3 * * *") [--jitter 10m] | list | pause --model M [--note TEXT] | unpause --model M | delete --model M',
    positionals: 'create|list|pause|unpause|delete',
    flags: {
      model: { type: 'string', help: 'model name', placeholder: 'NAME' },
      every: { type: 'string', help: 'interval, e.g. 24h or 30m', placeholder: 'DURATION' },
      cron: { type: 'string', help: 'cron expression (UTC), e.g. "0 3 * * *"', placeholder: 'EXPR' },
      jitter: { type: 'string', help: 'random delay up to this long per run, e.g. 10m, so many models do not retrain at once', placeholder: 'DURATION' },
      note: { type: 'string', help: 'why a schedule is paused or unpaused (shown by list)', placeholder: 'TEXT' },
      id: { type: 'string', help: 'schedule id instead of --model', placeholder: 'ID' },
      json,
    },
    run: async (f, p, say) => {
      const action = p[0];
      if (!action) throw new InvalidInputError('schedule', 'rareflow schedule: expected create, list, pause, unpause or delete; see rareflow schedule --help');
      const m = stringFlag(f, 'model');
      const every = stringFlag(f, 'every');
      const cron = stringFlag(f, 'cron');
      const jitter = stringFlag(f, 'jitter');
      const note = stringFlag(f, 'note');
      const id = stringFlag(f, 'id');
      return {
        value: await (await orchestrated()).scheduleCommand(say, {
          action,
          ...(m ? { model: m } : {}),
          ...(every ? { every } : {}),
          ...(cron ? { cron } : {}),
          ...(jitter ? { jitter } : {}),
          ...(note ? { note } : {}),
          ...(id ? { id } : {}),
        }),
      };
    },
  },
];

function labelledFile(f: ParsedFlags) {
  const pos = stringFlag(f, 'positive');
  const cats = listFlag(f, 'categorical');
  return {
    input: requiredString(f, 'input'),
    label: requiredString(f, 'label'),
    ...(pos !== undefined ? { positive: pos } : {}),
    ...(cats ? { categorical: cats } : {}),
    ...missingValueFlags(f),
    seed: seedOf(f),
    out: requiredString(f, 'out'),
  };
}

/** Who approves, rejects or controls a canary: --by, else the OS user at this host (recorded in the registry). */
function approverOf(f: ParsedFlags): string {
  const by = stringFlag(f, 'by');
  if (by !== undefined) {
    if (by.trim() === '') throw new InvalidInputError('--by', '--by: expected a name, got an empty string');
    return by;
  }
  let user = process.env.USER ?? 'unknown';
  try {
    user = userInfo().username;
  } catch {
    // No passwd entry (some containers): keep $USER.
  }
  return `${user}@${hostname()}`;
}

function overview(): string {
  const width = Math.max(...commands.map((c) => c.name.length)) + 2;
  return [
    'rareflow: durable retraining for rare-event classifiers',
    '',
    'usage: rareflow COMMAND [flags]   (rareflow COMMAND --help for its flags)',
    '',
    ...commands.map((c) => `  ${c.name.padEnd(width)} ${c.summary}`),
    '',
    'Exit codes: 0 success, 1 a verdict you asked to fail on (evaluate --gates; run --wait when the retrain was not promoted), 2 bad input, 3 any other failure (disk full, server unreachable).',
    'Temporal: TEMPORAL_ADDRESS (+ TEMPORAL_NAMESPACE, TEMPORAL_TLS_CERT/KEY/CA, TEMPORAL_API_KEY) or the embedded dev server.',
  ].join('\n');
}

function printValue(value: unknown, asJson: boolean): void {
  if (asJson) {
    process.stdout.write(`${JSON.stringify(value)}\n`);
    return;
  }
  if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      process.stdout.write(`${k}: ${typeof v === 'object' ? JSON.stringify(v) : String(v)}\n`);
    }
  }
}

/** The message of an InvalidInput (or IntegrityError) ApplicationFailure anywhere in a Temporal failure's cause chain. */
function invalidInputCause(err: unknown): string | undefined {
  for (let e = err as { type?: string; message?: string; cause?: unknown } | undefined, depth = 0; e && depth < 8; e = e.cause as typeof e, depth++) {
    if (e.type === 'InvalidInput' || e.type === 'IntegrityError') return e.message;
  }
  return undefined;
}

/** A full disk, from a local write (ENOSPC) or a DiskFull failure of an activity, as one line; else undefined. */
function diskFullCause(err: unknown): string | undefined {
  for (let e = err as { type?: string; message?: string; cause?: unknown } | undefined, depth = 0; e && depth < 8; e = e.cause as typeof e, depth++) {
    if (e.type === 'DiskFull') return e.message; // DISK_FULL_FAILURE_TYPE (contract.ts), as InvalidInput above
  }
  const path = diskFullPath(err);
  return path === undefined ? undefined : diskFullMessage(path);
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(`${overview()}\n`);
    return name ? 0 : 2;
  }
  const command = commands.find((c) => c.name === name);
  if (!command) {
    process.stderr.write(`rareflow: unknown command "${name}"; expected one of ${commands.map((c) => c.name).join(', ')}\n`);
    return 2;
  }
  try {
    const { flags, positionals } = parseCommandFlags(command, rest);
    if (flags.help) {
      process.stdout.write(`${helpText(command)}\n`);
      return 0;
    }
    const asJson = Boolean(flags.json);
    // With --json, stdout carries exactly one JSON object: progress goes to stderr.
    const say: Say = (line) => (asJson ? process.stderr : process.stdout).write(`${line}\n`);
    const result = await command.run(flags, positionals, say);
    if (asJson || !result.shownToHuman) printValue(result.value, asJson);
    if (result.text) say(result.text);
    return result.exitCode ?? 0;
  } catch (err) {
    if (err instanceof InvalidInputError) {
      process.stderr.write(`rareflow ${name}: ${err.message}\n`);
      return 2;
    }
    if (err instanceof TemporalCliNotFoundError) {
      process.stderr.write(`rareflow ${name}: ${err.message}\n`);
      return 2;
    }
    const input = invalidInputCause(err);
    if (input) {
      process.stderr.write(`rareflow ${name}: ${input}\n`);
      return 2;
    }
    const diskFull = diskFullCause(err);
    if (diskFull) {
      process.stderr.write(`rareflow ${name}: ${diskFull}\n`);
      return 3;
    }
    process.stderr.write(`rareflow ${name}: ${(err as Error).message ?? String(err)}\n`);
    if (process.env.RAREFLOW_DEBUG) process.stderr.write(`${(err as Error).stack}\n`);
    return 3;
  }
}

const exitCode = await main(process.argv.slice(2));
process.exit(exitCode);
