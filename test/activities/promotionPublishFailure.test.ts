// A promotion whose serving state cannot be published must not leave the registry naming the new champion: a
// serving directory that cannot be made fails before the alias moves, and a publish that fails after it puts the
// alias back (recorded as a rollback). Before, the model of a failed run stayed the registry's champion, read by
// `predict NAME` and the next champion gate, while the service and the lifecycle named the old one.

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRegistryActivities } from '../../activities/registry.js';
import { ArtifactStore } from '../../data/artifactStore.js';
import { Registry } from '../../data/registry.js';
import { readServingState } from '../../data/servingState.js';
import type { ArtifactRef } from '../../workflows/contract.js';
import { registerModel } from '../support/registeredModel.js';

let dir: string;
let registry: Registry;
let a: ArtifactRef;
let b: ArtifactRef;
let activities: ReturnType<typeof createRegistryActivities>;
const servingDir = () => join(dir, 'serving');

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'rareflow-promote-publish-'));
  const artifacts = new ArtifactStore(join(dir, 'artifacts'));
  registry = await Registry.open(join(dir, 'registry.duckdb'));
  a = await artifacts.putBytes(JSON.stringify({ kind: 'logreg', v: 1 }), 'model', 'json');
  b = await artifacts.putBytes(JSON.stringify({ kind: 'logreg', v: 2 }), 'model', 'json');
  await registerModel(registry, 'fraud', 'r1', a);
  await registerModel(registry, 'fraud', 'r2', b);
  activities = createRegistryActivities({ registry, artifacts, servingDir: servingDir() });
  await activities.registryPromote({ modelName: 'fraud', modelSha256: a.sha256, runId: 'r1', at: '2026-01-01T00:00:00Z' });
});

afterAll(async () => {
  await registry?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('a promotion whose serving state cannot be published', () => {
  it('fails before the champion moves when the serving directory cannot be made (a file in its place)', async () => {
    const modelDir = join(servingDir(), 'fraud');
    rmSync(modelDir, { recursive: true, force: true });
    writeFileSync(modelDir, 'x');
    const before = (await registry.promotions('fraud')).length;
    await expect(
      activities.registryPromote({ modelName: 'fraud', modelSha256: b.sha256, runId: 'r2', at: '2026-01-02T00:00:00Z' }),
    ).rejects.toThrow(/^RAREFLOW_SERVING is .*: cannot make the directory .*fraud \(a file of that name is there, not a directory\)/);
    expect((await registry.champion('fraud'))?.modelSha256).toBe(a.sha256);
    expect(await registry.promotions('fraud')).toHaveLength(before);
    rmSync(modelDir);
  });

  it('takes the promotion back when the publish fails after the alias moved, so a retry records it once', async () => {
    // state.json as a non-empty directory: the state is written beside it, and the rename over it fails.
    mkdirSync(join(servingDir(), 'fraud', 'state.json', 'blocked'), { recursive: true });
    const before = await registry.promotions('fraud');
    await expect(
      activities.registryPromote({ modelName: 'fraud', modelSha256: b.sha256, runId: 'r2', at: '2026-01-03T00:00:00Z' }),
    ).rejects.toThrow();
    expect((await registry.champion('fraud'))?.modelSha256).toBe(a.sha256);
    expect(await registry.promotions('fraud')).toEqual(before);
    // Once the directory can be written, a retry promotes and publishes.
    rmSync(join(servingDir(), 'fraud', 'state.json'), { recursive: true });
    await activities.registryPromote({ modelName: 'fraud', modelSha256: b.sha256, runId: 'r2', at: '2026-01-04T00:00:00Z' });
    expect((await registry.champion('fraud'))?.modelSha256).toBe(b.sha256);
    expect((await readServingState(servingDir(), 'fraud'))?.champion?.sha256).toBe(b.sha256);
    expect((await registry.promotions('fraud')).slice(before.length).map((p) => [p.kind, p.fromSha256, p.toSha256])).toEqual([
      ['promote', a.sha256, b.sha256],
    ]);
  });

  it('on a first promotion (no champion before it), leaves no champion when the publish fails', async () => {
    await registerModel(registry, 'fresh', 'r3', a);
    mkdirSync(join(servingDir(), 'fresh', 'state.json', 'blocked'), { recursive: true });
    await expect(
      activities.registryPromote({ modelName: 'fresh', modelSha256: a.sha256, runId: 'r3', at: '2026-01-05T00:00:00Z' }),
    ).rejects.toThrow();
    expect(await registry.champion('fresh')).toBeUndefined();
    expect(await registry.promotions('fresh')).toEqual([]);
  });
});
