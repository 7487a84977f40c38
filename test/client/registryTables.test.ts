// Golden tests of `rareflow models|runs` tables over a registry filled through the Registry API, and the commands
// as a user runs them: --json, and an unknown model or run exiting 2 with a line naming what exists.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alignedTable, formatModelDetail, formatModelList, formatRunDetail, formatRunList } from '../../client/registryTables.js';
import { Registry } from '../../data/registry.js';
import { runCli } from '../support/cliProcess.js';
import { fillRegistry, RUN_2_STAGES, WAITING_RUN } from '../support/filledRegistry.js';

const dir = mkdtempSync(join(tmpdir(), 'rareflow-tables-'));
const registryPath = join(dir, 'registry.duckdb');
let registry: Registry;

beforeAll(async () => {
  await fillRegistry(registryPath);
  registry = await Registry.open(registryPath);
});
afterAll(async () => {
  await registry?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('human tables', () => {
  it('writes a recorded text with a line break or an escape sequence on one line, escaped', () => {
    expect(
      alignedTable(
        ['run', 'reason'],
        [
          ['r1', 'nightly\nrerun'],
          ['r2', '\u001b[31mred\ttab'],
        ],
      ),
    ).toBe(['run  reason', 'r1   nightly\\nrerun', 'r2   \\u001b[31mred\\ttab'].join('\n'));
  });

  it('models list', async () => {
    expect(formatModelList(await registry.modelSummaries())).toBe(
      [
        'MODEL       CHAMPION                     CHALLENGER  VERSIONS  LAST RUN     STARTED                   OUTCOME',
        'card-fraud  card-fraud/2 (c517f7030ea8)  —           3         run-3        2026-11-05T08:00:00.000Z  rolled-back',
        'churn       —                            —           1         churn-run-1  2026-11-06T12:00:00.000Z  running',
      ].join('\n'),
    );
  });

  it('models show', async () => {
    expect(formatModelDetail((await registry.modelDetail('card-fraud'))!)).toBe(
      [
        'model card-fraud: 3 version(s)',
        '',
        'VERSION       SHA256        KIND    THRESHOLD  CREATED                   ALIASES   RUN    RUN OUTCOME',
        'card-fraud/1  3fd6a0621861  forest  0.3100     2026-11-01T09:00:30.000Z  —         run-1  promoted',
        'card-fraud/2  c517f7030ea8  forest  0.3100     2026-11-03T10:01:30.000Z  champion  run-2  promoted',
        'card-fraud/3  50e62f5da18f  forest  0.3100     2026-11-05T08:00:30.000Z  archived  run-3  rolled-back',
        '',
        'promotions and rollbacks:',
        'AT                        KIND     FROM          TO                           RUN',
        '2026-11-01T09:05:00.000Z  promote  —             card-fraud/1 (3fd6a0621861)  run-1',
        '2026-11-03T10:40:00.000Z  promote  3fd6a0621861  card-fraud/2 (c517f7030ea8)  run-2',
        '',
        'canary rollouts:',
        'STARTED                   CHALLENGER                   STATUS       WEIGHT  REASON',
        '2026-11-03T10:10:00.000Z  card-fraud/2 (c517f7030ea8)  promoted     100%    every window held',
        '2026-11-05T08:10:00.000Z  card-fraud/3 (50e62f5da18f)  rolled-back  0%      positive recall fell 0.12 below the champion',
        '',
        'archived:',
        '  card-fraud/3: positive recall fell 0.12 below the champion',
      ].join('\n'),
    );
  });

  it('runs list', async () => {
    expect(formatRunList(await registry.runSummaries({ modelName: 'card-fraud' }))).toBe(
      [
        'RUN    MODEL       TRIGGER   STATUS     OUTCOME      STARTED                   FINISHED                  REASON',
        'run-3  card-fraud  schedule  succeeded  rolled-back  2026-11-05T08:00:00.000Z  2026-11-05T08:20:00.000Z  nightly <retrain> & check',
        'run-2  card-fraud  drift     succeeded  promoted     2026-11-03T10:01:00.000Z  2026-11-03T10:40:00.000Z  psi 0.31 on amount',
        'run-1  card-fraud  initial   succeeded  promoted     2026-11-01T09:00:00.000Z  2026-11-01T09:05:00.000Z  rareflow run',
      ].join('\n'),
    );
  });

  it('runs show of a run waiting for approval', async () => {
    expect(formatRunDetail((await registry.runDetail(WAITING_RUN))!)).toBe(
      [
        'run churn-run-1 of model churn',
        '  trigger     manual: first churn model',
        '  status      running, waiting for approval',
        '  started     2026-11-06T12:00:00.000Z',
        '  finished    —',
        '  seed        7',
        '  code        abc1234',
        '  report      —',
        '  input       data/train.parquet 674615f729fc',
        '',
        'challenger churn/1 on the test split:',
        'CLASS     SUPPORT  RECALL  RECALL 95%   PRECISION  F1',
        'positive  120      0.660   0.590–0.720  0.440      0.560',
        'negative  3880     0.950   0.940–0.960  0.990      0.970',
        'G-mean 0.792   PR-AUC above random 0.520   threshold 0.3100',
        '',
        'gates: pass',
        'CHECK                   VALUE  LIMIT   RESULT  WHY',
        'recall.positive >= 0.6  0.780  >= 0.6  pass    recall of positive vs 0.6',
        '',
        'stage timings:',
        '  none yet: recorded when the run finishes',
        '',
        'approvals:',
        '  none yet: waiting for a decision',
        '',
        'datasets:',
        'ROLE             ROWS  POSITIVES  SHA256',
        'test             4000  120        fe2ab0940841',
        'train            8000  240        678257db4e12',
        'train-augmented  9500  1740       b4210a5a44bd',
        '',
        'synthetic rows with lineage: 3',
      ].join('\n'),
    );
  });

  it('runs show of a finished run lists when each stage ran', async () => {
    const text = formatRunDetail((await registry.runDetail('run-2'))!);
    expect(text).toContain(
      [
        'stage timings:',
        'STAGE              STARTED                   FINISHED                  DURATION',
        'describing input   2026-11-03T10:01:00.000Z  2026-11-03T10:01:00.800Z  800 ms',
        'adaptive sampling  2026-11-03T10:01:00.800Z  2026-11-03T10:01:13.200Z  12.4 s',
        'merge and split    2026-11-03T10:01:13.200Z  2026-11-03T10:01:15.300Z  2.1 s',
        'training           2026-11-03T10:01:15.300Z  2026-11-03T10:01:30.000Z  14.7 s',
        'validation         2026-11-03T10:01:30.000Z  2026-11-03T10:01:33.000Z  3.0 s',
        'canary             2026-11-03T10:01:33.000Z  2026-11-03T10:40:00.000Z  38 min 27 s',
        '',
        'approvals:',
      ].join('\n'),
    );
  });
});

describe('rareflow models and runs as a user runs them', () => {
  const env = { RAREFLOW_REGISTRY: registryPath };
  const cli = (args: string[]) => runCli(args, { cwd: dir, env });

  it('prints the table, or one JSON object with --json', async () => {
    const human = await cli(['models', 'list']);
    expect(human.code, human.stderr).toBe(0);
    // The fixture's model files are not on disk: the champion is said to have none.
    const listed = (await registry.modelSummaries()).map((m) => (m.champion ? { ...m, championFileProblem: 'file missing' } : m));
    expect(human.stdout).toBe(`${formatModelList(listed)}\n`);
    const json = await cli(['runs', 'list', '--model', 'card-fraud', '--limit', '2', '--json']);
    expect(json.code, json.stderr).toBe(0);
    expect(json.json<{ runs: Array<{ runId: string }> }>().runs.map((r) => r.runId)).toEqual(['run-3', 'run-2']);
    const shown = await cli(['runs', 'show', '--run', 'run-2', '--json']);
    expect(shown.json()).toMatchObject({
      runId: 'run-2',
      trigger: 'drift',
      stageTimings: RUN_2_STAGES,
      models: [
        { role: 'challenger', version: 2 },
        { role: 'champion', version: 1 },
      ],
    });
  });

  it('exits 2 on an unknown model or run, naming what exists', async () => {
    const model = await cli(['models', 'show', '--model', 'no-such-model']);
    expect(model.code).toBe(2);
    expect(model.stderr).toBe(
      'rareflow models: --model: no model named "no-such-model" in the registry (models in the registry: card-fraud, churn)\n',
    );
    const runs = await cli(['runs', 'list', '--model', 'no-such-model']);
    expect(runs.code).toBe(2);
    expect(runs.stderr).toContain('models in the registry: card-fraud, churn');
    const run = await cli(['runs', 'show', '--run', 'no-such-run']);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(
      'rareflow runs: --run: no run "no-such-run" in the registry (newest runs: churn-run-1, run-3, run-2, run-1; see rareflow runs list)\n',
    );
    const action = await cli(['models', 'delete']);
    expect(action.code).toBe(2);
    expect(action.stderr).toBe('rareflow models: expected list, show or get, got "delete"; see rareflow models --help\n');
  });

  it('never creates a registry by reading', async () => {
    const r = await runCli(['models', 'list'], { cwd: dir, env: { RAREFLOW_REGISTRY: join(dir, 'none', 'registry.duckdb') } });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no registry at .*none.*nothing has been recorded there yet/);
  });
});
