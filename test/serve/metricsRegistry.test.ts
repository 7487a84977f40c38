// /metrics on a prom-client registry of each service's own: two services in one process keep their own series and
// leave prom-client's global registry empty; the text keeps the families' lines as the service has always written them.

import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { register } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ArtifactStore } from '../../data/artifactStore.js';
import { startScoringService } from '../../infra/scoringService.js';
import {
  fitTestModel,
  generatedRows,
  metricValue,
  post,
  publish,
  storeModel,
  tempDir,
  MODEL_NAME,
  type StoredModel,
} from './servingFixtures.js';

let root: string;
let model: StoredModel;

beforeAll(async () => {
  root = tempDir('registry');
  model = await storeModel(new ArtifactStore(join(root, 'artifacts')), await fitTestModel('logreg', 21));
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('metrics registry', () => {
  it('two services in one process count their own requests and leave the global registry empty', async () => {
    const dirs = [tempDir('registry-a'), tempDir('registry-b')];
    for (const dir of dirs) await publish(dir, 1, model.served);
    const [a, b] = await Promise.all(
      dirs.map((dir) => startScoringService({ servingDir: dir, modelName: MODEL_NAME, port: 0, pollMs: 60_000, log: () => undefined })),
    );
    try {
      const rows = generatedRows(5, 22).rows;
      for (const [i, row] of rows.entries())
        expect((await post(`${a!.url}/score`, { requestId: `a-${i}`, features: row })).status).toBe(200);
      expect((await post(`${b!.url}/score`, { requestId: 'b-0', features: rows[0] })).status).toBe(200);
      expect((await post(`${b!.url}/feedback`, { requestId: 'b-0', label: 'fraud' })).status).toBe(202);
      const [textA, textB] = await Promise.all([a!, b!].map(async (s) => (await fetch(`${s.url}/metrics`)).text()));
      expect(metricValue(textA!, 'rareflow_requests_total', { arm: 'champion', status: 'ok' })).toBe(5);
      expect(metricValue(textB!, 'rareflow_requests_total', { arm: 'champion', status: 'ok' })).toBe(1);
      expect(metricValue(textA!, 'rareflow_recent_predictions')).toBe(5);
      expect(metricValue(textA!, 'rareflow_feedback_total', { class: 'positive' })).toBe(0);
      expect(metricValue(textB!, 'rareflow_feedback_total', { class: 'positive' })).toBe(1);
      expect(register.getMetricsAsArray()).toHaveLength(0);

      // Families follow one another without blank lines; bucket lines name the arm before le, +Inf last of each arm.
      expect(
        textA!
          .split('\n')
          .slice(0, -1)
          .every((line) => line !== ''),
      ).toBe(true);
      const buckets = textA!.split('\n').filter((l) => l.startsWith('rareflow_request_duration_seconds_bucket'));
      expect(buckets[0]).toMatch(/^rareflow_request_duration_seconds_bucket\{arm="champion",le="0\.0005"\} \d+$/);
      expect(buckets[10]).toMatch(/^rareflow_request_duration_seconds_bucket\{arm="champion",le="1"\} \d+$/);
      expect(buckets[11]).toBe('rareflow_request_duration_seconds_bucket{arm="champion",le="+Inf"} 5');
      expect(metricValue(textA!, 'rareflow_request_duration_seconds_count', { arm: 'challenger' })).toBe(0);
    } finally {
      await Promise.all([a!.close(), b!.close()]);
      for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
    }
  });
});
