// retrainPipeline on a real Temporal dev server, run twice on yeast3 with every stored dataset (.arrow) and the model
// JSON changed on disk in between: the second run re-hashes each memoised output it would reuse, recomputes the
// changed ones from their inputs, and registers only files that verify; the damaged model was the champion's, so the
// champion gate of the second run is insufficient evidence, not a pass.

import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolvePipelineSpec } from '../../client/pipelineSpec.js';
import { resolveModelReference } from '../../data/modelReference.js';
import { runRetrainPipeline, startTemporalTestEnv, withTestWorkers, type TemporalTestEnv } from '../support/temporalServer.js';
import { auditArtifactStore } from '../support/stateSnapshot.js';

let env: TemporalTestEnv;

beforeAll(async () => {
  env = await startTemporalTestEnv();
});

afterAll(async () => {
  await env?.close();
});

const spec = resolvePipelineSpec(
  {
    modelName: 'yeast3-integrity',
    input: { paths: [join(process.cwd(), 'test/fixtures/yeast3.csv')], label: 'label' },
    model: { kind: 'logreg', threshold: 'prevalence' },
    seed: 2,
  },
  'test spec',
);

function storedFiles(ext: string): string[] {
  const out: string[] = [];
  for (const shard of readdirSync(env.artifactRoot).filter((n) => /^[0-9a-f]{2}$/.test(n))) {
    for (const name of readdirSync(join(env.artifactRoot, shard)))
      if (name.endsWith(`.${ext}`)) out.push(join(env.artifactRoot, shard, name));
  }
  return out;
}

describe('retrainPipeline over changed stored files', () => {
  it('recomputes every changed memoised output, and does not promote past a champion whose file is gone', async () => {
    const { first, second, modelUri, championSha256 } = await withTestWorkers(env, async (c, registry) => {
      const first = await runRetrainPipeline(c, spec, 'integrity-first');
      const modelPath = storedFiles('json').find((p) => p.includes(first.modelSha256))!;
      const edited = JSON.parse(readFileSync(modelPath, 'utf8')) as { threshold: number };
      edited.threshold = 1e-9;
      writeFileSync(modelPath, JSON.stringify(edited));
      const arrows = storedFiles('arrow');
      expect(arrows.length).toBeGreaterThanOrEqual(3);
      for (const path of arrows) {
        const bytes = readFileSync(path);
        bytes[bytes.length >> 1] ^= 0xff;
        writeFileSync(path, bytes);
      }
      expect((await auditArtifactStore(env.artifactRoot)).mismatched.length).toBe(arrows.length + 1);
      const second = await runRetrainPipeline(c, spec, 'integrity-second');
      return {
        first,
        second,
        modelUri: (await registry.model(second.modelSha256))?.uri,
        championSha256: (await registry.champion(spec.modelName))?.modelSha256,
      };
    });
    // The retrained model records its own run, so its hash is new; what it learned and how it scores are not.
    const figures = (v: typeof first.validation) => [v.positive, v.negative, v.gMean, v.prAucNormalised, v.brier, v.threshold];
    expect(figures(second.validation)).toEqual(figures(first.validation));
    expect(second.stages.map((st) => [st.stage, st.rowsOut, st.positivesOut])).toEqual(
      first.stages.map((st) => [st.stage, st.rowsOut, st.positivesOut]),
    );
    const modelPath = storedFiles('json').find((p) => p.includes(second.modelSha256))!;
    const modelBytes = readFileSync(modelPath);
    expect(createHash('sha256').update(modelBytes).digest('hex')).toBe(second.modelSha256);
    expect((JSON.parse(modelBytes.toString('utf8')) as { threshold: number }).threshold).toBe(first.validation.threshold);
    // The damaged file was the champion's own (the first run's model): it is set aside in quarantine/, so the
    // champion cannot be compared with, and the champion gate is insufficient evidence, never passed as if there were
    // no champion; the note says the file was damaged, not deleted. The champion alias stays where it was.
    expect(first.outcome).toBe('promoted');
    expect(second.outcome).toBe('insufficient-evidence');
    expect(second.validation.championNote).toBe(
      `the champion's model file (${first.modelSha256.slice(0, 12)}) failed verification (its bytes changed after it was written) and was set aside in the artifact store's quarantine/, so it could not be compared; the champion cannot be served or scored until it is retrained or restored`,
    );
    expect(championSha256).toBe(first.modelSha256);
    expect(modelUri === undefined || fileURLToPath(modelUri) === modelPath).toBe(true);
    const audit = await auditArtifactStore(env.artifactRoot);
    expect(audit.mismatched).toEqual([]);
    expect(audit.leftovers).toEqual([]);
    expect(audit.quarantined).toContain(`${first.modelSha256}.json`);
    // Asked for by name, the champion is said to be damaged and where it was set aside, not deleted.
    await expect(resolveModelReference(spec.modelName, { registryPath: env.registryPath, note: () => {} })).rejects.toThrow(
      new RegExp(
        `records the model at \\S+${first.modelSha256}\\.json, which failed verification .*set aside as \\S+quarantine/${first.modelSha256}\\.json; retrain the model`,
      ),
    );
  }, 240_000);
});

describe('a retrain on unchanged data and spec', () => {
  it('gives the champion itself: no canary against itself, no second promotion, and the reason says so', async () => {
    const same = resolvePipelineSpec(
      {
        modelName: 'yeast3-unchanged',
        input: { paths: [join(process.cwd(), 'test/fixtures/yeast3.csv')], label: 'label' },
        model: { kind: 'logreg', threshold: 'prevalence' },
        canary: { steps: [1], windowMs: 500, maxExtensions: 0 },
        seed: 2,
      },
      'test spec',
    );
    const { first, second, promotions, canaries, champion } = await withTestWorkers(env, async (c, registry) => {
      const first = await runRetrainPipeline(c, same, 'unchanged-first');
      const second = await runRetrainPipeline(c, same, 'unchanged-second');
      return {
        first,
        second,
        promotions: await registry.promotions(same.modelName),
        canaries: await registry.canaries(same.modelName),
        champion: await registry.champion(same.modelName),
      };
    });
    expect(first.outcome).toBe('promoted');
    expect(second.modelSha256).toBe(first.modelSha256);
    expect(second).toMatchObject({ outcome: 'promoted', reason: expect.stringMatching(/^the retrained model is the champion itself/) });
    expect(promotions).toHaveLength(1);
    expect(canaries).toEqual([]);
    expect(champion?.modelSha256).toBe(first.modelSha256);
  }, 240_000);
});
