// Security defaults, checked on the running product: the embedded Temporal server and `rareflow serve` listen on
// loopback unless told otherwise; artifact references resolve inside the store; SQL takes names quoted and values
// as parameters or literals, and a positive predicate is one expression; models are loaded only when their bytes
// hash to the registered sha256 and their seal holds; every approval records who decided.

import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { appendFile } from 'node:fs/promises';
import { hostname, tmpdir, userInfo } from 'node:os';
import { join, sep } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RareflowClient } from '../../client/temporalClient.js';
import { InvalidInputError } from '../../core/invalidInputError.js';
import { ArtifactStore } from '../../data/artifactStore.js';
import { sqlString, withDuckDB } from '../../data/duckdbConnection.js';
import { positiveSql } from '../../data/positivePredicate.js';
import { Registry } from '../../data/registry.js';
import { generateSyntheticDataset } from '../../data/syntheticData.js';
import { packageRoot } from '../../infra/rareflowConfig.js';
import { startDevServer, type DevServer } from '../../infra/temporalServer.js';
import { MODEL_NAME, fitTestModel, publish, storeModel, type StoredModel } from '../serve/servingFixtures.js';
import { runCli } from '../support/cliProcess.js';
import { LOOPBACK, listeningSocketsOf, pidListeningOn } from '../support/listeningSockets.js';
import { startServeProcess } from '../support/serveProcess.js';
import { startWorkerProcess, workerEnv } from '../support/workerProcess.js';

let dir: string;
let server: DevServer;
let model: StoredModel;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'rareflow-chaos-security-'));
  // With the Web UI, so its port is checked too.
  server = await startDevServer({ stateDir: join(dir, 'temporal'), toolRoot: packageRoot(), port: 0, uiPort: 0 });
  model = await storeModel(new ArtifactStore(join(dir, 'state', 'artifacts')), await fitTestModel('logreg', 41));
});

afterAll(async () => {
  await server?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('servers bind to loopback unless configured otherwise', () => {
  it('the embedded Temporal dev server listens on 127.0.0.1 only (gRPC, Web UI and every other port it opens)', () => {
    const port = Number(server.target.address.split(':')[1]);
    const pid = pidListeningOn(port);
    expect(pid).toBeDefined();
    const sockets = listeningSocketsOf(pid!);
    expect(sockets.map((s) => s.port)).toContain(port);
    expect(sockets.map((s) => s.port)).toContain(Number(new URL(server.target.uiAddress!).port));
    expect(
      sockets.filter((s) => !LOOPBACK.has(s.address)),
      JSON.stringify(sockets),
    ).toEqual([]);
  });

  it('rareflow serve listens on 127.0.0.1 by default, and on all addresses only with --host 0.0.0.0', async () => {
    const servingDir = join(dir, 'serve-bind');
    await publish(servingDir, 1, model.served);
    const byDefault = await startServeProcess({ home: dir, servingDir, model: MODEL_NAME });
    try {
      expect(byDefault.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const sockets = listeningSocketsOf(byDefault.pid);
      expect(sockets).toHaveLength(1);
      expect(LOOPBACK.has(sockets[0]!.address)).toBe(true);
    } finally {
      await byDefault.stop('SIGTERM');
    }
    const configured = await startServeProcess({ home: dir, servingDir, model: MODEL_NAME, args: ['--host', '0.0.0.0'] });
    try {
      expect(listeningSocketsOf(configured.pid).map((s) => s.address)).toEqual(['0.0.0.0']);
    } finally {
      await configured.stop('SIGTERM');
    }
  });
});

describe('artifact references resolve inside the store root only', () => {
  it('every reference either resolves under the root or is rejected as bad input', async () => {
    const root = join(dir, 'store');
    const store = new ArtifactStore(root);
    const real = await store.putBytes('{"x":1}', 'note', 'json');
    const hostile = [
      { sha256: '../../etc/passwd', uri: real.uri },
      { sha256: `${real.sha256}/../../../etc/passwd`, uri: real.uri },
      { sha256: real.sha256.toUpperCase(), uri: real.uri },
      { sha256: real.sha256, uri: 'file:///etc/passwd' },
      { sha256: real.sha256, uri: '../../etc/passwd' },
      { sha256: real.sha256, uri: 'file:///../../../etc/passwd.json' },
      { sha256: real.sha256, uri: `file:///etc/${real.sha256}.json` },
      { sha256: real.sha256, uri: 'file:///tmp/x.json/../../etc/passwd' },
      { sha256: real.sha256, uri: 'file:///tmp/x.json%00.txt' },
    ];
    for (const h of hostile) {
      const ref = { ...h, bytes: 1, kind: 'model' };
      let resolved: string | undefined;
      try {
        resolved = store.pathOf(ref);
      } catch (err) {
        expect(err, JSON.stringify(h)).toBeInstanceOf(InvalidInputError);
        continue;
      }
      // Only the sha256 and the URI's extension count: the path is always the store's own file.
      expect(resolved.startsWith(store.root + sep), `${JSON.stringify(h)} resolved to ${resolved}`).toBe(true);
      expect(readFileSync(resolved, 'utf8')).toBe('{"x":1}');
    }
  });
});

describe('SQL: identifiers quoted, values parameterised, predicates one expression', () => {
  it('a predicate may be any expression over the row, but never a second statement, a clause or a subquery', async () => {
    const data = join(dir, 'predicate.csv');
    writeFileSync(data, 'f0,f1,label\n1,2,0\n3,4,1\n5,6,0\n');
    const marker = join(dir, 'predicate-pwned.csv');
    await withDuckDB(async (c) => {
      const source = `read_csv(${sqlString(data)})`;
      const check = (predicate: string) => positiveSql(c, source, data, { label: 'label', predicate });
      for (const ok of [
        'f0 > 2',
        'f0 BETWEEN 1 AND 4 AND f1 IS NOT NULL',
        'CASE WHEN f0 > 2 THEN true ELSE false END',
        'f0 IN (1, 3)',
        'label = 1 OR f1 >= 6',
      ]) {
        await expect(check(ok), ok).resolves.toContain(ok);
      }
      const hostile: Array<[string, RegExp]> = [
        [`true) AS BOOLEAN) FROM (SELECT 1) x; COPY (SELECT 42) TO '${marker}'; SELECT CAST((true`, /is not a single SQL expression/],
        ['true) AS BOOLEAN) FROM (SELECT 1) x; SELECT CAST((true', /makes 2 SQL statements/],
        [`f0 > (SELECT count(*) FROM read_csv('/etc/passwd'))`, /contains a subquery/],
        [`EXISTS (SELECT 1 FROM read_text('/etc/hostname'))`, /contains a subquery/],
        ['true) AS BOOLEAN) AS positive FROM rows UNION ALL SELECT CAST((true', /is not a single expression/],
        [
          "true) AS BOOLEAN) AS positive FROM rows UNION ALL SELECT 1 FROM read_csv('/etc/passwd') UNION ALL SELECT CAST((true",
          /is not a single expression|contains a subquery/,
        ],
        ['f0 > 1 --', /is not a single SQL expression/],
      ];
      for (const [predicate, message] of hostile) {
        const err = await check(predicate).catch((e: unknown) => e);
        expect(err, predicate).toBeInstanceOf(InvalidInputError);
        expect((err as Error).message, predicate).toMatch(message);
      }
    });
    expect(() => readFileSync(marker)).toThrow(/ENOENT/);
  });

  it('a predicate whose value changes between reads (random, uuid, the clock) is refused, naming the function', async () => {
    const data = join(dir, 'unstable.csv');
    writeFileSync(data, 'f0,today_seen,label\n1,2,0\n3,4,1\n5,6,0\n');
    const dated = join(dir, 'dated.csv');
    writeFileSync(dated, 'f0,current_date\n1,2020-01-01\n3,2021-01-01\n');
    await withDuckDB(async (c) => {
      const check = (file: string, predicate: string) =>
        positiveSql(c, `read_csv(${sqlString(file)})`, file, { label: 'label', predicate });
      for (const [predicate, name] of [
        ['random() < 0.1', 'random'],
        ['f0 > 1 AND UUID() IS NOT NULL', 'uuid'],
        ["now() > TIMESTAMP '2020-01-01'", 'now'],
        ["current_date > DATE '2020-01-01' AND f0 > 1", 'current_date'],
      ]) {
        const err = await check(data, predicate).catch((e: unknown) => e);
        expect(err, predicate).toBeInstanceOf(InvalidInputError);
        expect((err as Error).message, predicate).toContain(`it calls ${name}, whose value changes from one read to the next`);
      }
      // Functions of the row's values stay usable, and a column that happens to be called current_date is a column.
      await expect(check(data, 'abs(f0 - 3) < 1 AND round(today_seen) = 4')).resolves.toContain('abs(f0 - 3)');
      await expect(check(dated, "current_date > DATE '2020-06-01'")).resolves.toContain('current_date');
    });
  });

  it('registry values with quotes and SQL in them round-trip as data, and every table survives', async () => {
    const path = join(dir, 'sql-registry.duckdb');
    const registry = await Registry.open(path);
    const evil = `o'brien"; DROP TABLE approvals; --`;
    try {
      const before = Object.keys(await registry.tableRowCounts());
      // A model name follows the one naming rule, so the registry refuses this one before any SQL; every free-text
      // value still round-trips as data.
      await expect(
        (async () =>
          registry.startRun({
            runId: 'r1',
            modelName: evil,
            workflowId: 'w1',
            startedAt: '2025-01-01T00:00:00Z',
            seed: 1,
            params: {},
            inputHashes: {},
            codeVersion: 'x',
          }))(),
      ).rejects.toThrow(/^model name: expected 1–100 letters/);
      await registry.startRun({
        runId: evil,
        modelName: 'obrien',
        workflowId: evil,
        startedAt: '2025-01-01T00:00:00Z',
        seed: 1,
        params: { evil },
        inputHashes: { [evil]: evil },
        codeVersion: evil,
      });
      await registry.recordApproval({
        runId: evil,
        stage: 'promotion',
        approved: true,
        decidedBy: evil,
        at: '2025-01-01T00:00:00Z',
        reason: evil,
      });
      expect((await registry.approvals(evil))[0]!.decidedBy).toBe(evil);
      expect((await registry.getRun(evil))!.inputHashes).toEqual({ [evil]: evil });
      expect(Object.keys(await registry.tableRowCounts())).toEqual(before);
    } finally {
      await registry.close();
    }
  });
});

describe('model loading verifies the sha256', () => {
  it('rareflow serve refuses a model file whose bytes do not hash to the registered sha256, and keeps what it served', async () => {
    const servingDir = join(dir, 'serve-sha');
    const home = join(dir, 'serve-sha-home');
    const store = new ArtifactStore(join(home, 'artifacts'));
    const good = await storeModel(store, model.artifact);
    // A second model file whose bytes are changed after it was registered: still valid JSON with a valid seal, so
    // only the byte hash can tell.
    const other = await storeModel(store, await fitTestModel('logreg', 43));
    await appendFile(store.pathOf(other.ref), '\n');
    await publish(servingDir, 1, good.served);
    const serve = await startServeProcess({ home, servingDir, model: MODEL_NAME });
    try {
      const health = async () =>
        (await fetch(`${serve.url}/healthz`)).json() as Promise<{ revision?: number; champion?: string; status: string }>;
      expect(await health()).toMatchObject({ status: 'ok', revision: 1, champion: good.ref.sha256 });
      await publish(servingDir, 2, other.served);
      const deadline = Date.now() + 10_000;
      while (!serve.stderr().includes(`failed verification`) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      expect(serve.stderr()).toMatch(
        new RegExp(
          `could not load the serving state revision 2 of ${MODEL_NAME}: champion file failed verification: \\S+ \\(its sha256 is [0-9a-f]{64}, the registry published ${other.ref.sha256}\\); still serving revision 1`,
        ),
      );
      expect(await health()).toMatchObject({ status: 'ok', revision: 1, champion: good.ref.sha256 });
    } finally {
      await serve.stop('SIGTERM');
    }
    // Started on the tampered model alone, it serves nothing rather than a model it cannot vouch for.
    const alone = await startServeProcess({ home, servingDir, model: MODEL_NAME });
    try {
      const health = await fetch(`${alone.url}/healthz`);
      expect(health.status).toBe(503);
      expect(((await health.json()) as { error: string }).error).toMatch(/^champion file failed verification: \S+\.json \(its sha256 is /);
      const scored = await fetch(`${alone.url}/score`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ features: {} }),
      });
      expect(scored.status).toBe(503);
      expect(((await scored.json()) as { error: string }).error).toMatch(/^champion file failed verification: /);
    } finally {
      await alone.stop('SIGTERM');
    }
  });

  it('rareflow predict refuses a model whose seal is broken or missing', async () => {
    writeFileSync(join(dir, 'rows.csv'), 'amount,age,velocity,channel\n1,2,3,web\n');
    writeFileSync(join(dir, 'changed.json'), JSON.stringify({ ...model.artifact, positiveLabel: 'ok', negativeLabel: 'fraud' }));
    const { contentSha256: _seal, ...unsealed } = model.artifact;
    writeFileSync(join(dir, 'unsealed.json'), JSON.stringify(unsealed));
    for (const [file, message] of [
      ['changed.json', /changed\.json is not a usable rareflow model: its content sha256 is [0-9a-f]{64}, but the file says [0-9a-f]{64}/],
      ['unsealed.json', /unsealed\.json is not a usable rareflow model: it has no "contentSha256" seal/],
    ] as const) {
      const r = await runCli(['predict', '--model', file, '--input', 'rows.csv', '--out', 'scores.csv'], { cwd: dir });
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(message);
    }
  });
});

describe('approvals record identity', () => {
  it('the approvals table requires decided_by; an approval without a name is refused; the CLI records USER@HOST', async () => {
    const home = join(dir, 'approval');
    mkdirSync(home, { recursive: true });
    const data = join(dir, 'approval.parquet');
    await generateSyntheticDataset({ rows: 20_000, positiveRate: 0.02, features: 5, seed: 9, out: data });
    writeFileSync(
      join(dir, 'approval.json'),
      JSON.stringify({
        modelName: 'approval',
        input: { paths: [data], label: 'label' },
        sampling: { targetSize: 3000 },
        model: { kind: 'logreg' },
        requireApproval: true,
        seed: 1,
      }),
    );
    const env = workerEnv({ address: server.target.address, home });
    const worker = await startWorkerProcess({ address: server.target.address, home });
    const connection = await Connection.connect({ address: server.target.address });
    let runId: string;
    try {
      const c = new RareflowClient(new Client({ connection }));
      const started = await runCli(['run', '--config', 'approval.json', '--json'], { cwd: dir, env });
      expect(started.code, started.stderr).toBe(0);
      const deadline = Date.now() + 60_000;
      for (;;) {
        const s = await c.status('approval');
        if (s.phase === 'awaiting-approval') {
          runId = s.currentRunId!;
          break;
        }
        if (Date.now() > deadline) throw new Error(`the retrain never asked for approval: ${JSON.stringify(s)}`);
        await new Promise((r) => setTimeout(r, 100));
      }
      // The Update's validator refuses a decision without an identity; the CLI refuses an empty --by.
      await expect(c.decide('approval', runId, true, ' ')).rejects.toThrow(/an approval needs a run id and the approver's identity \(by\)/);
      const empty = await runCli(['approve', '--model', 'approval', '--run', runId, '--by', ''], { cwd: dir, env });
      expect(empty.code).toBe(2);
      expect(empty.stderr).toMatch(/--by: expected a name, got an empty string/);
      // The waiting run's evidence, read from its validation: per-class table, gate verdict, report path.
      const status = await runCli(['status', '--model', 'approval'], { cwd: dir, env });
      expect(status.code, status.stderr).toBe(0);
      expect(status.stdout).toMatch(new RegExp(`^waiting for approval: run ${runId}: model [0-9a-f]{12}$`, 'm'));
      expect(status.stdout).toMatch(/^ {2}class +support +recall +precision$/m);
      expect(status.stdout).toMatch(/^ {2}gates: (pass|insufficient-evidence)/m);
      expect(status.stdout).toMatch(/^ {2}report: \/.*\.html$/m);
      const approved = await runCli(['approve', '--model', 'approval', '--run', runId, '--json'], { cwd: dir, env });
      expect(approved.code, approved.stderr).toBe(0);
      expect(approved.json()).toMatchObject({
        run: runId,
        decision: 'approved',
        by: `${userInfo().username}@${hostname()}`,
        evidence: { runId, validation: { verdict: expect.any(String) } },
      });
      await c.waitForRetrains('approval', 1, () => {});
      // The promoted model by reference, read while the worker holds the registry.
      const got = await runCli(['models', 'get', '--model', 'approval@champion', '--out', 'approval-champion.json', '--json'], {
        cwd: dir,
        env,
      });
      expect(got.code, got.stderr).toBe(0);
      expect(got.json()).toMatchObject({ registered: { name: 'approval', version: 1, aliases: ['champion'] } });
    } finally {
      await connection.close();
      await worker.stop();
    }
    const instance = await DuckDBInstance.create(join(home, 'registry.duckdb'), { access_mode: 'READ_ONLY' });
    const db = await instance.connect();
    try {
      const columns = (
        await db.runAndReadAll(
          `SELECT column_name, is_nullable FROM information_schema.columns WHERE table_name = 'approvals' ORDER BY ordinal_position`,
        )
      ).getRowsJS();
      expect(columns).toContainEqual(['decided_by', 'NO']);
      const rows = (await db.runAndReadAll('SELECT run_id, stage, approved, decided_by FROM approvals')).getRowsJS();
      expect(rows).toEqual([[runId, 'promotion', true, `${userInfo().username}@${hostname()}`]]);
    } finally {
      db.closeSync();
      instance.closeSync();
    }
  });
});
