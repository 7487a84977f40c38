// The demo load generator against a real service: every sent request is answered, labels follow for the chosen
// share, and rows can come from a file read through DuckDB.

import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runLoad } from '../../client/loadGenerator.js';
import { ArtifactStore } from '../../data/artifactStore.js';
import { sqlString, withDuckDB } from '../../data/duckdbConnection.js';
import { startScoringService, type ScoringService } from '../../infra/scoringService.js';
import { MODEL_NAME, fitTestModel, generatedRows, metricValue, publish, storeModel, tempDir } from './servingFixtures.js';

let root: string;
let service: ScoringService;

beforeAll(async () => {
  root = tempDir('load');
  const store = new ArtifactStore(join(root, 'artifacts'));
  const champion = await storeModel(store, await fitTestModel('logreg', 41));
  const challenger = await storeModel(store, await fitTestModel('logreg', 42));
  await publish(join(root, 'serving'), 1, champion.served, { challenger: challenger.served, weight: 0.5 });
  service = await startScoringService({ servingDir: join(root, 'serving'), modelName: MODEL_NAME, port: 0, log: () => undefined });
});

afterAll(async () => {
  await service.close();
  rmSync(root, { recursive: true, force: true });
});

describe('runLoad', () => {
  it('sends rows at a rate with bounded concurrency and posts the labels of a share of them after a delay', async () => {
    const { rows, labels } = generatedRows(100, 43);
    const r = await runLoad({
      url: service.url,
      source: { rows: rows.map((row) => ({ ...row })), labels: Array.from(labels, (y) => (y === 1 ? 'fraud' : 'ok')) },
      ratePerSecond: 400,
      durationMs: 500,
      concurrency: 8,
      feedbackDelayMs: 50,
      feedbackFraction: 0.5,
      requestIdPrefix: 'load-a',
    });
    expect(r.sent).toBeGreaterThan(0);
    expect(r.failed).toBe(0);
    expect(r.ok).toBe(r.sent);
    expect(r.byArm.champion + r.byArm.challenger).toBe(r.ok);
    expect(r.feedbackFailed).toBe(0);
    expect(r.feedbackSent).toBeGreaterThan(0);
    expect(r.feedbackSent).toBeLessThan(r.ok);
    expect(r.latencyP99Ms).toBeGreaterThanOrEqual(r.latencyP50Ms!);
    const text = await (await fetch(`${service.url}/metrics`)).text();
    const feedback = ['positive', 'negative', 'unknown'].map((c) => metricValue(text, 'rareflow_feedback_total', { class: c }) ?? 0);
    expect(feedback.reduce((a, b) => a + b, 0)).toBe(r.feedbackSent);
    expect(metricValue(text, 'rareflow_recall', { arm: 'challenger', class: 'negative' })).toBeDefined();
  });

  it('reads the rows and labels from a CSV file through DuckDB', async () => {
    const { rows, labels } = generatedRows(20, 44);
    const csv = join(root, 'rows.csv');
    const values = rows.map(
      (r, i) =>
        `(${r.amount}, ${r.age}, ${r.velocity}, ${r.channel === null ? 'NULL' : `'${r.channel}'`}, '${labels[i] === 1 ? 'fraud' : 'ok'}')`,
    );
    await withDuckDB((c) =>
      c.run(
        `COPY (SELECT * FROM (VALUES ${values.join(', ')}) t(amount, age, velocity, channel, is_fraud)) TO ${sqlString(csv)} (FORMAT csv, HEADER true)`,
      ),
    );
    const r = await runLoad({
      url: service.url,
      source: { path: csv, label: 'is_fraud' },
      ratePerSecond: 200,
      durationMs: 200,
      requestIdPrefix: 'load-b',
    });
    expect(r.failed).toBe(0);
    expect(r.ok).toBe(r.sent);
    expect(r.feedbackSent).toBe(r.ok);
    await expect(
      runLoad({ url: service.url, source: { path: csv, label: 'nope' }, ratePerSecond: 1, durationMs: 1, requestIdPrefix: 'x' }),
    ).rejects.toThrow(/label column "nope" not found in .*rows\.csv; its columns are amount, age, velocity, channel, is_fraud/);
  });
});
