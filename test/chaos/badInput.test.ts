// The bad-input matrix across CLI and workflow inputs, on a real dev server with a real worker. Every case must give
// one clear line on stderr naming the file, column or parameter, exit code 2, and leave the registry (row counts of
// every table) and the artifact store (every file and its size) exactly as they were. SQL-looking column names must
// work with quoting (or be rejected clearly) and leave every registry table in place.

import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createComputeActivities } from '../../activities/compute.js';
import { ArtifactStore } from '../../data/artifactStore.js';
import { packageRoot } from '../../infra/rareflowConfig.js';
import { startDevServer, type DevServer } from '../../infra/temporalServer.js';
import { createRareflowWorkers, type RareflowWorkers } from '../../worker/rareflowWorkers.js';
import { FailureType } from '../../workflows/contract.js';
import { runCli, type CliRun } from '../support/cliProcess.js';
import { listFiles } from '../support/stateSnapshot.js';
import { workerEnv } from '../support/workerProcess.js';

let dir: string;
let home: string;
let server: DevServer;
let workers: RareflowWorkers;
let stopWorkers: () => void;
let workersDone: Promise<unknown>;
let env: NodeJS.ProcessEnv;
/** Where an injected `COPY ... TO` would write, if a predicate could run a second statement. */
let pwned: string;

const run = (args: string[]): Promise<CliRun> => runCli(args, { cwd: dir, env, timeoutMs: 120_000 });

interface Snapshot {
  tables: Record<string, number>;
  artifacts: Record<string, number>;
}

async function snapshot(): Promise<Snapshot> {
  return { tables: await workers.registry!.tableRowCounts(), artifacts: await listFiles(join(home, 'artifacts')) };
}

const SQL_NAME = 'x"; DROP TABLE runs; --';
/** A predicate that closes the check's SELECT and runs a second statement, if it were ever pasted in unparsed. */
const injection = () => `true) AS BOOLEAN) FROM (SELECT 1) x; COPY (SELECT 42 AS a) TO '${pwned}'; SELECT CAST((true`;

function csv(name: string, text: string): string {
  writeFileSync(join(dir, name), text);
  return name;
}

/** A small labelled CSV: f0, f1, label with `positives` positives in `rows` rows, shifted so a model can learn it. */
function labelledCsv(
  rows: number,
  positives: number,
  cell: (row: number, col: number) => string = (r, c) => String(((r * 7 + c * 13) % 17) / 4 + (r < positives ? 2 : 0)),
): string {
  const lines = ['f0,f1,label'];
  for (let r = 0; r < rows; r++) lines.push(`${cell(r, 0)},${cell(r, 1)},${r < positives ? 1 : 0}`);
  return `${lines.join('\n')}\n`;
}

function spec(name: string, body: Record<string, unknown>): string {
  writeFileSync(
    join(dir, `${name}.json`),
    JSON.stringify({ modelName: name, sampling: { targetSize: 2000 }, model: { kind: 'logreg' }, seed: 1, ...body }),
  );
  return `${name}.json`;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'rareflow-chaos-input-'));
  home = join(dir, 'state');
  mkdirSync(home, { recursive: true });
  pwned = join(dir, 'pwned.csv');
  server = await startDevServer({ stateDir: join(dir, 'temporal'), toolRoot: packageRoot(), port: 0, headless: true });
  env = workerEnv({ address: server.target.address, home });
  workers = await createRareflowWorkers({
    target: server.target,
    artifactRoot: join(home, 'artifacts'),
    registryPath: join(home, 'registry.duckdb'),
    servingDir: join(home, 'serving'),
  });
  workersDone = workers.run(new Promise<void>((resolve) => (stopWorkers = resolve)));

  csv('good.csv', labelledCsv(6000, 300));
  csv('empty.csv', '');
  csv('header-only.csv', 'f0,f1,label\n');
  csv('one-class.csv', labelledCsv(3000, 0));
  csv(
    'mixed.csv',
    labelledCsv(3000, 150, (r, c) => (c === 1 && r === 1700 ? 'abc' : String((r % 11) / 3 + (r < 150 ? 2 : 0)))),
  );
  csv(
    'nan.csv',
    labelledCsv(3000, 150, (r, c) => (c === 1 && r === 100 ? 'NaN' : String((r % 11) / 3 + (r < 150 ? 2 : 0)))),
  );
  csv(
    'inf.csv',
    labelledCsv(3000, 150, (r, c) => (c === 0 && r === 120 ? 'inf' : String((r % 11) / 3 + (r < 150 ? 2 : 0)))),
  );
  csv('dup.csv', labelledCsv(3000, 150).replace('f0,f1,label', 'f0,f0,label'));
  csv(
    'sql-names.csv',
    labelledCsv(6000, 300).replace('f0,f1,label', `"${SQL_NAME.replaceAll('"', '""')}",f1,"${SQL_NAME.replaceAll('"', '""')} label"`),
  );
  writeFileSync(join(dir, 'bad-gates.json'), JSON.stringify({ gates: [{ metric: 'recall', class: 'positive', min: 'high' }] }));
  writeFileSync(join(dir, 'not-json.json'), '{ "modelName": "broken", "input": ');

  // A good retrain first, so the registry and the store hold something to stay unchanged.
  const seeded = await run(['run', '--config', spec('good', { input: { paths: ['good.csv'], label: 'label' } }), '--wait', '--json']);
  expect(seeded.code, seeded.stderr).toBe(0);
  const trained = await run(['train', '--input', 'good.csv', '--label', 'label', '--kind', 'logreg', '--out', 'model.json', '--json']);
  expect(trained.code, trained.stderr).toBe(0);
  const model = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')) as { threshold: number };
  writeFileSync(join(dir, 'tampered.json'), JSON.stringify({ ...model, threshold: model.threshold / 2 }));
});

afterAll(async () => {
  stopWorkers?.();
  await workersDone;
  await server?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

interface Case {
  what: string;
  args: () => string[];
  message: RegExp;
  /**
   * Found by the sampling child, after the retrain registered its run: today the run's row stays behind (status
   * running). Every other table and the store are checked; the row itself is pinned as a known bug below.
   */
  foundAfterRunStart?: true;
}

/** Registry `runs` counts before and after the cases found after the run started. */
const runsRowsAfterStart: Array<{ what: string; before: number; after: number }> = [];

const stageCases: Case[] = [
  {
    what: 'an empty file',
    args: () => ['denoise', '--input', 'empty.csv', '--label', 'label', '--out', 'o.csv'],
    message: /^rareflow denoise: input file empty\.csv is empty \(0 bytes\); expected a CSV file with a header row/,
  },
  {
    what: 'a header-only CSV',
    args: () => ['denoise', '--input', 'header-only.csv', '--label', 'label', '--out', 'o.csv'],
    message: /^rareflow denoise: header-only\.csv has no data rows \(only a header: f0, f1, label\)/,
  },
  {
    what: 'a header-only CSV given to fit',
    args: () => ['fit', '--input', 'header-only.csv', '--label', 'label', '--out', 'o.json'],
    message: /^rareflow fit: header-only\.csv has no data rows \(only a header: f0, f1, label\)/,
  },
  {
    what: 'one class',
    args: () => ['fit', '--input', 'one-class.csv', '--label', 'label', '--out', 'o.json'],
    message: /^rareflow fit: label column "label" has only one class \(0\)/,
  },
  {
    what: 'a missing label column',
    args: () => ['train', '--input', 'good.csv', '--label', 'is_fraud', '--kind', 'logreg', '--out', 'o.json'],
    message: /^rareflow train: label column "is_fraud" not found in good\.csv; available columns: f0, f1, label/,
  },
  {
    what: 'mixed types in a column',
    args: () => ['adasyn', '--input', 'mixed.csv', '--label', 'label', '--out', 'o.csv'],
    message:
      /^rareflow adasyn: feature column "f1" in mixed\.csv has type VARCHAR \(first non-numeric value "abc" at data row 1701\), expected a number/,
  },
  {
    what: 'a NaN (fit told to refuse missing values)',
    args: () => ['fit', '--input', 'nan.csv', '--label', 'label', '--missing', 'reject', '--out', 'o.json'],
    message: /^rareflow fit: feature column "f1" in nan\.csv has NaN at data row 101; expected a finite number/,
  },
  {
    what: 'an Inf',
    args: () => ['denoise', '--input', 'inf.csv', '--label', 'label', '--out', 'o.csv'],
    message: /^rareflow denoise: feature column "f0" in inf\.csv has Infinity at data row 121; expected a finite number/,
  },
  {
    what: 'duplicate column names',
    args: () => ['denoise', '--input', 'dup.csv', '--label', 'label', '--out', 'o.csv'],
    message: /^rareflow denoise: column name "f0" appears more than once in the header of dup\.csv/,
  },
  {
    what: 'a huge k',
    args: () => ['denoise', '--input', 'good.csv', '--label', 'label', '--k', '1000000', '--out', 'o.csv'],
    message: /^rareflow denoise: k must be an integer from 1 to one below the number of rows \(6000\); got k=1000000/,
  },
  {
    what: 'a negative target size',
    args: () => ['sample', '--input', 'good.csv', '--label', 'label', '--target-size', '-5', '--out', 'o.csv'],
    message: /^rareflow sample: --target-size: expected an integer ≥ 1, got "-5"$/m,
  },
  {
    what: 'a negative row count',
    args: () => ['generate', '--rows', '-10', '--positive-rate', '0.1', '--features', '2', '--out', 'o.csv'],
    message: /^rareflow generate: --rows: expected an integer ≥ 1, got "-10"$/m,
  },
  {
    what: 'a malformed gate spec',
    args: () => ['evaluate', '--model', 'model.json', '--input', 'good.csv', '--label', 'label', '--gates', 'bad-gates.json'],
    message: /^rareflow evaluate: bad-gates\.json: gates\[0\]\.min: expected a finite number, got "high"/,
  },
  {
    what: 'a tampered model file',
    args: () => ['predict', '--model', 'tampered.json', '--input', 'good.csv', '--out', 'o.csv'],
    message:
      /^rareflow predict: tampered\.json is not a usable rareflow model: its content sha256 is [0-9a-f]{64}, but the file says [0-9a-f]{64}: it was changed or damaged after training/,
  },
  {
    what: 'a SQL statement smuggled into --positive-when',
    args: () => [
      'sample',
      '--input',
      'good.csv',
      '--label',
      'label',
      '--positive-when',
      injection(),
      '--target-size',
      '100',
      '--nr',
      '5',
      '--out',
      'o.csv',
    ],
    message: /^rareflow sample: --positive-when ".*" is not a usable predicate: it is not a single SQL expression/,
  },
  {
    what: 'a status query for an unknown model',
    args: () => ['status', '--model', 'nobody'],
    message: /^rareflow status: --model: no lifecycle is running for model "nobody"/,
  },
  {
    what: 'an approval for an unknown model',
    args: () => ['approve', '--model', 'nobody', '--run', 'rareflow-retrain-nobody-1', '--by', 'tester'],
    message: /^rareflow approve: --model: no lifecycle is running for model "nobody"/,
  },
];

const workflowCases: Case[] = [
  {
    what: 'an empty file',
    args: () => ['run', '--config', spec('wf-empty', { input: { paths: ['empty.csv'], label: 'label' } }), '--wait'],
    message: /^rareflow run: input file \S+\/empty\.csv is empty \(0 bytes\)/,
  },
  {
    what: 'a header-only CSV',
    args: () => ['run', '--config', spec('wf-header', { input: { paths: ['header-only.csv'], label: 'label' } }), '--wait'],
    message: /^rareflow run: \S+\/header-only\.csv has no data rows \(only a header: f0, f1, label\)/,
  },
  {
    what: 'one class',
    args: () => ['run', '--config', spec('wf-one-class', { input: { paths: ['one-class.csv'], label: 'label' } }), '--wait'],
    message: /^rareflow run: label column "label" has only one class \(0\)/,
  },
  {
    what: 'a missing label column',
    args: () => ['run', '--config', spec('wf-no-label', { input: { paths: ['good.csv'], label: 'is_fraud' } }), '--wait'],
    message: /^rareflow run: label column "is_fraud" not found in \S+\/good\.csv; available columns: f0, f1, label/,
  },
  {
    what: 'mixed types in a column',
    args: () => ['run', '--config', spec('wf-mixed', { input: { paths: ['mixed.csv'], label: 'label' } }), '--wait'],
    message: /^rareflow run: feature column "f1" in \S+\/mixed\.csv has type VARCHAR \(first non-numeric value "abc" at data row 1701\)/,
  },
  {
    what: 'a NaN',
    foundAfterRunStart: true,
    args: () => ['run', '--config', spec('wf-nan', { input: { paths: ['nan.csv'], label: 'label' } }), '--wait'],
    message: /^rareflow run: feature column "f1" in \S+\/nan\.csv has NaN at data row 101/,
  },
  {
    what: 'an Inf',
    foundAfterRunStart: true,
    args: () => ['run', '--config', spec('wf-inf', { input: { paths: ['inf.csv'], label: 'label' } }), '--wait'],
    message: /^rareflow run: feature column "f0" in \S+\/inf\.csv has Infinity at data row 121/,
  },
  {
    what: 'duplicate column names',
    args: () => ['run', '--config', spec('wf-dup', { input: { paths: ['dup.csv'], label: 'label' } }), '--wait'],
    message: /^rareflow run: column name "f0" appears more than once in the header of \S+\/dup\.csv/,
  },
  {
    what: 'a negative sample size',
    args: () => [
      'run',
      '--config',
      spec('wf-negative', { input: { paths: ['good.csv'], label: 'label' }, sampling: { targetSize: -100 } }),
      '--wait',
    ],
    message: /^rareflow run: wf-negative\.json: sampling\.targetSize: expected an integer in \[1, 100000000\], got -100/,
  },
  {
    what: 'a huge parameter count (Nr above the sample size)',
    args: () => [
      'run',
      '--config',
      spec('wf-huge-params', { input: { paths: ['good.csv'], label: 'label' }, sampling: { targetSize: 2000, params: 1_000_000 } }),
      '--wait',
    ],
    message: /^rareflow run: sampling\.targetSize 2000 is below Nr = 50000000 \(50 positives × M = 1000000 parameters\)/,
  },
  {
    what: 'a malformed gate spec',
    args: () => [
      'run',
      '--config',
      spec('wf-gates', { input: { paths: ['good.csv'], label: 'label' }, gates: { gates: [{ metric: 'recal', min: 0.5 }] } }),
      '--wait',
    ],
    message: /^rareflow run: wf-gates\.json: gates\.gates\[0\]\.metric: expected one of recall, .*, got "recal"/,
  },
  {
    what: 'a PIPELINE.json that is not JSON',
    args: () => ['run', '--config', 'not-json.json', '--wait'],
    message: /^rareflow run: --config: not-json\.json is not valid JSON/,
  },
  {
    what: 'a PIPELINE.json with an unknown field',
    args: () => [
      'run',
      '--config',
      spec('wf-unknown', { input: { paths: ['good.csv'], label: 'label' }, sampler: { size: 10 } }),
      '--wait',
    ],
    message: /^rareflow run: wf-unknown\.json: sampler: unknown key; did you mean sampling\? /,
  },
  {
    what: 'a SQL statement smuggled into input.positiveWhen',
    args: () => [
      'run',
      '--config',
      spec('wf-injection', { input: { paths: ['good.csv'], label: 'label', positiveWhen: injection() } }),
      '--wait',
    ],
    message: /^rareflow run: input.positiveWhen ".*" is not a usable predicate: it is not a single SQL expression/,
  },
];

function expectRejected(r: CliRun, message: RegExp) {
  expect(r.code, r.stderr).toBe(2);
  const lines = r.stderr.trim().split('\n');
  expect(lines, r.stderr).toHaveLength(1);
  expect(r.stderr).toMatch(message);
  expect(r.stderr).not.toMatch(/\n\s+at /);
}

describe('bad input through the CLI stage and query commands: exit 2, one line, registry and store unchanged', () => {
  for (const c of stageCases) {
    it(`rejects ${c.what}`, async () => {
      const before = await snapshot();
      const r = await run(c.args());
      expectRejected(r, c.message);
      expect(existsSync(join(dir, 'o.csv')) || existsSync(join(dir, 'o.json'))).toBe(false);
      expect(existsSync(pwned)).toBe(false);
      expect(await snapshot()).toEqual(before);
    });
  }
});

describe('bad input through a pipeline spec (rareflow run --wait, the retrain workflow): exit 2, one line, registry and store unchanged', () => {
  for (const c of workflowCases) {
    it(`rejects ${c.what}`, async () => {
      const before = await snapshot();
      const r = await run(c.args());
      expectRejected(r, c.message);
      expect(existsSync(pwned)).toBe(false);
      const after = await snapshot();
      if (c.foundAfterRunStart) {
        runsRowsAfterStart.push({ what: c.what, before: before.tables.runs!, after: after.tables.runs! });
        after.tables.runs = before.tables.runs!;
      }
      expect(after).toEqual(before);
    });
  }

  // Found by this suite: the retrain registered its run before the sampling child checked the kept rows, so a NaN
  // found there left a run row in state "running"; it now registers after sampling.
  it('bad values found while sampling leave no run row behind', () => {
    expect(runsRowsAfterStart).toHaveLength(2);
    for (const r of runsRowsAfterStart) expect(r.after, r.what).toBe(r.before);
  });
});

describe('artifact references that point outside the store', () => {
  const traversal = { sha256: '../../etc/passwd', uri: 'file:///../../etc/passwd', bytes: 1, kind: 'model' };

  it('ArtifactStore.pathOf rejects ../../etc/passwd as a sha256 and never resolves a URI outside the root', async () => {
    const before = await snapshot();
    const store = new ArtifactStore(join(home, 'artifacts'));
    expect(() => store.pathOf(traversal)).toThrow(/artifact reference has sha256 "..\/..\/etc\/passwd", expected 64 hex digits/);
    // A well-formed sha with a URI elsewhere resolves inside the root (the URI only lends its extension).
    const sha = 'ab'.repeat(32);
    expect(() => store.pathOf({ sha256: sha, uri: 'file:///etc/passwd.json', bytes: 1, kind: 'model' })).toThrow(
      new RegExp(`expected ${join(home, 'artifacts', 'ab', `${sha}.json`)}`),
    );
    expect(() => store.pathOf({ sha256: sha, uri: 'file:///etc/../../passwd', bytes: 1, kind: 'model' })).toThrow(/has no file extension/);
    expect(await snapshot()).toEqual(before);
  });

  it('an activity given such a reference fails as a non-retryable InvalidInput ApplicationFailure', async () => {
    const before = await snapshot();
    const activities = createComputeActivities({ artifacts: new ArtifactStore(join(home, 'artifacts')) });
    const err = await new MockActivityEnvironment()
      .run(activities.validateModel, { model: traversal, test: traversal, gates: { gates: [] } })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApplicationFailure);
    expect((err as ApplicationFailure).type).toBe(FailureType.invalidInput);
    expect((err as ApplicationFailure).nonRetryable).toBe(true);
    expect((err as ApplicationFailure).message).toMatch(/sha256 "..\/..\/etc\/passwd", expected 64 hex digits/);
    expect(await snapshot()).toEqual(before);
  });
});

describe('SQL-looking column names are quoted, never executed', () => {
  it(`a label and a feature named ${SQL_NAME} train through the stage commands`, async () => {
    const before = await snapshot();
    const r = await run(['denoise', '--input', 'sql-names.csv', '--label', `${SQL_NAME} label`, '--out', 'sql-clean.csv', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(join(dir, 'sql-clean.csv'), 'utf8').split('\n')[0]).toContain('DROP TABLE runs');
    expect(await snapshot()).toEqual(before);
  });

  it('a retrain whose label and feature have such names completes, and every registry table is still there', async () => {
    const before = await snapshot();
    const r = await run([
      'run',
      '--config',
      spec('sql-names', { input: { paths: ['sql-names.csv'], label: `${SQL_NAME} label` } }),
      '--wait',
      '--json',
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.json<{ outcome: string }>().outcome).toBe('promoted');
    const after = await snapshot();
    expect(Object.keys(after.tables)).toEqual(Object.keys(before.tables));
    expect(after.tables.runs).toBe(before.tables.runs! + 1);
    expect(after.tables.models).toBe(before.tables.models! + 1);
  });
});
