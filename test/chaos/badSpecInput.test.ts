// The spec and name cases of the bad-input matrix: each is refused before any workflow starts (TEMPORAL_ADDRESS
// points at a closed port, so a command that tried to reach Temporal would fail differently), with exit code 2,
// one stderr line naming the spec path or flag, and the registry, artifact store and serving directory byte-for-byte
// unchanged.

import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRegistryActivities } from '../../activities/registry.js';
import { ArtifactStore } from '../../data/artifactStore.js';
import { Registry } from '../../data/registry.js';
import { runCli, type CliRun } from '../support/cliProcess.js';
import { listFiles } from '../support/stateSnapshot.js';
import { workerEnv } from '../support/workerProcess.js';
import { registerModel } from '../support/registeredModel.js';

let dir: string;
let home: string;
let env: NodeJS.ProcessEnv;

const run = (args: string[]): Promise<CliRun> => runCli(args, { cwd: dir, env, timeoutMs: 60_000 });

/** sha256 of every file under the rareflow home (registry, artifacts, serving state). */
async function homeBytes(): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const f of Object.keys(await listFiles(home)))
    out[f] = createHash('sha256')
      .update(readFileSync(join(home, f)))
      .digest('hex');
  return out;
}

const good = { modelName: 'fraud', input: { paths: ['good.csv'], label: 'label' } };

/** Writes a PIPELINE.json; `text` replaces the JSON when a value JSON.stringify cannot write (1e999) is needed. */
function spec(name: string, body: Record<string, unknown>, text?: string): string {
  writeFileSync(join(dir, `${name}.json`), text ?? JSON.stringify(body));
  return `${name}.json`;
}

interface Case {
  what: string;
  args: () => string[];
  message: RegExp;
}

const runCases: Case[] = [
  {
    what: '"sampling": "big"',
    args: () => ['run', '--config', spec('s1', { ...good, sampling: 'big' })],
    message: /^rareflow run: s1\.json: sampling: expected an object with targetSize, .*, got "big"$/,
  },
  {
    what: '"adasyn": true',
    args: () => ['run', '--config', spec('s2', { ...good, adasyn: true })],
    message: /^rareflow run: s2\.json: adasyn: expected an object with enabled, .*, got true$/,
  },
  {
    what: 'input.exlude',
    args: () => ['run', '--config', spec('s3', { ...good, input: { ...good.input, exlude: ['id'] } })],
    message: /^rareflow run: s3\.json: input\.exlude: unknown key; did you mean input\.exclude\?/,
  },
  {
    what: 'model.tres',
    args: () => ['run', '--config', spec('s4', { ...good, model: { tres: 10 } })],
    message: /^rareflow run: s4\.json: model\.tres: unknown key; did you mean model\.trees\?/,
  },
  {
    what: 'a top-level typo',
    args: () => ['run', '--config', spec('s5', { ...good, modelname: 'x' })],
    message: /^rareflow run: s5\.json: modelname: unknown key; did you mean modelName\?/,
  },
  {
    what: 'modelName x..y',
    args: () => ['run', '--config', spec('s6', { ...good, modelName: 'x..y' })],
    message: /^rareflow run: s6\.json: modelName: expected 1–100 letters, .*without '\.\.', got "x\.\.y"$/,
  },
  {
    what: 'sampling.targetSize 1e15',
    args: () => ['run', '--config', spec('s7', { ...good, sampling: { targetSize: 1e15 } })],
    message: /^rareflow run: s7\.json: sampling\.targetSize: expected an integer in \[1, 100000000\], got 1000000000000000$/,
  },
  {
    what: 'adasyn.maxSyntheticRatio 1e999',
    args: () => [
      'run',
      '--config',
      spec(
        's8',
        {},
        '{"modelName":"fraud","input":{"paths":["good.csv"],"label":"label"},"adasyn":{"enabled":true,"maxSyntheticRatio":1e999}}',
      ),
    ],
    message: /^rareflow run: s8\.json: adasyn\.maxSyntheticRatio: expected a finite number in \(0, 1000\], got Infinity$/,
  },
  {
    what: 'approvalTimeoutMs 1e999',
    args: () => [
      'run',
      '--config',
      spec('s9', {}, '{"modelName":"fraud","input":{"paths":["good.csv"],"label":"label"},"approvalTimeoutMs":1e999}'),
    ],
    message: /^rareflow run: s9\.json: approvalTimeoutMs: expected an integer in \[1, 31536000000\], got Infinity$/,
  },
  {
    what: 'denoise.k 0',
    args: () => ['run', '--config', spec('s10', { ...good, denoise: { method: 'enn', k: 0 } })],
    message: /^rareflow run: s10\.json: denoise\.k: expected an integer in \[1, 1000\], got 0$/,
  },
  {
    what: 'a denoise list instead of an object',
    args: () => ['run', '--config', spec('s11', { ...good, denoise: ['enn'] })],
    message: /^rareflow run: s11\.json: denoise: expected an object with method, k, neighbors, got a list$/,
  },
  {
    what: 'split fractions that do not sum to 1',
    args: () => ['run', '--config', spec('s12', { ...good, split: { train: 0.5, validation: 0.2, test: 0.2 } })],
    message: /^rareflow run: s12\.json: split: expected train, validation and test fractions in \(0, 1\) that sum to 1/,
  },
  {
    what: 'canary steps that go down',
    args: () => ['run', '--config', spec('s13', { ...good, canary: { steps: [0.5, 0.2, 1] } })],
    message: /^rareflow run: s13\.json: canary\.steps\[1\]: expected a weight greater than the previous step 0\.5/,
  },
  {
    what: 'a misspelt canary criterion',
    args: () => ['run', '--config', spec('s14', { ...good, canary: { criteria: { alpah: 0.1 } } })],
    message: /^rareflow run: s14\.json: canary\.criteria\.alpah: unknown key; did you mean canary\.criteria\.alpha\?/,
  },
  {
    what: 'a misspelt gate limit',
    args: () => ['run', '--config', spec('s15', { ...good, gates: { gates: [{ metric: 'recall', class: 'positive', mni: 0.5 }] } })],
    message: /^rareflow run: s15\.json: gates\.gates\[0\]\.mni: unknown key; did you mean gates\.gates\[0\]\.min\?/,
  },
  {
    what: 'a negative cost threshold',
    args: () => ['run', '--config', spec('s16', { ...good, model: { threshold: 'cost:1,-2' } })],
    message: /^rareflow run: s16\.json: model\.threshold: expected "bayes", "prevalence", "gmean" or cost:L0,L1/,
  },
  {
    what: 'a fractional seed',
    args: () => ['run', '--config', spec('s17', { ...good, seed: 1.5 })],
    message: /^rareflow run: s17\.json: seed: expected an integer, got 1\.5$/,
  },
  {
    what: 'an empty input.paths',
    args: () => ['run', '--config', spec('s18', { ...good, input: { paths: [], label: 'label' } })],
    message:
      /^rareflow run: s18\.json: input\.paths: expected a CSV or Parquet path or glob, or a non-empty list of them, got an empty list$/,
  },
  {
    what: 'an unknown model kind',
    args: () => ['run', '--config', spec('s19', { ...good, model: { kind: 'svm' } })],
    message: /^rareflow run: s19\.json: model\.kind: expected "logreg", "forest", "gbdt" or "auto", got "svm"$/,
  },
  {
    what: 'a canary that is a number',
    args: () => ['run', '--config', spec('s20', { ...good, canary: 5 })],
    message: /^rareflow run: s20\.json: canary: expected true or an object with steps, .*, got 5$/,
  },
];

const fitCases: Case[] = [
  {
    what: 'fit --config with input.exlude (was silently dropped)',
    args: () => [
      'fit',
      '--input',
      'good.csv',
      '--label',
      'label',
      '--config',
      spec('f1', { ...good, input: { exlude: ['f0'] } }),
      '--out',
      'o.json',
    ],
    message: /^rareflow fit: f1\.json: input\.exlude: unknown key; did you mean input\.exclude\?/,
  },
  {
    what: 'fit --config with model.tres',
    args: () => ['fit', '--input', 'good.csv', '--label', 'label', '--config', spec('f2', { model: { tres: 10 } }), '--out', 'o.json'],
    message: /^rareflow fit: f2\.json: model\.tres: unknown key; did you mean model\.trees\?/,
  },
  {
    what: 'fit --config with maxSyntheticRatio 1e999',
    args: () => [
      'fit',
      '--input',
      'good.csv',
      '--label',
      'label',
      '--config',
      spec('f3', {}, '{"adasyn":{"enabled":true,"maxSyntheticRatio":1e999}}'),
      '--out',
      'o.json',
    ],
    message: /^rareflow fit: f3\.json: adasyn\.maxSyntheticRatio: expected a finite number in \(0, 1000\], got Infinity$/,
  },
  {
    what: 'fit --config with "sampling": "big"',
    args: () => ['fit', '--input', 'good.csv', '--label', 'label', '--config', spec('f4', { sampling: 'big' }), '--out', 'o.json'],
    message: /^rareflow fit: f4\.json: sampling: expected an object with targetSize, .*, got "big"$/,
  },
];

const nameCases: Case[] = [
  {
    what: 'status --model x..y',
    args: () => ['status', '--model', 'x..y'],
    message: /^rareflow status: --model: expected 1–100 letters, .*, got "x\.\.y"$/,
  },
  {
    what: 'drift --model ../escape',
    args: () => ['drift', '--model', '../escape', '--reason', 'psi'],
    message: /^rareflow drift: --model: expected 1–100 letters, .*, got "\.\.\/escape"$/,
  },
  {
    what: 'schedule create --model x..y',
    args: () => ['schedule', 'create', '--model', 'x..y', '--every', '1h'],
    message: /^rareflow schedule: --model: expected 1–100 letters, .*, got "x\.\.y"$/,
  },
  {
    what: 'schedule create --id (one schedule per model, named by it)',
    args: () => ['schedule', 'create', '--model', 'm', '--every', '1h', '--id', 'custom'],
    message:
      /^rareflow schedule: schedule create does not take --id \(a model's schedule is named by its model, one per model: pass --model\); it takes --model, --every, --cron, --jitter, --json$/,
  },
  {
    what: 'schedule delete --every (a flag the action does not read)',
    args: () => ['schedule', 'delete', '--model', 'm', '--every', '1h'],
    message: /^rareflow schedule: schedule delete does not take --every; it takes --model, --id, --json$/,
  },
  {
    what: 'serve --model x..y',
    args: () => ['serve', '--model', 'x..y', '--port', '0'],
    // serve takes a model file too: what is neither a valid name nor a readable file is named as such.
    message:
      /^rareflow serve: --model: cannot read x\.\.y; expected a model file written by rareflow train or fit, or a registered model as NAME/,
  },
];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'rareflow-bad-spec-'));
  home = join(dir, 'state');
  mkdirSync(home, { recursive: true });
  // A closed port: a command that got as far as Temporal would fail with a connection error, not exit 2.
  env = workerEnv({ address: '127.0.0.1:1', home });
  const lines = ['f0,f1,label'];
  for (let r = 0; r < 400; r++) lines.push(`${(r % 17) / 4 + (r < 40 ? 2 : 0)},${(r % 13) / 3},${r < 40 ? 1 : 0}`);
  writeFileSync(join(dir, 'good.csv'), `${lines.join('\n')}\n`);

  // Something in the registry, the artifact store and the serving directory, to stay unchanged.
  const artifacts = new ArtifactStore(join(home, 'artifacts'));
  const model = await artifacts.putBytes(JSON.stringify({ kind: 'logreg', weights: [1, 2] }), 'model', 'json');
  const registry = await Registry.open(join(home, 'registry.duckdb'));
  try {
    await registerModel(registry, 'fraud', 'r1', model);
    await createRegistryActivities({ registry, artifacts, servingDir: join(home, 'serving') }).registryPromote({
      modelName: 'fraud',
      modelSha256: model.sha256,
      runId: 'r1',
      at: '2026-01-01T00:00:00Z',
    });
  } finally {
    await registry.close();
  }
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('bad specs and names are refused before any workflow starts: exit 2, one line naming the path, state unchanged', () => {
  it('the seeded state holds a registry, an artifact and a serving state', async () => {
    const files = Object.keys(await homeBytes());
    expect(files).toContain('registry.duckdb');
    expect(files.some((f) => f.startsWith('artifacts/'))).toBe(true);
    expect(files).toContain('serving/fraud/state.json');
  });

  for (const c of [...runCases, ...fitCases, ...nameCases]) {
    it(`refuses ${c.what}`, async () => {
      const before = await homeBytes();
      const r = await run(c.args());
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr.trim().split('\n'), r.stderr).toHaveLength(1);
      expect(r.stderr.trim()).toMatch(c.message);
      expect(await homeBytes()).toEqual(before);
      expect(Object.keys(await listFiles(dir)).filter((f) => f === 'o.json')).toEqual([]);
    });
  }

  it("fit --config honours the config's input.exclude (it was dropped without a word)", async () => {
    writeFileSync(join(dir, 'exclude.json'), JSON.stringify({ input: { exclude: ['f1'] }, model: { kind: 'logreg' } }));
    const r = await run(['fit', '--input', 'good.csv', '--label', 'label', '--config', 'exclude.json', '--out', 'excluded.json', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect((JSON.parse(readFileSync(join(dir, 'excluded.json'), 'utf8')) as { featureNames: string[] }).featureNames).toEqual(['f0']);
  });
});
