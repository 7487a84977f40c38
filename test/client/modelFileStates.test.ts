// `models list` and `models show` say when a registered model's file failed verification and was set aside in the
// artifact store's quarantine/: a champion looked servable there while `serve`, `predict` and `models get` refused it.

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ArtifactStore } from '../../data/artifactStore.js';
import { Registry } from '../../data/registry.js';
import { runCli } from '../support/cliProcess.js';
import { registerModel } from '../support/registeredModel.js';

const dir = mkdtempSync(join(tmpdir(), 'rareflow-model-file-states-'));
const env = { RAREFLOW_HOME: dir, RAREFLOW_REGISTRY: join(dir, 'registry.duckdb'), RAREFLOW_ARTIFACTS: join(dir, 'artifacts') };

let badSha = '';

beforeAll(async () => {
  const artifacts = new ArtifactStore(env.RAREFLOW_ARTIFACTS);
  const registry = await Registry.open(env.RAREFLOW_REGISTRY);
  try {
    const good = await artifacts.putBytes(JSON.stringify({ kind: 'logreg', v: 1 }), 'model', 'json');
    const bad = await artifacts.putBytes(JSON.stringify({ kind: 'logreg', v: 2 }), 'model', 'json');
    await registerModel(registry, 'fraud', 'r1', good);
    await registerModel(registry, 'fraud', 'r2', bad);
    badSha = bad.sha256;
    await registry.promote('fraud', bad.sha256, 'r2', '2026-01-02T00:00:00Z');
    // Damaged after it was written, and found so: set aside in quarantine/.
    const path = artifacts.pathOf(bad);
    const bytes = readFileSync(path);
    bytes[3] = bytes[3]! ^ 0xff;
    writeFileSync(path, bytes);
    expect((await artifacts.check(bad)).status).toBe('corrupt');
    await artifacts.discardIfCorrupt(bad);
  } finally {
    await registry.close();
  }
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('a registered model whose file was set aside', () => {
  it('is marked in models list and models show, as text and JSON', async () => {
    const list = await runCli(['models', 'list'], { cwd: dir, env });
    expect(list.code, list.stderr).toBe(0);
    expect(list.stdout).toContain(`(${badSha.slice(0, 12)}) (file set aside: it failed verification)`);
    const json = await runCli(['models', 'list', '--json'], { cwd: dir, env });
    expect(json.json<{ models: Array<{ championFileProblem?: string }> }>().models[0]!.championFileProblem).toBe(
      'file set aside: it failed verification',
    );
    const show = await runCli(['models', 'show', '--model', 'fraud', '--json'], { cwd: dir, env });
    expect(show.code, show.stderr).toBe(0);
    const versions = show.json<{ versions: Array<{ modelSha256: string; fileProblem?: string }> }>().versions;
    expect(versions.map((v) => [v.modelSha256 === badSha, v.fileProblem]).sort()).toEqual([
      [false, undefined],
      [true, 'file set aside: it failed verification'],
    ]);
    const text = await runCli(['models', 'show', '--model', 'fraud'], { cwd: dir, env });
    expect(text.stdout).toMatch(new RegExp(`${badSha.slice(0, 12)} .*champion, file set aside: it failed verification`));
  });
});
