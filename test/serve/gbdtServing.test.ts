// The scoring service answers a gbdt champion's score over real HTTP, equal to scoreModel on the same row.

import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ArtifactStore } from '../../data/artifactStore.js';
import { startScoringService } from '../../infra/scoringService.js';
import { MODEL_NAME, expectedScore, fitTestModel, generatedRows, post, publish, storeModel, tempDir } from './servingFixtures.js';

const root = tempDir('serve-gbdt');
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('POST /score with a gbdt model', () => {
  it('answers the model file score and the label its threshold gives, unseen and missing categories included', async () => {
    const store = new ArtifactStore(join(root, 'artifacts'));
    const gbdt = await storeModel(store, await fitTestModel('gbdt', 4));
    expect(gbdt.served.kind).toBe('gbdt');
    const dir = join(root, 'serving');
    await publish(dir, 1, gbdt.served);
    const s = await startScoringService({ servingDir: dir, modelName: MODEL_NAME, port: 0, pollMs: 60_000, log: () => undefined });
    try {
      const { rows } = generatedRows(60, 9);
      rows[0]!.channel = 'kiosk';
      rows[1]!.channel = null;
      const labels = new Set<unknown>();
      for (const [i, row] of rows.entries()) {
        const { status, json } = await post(`${s.url}/score`, { requestId: `g-${i}`, features: row });
        expect(status, JSON.stringify(json)).toBe(200);
        const want = expectedScore(gbdt.artifact, row);
        expect(json.score).toBe(want);
        expect(json.label).toBe(want >= gbdt.artifact.threshold ? 'fraud' : 'ok');
        expect(json).toMatchObject({ modelVersion: gbdt.ref.sha256, arm: 'champion' });
        labels.add(json.label);
      }
      expect([...labels].sort()).toEqual(['fraud', 'ok']);
    } finally {
      await s.close();
    }
  });
});
