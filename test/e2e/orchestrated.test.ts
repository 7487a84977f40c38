// The orchestrated commands as a user runs them, each process starting the embedded Temporal dev server on the
// same SQLite file: the demo, run --wait, status after a restart, and bad input that leaves the registry empty.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Registry } from '../../data/registry.js';
import { freePort } from '../../infra/temporalServer.js';
import { runCli } from '../support/cliProcess.js';

let dir: string;
let env: NodeJS.ProcessEnv;
const run = (args: string[]) => runCli(args, { cwd: dir, env, timeoutMs: 400_000 });

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'rareflow-orch-'));
  env = { RAREFLOW_HOME: join(dir, 'state'), RAREFLOW_TEMPORAL_PORT: String(await freePort()) };
  expect(
    (await run(['generate', '--rows', '50000', '--positive-rate', '0.02', '--features', '5', '--seed', '4', '--out', 'data.parquet'])).code,
  ).toBe(0);
  writeFileSync(
    join(dir, 'pipeline.json'),
    JSON.stringify({ modelName: 'churn', input: { paths: ['data.parquet'], label: 'label' }, sampling: { targetSize: 4000 }, seed: 2 }),
  );
  writeFileSync(
    join(dir, 'bad-label.json'),
    JSON.stringify({ modelName: 'badlabel', input: { paths: ['data.parquet'], label: 'churned' }, sampling: { targetSize: 4000 } }),
  );
  writeFileSync(
    join(dir, 'missing-input.json'),
    JSON.stringify({ modelName: 'churn', input: { paths: ['nope.parquet'], label: 'label' }, sampling: { targetSize: 4000 } }),
  );
  writeFileSync(
    join(dir, 'bad-spec.json'),
    JSON.stringify({ modelName: 'x', input: { paths: ['data.parquet'], label: 'label' }, sampling: { targetSize: 0 } }),
  );
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('orchestrated commands on the embedded Temporal server', () => {
  it('demo: promoted, drift detected on live traffic, retrained through the canary, a bad challenger rolled back; one JSON object on stdout', async () => {
    const r = await run(['demo', '--rows', '200000', '--live-rows', '60000', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const out = r.json<{
      outcomes: string[];
      runs: Array<{ trigger: string; canary?: { outcome: string } }>;
      stationaryWindows: { checked: number; drifted: number };
      windowsToDetect: number;
      load: { ok: number; failed: number; feedbackSent: number };
    }>();
    expect(out.outcomes).toEqual(['promoted', 'promoted', 'rolled-back']);
    expect(out.runs.map((x) => x.trigger)).toEqual(['manual', 'drift', 'manual']);
    expect(out.runs.map((x) => x.canary?.outcome)).toEqual([undefined, 'promoted', 'rolled-back']);
    // About 3% of stationary windows are flagged by chance; one flag alone never signals (hold 2).
    expect(out.stationaryWindows.drifted).toBeLessThanOrEqual(1);
    expect(out.windowsToDetect).toBeLessThanOrEqual(4);
    expect(out.load.failed).toBe(0);
    expect(out.load.ok).toBeGreaterThan(10_000);
    expect(r.stderr).toMatch(/rareflow serve \(pid \d+\) listening at http:\/\/127\.0\.0\.1:\d+/);
    expect(r.stderr).toMatch(/canary: rolled-back — step 1 at 50%: challenger positive recall/);
    expect(r.stderr).toMatch(/Web UI http:\/\/127\.0\.0\.1:\d+/);
    expect(r.stderr).toMatch(/positive\s+\d+\s+0\.\d{3}/);
    // About a minute alone; on two cores beside the other test files it has taken 130 s (the later tests here share
    // its server, so a timeout would fail them too).
  }, 300_000);

  it('run --wait retrains through the lifecycle and prints the outcome', async () => {
    const r = await run(['run', '--config', 'pipeline.json', '--wait', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const result = r.json<{ outcome: string; modelName: string; validation: { positive: { support: number } } }>();
    expect(result.modelName).toBe('churn');
    expect(result.outcome).toBe('promoted');
    expect(result.validation.positive.support).toBeGreaterThanOrEqual(20);
  });

  it('status answers from the same lifecycle after the server restarted on its SQLite file', async () => {
    const r = await run(['status', '--model', 'churn', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const s = r.json<{ phase: string; retrainCount: number; championSha256: string; history: unknown[] }>();
    expect(s.phase).toBe('idle');
    expect(s.retrainCount).toBe(1);
    expect(s.championSha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('canary status answers with no worker polling (one runs in the command), not "Failed to query Workflow"', async () => {
    const r = await run(['canary', 'status', '--model', 'churn', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.json()).toEqual({ model: 'churn', canary: 'none running' });
  });

  it('cancel with no retrain running is refused, exit 2, and the lifecycle is as it was', async () => {
    const r = await run(['cancel', '--model', 'churn']);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr.trim()).toBe(
      'rareflow cancel: --model: no retrain of model "churn" is running (idle); see rareflow status --model churn',
    );
    const s = (await run(['status', '--model', 'churn', '--json'])).json<{ phase: string; retrainCount: number }>();
    expect([s.phase, s.retrainCount]).toEqual(['idle', 1]);
  });

  it('drift for a model without a lifecycle is bad input', async () => {
    const r = await run(['drift', '--model', 'nobody', '--reason', 'psi 0.3']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no lifecycle is running for model "nobody"/);
  });

  it('bad input to the serving, canary, monitor, drift and schedule commands: one line naming the flag, exit 2', async () => {
    writeFileSync(join(dir, 'evidence.json'), '[1, 2]');
    const cases: Array<[string[], RegExp]> = [
      [
        ['drift', '--model', 'churn', '--reason', 'psi', '--evidence', 'missing.json'],
        /: --evidence missing\.json: the file does not exist; expected a JSON object/,
      ],
      [
        ['drift', '--model', 'churn', '--reason', 'psi', '--evidence', 'evidence.json'],
        /: --evidence evidence\.json: expected a JSON object$/,
      ],
      // serve takes a model file too, so a path-like name is read as one: a missing file, named.
      [
        ['serve', '--model', '../etc'],
        /: --model: cannot read \.\.\/etc; expected a model file written by rareflow train or fit, or a registered model as NAME/,
      ],
      [['serve', '--model', 'churn', '--port', '70000'], /--port/],
      [['canary', 'pause', '--model', 'nobody'], /no lifecycle is running for model "nobody"/],
      [['monitor', 'stop', '--model', 'nobody'], /model nobody has no drift monitor running/],
      [
        ['monitor', 'start', '--model', 'churn', '--window', '5 minutes'],
        /: --window: expected a duration such as 500ms, 30s, 15m, 6h or 7d, got "5 minutes"$/,
      ],
      // The embedded server's worker reads this machine's files: a missing one is refused before anything is sent.
      [
        ['drift', '--model', 'churn', '--reason', 'new data', '--data', 'gone.csv'],
        /: --data: .*gone\.csv does not exist; nothing was sent$/,
      ],
      [
        ['drift', '--model', 'churn', '--reason', 'new data', '--data', 'nowhere/*.csv'],
        /: --data: no file matches nowhere\/\*\.csv; nothing was sent$/,
      ],
      // What no worker could read is refused on any machine: an unknown extension, an empty path, CSV beside Parquet.
      [
        ['drift', '--model', 'churn', '--reason', 'new data', '--data', 'traffic.txt'],
        /: --data: cannot tell the format of traffic\.txt from its extension "\.txt"; expected \.csv, \.csv\.gz or \.parquet; nothing was sent$/,
      ],
      [
        ['drift', '--model', 'churn', '--reason', 'new data', '--data', ''],
        /: --data: expected FILES \(comma-separated\), got an empty value$/,
      ],
      [
        ['drift', '--model', 'churn', '--reason', 'new data', '--data', 'a.csv,b.parquet'],
        /: --data: expected all \.csv or all \.parquet files, got a\.csv, b\.parquet/,
      ],
      [
        ['run', '--config', 'missing-input.json'],
        /: --config missing-input\.json: input\.paths: .*nope\.parquet does not exist; nothing was sent$/,
      ],
      [['monitor', 'start', '--model', 'churn', '--window', '1ms'], /: --window 1ms: a monitor window is at least 1s/],
      [['monitor', 'start', '--model', 'churn', '--hold', '1000000000'], /--hold/],
      // A monitor of a model nothing knows would check an empty log forever.
      [['monitor', 'start', '--model', 'nobody'], /monitor start: no model nobody has a running lifecycle, a run in the registry/],
      // churn's lifecycle runs (the test before): these reach the server, which refuses or would never fire them.
      [
        ['schedule', 'create', '--model', 'churn', '--cron', '0 3 31 2 *'],
        /: --cron "0 3 31 2 \*": never fires \(it names no date that exists\); nothing was created$/,
      ],
      [
        ['schedule', 'create', '--model', 'churn', '--cron', '61 * * * *'],
        /: --cron "61 \* \* \* \*": the scheduler refused it: Minute is not in range/,
      ],
      [['schedule', 'create', '--model', 'churn', '--every', '1ms'], /: --every 1ms: the scheduler refused it: interval is too small/],
      [
        ['schedule', 'create', '--model', 'churn', '--every', '1h', '--cron', '0 3 * * *'],
        /: schedule create: --every 1h and --cron "0 3 \* \* \*" are alternatives; pass one of them$/,
      ],
      [
        ['schedule', 'create', '--model', 'churn', '--every', '5x'],
        /: --every: expected a duration such as 500ms, 30s, 15m, 6h or 7d, got "5x"$/,
      ],
      [['approve', '--model', 'nobody', '--run', 'r-1', '--by', ''], /: --by: expected a name, got an empty string$/],
    ];
    for (const [args, message] of cases) {
      const r = await run(args);
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(2);
      const lines = r.stderr
        .trim()
        .split('\n')
        .filter((l) => !l.startsWith('note:') && !/Temporal|dev server/.test(l));
      expect(lines.at(-1), args.join(' ')).toMatch(message);
    }
    // The refused schedules left nothing behind.
    const listed = await run(['schedule', 'list', '--json']);
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stdout).not.toContain('rareflow-retrain-churn');
  });

  it('a spec with a bad field fails before anything starts', async () => {
    const r = await run(['run', '--config', 'bad-spec.json', '--wait']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/sampling\.targetSize: expected an integer in \[1, 100000000\], got 0/);
  });

  it('a retrain on an unknown label column exits 2 with the column named, and writes nothing to the registry', async () => {
    const r = await run(['run', '--config', 'bad-label.json', '--wait']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/label column "churned" not found/);
    const registry = await Registry.open(join(dir, 'state', 'registry.duckdb'));
    try {
      expect(await registry.listRuns('badlabel')).toHaveLength(0);
      expect(await registry.listRuns('churn')).toHaveLength(1);
    } finally {
      await registry.close();
    }
  });
});

describe('a real dataset through the workflow (yeast3, 163 positives in 1484 rows)', () => {
  it('keeps every positive when the data holds fewer than Nr, says so, and trains a useful model', async () => {
    const fixture = join(process.cwd(), 'test/fixtures/yeast3.csv');
    writeFileSync(join(dir, 'yeast3.json'), JSON.stringify({ modelName: 'yeast3', input: { paths: [fixture], label: 'label' }, seed: 1 }));
    const r = await run(['run', '--config', 'yeast3.json', '--wait', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const result = r.json<{
      outcome: string;
      stages: Array<{ stage: string; positivesOut: number; note?: string }>;
      validation: { positive: { support: number; recall: number }; gMean: number };
    }>();
    const sampling = result.stages.find((s) => s.stage === 'adaptiveSample')!;
    expect(sampling.positivesOut).toBe(163);
    expect(sampling.note).toMatch(/ran out|exhausted|before/i);
    // Largest-remainder split of 163 positives at 0.6/0.2/0.2: 98 / 33 / 32.
    expect(result.validation.positive.support).toBe(32);
    expect(result.validation.gMean).toBeGreaterThan(0.7);
  });
});
