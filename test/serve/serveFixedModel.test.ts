// `rareflow serve --model` with a fixed model (a model file, `NAME/VERSION`): that one model is served, verified
// at load, with no canary split and no hot swap; /score, /feedback and the serving log work as for a published one.

import { EventEmitter } from 'node:events';
import { readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveCommand } from '../../client/serveCommand.js';
import { failureExit, EXIT_CODES } from '../../client/exitCodes.js';
import { ArtifactStore } from '../../data/artifactStore.js';
import { Registry } from '../../data/registry.js';
import { predictionLogDir } from '../../data/servingState.js';
import { expectedScore, fitTestModel, generatedRows, post, publish, storeModel, tempDir, type StoredModel } from './servingFixtures.js';

let root: string;
let servingDir: string;
/** v1 and v2 of the registered model `fraud`; v2 is the published champion. */
const versions: StoredModel[] = [];

beforeAll(async () => {
  root = tempDir('serve-fixed');
  servingDir = join(root, 'serving');
  const store = new ArtifactStore(join(root, 'artifacts'));
  for (const seed of [41, 42]) versions.push(await storeModel(store, await fitTestModel('logreg', seed)));
  const registry = await Registry.open(join(root, 'registry.duckdb'));
  try {
    for (const [i, v] of versions.entries()) {
      await registry.recordModel({
        modelSha256: v.ref.sha256,
        modelName: 'fraud',
        runId: `run-${i + 1}`,
        uri: v.ref.uri,
        kind: 'logreg',
        threshold: v.artifact.threshold,
        createdAt: `2026-0${i + 1}-01T00:00:00.000Z`,
      });
    }
    await registry.promote('fraud', versions[1]!.ref.sha256, 'run-2', '2026-03-01T00:00:00.000Z');
  } finally {
    await registry.close();
  }
  await publish(servingDir, 1, versions[1]!.served);
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Runs serveCommand in-process on the test's registry and serving root until `act` is done. */
async function serving(model: string, act: (url: string, firstLine: string) => Promise<void>): Promise<void> {
  const saved = { registry: process.env.RAREFLOW_REGISTRY, serving: process.env.RAREFLOW_SERVING };
  process.env.RAREFLOW_REGISTRY = join(root, 'registry.duckdb');
  process.env.RAREFLOW_SERVING = servingDir;
  const signals = new EventEmitter();
  const lines: string[] = [];
  let started!: () => void;
  const ready = new Promise<void>((resolve) => (started = resolve));
  const stopped = serveCommand({ model, port: 0, flushMs: 600_000 }, (line) => lines.push(line), signals as never, {
    onStarted: () => started(),
  });
  try {
    await Promise.race([ready, stopped]);
    await act(/ at (http:\/\/\S+) /.exec(lines[0]!)![1]!, lines[0]!);
  } finally {
    signals.emit('SIGTERM');
    await stopped.catch(() => undefined);
    for (const [k, v] of [
      ['RAREFLOW_REGISTRY', saved.registry],
      ['RAREFLOW_SERVING', saved.serving],
    ] as const) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

async function scoresLikeModel(url: string, model: StoredModel, prefix: string): Promise<void> {
  const { rows, labels } = generatedRows(20, 7);
  for (const [i, row] of rows.entries()) {
    const a = await post(`${url}/score`, { requestId: `${prefix}-${i}`, features: row });
    expect(a.status).toBe(200);
    expect(a.json).toMatchObject({ modelVersion: model.ref.sha256, arm: 'champion' });
    expect(a.json.score as number).toBeCloseTo(expectedScore(model.artifact, row), 12);
  }
  const items = Array.from(labels, (y, i) => ({ requestId: `${prefix}-${i}`, label: y === 1 ? 'fraud' : 'ok' }));
  expect((await post(`${url}/feedback`, { items })).json).toEqual({ accepted: 20 });
}

describe('rareflow serve with a fixed model', () => {
  it('serves NAME/VERSION alone, though another version is the published champion', async () => {
    await serving('fraud/1', async (url, first) => {
      expect(first).toMatch(
        new RegExp(
          `^rareflow serve: scoring the fixed model fraud/1 \\(sha256 ${versions[0]!.ref.sha256.slice(0, 12)}\\) at http://127\\.0\\.0\\.1:\\d+ \\(no canary split, no hot swap; logs under .*fraud\\.v1\\); Ctrl-C stops$`,
        ),
      );
      await scoresLikeModel(url, versions[0]!, 'v1');
      const health = await (await fetch(`${url}/healthz`)).json();
      expect(health).toEqual({
        status: 'ok',
        champion: versions[0]!.ref.sha256,
        fixedModel: 'fraud/1',
        canarySplit: false,
        hotSwap: false,
      });
      // A new published revision does not move a fixed service.
      await publish(servingDir, 2, versions[1]!.served);
      await new Promise((r) => setTimeout(r, 700));
      expect((await post(`${url}/score`, { requestId: 'after', features: generatedRows(1, 8).rows[0] })).json).toMatchObject({
        modelVersion: versions[0]!.ref.sha256,
      });
    });
    // Its rows are in its own log, not in the published model's.
    expect(readdirSync(predictionLogDir(servingDir, 'fraud.v1')).filter((f) => f.endsWith('.parquet')).length).toBeGreaterThan(0);
    expect(() => readdirSync(predictionLogDir(servingDir, 'fraud'))).toThrow();
  });

  it('serves a model file, verified at load', async () => {
    const file = fileURLToPath(versions[0]!.ref.uri);
    await serving(file, async (url, first) => {
      expect(first).toContain(`logs under ${join(servingDir, `model-${versions[0]!.ref.sha256.slice(0, 12)}`)}`);
      await scoresLikeModel(url, versions[0]!, 'file');
      expect(await (await fetch(`${url}/healthz`)).json()).toMatchObject({ fixedModel: file, hotSwap: false });
      expect(await (await fetch(`${url}/metrics`)).text()).toContain(
        `rareflow_model_info{arm="champion",sha256="${versions[0]!.ref.sha256}"} 1`,
      );
    });
  });

  it('refuses a file that is not a rareflow model, with exit 2', async () => {
    const bad = join(root, 'not-a-model.json');
    writeFileSync(bad, '{"hello": 1}');
    const err = await serving(bad, async () => {
      throw new Error('started');
    }).catch((e: unknown) => e);
    expect(failureExit(err)).toMatchObject({ exitCode: EXIT_CODES.badInput });
    expect((err as Error).message).toContain('not-a-model.json');
  });

  it('says when the version it serves was archived (rolled back) and no alias points at it', async () => {
    const registry = await Registry.open(join(root, 'registry.duckdb'));
    try {
      const at = '2026-04-01T00:00:00.000Z';
      const rollout = { rolloutId: 'rollout-v1', modelName: 'fraud', challengerSha256: versions[0]!.ref.sha256 };
      await registry.setCanary({ ...rollout, championSha256: versions[1]!.ref.sha256, weight: 0.1, step: 0, sinceMs: 0, at });
      await registry.finishCanary('rollout-v1', 'rolled-back', 'recall of fraud dropped', [], at);
    } finally {
      await registry.close();
    }
    await serving('fraud/1', async (_url, first) => {
      expect(first).toContain('note: this version was archived (recall of fraud dropped) and no alias points at it; Ctrl-C stops');
    });
    // The champion is not said archived.
    await serving('fraud/2', async (_url, first) => expect(first).not.toContain('archived'));
  });
});
