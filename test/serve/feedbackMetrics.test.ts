// Feedback joined to the service's own recent predictions, and /metrics as Prometheus text exposition 0.0.4.

import { rmSync } from 'node:fs';
import { join } from 'node:path';
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
let champion: StoredModel;
let challenger: StoredModel;

beforeAll(async () => {
  root = tempDir('metrics');
  const store = new ArtifactStore(join(root, 'artifacts'));
  champion = await storeModel(store, await fitTestModel('logreg', 11));
  challenger = await storeModel(store, await fitTestModel('forest', 12));
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Checks every line is a HELP, TYPE or sample line, and every sample belongs to a family declared before it. */
function parseExposition(text: string): Map<string, string> {
  const types = new Map<string, string>();
  const helped = new Set<string>();
  expect(text.endsWith('\n')).toBe(true);
  for (const line of text.slice(0, -1).split('\n')) {
    let m = /^# HELP ([a-zA-Z_:][a-zA-Z0-9_:]*) .+$/.exec(line);
    if (m) {
      helped.add(m[1]!);
      continue;
    }
    m = /^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram)$/.exec(line);
    if (m) {
      expect(helped.has(m[1]!), `HELP before TYPE of ${m[1]}`).toBe(true);
      types.set(m[1]!, m[2]!);
      continue;
    }
    m =
      /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\.)*"(?:,[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\.)*")*\})? (-?[0-9.e+-]+|NaN|\+Inf|-Inf)$/.exec(
        line,
      );
    expect(m, `not an exposition line: ${line}`).not.toBeNull();
    const name = m![1]!;
    const family = types.has(name) ? name : name.replace(/_(bucket|sum|count)$/, '');
    expect(types.has(family), `sample ${name} before its TYPE line`).toBe(true);
    if (family !== name) expect(types.get(family)).toBe('histogram');
  }
  return types;
}

describe('feedback and metrics', () => {
  it('joins feedback to the predictions of each arm: recall and precision per arm and class, latest label wins', async () => {
    const dir = tempDir('feedback');
    await publish(dir, 1, champion.served, { challenger: challenger.served, weight: 0.5 });
    const s = await startScoringService({ servingDir: dir, modelName: MODEL_NAME, port: 0, pollMs: 60_000, log: () => undefined });
    try {
      const { rows, labels } = generatedRows(300, 13);
      const answers = await Promise.all(rows.map((row, i) => post(`${s.url}/score`, { requestId: `fbm-${i}`, features: row })));
      const truth = Array.from(labels, (y) => (y === 1 ? 'fraud' : 'ok'));
      // The first 100 one by one, the rest in batches; request 0 first gets the wrong label, then the right one.
      expect((await post(`${s.url}/feedback`, { requestId: 'fbm-0', label: truth[0] === 'fraud' ? 'ok' : 'fraud' })).status).toBe(202);
      for (let i = 0; i < 100; i++)
        expect((await post(`${s.url}/feedback`, { requestId: `fbm-${i}`, label: truth[i] })).json).toEqual({ accepted: 1 });
      for (let at = 100; at < 300; at += 40) {
        const items = truth.slice(at, at + 40).map((label, k) => ({ requestId: `fbm-${at + k}`, label }));
        const r = await post(`${s.url}/feedback`, { items });
        expect(r.status).toBe(202);
        expect(r.json).toEqual({ accepted: items.length });
      }
      // Feedback for a request another replica answered is accepted and judged by the champion's labels, and the
      // answer says that this replica holds no prediction of it (an id never scored joins nothing).
      const elsewhere = await post(`${s.url}/feedback`, {
        items: [
          { requestId: 'elsewhere', label: 'fraud' },
          { requestId: 'fbm-1', label: truth[1] },
        ],
      });
      expect(elsewhere.status).toBe(202);
      expect(elsewhere.json).toEqual({
        accepted: 2,
        unmatched: 1,
        warning:
          '1 of 2 labels names a request id this replica has not answered lately: logged, and joined only if another replica or an earlier prediction log holds that request (a label for an id never scored joins nothing)',
      });

      const counts = { champion: { tp: 0, fn: 0, fp: 0, tn: 0 }, challenger: { tp: 0, fn: 0, fp: 0, tn: 0 } };
      answers.forEach(({ status, json }, i) => {
        expect(status).toBe(200);
        const c = counts[json.arm as 'champion' | 'challenger'];
        const predicted = json.label === 'fraud';
        const actual = truth[i] === 'fraud';
        if (actual && predicted) c.tp++;
        else if (actual) c.fn++;
        else if (predicted) c.fp++;
        else c.tn++;
      });
      expect(counts.champion.tp + counts.champion.fn).toBeGreaterThan(0);
      expect(counts.challenger.tp + counts.challenger.fn).toBeGreaterThan(0);

      const res = await fetch(`${s.url}/metrics`);
      expect(res.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
      const text = await res.text();
      const types = parseExposition(text);
      expect(types.get('rareflow_request_duration_seconds')).toBe('histogram');
      expect(text).not.toMatch(/fbm-|elsewhere/);
      expect(metricValue(text, 'rareflow_feedback_unmatched_total', {})).toBe(1);
      for (const arm of ['champion', 'challenger'] as const) {
        const { tp, fn, fp, tn } = counts[arm];
        expect(metricValue(text, 'rareflow_recall', { arm, class: 'positive' })).toBeCloseTo(tp / (tp + fn), 12);
        expect(metricValue(text, 'rareflow_recall', { arm, class: 'negative' })).toBeCloseTo(tn / (tn + fp), 12);
        expect(metricValue(text, 'rareflow_precision', { arm, class: 'positive' })).toBeCloseTo(tp / (tp + fp), 12);
        expect(metricValue(text, 'rareflow_precision', { arm, class: 'negative' })).toBeCloseTo(tn / (tn + fn), 12);
        const served = tp + fn + fp + tn;
        expect(metricValue(text, 'rareflow_requests_total', { arm, status: 'ok' })).toBe(served);
        expect(metricValue(text, 'rareflow_request_duration_seconds_count', { arm })).toBe(served);
        expect(metricValue(text, 'rareflow_request_duration_seconds_bucket', { arm, le: '+Inf' })).toBe(served);
        expect(metricValue(text, 'rareflow_predictions_total', { arm, class: 'positive' })).toBe(tp + fp);
        expect(metricValue(text, 'rareflow_predictions_total', { arm, class: 'negative' })).toBe(fn + tn);
      }
      const positives = truth.filter((t) => t === 'fraud').length;
      // 300 labels + the wrong first label of request 0 + the one for "elsewhere" + request 1's again.
      expect(
        metricValue(text, 'rareflow_feedback_total', { class: 'positive' })! +
          metricValue(text, 'rareflow_feedback_total', { class: 'negative' })!,
      ).toBe(303);
      expect(metricValue(text, 'rareflow_feedback_total', { class: 'positive' })).toBe(
        positives + 1 + (truth[0] === 'fraud' ? 0 : 1) + (truth[1] === 'fraud' ? 1 : 0),
      );
      expect(metricValue(text, 'rareflow_canary_weight')).toBe(0.5);
      expect(metricValue(text, 'rareflow_model_info', { arm: 'champion', sha256: champion.ref.sha256 })).toBe(1);
      expect(metricValue(text, 'rareflow_model_info', { arm: 'challenger', sha256: challenger.ref.sha256 })).toBe(1);
      const buckets = text
        .split('\n')
        .filter((l) => l.startsWith('rareflow_request_duration_seconds_bucket{arm="champion"'))
        .map((l) => Number(l.split(' ')[1]));
      expect(buckets).toHaveLength(12);
      expect(buckets.every((v, i) => i === 0 || v >= buckets[i - 1]!)).toBe(true);

      // After the canary ends, only the current model's info is shown.
      await publish(dir, 2, challenger.served);
      await s.reload();
      const after = await (await fetch(`${s.url}/metrics`)).text();
      expect(after).not.toContain(champion.ref.sha256);
      expect(metricValue(after, 'rareflow_model_info', { arm: 'champion', sha256: challenger.ref.sha256 })).toBe(1);
      expect(metricValue(after, 'rareflow_canary_weight')).toBe(0);
    } finally {
      await s.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
