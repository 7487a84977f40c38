import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { Registry } from '../../data/registry.js';
import { openRegistryForReading, registryInUse } from '../../data/registryReadAccess.js';
import { InvalidInputError } from '../../core/invalidInputError.js';
import { loadConfig } from '../../infra/rareflowConfig.js';
import { postgresUnavailable, startPostgres, type PostgresServer } from '../support/postgresServer.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rareflow-registry-read-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const model = {
  modelSha256: 'm1',
  modelName: 'fraud',
  runId: 'r1',
  uri: 'file:///m1.json',
  kind: 'forest',
  threshold: 0.5,
  createdAt: '2026-01-01T00:00:00.000Z',
};

describe('openRegistryForReading', () => {
  test('a missing registry is an input error, and reading does not create one', async () => {
    const path = join(dir, 'none', 'registry.duckdb');
    await expect(openRegistryForReading(path)).rejects.toThrow(/no registry at .*none.*nothing has been recorded/);
    await expect(openRegistryForReading(path)).rejects.toMatchObject({ name: 'InvalidInputError' });
  });

  test('a free registry is read in place', async () => {
    const path = join(dir, 'free', 'registry.duckdb');
    const writer = await Registry.open(path);
    await writer.recordModel(model);
    await writer.close();
    const reader = await openRegistryForReading(path);
    try {
      expect(reader.snapshot).toBe(false);
      expect((await reader.registry.model('m1'))?.kind).toBe('forest');
    } finally {
      await reader.close();
    }
  });

  test('a registry another process holds is read through a snapshot that sees its writes', async () => {
    const path = join(dir, 'held', 'registry.duckdb');
    const registryModule = resolve('dist/data/registry.js');
    // A second process holds the file open for writing, as the registry worker does, until its stdin closes.
    const holder = spawn(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `const { Registry } = await import(${JSON.stringify(registryModule)});
         const r = await Registry.open(${JSON.stringify(path)});
         await r.recordModel(${JSON.stringify(model)});
         process.stdout.write('ready\\n');
         process.stdin.on('end', () => { r.close(); process.exit(0); });
         process.stdin.resume();`,
      ],
      { stdio: ['pipe', 'pipe', 'inherit'] },
    );
    try {
      await new Promise<void>((ready, fail) => {
        holder.stdout.on('data', (d: Buffer) => d.toString().includes('ready') && ready());
        holder.on('exit', (code) => fail(new Error(`holder exited with ${code}`)));
      });
      const refused = await Registry.open(path).catch((e: unknown) => e);
      expect(String(refused)).toMatch(/lock/i);
      // A worker that would serve the registry says so in words (rareflow worker: exit 2), naming the holder.
      const said = registryInUse(refused, path);
      expect(said).toBeInstanceOf(InvalidInputError);
      expect((said as Error).message).toBe(
        `the registry ${path} is in use by another process (PID ${holder.pid}), most likely another rareflow worker or dev on the same RAREFLOW_HOME: exactly one process may serve the registry queue; start further workers with --queues workflows,compute, or use a PostgreSQL registry (RAREFLOW_REGISTRY=postgres://…) for several`,
      );
      expect(registryInUse(new Error('disk full'), path)).toEqual(new Error('disk full'));
      const reader = await openRegistryForReading(path);
      try {
        expect(reader.snapshot).toBe(true);
        expect((await reader.registry.model('m1'))?.modelName).toBe('fraud');
      } finally {
        await reader.close();
      }
    } finally {
      holder.stdin.end();
      await new Promise((done) => holder.on('exit', done));
    }
  });
});

describe('a registry file whose blocks fail their checksums', () => {
  test("is named in the error, not left to DuckDB's text of a block location", async () => {
    const path = join(dir, 'damaged.duckdb');
    const registry = await Registry.open(path);
    for (let i = 0; i < 200; i++)
      await registry.recordDriftEvent({
        modelName: 'm',
        at: new Date(1e12 + i).toISOString(),
        source: 'cli',
        evidence: { reason: 'x'.repeat(4000) },
        runId: null,
      });
    await registry.close();
    const bytes = await readFile(path);
    for (let at = 12_288; at < bytes.length; at += 512) bytes[at] = bytes[at]! ^ 0xff;
    await writeFile(path, bytes);
    const read = async () => {
      const r = await Registry.open(path);
      try {
        return await r.driftEvents('m');
      } finally {
        await r.close();
      }
    };
    await expect(read()).rejects.toThrow(
      new RegExp(`^the registry database ${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is damaged \\(IO Error: Corrupt database file`),
    );
  });
});

describe.skipIf(postgresUnavailable() !== undefined)('openRegistryForReading on PostgreSQL', () => {
  let server: PostgresServer;
  beforeAll(async () => {
    server = await startPostgres();
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
  });

  test('RAREFLOW_REGISTRY keeps a postgres URL as given', () => {
    const url = 'postgres://u:p@db.example:5432/registry';
    expect(loadConfig({ RAREFLOW_REGISTRY: url }).registryPath).toBe(url);
  });

  test('an empty database is an input error, and reading creates no tables there', async () => {
    const url = await server.newDatabaseUrl();
    const masked = url.replace(/:[^:@/]*@/, ':***@');
    const err = (await openRegistryForReading(url).catch((e: unknown) => e)) as Error;
    expect(err).toMatchObject({ name: 'InvalidInputError' });
    expect(err.message).toBe(
      `no registry at ${masked}: nothing has been recorded there yet (run a retrain first, or set RAREFLOW_REGISTRY to the registry in use)`,
    );
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      const tables = await client.query(`SELECT count(*)::int AS n FROM information_schema.tables WHERE table_schema = 'public'`);
      expect(tables.rows[0]).toEqual({ n: 0 });
    } finally {
      await client.end();
    }
  });

  test('a registry a worker holds open is read directly, seeing its writes', async () => {
    const url = await server.newDatabaseUrl();
    const writer = await Registry.open(url);
    try {
      await writer.recordModel(model);
      const reader = await openRegistryForReading(url);
      try {
        expect(reader.snapshot).toBe(false);
        expect((await reader.registry.model('m1'))?.kind).toBe('forest');
        await writer.recordModel({ ...model, modelSha256: 'm2' });
        expect((await reader.registry.model('m2'))?.modelName).toBe('fraud');
      } finally {
        await reader.close();
      }
    } finally {
      await writer.close();
    }
  });
});
