// Resource faults: stages whose memory is above the budget (RAREFLOW_MEMORY_BUDGET) are refused before anything is
// read or written, naming the stage, the figures and the parameter; a huge sampling.targetSize is one of them; wide
// logistic regression trains (L-BFGS) instead of being refused; a full disk is named as such and retried at most
// twice; run --wait exits 1 when the retrain was not promoted, with its outcome as the last line.

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RareflowClient } from '../../client/temporalClient.js';
import { describeInputActivities } from '../../activities/describeInput.js';
import type { DescribeInputResult } from '../../stages/describe.js';
import { diskFullPath, pastFileSizeLimit } from '../../data/diskFull.js';
import { generateSyntheticDataset } from '../../data/syntheticData.js';
import { packageRoot } from '../../infra/rareflowConfig.js';
import { freePort, startDevServer, type DevServer } from '../../infra/temporalServer.js';
import { diskFullFailure } from '../../worker/diskFullFailure.js';
import type { PipelineSpec } from '../../workflows/contract.js';
import { runCli } from '../support/cliProcess.js';
import { listFiles, snapshotRegistry } from '../support/stateSnapshot.js';
import { startWorkerProcess, workerEnv } from '../support/workerProcess.js';

let dir: string;
let narrow: string;
let wide300: string;
let wide301: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'rareflow-resources-'));
  narrow = join(dir, 'narrow.parquet');
  wide300 = join(dir, 'wide300.parquet');
  wide301 = join(dir, 'wide301.parquet');
  await generateSyntheticDataset({ rows: 3000, positiveRate: 0.05, features: 6, seed: 5, out: narrow });
  await generateSyntheticDataset({ rows: 200, positiveRate: 0.2, features: 300, seed: 5, out: wide300 });
  await generateSyntheticDataset({ rows: 200, positiveRate: 0.2, features: 301, seed: 5, out: wide301 });
});

afterAll(() => {
  delete process.env.RAREFLOW_MEMORY_BUDGET;
  if (dir) rmSync(dir, { recursive: true, force: true });
});

type StageInput = Parameters<ReturnType<typeof describeInputActivities>['describeInput']>[0];

function stages(path: string, over: Partial<StageInput> = {}): StageInput {
  return {
    input: { paths: [path], label: 'label' },
    sampling: { targetSize: 2000 },
    denoise: { method: 'none' },
    adasyn: { enabled: false },
    model: { kind: 'logreg', threshold: 'prevalence' } as PipelineSpec['model'],
    ...over,
  };
}

/** describeInput with RAREFLOW_MEMORY_BUDGET set to `budget` (unset: the machine default). */
async function describeWith(input: StageInput, budget?: string): Promise<DescribeInputResult> {
  if (budget === undefined) delete process.env.RAREFLOW_MEMORY_BUDGET;
  else process.env.RAREFLOW_MEMORY_BUDGET = budget;
  try {
    return await describeInputActivities().describeInput(input);
  } finally {
    delete process.env.RAREFLOW_MEMORY_BUDGET;
  }
}

/** The failure describeInput raises, with the files of `dir` before and after (describeInput must write nothing). */
async function refusal(input: StageInput, budget?: string) {
  const before = await listFiles(dir);
  const err = (await describeWith(input, budget).then(
    () => undefined,
    (e: unknown) => e,
  )) as { type?: string; nonRetryable?: boolean; message?: string } | undefined;
  expect(err, 'describeInput should have refused').toBeDefined();
  expect(await listFiles(dir)).toEqual(before);
  return err!;
}

/** A budget one byte below `stage`'s estimate, after checking every earlier stage fits in it. */
async function budgetJustBelow(input: StageInput, stage: string): Promise<string> {
  const { memory } = await describeWith(input);
  const i = memory.stages.findIndex((s) => s.stage === stage);
  expect(i, `${stage} in ${JSON.stringify(memory.stages)}`).toBeGreaterThan(0);
  const target = memory.stages[i]!.bytes;
  for (const earlier of memory.stages.slice(0, i)) expect(earlier.bytes, earlier.stage).toBeLessThan(target);
  return String(target - 1);
}

describe('memory budget: stages refused before anything is read or written (InvalidInput, non-retryable)', () => {
  it('sampling.targetSize 1e15 is refused naming it, not "Invalid typed array length" after retries', async () => {
    const err = await refusal(stages(narrow, { sampling: { targetSize: 1e15 } }));
    expect(err.type).toBe('InvalidInput');
    expect(err.nonRetryable).toBe(true);
    expect(err.message).toMatch(/^adaptive sampling would need about [\d.]+ PiB of memory \(1000000000000000 reservoir slots × 9 bytes/);
    expect(err.message).toMatch(/above the memory budget of [\d.]+ GiB \(default: 60% of .* memory\); lower sampling\.targetSize/);
  });

  it('a forest whose trees do not fit names training (forest), its figures and model.trees', async () => {
    const input = stages(narrow, {
      model: { kind: 'forest', threshold: 'prevalence', trees: 2000, sampling: 'bootstrap' } as PipelineSpec['model'],
    });
    const budget = await budgetJustBelow(input, 'training (forest)');
    const err = await refusal(input, budget);
    expect(err.type).toBe('InvalidInput');
    expect(err.message).toMatch(
      /^training \(forest\) would need about [\d.]+ MiB of memory \(2000 rows × 6 columns × 8 bytes, plus 2000 trees of up to 4000 nodes × 40 bytes\)/,
    );
    expect(err.message).toMatch(new RegExp(`\\(RAREFLOW_MEMORY_BUDGET=${budget}\\); lower model\\.trees`));
  });

  it('neighbour lists of label-noise filtering above the budget name the stage and the neighbours', async () => {
    const input = stages(narrow, { denoise: { method: 'enn', k: 400 } });
    const err = await refusal(input, await budgetJustBelow(input, 'label-noise filtering'));
    expect(err.type).toBe('InvalidInput');
    expect(err.message).toMatch(/^label-noise filtering would need about .* plus 2000 × 401 neighbours × 12 bytes\)/);
    expect(err.message).toMatch(/lower sampling\.targetSize/);
  });

  it('ADASYN above the budget counts the rows it will add', async () => {
    const input = stages(narrow, { adasyn: { enabled: true, k: 500, beta: 1 } });
    const err = await refusal(input, await budgetJustBelow(input, 'ADASYN'));
    expect(err.type).toBe('InvalidInput');
    expect(err.message).toMatch(
      /^ADASYN would need about .* \(2000 rows in and 4000 out × 6 columns × 8 bytes, plus 2000 × 501 neighbours/,
    );
  });

  it('logistic regression on 300 columns counts its Newton matrices; on 301 columns it uses L-BFGS and fits the same budget', async () => {
    const input300 = stages(wide300, { sampling: { targetSize: 200, params: 2 } });
    const budget = await budgetJustBelow(input300, 'training (logreg)');
    const err = await refusal(input300, budget);
    expect(err.message).toMatch(/^training \(logreg\) would need about .* plus 2 Newton matrices of 301² values\)/);
    const wide = await describeWith(stages(wide301, { sampling: { targetSize: 200, params: 2 } }), budget);
    expect(wide.memory.stages.at(-1)).toMatchObject({ stage: 'training (logreg)' });
    expect(wide.memory.stages.at(-1)!.bytes).toBeLessThan(Number(budget));
  });

  it('a malformed RAREFLOW_MEMORY_BUDGET is bad input naming the variable', async () => {
    const err = await refusal(stages(narrow), '12 apples');
    expect(err.type).toBe('InvalidInput');
    expect(err.message).toBe('RAREFLOW_MEMORY_BUDGET: expected a size in bytes such as 8G, 512M or 2000000000, got "12 apples"');
  });
});

describe('memory budget from the CLI: exit 2, one line, nothing written', () => {
  it('sample --target-size 2e9 over a 1G budget', async () => {
    const home = join(dir, 'cli-home');
    mkdirSync(home, { recursive: true });
    const before = await listFiles(dir);
    const r = await runCli(
      ['sample', '--input', narrow, '--label', 'label', '--target-size', '2000000000', '--out', join(dir, 'sample.parquet')],
      { cwd: dir, env: { RAREFLOW_HOME: home, RAREFLOW_MEMORY_BUDGET: '1G' } },
    );
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(
      /^rareflow sample: adaptive sampling would need about [\d.]+ GiB .* above the memory budget of 1.0 GiB .*lower --target-size/,
    );
    expect(await listFiles(dir)).toEqual(before);
  });

  it('fit with a forest above RAREFLOW_MEMORY_BUDGET=1M', async () => {
    const before = await listFiles(dir);
    const r = await runCli(['fit', '--input', narrow, '--label', 'label', '--out', join(dir, 'model.json')], {
      cwd: dir,
      env: { RAREFLOW_MEMORY_BUDGET: '1M' },
    });
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(
      /^rareflow fit: training \(forest\) would need about [\d.]+ MiB of memory \(.*\), above the memory budget of 1\.0 MiB \(RAREFLOW_MEMORY_BUDGET=1M\); lower model\.trees/,
    );
    expect(await listFiles(dir)).toEqual(before);
  });

  const stageCases: Array<[string, string[], RegExp]> = [
    [
      'train --kind forest',
      ['train', '--kind', 'forest', '--trees', '300'],
      /^rareflow train: training \(forest\) would need about [\d.]+ MiB of memory \(3000 rows × 6 columns × 8 bytes, plus 300 trees of up to 6000 nodes × 40 bytes\), above the memory budget of 600\.0 KiB \(RAREFLOW_MEMORY_BUDGET=600K\); lower --trees/,
    ],
    [
      'denoise --k 60',
      ['denoise', '--k', '60'],
      /^rareflow denoise: label-noise filtering \(enn\) would need about [\d.]+ MiB .*3000 × 61 neighbours × 12 bytes\).*; lower --k/,
    ],
    [
      'adasyn --k 60',
      ['adasyn', '--k', '60'],
      /^rareflow adasyn: ADASYN would need about [\d.]+ MiB of memory \(3000 rows in and 6000 out × 6 columns.*; lower --max-synthetic-ratio/,
    ],
  ];
  for (const [what, args, message] of stageCases) {
    it(`${what} above RAREFLOW_MEMORY_BUDGET=600K`, async () => {
      const before = await listFiles(dir);
      const out = join(dir, args[0] === 'train' ? 'stage-out.json' : 'stage-out.parquet');
      const r = await runCli([...args, '--input', narrow, '--label', 'label', '--out', out], {
        cwd: dir,
        env: { RAREFLOW_MEMORY_BUDGET: '600K' },
      });
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(message);
      expect(await listFiles(dir)).toEqual(before);
    });
  }

  it('fit of a 1,200-column logistic regression trains (L-BFGS) instead of being refused', async () => {
    const wide = join(dir, 'wide1200.parquet');
    await generateSyntheticDataset({ rows: 600, positiveRate: 0.2, features: 1200, seed: 6, out: wide });
    writeFileSync(
      join(dir, 'wide.json'),
      JSON.stringify({ denoise: { method: 'none' }, adasyn: { enabled: false }, model: { kind: 'logreg', threshold: 'prevalence' } }),
    );
    const out = join(dir, 'wide-model.json');
    const r = await runCli(['fit', '--input', wide, '--label', 'label', '--config', join(dir, 'wide.json'), '--out', out, '--json'], {
      cwd: dir,
    });
    expect(r.code, r.stderr).toBe(0);
    const model = JSON.parse(await readFile(out, 'utf8')) as { model?: { kind: string; featureCount: number; converged: boolean } };
    expect(model.model).toMatchObject({ kind: 'logreg', featureCount: 1200 });
    rmSync(out);
    rmSync(wide);
  });
});

describe('a full disk', () => {
  it('a real ENOSPC (writing /dev/full) is recognised; DiskFull is retryable on attempts 1 and 2 and final on 3', async () => {
    const { writeFileSync: write } = await import('node:fs');
    let real: unknown;
    try {
      write('/dev/full', 'x');
    } catch (err) {
      real = err;
    }
    expect((real as NodeJS.ErrnoException).code).toBe('ENOSPC');
    expect(diskFullPath(real)).toBeDefined();
    expect(diskFullPath(new Error('IO Error: Could not write file "/data/registry.duckdb.wal": No space left on device'))).toBe(
      '/data/registry.duckdb.wal',
    );
    expect(diskFullPath(new Error('EIO: i/o error'))).toBeUndefined();
    const failures = [1, 2, 3].map((attempt) => diskFullFailure('/data/a.arrow', 'trainModel', attempt));
    expect(failures.map((f) => f.nonRetryable)).toEqual([false, false, true]);
    expect(failures[2]!.type).toBe('DiskFull');
    expect(failures[2]!.message).toMatch(
      /^disk full: no space left on the device writing \/data\/a\.arrow \(trainModel, attempt 3 of at most 3\)/,
    );
  });
});

describe('a file past the process file size limit (ulimit -f)', () => {
  it('writing an Arrow file fails with EFBIG, named as a size limit (never a bare short write retried for minutes)', async () => {
    const { execFileSync } = await import('node:child_process');
    const { mkdtempSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { fileURLToPath } = await import('node:url');
    const dir = mkdtempSync(join(tmpdir(), 'rareflow-efbig-'));
    const module = fileURLToPath(new URL('../../dist/data/arrowIpcFile.js', import.meta.url));
    const script = `
      const { writeArrowIpcFile } = await import(${JSON.stringify(module)});
      try {
        await writeArrowIpcFile(${JSON.stringify(join(dir, 'big.arrow'))}, {
          fields: [{ name: 'x', type: 'float64' }], metadata: [], batchRows: [100000, 100000],
          fillBatch: (b, [x]) => x.fill(b + 0.5),
        });
        console.log('written');
      } catch (err) { console.log(JSON.stringify({ code: err.code, message: err.message })); }`;
    // 200 blocks of 1 KiB: the first batch (800 kB) is cut short.
    const out = execFileSync('bash', ['-c', 'ulimit -f 200; exec node --input-type=module -e "$0"', script], { encoding: 'utf8' });
    const err = JSON.parse(out.trim()) as { code: string; message: string };
    expect(err.code).toBe('EFBIG');
    expect(diskFullPath(err)).toBeDefined();
    expect(pastFileSizeLimit(err)).toBe(true);
    const failure = diskFullFailure(join(dir, 'big.arrow'), 'trainModel', 1, pastFileSizeLimit(err));
    expect(failure.type).toBe('DiskFull');
    expect(failure.message).toMatch(
      /^file size limit: a file grew past the worker process's limit \(ulimit -f\) writing .*big\.arrow \(trainModel, attempt 1 of at most 3\)/,
    );
  });
});

describe('through Temporal: run --wait', () => {
  let server: DevServer;
  let connection: Connection;
  let client: Client;
  const spec = (modelName: string, over: Record<string, unknown> = {}) => {
    const path = join(dir, `${modelName}.json`);
    writeFileSync(
      path,
      JSON.stringify({
        modelName,
        input: { paths: [narrow], label: 'label' },
        sampling: { targetSize: 2000 },
        model: { kind: 'logreg', threshold: 'prevalence' },
        seed: 3,
        ...over,
      }),
    );
    return path;
  };
  /** `run --wait` served by a `rareflow worker` child with `env` (one at a time: a stopped worker's poller lingers). */
  const runWait = async (home: string, config: string, env: NodeJS.ProcessEnv = {}) => {
    const worker = await startWorkerProcess({ address: server.target.address, home, env });
    try {
      const r = await runCli(['run', '--config', config, '--wait'], {
        cwd: dir,
        env: workerEnv({ address: server.target.address, home }),
        timeoutMs: 240_000,
      });
      const modelName = (JSON.parse(await readFile(config, 'utf8')) as { modelName: string }).modelName;
      const status = await new RareflowClient(client).status(modelName).catch(() => undefined);
      return Object.assign(r, { status });
    } finally {
      await worker.stop();
    }
  };

  beforeAll(async () => {
    server = await startDevServer({ stateDir: join(dir, 'temporal'), toolRoot: packageRoot(), port: 0, headless: true });
    connection = await Connection.connect({ address: server.target.address });
    client = new Client({ connection, namespace: server.target.namespace });
  });
  afterAll(async () => {
    await connection?.close();
    await server?.stop();
  });

  it('a sampling.targetSize over the memory budget exits 2 naming it; no run row, no artifact, no serving file', async () => {
    const home = join(dir, 'run-huge');
    const r = await runWait(home, spec('huge', { sampling: { targetSize: 100_000_000 } }), { RAREFLOW_MEMORY_BUDGET: '200M' });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr.trim().split('\n').at(-1)).toMatch(
      /^rareflow run: adaptive sampling would need about [\d.]+ (MiB|GiB) .* lower sampling\.targetSize/,
    );
    const registry = await snapshotRegistry(join(home, 'registry.duckdb'));
    expect(registry.counts.runs ?? 0).toBe(0);
    expect(registry.counts.models ?? 0).toBe(0);
    expect(await listFiles(join(home, 'artifacts'))).toEqual({});
    expect(await listFiles(join(home, 'serving'))).toEqual({});
  });

  it('a disk that fills while training: exit 3 naming disk full and the path, 3 attempts, only the failed run row', async () => {
    const home = join(dir, 'run-full');
    const r = await runWait(home, spec('full'), { RAREFLOW_FAULTS: 'trainModel:disk-full:9' });
    expect(r.code, r.stderr).toBe(3);
    const last = r.stderr.trim().split('\n').at(-1)!;
    expect(last).toMatch(
      /^rareflow run: disk full: no space left on the device writing injected-by-RAREFLOW_FAULTS\/trainModel\.tmp \(trainModel, attempt 3 of at most 3\)/,
    );
    expect(r.status?.history.at(-1)?.outcome).toBe('failed');
    expect(r.status?.history.at(-1)?.outcomeReason).toMatch(/disk full: .*attempt 3 of at most 3/);
    const registry = await snapshotRegistry(join(home, 'registry.duckdb'));
    expect(registry.counts.runs).toBe(1);
    expect(registry.counts.models ?? 0).toBe(0);
    expect(registry.counts.promotions ?? 0).toBe(0);
    expect(await listFiles(join(home, 'serving'))).toEqual({});
  });

  it("a retrain rejected by its gates exits 1; the hosted worker's log lines are grouped under one heading before the tables; the outcome is the last line", async () => {
    // The embedded path (no TEMPORAL_ADDRESS): the command hosts its own server and worker. INFO makes the SDK log
    // for sure, so the grouping is exercised; WARN lines (the default level) go the same way.
    const home = join(dir, 'run-rejected');
    const env: NodeJS.ProcessEnv = { RAREFLOW_HOME: home, RAREFLOW_TEMPORAL_PORT: String(await freePort()), RAREFLOW_LOG_LEVEL: 'INFO' };
    const r = await runCli(
      ['run', '--config', spec('strict', { gates: { gates: [{ metric: 'recall', class: 'positive', min: 0.9999 }] } }), '--wait'],
      { cwd: dir, env, timeoutMs: 240_000 },
    );
    expect(r.code, r.stderr).toBe(1);
    const lines = r.stdout.trim().split('\n');
    expect(lines.at(-1)).toMatch(/^outcome: rejected-by-gate \(recall/);
    expect(lines.filter((l) => l.startsWith('outcome:'))).toHaveLength(1);
    expect(r.stderr).not.toMatch(/\[(INFO|WARN)\]/);
    const heading = lines.findIndex((l) => /^warnings \(\d+\):$/.test(l));
    expect(heading, r.stdout).toBeGreaterThanOrEqual(0);
    const count = Number(/\d+/.exec(lines[heading]!)![0]);
    expect(lines.slice(heading + 1, heading + 1 + count).every((l) => /^ {2}\S+ \[(INFO|WARN|ERROR)\] /.test(l))).toBe(true);
    expect(lines.slice(heading + 1 + count).some((l) => /\[(INFO|WARN)\]/.test(l))).toBe(false);
    expect(lines.findIndex((l) => /^\s*positive\s/.test(l))).toBeGreaterThan(heading + count);
  });
});
