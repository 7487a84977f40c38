// The scoring service answers a soft-vote champion's score over real HTTP, equal to scoreModel on the same row.

import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ArtifactStore } from '../../data/artifactStore.js';
import { startScoringService } from '../../infra/scoringService.js';
import { assembleVote } from '../../stages/voteCandidate.js';
import {
  MODEL_NAME,
  expectedScore,
  fitTestModel,
  generatedRows,
  labelledData,
  post,
  publish,
  storeModel,
  tempDir,
} from './servingFixtures.js';

const root = tempDir('serve-vote');
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('POST /score with a soft-vote model', () => {
  it('answers the model file score and the label its threshold gives', async () => {
    const store = new ArtifactStore(join(root, 'artifacts'));
    const members = [await fitTestModel('logreg', 5), await fitTestModel('forest', 5)];
    const { rows: trainRows, labels } = generatedRows(600, 5);
    const { artifact } = assembleVote(
      'vote(logreg+forest)',
      members.map((m) => ({ artifact: m, note: m.model.kind })),
      [1, 2],
      labelledData(trainRows, labels),
      { kind: 'prevalence' },
    );
    const vote = await storeModel(store, artifact);
    expect(vote.served.kind).toBe('vote');
    const dir = join(root, 'serving');
    await publish(dir, 1, vote.served);
    const s = await startScoringService({ servingDir: dir, modelName: MODEL_NAME, port: 0, pollMs: 60_000, log: () => undefined });
    try {
      const { rows } = generatedRows(60, 11);
      rows[0]!.channel = 'kiosk';
      const seen = new Set<unknown>();
      for (const [i, row] of rows.entries()) {
        const { status, json } = await post(`${s.url}/score`, { requestId: `v-${i}`, features: row });
        expect(status, JSON.stringify(json)).toBe(200);
        const want = expectedScore(vote.artifact, row);
        expect(json.score).toBe(want);
        expect(json.label).toBe(want >= vote.artifact.threshold ? 'fraud' : 'ok');
        seen.add(json.label);
      }
      expect([...seen].sort()).toEqual(['fraud', 'ok']);
    } finally {
      await s.close();
    }
  });
});
