// The serving side of the bad-input matrix: wrong content types, labels that are not the model's classes, bad values
// for boolean-like columns, and tampered champion files. Every refused request gets its status and a message naming
// the field (and the allowed values), is counted, and leaves the serving directory byte-for-byte as it was.

import { createHash } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fitModelArtifact } from '../../stages/train.js';
import { serveCommand } from '../../client/serveCommand.js';
import { featureMatrix } from '../../core/dataset.js';
import type { ModelArtifact } from '../../core/models/modelArtifact.js';
import { seededRandom } from '../../core/random.js';
import { ArtifactStore } from '../../data/artifactStore.js';
import { sqlString, withDuckDB } from '../../data/duckdbConnection.js';
import { feedbackLogDir, predictionLogDir, servingStatePath } from '../../data/servingState.js';
import { startScoringService, type ScoringService } from '../../infra/scoringService.js';
import { listFiles } from '../support/stateSnapshot.js';
import {
  fitTestModel,
  generatedRows,
  metricValue,
  publish,
  storeModel,
  tempDir,
  MODEL_NAME,
  type StoredModel,
} from '../serve/servingFixtures.js';

let root: string;
let store: ArtifactStore;
/** Classes "fraud" / "ok": not boolean-like, so exact values only. */
let textModel: StoredModel;
/** Classes "true" / "false", an `amount` column and a boolean-like `flag` column. */
let boolModel: StoredModel;

/** A model whose label is stored as "true"/"false" and whose `flag` column was read as a boolean. */
async function fitBooleanModel(): Promise<ModelArtifact> {
  const random = seededRandom(5);
  const n = 400;
  const x = new Float64Array(n * 2);
  const y = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const positive = random.next() < 0.25;
    y[i] = positive ? 1 : 0;
    x[i * 2] = random.next() + (positive ? 0.8 : 0);
    x[i * 2 + 1] = random.next() < (positive ? 0.8 : 0.2) ? 1 : 0;
  }
  const { artifact } = await fitModelArtifact(
    { x: featureMatrix(n, 2, x), y },
    {
      model: { kind: 'logreg', threshold: 'prevalence' },
      featureNames: ['amount', 'flag'],
      inputColumns: [
        { name: 'amount', kind: 'numeric' },
        { name: 'flag', kind: 'numeric', boolean: true },
      ],
      labelName: 'is_fraud',
      labels: { positive: 'true', negative: 'false' },
      modelName: MODEL_NAME,
      seed: 5,
      runId: 'run-bool',
      datasetSha256: 'test',
    },
  );
  return artifact;
}

beforeAll(async () => {
  root = tempDir('bad-serving');
  store = new ArtifactStore(join(root, 'artifacts'));
  textModel = await storeModel(store, await fitTestModel('logreg', 21));
  boolModel = await storeModel(store, await fitBooleanModel());
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Every file of the serving directory with its sha256. */
async function digest(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const f of Object.keys(await listFiles(dir)))
    out[f] = createHash('sha256')
      .update(readFileSync(join(dir, f)))
      .digest('hex');
  return out;
}

/** POSTs `body`: `contentType` null lets fetch choose (text/plain for a string, as a browser does), 'none' sends no header. */
async function send(url: string, body: string, contentType: string | null): Promise<{ status: number; error: string }> {
  if (contentType === 'none') {
    return new Promise((resolve, reject) => {
      const req = request(url, { method: 'POST', headers: { 'content-length': Buffer.byteLength(body) } }, (res) => {
        let text = '';
        res.on('data', (d) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, error: (JSON.parse(text) as { error: string }).error }));
      });
      req.on('error', reject);
      req.end(body);
    });
  }
  const res = await fetch(url, { method: 'POST', headers: contentType === null ? {} : { 'content-type': contentType }, body });
  const json = (await res.json()) as { error?: string };
  return { status: res.status, error: json.error ?? '' };
}

/**
 * A fresh serving directory publishing `champion`, a service on it whose logs would be written at close, `act`
 * against it; then /metrics, close, and the check that the directory did not change by a byte.
 */
async function refusalSession(champion: StoredModel['served'], act: (s: ScoringService) => Promise<void>): Promise<string> {
  const dir = tempDir('refusal');
  try {
    await publish(dir, 1, champion);
    const s = await startScoringService({
      servingDir: dir,
      modelName: MODEL_NAME,
      port: 0,
      pollMs: 60_000,
      flushMs: 60_000,
      log: () => undefined,
    });
    const before = await digest(dir);
    let metrics: string;
    try {
      await act(s);
      metrics = await (await fetch(`${s.url}/metrics`)).text();
    } finally {
      await s.close();
    }
    expect(await digest(dir)).toEqual(before);
    expect(metricValue(metrics, 'rareflow_predictions_total', { arm: 'champion', class: 'positive' }) ?? 0).toBe(0);
    expect(metricValue(metrics, 'rareflow_predictions_total', { arm: 'champion', class: 'negative' }) ?? 0).toBe(0);
    expect(metricValue(metrics, 'rareflow_feedback_total', { class: 'positive' }) ?? 0).toBe(0);
    expect(metricValue(metrics, 'rareflow_feedback_total', { class: 'negative' }) ?? 0).toBe(0);
    return metrics;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const row = () => generatedRows(1, 3).rows[0]!;
const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const TEXT_ALLOWED = 'expected "fraud" (positive) or "ok", got';
const BOOL_ALLOWED = 'expected "true" (positive) or "false", also as true/false, yes/no (any case), 1/0 or a JSON boolean, got';

interface Case {
  name: string;
  model: 'text' | 'bool';
  path: '/score' | '/feedback';
  contentType: string | null;
  body: () => unknown;
  status: number;
  message: string;
  /** Labels refused (counted in rareflow_feedback_refused_total). */
  refused?: number;
}

const cases: Case[] = [
  // Content types: a body that is not declared JSON is never read.
  {
    name: 'score as text/plain',
    model: 'text',
    path: '/score',
    contentType: 'text/plain',
    body: () => ({ features: row() }),
    status: 415,
    message: '/score: expected Content-Type application/json, got "text/plain"',
  },
  {
    name: 'score as a browser posts a string (text/plain)',
    model: 'text',
    path: '/score',
    contentType: null,
    body: () => ({ features: row() }),
    status: 415,
    message: '/score: expected Content-Type application/json, got "text/plain;charset=UTF-8"',
  },
  {
    name: 'score with no Content-Type header',
    model: 'text',
    path: '/score',
    contentType: 'none',
    body: () => ({ features: row() }),
    status: 415,
    message: '/score: expected Content-Type application/json, got none',
  },
  {
    name: 'feedback as a form',
    model: 'text',
    path: '/feedback',
    contentType: 'application/x-www-form-urlencoded',
    body: () => ({ requestId: 'r', label: 'fraud' }),
    status: 415,
    message: '/feedback: expected Content-Type application/json, got "application/x-www-form-urlencoded"',
  },
  {
    name: 'feedback as multipart',
    model: 'text',
    path: '/feedback',
    contentType: 'multipart/form-data; boundary=x',
    body: () => ({ requestId: 'r', label: 'fraud' }),
    status: 415,
    message: '/feedback: expected Content-Type application/json, got "multipart/form-data; boundary=x"',
  },
  {
    name: 'score as JSON in latin1',
    model: 'text',
    path: '/score',
    contentType: 'application/json; charset=latin1',
    body: () => ({ features: row() }),
    status: 415,
    message: '/score: Content-Type charset must be utf-8, got "latin1"',
  },
  {
    name: 'score as text/json',
    model: 'text',
    path: '/score',
    contentType: 'text/json',
    body: () => ({ features: row() }),
    status: 415,
    message: '/score: expected Content-Type application/json, got "text/json"',
  },
  // Labels of a model whose classes are text: exact values only.
  {
    name: '"Fraud" where the model stores "fraud"',
    model: 'text',
    path: '/feedback',
    contentType: 'application/json',
    body: () => ({ requestId: 'r', label: 'Fraud' }),
    status: 400,
    message: `label: ${TEXT_ALLOWED} the string "Fraud"`,
    refused: 1,
  },
  {
    name: 'a number for text labels',
    model: 'text',
    path: '/feedback',
    contentType: 'application/json',
    body: () => ({ requestId: 'r', label: 1 }),
    status: 400,
    message: `label: ${TEXT_ALLOWED} number 1`,
    refused: 1,
  },
  {
    name: 'a boolean for text labels',
    model: 'text',
    path: '/feedback',
    contentType: 'application/json',
    body: () => ({ requestId: 'r', label: true }),
    status: 400,
    message: `label: ${TEXT_ALLOWED} boolean true`,
    refused: 1,
  },
  {
    name: 'an unknown label',
    model: 'text',
    path: '/feedback',
    contentType: 'application/json',
    body: () => ({ requestId: 'r', label: 'chargeback' }),
    status: 400,
    message: `label: ${TEXT_ALLOWED} the string "chargeback"`,
    refused: 1,
  },
  {
    name: 'a null label',
    model: 'text',
    path: '/feedback',
    contentType: 'application/json; charset=utf-8',
    body: () => ({ requestId: 'r', label: null }),
    status: 400,
    message: `label: ${TEXT_ALLOWED} null`,
    refused: 1,
  },
  {
    name: 'an object label',
    model: 'text',
    path: '/feedback',
    contentType: 'application/json',
    body: () => ({ requestId: 'r', label: { value: 'fraud' } }),
    status: 400,
    message: `label: ${TEXT_ALLOWED} an object`,
    refused: 1,
  },
  {
    name: 'a batch with one good and two unknown labels writes none of them',
    model: 'text',
    path: '/feedback',
    contentType: 'application/json',
    body: () => ({
      items: [
        { requestId: 'a', label: 'fraud' },
        { requestId: 'b', label: 'legit' },
        { requestId: 'c', label: 'OK' },
      ],
    }),
    status: 400,
    message: `items[1].label: ${TEXT_ALLOWED} the string "legit" (and 1 more refused labels)`,
    refused: 2,
  },
  // Labels of a model whose classes are boolean-like: the one normalisation, nothing more.
  {
    name: '"maybe" for true/false labels',
    model: 'bool',
    path: '/feedback',
    contentType: 'application/json',
    body: () => ({ requestId: 'r', label: 'maybe' }),
    status: 400,
    message: `label: ${BOOL_ALLOWED} the string "maybe"`,
    refused: 1,
  },
  {
    name: '2 for true/false labels',
    model: 'bool',
    path: '/feedback',
    contentType: 'application/json',
    body: () => ({ requestId: 'r', label: 2 }),
    status: 400,
    message: `label: ${BOOL_ALLOWED} number 2`,
    refused: 1,
  },
  {
    name: '"t" is a feature spelling, not a label one',
    model: 'bool',
    path: '/feedback',
    contentType: 'application/json',
    body: () => ({ requestId: 'r', label: 't' }),
    status: 400,
    message: `label: ${BOOL_ALLOWED} the string "t"`,
    refused: 1,
  },
  // Boolean-like feature columns.
  {
    name: 'a boolean-like column given "maybe"',
    model: 'bool',
    path: '/score',
    contentType: 'application/json',
    body: () => ({ features: { amount: 0.5, flag: 'maybe' } }),
    status: 400,
    message: 'features.flag: expected true/false, yes/no, t/f or 1/0 (any case) for this boolean-like column, got the string "maybe"',
  },
  {
    // `rareflow predict` refuses a file of y/n for a boolean column (DuckDB reads it as text): so does /score.
    name: 'a boolean-like column given "y"',
    model: 'bool',
    path: '/score',
    contentType: 'application/json',
    body: () => ({ features: { amount: 0.5, flag: 'y' } }),
    status: 400,
    message: 'features.flag: expected true/false, yes/no, t/f or 1/0 (any case) for this boolean-like column, got the string "y"',
  },
  {
    name: 'a boolean-like column given 2',
    model: 'bool',
    path: '/score',
    contentType: 'application/json',
    body: () => ({ features: { amount: 0.5, flag: 2 } }),
    status: 400,
    message: 'features.flag: expected true/false, yes/no or 1/0 (a boolean-like column), got number 2',
  },
  {
    name: 'a boolean-like column left out',
    model: 'bool',
    path: '/score',
    contentType: 'application/json',
    body: () => ({ features: { amount: 0.5 } }),
    status: 400,
    message: 'features.flag is missing; this model reads it as a boolean (true/false, yes/no or 1/0)',
  },
  {
    name: 'boolean text in a plain numeric column',
    model: 'bool',
    path: '/score',
    contentType: 'application/json',
    body: () => ({ features: { amount: 'yes', flag: true } }),
    status: 400,
    message: 'features.amount: expected a finite number, got the string "yes"',
  },
];

describe('bad serving input', () => {
  it.each(cases)('$name: $status naming the field, nothing written', async (c) => {
    const metrics = await refusalSession((c.model === 'text' ? textModel : boolModel).served, async (s) => {
      const got = await send(`${s.url}${c.path}`, JSON.stringify(c.body()), c.contentType);
      expect(got.status).toBe(c.status);
      expect(got.error).toBe(c.message);
    });
    expect(metricValue(metrics, 'rareflow_feedback_refused_total')).toBe(c.refused ?? 0);
    expect(metricValue(metrics, 'rareflow_requests_total', { arm: 'none', status: 'bad_request' })).toBe(1);
  });

  it('a body that is not valid UTF-8: 400, not read with replacement characters (two request ids could read as one)', async () => {
    const metrics = await refusalSession(textModel.served, async (s) => {
      const body = Buffer.concat([Buffer.from('{"requestId":"caf'), Buffer.from([0xe9]), Buffer.from('","label":"fraud"}')]);
      const res = await fetch(`${s.url}/feedback`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      expect(res.status).toBe(400);
      expect(((await res.json()) as { error: string }).error).toBe('request body: not valid UTF-8; expected JSON text encoded as UTF-8');
    });
    expect(metricValue(metrics, 'rareflow_requests_total', { arm: 'none', status: 'bad_request' })).toBe(1);
  });

  it('a champion file changed after publication: /score, /healthz and /feedback say it failed verification; nothing written', async () => {
    const tampered = join(root, 'tampered-bytes.json');
    writeFileSync(tampered, `${readFileSync(store.pathOf(textModel.ref), 'utf8')} `);
    const served = { ...textModel.served, uri: pathToFileURL(tampered).href };
    const expected = new RegExp(
      `^champion file failed verification: ${esc(tampered)} \\(its sha256 is [0-9a-f]{64}, the registry published ${textModel.ref.sha256}\\)$`,
    );
    await refusalSession(served, async (s) => {
      const health = await fetch(`${s.url}/healthz`);
      expect(health.status).toBe(503);
      expect(((await health.json()) as { error: string }).error).toMatch(expected);
      const scored = await send(`${s.url}/score`, JSON.stringify({ features: row() }), 'application/json');
      expect(scored.status).toBe(503);
      expect(scored.error).toMatch(expected);
      const fed = await send(`${s.url}/feedback`, JSON.stringify({ requestId: 'r', label: 'fraud' }), 'application/json');
      expect(fed.status).toBe(503);
      expect(fed.error).toMatch(/^label: no model is loaded to check it against \(champion file failed verification: /);
    });
  });

  it('a champion file edited and re-hashed: its content seal fails, and /score names the file', async () => {
    const edited = { ...textModel.artifact, threshold: 0.01 };
    const ref = await store.putBytes(JSON.stringify(edited), 'model', 'json');
    await refusalSession({ ...textModel.served, sha256: ref.sha256, uri: ref.uri }, async (s) => {
      const scored = await send(`${s.url}/score`, JSON.stringify({ features: row() }), 'application/json');
      expect(scored.status).toBe(503);
      expect(scored.error).toMatch(
        new RegExp(
          `^champion file failed verification: ${esc(store.pathOf(ref))} \\(its content sha256 is [0-9a-f]{64}, but the file says ${edited.contentSha256}: it was changed or damaged after training\\)$`,
        ),
      );
    });
  });

  it('a fresh rareflow serve on a tampered champion names the file in its first line and in /healthz', async () => {
    const dir = tempDir('fresh-serve');
    const tampered = join(root, 'tampered-fresh.json');
    writeFileSync(tampered, readFileSync(store.pathOf(textModel.ref), 'utf8').replace('"threshold":', '"threshold": '));
    await publish(dir, 1, { ...textModel.served, uri: pathToFileURL(tampered).href });
    const saved = process.env.RAREFLOW_SERVING;
    process.env.RAREFLOW_SERVING = dir;
    const signals = new EventEmitter();
    const lines: string[] = [];
    let started!: () => void;
    const ready = new Promise<void>((resolve) => (started = resolve));
    const stopped = serveCommand({ model: MODEL_NAME, port: 0 }, (line) => lines.push(line), signals as never, {
      onStarted: () => started(),
    });
    try {
      await ready;
      const before = await digest(dir);
      expect(lines[0]).toMatch(
        new RegExp(`; answering 503 for now: champion file failed verification: ${esc(tampered)} \\(its sha256 is `),
      );
      const url = /at (http:\/\/\S+) /.exec(lines[0]!)![1]!;
      const health = await fetch(`${url}/healthz`);
      expect(health.status).toBe(503);
      expect(((await health.json()) as { error: string }).error).toMatch(
        new RegExp(`^champion file failed verification: ${esc(tampered)} `),
      );
      signals.emit('SIGTERM');
      await stopped;
      expect(await digest(dir)).toEqual(before);
    } finally {
      if (saved === undefined) delete process.env.RAREFLOW_SERVING;
      else process.env.RAREFLOW_SERVING = saved;
      signals.emit('SIGINT');
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a serving state that is not JSON is named at /healthz, not hidden as "no champion"', async () => {
    const dir = tempDir('bad-state');
    try {
      await publish(dir, 1, textModel.served);
      writeFileSync(servingStatePath(dir, MODEL_NAME), '{"format": "rareflow-serving-state", "revision": ');
      const s = await startScoringService({
        servingDir: dir,
        modelName: MODEL_NAME,
        port: 0,
        pollMs: 60_000,
        flushMs: 60_000,
        log: () => undefined,
      });
      try {
        const health = await fetch(`${s.url}/healthz`);
        expect(health.status).toBe(503);
        expect(((await health.json()) as { error: string }).error).toMatch(
          new RegExp(`^the serving state of ${MODEL_NAME} could not be loaded: .*${esc(servingStatePath(dir, MODEL_NAME))}`),
        );
      } finally {
        await s.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a missing champion file is named as unreadable, not as "no champion"', async () => {
    const gone = join(root, 'gone.json');
    await refusalSession({ ...textModel.served, uri: pathToFileURL(gone).href }, async (s) => {
      const health = await fetch(`${s.url}/healthz`);
      expect(health.status).toBe(503);
      expect(((await health.json()) as { error: string }).error).toBe(`champion file could not be read: ${gone} (ENOENT)`);
    });
  });
});

describe('accepted spellings', () => {
  it('"True" where the model stores "true" is a positive (logged as "true"); yes/1/false/no map by truth value', async () => {
    const dir = tempDir('spellings');
    try {
      await publish(dir, 1, boolModel.served);
      const s = await startScoringService({ servingDir: dir, modelName: MODEL_NAME, port: 0, pollMs: 60_000, log: () => undefined });
      let metrics: string;
      const scores: number[] = [];
      try {
        // One row scored with every accepted spelling of its flag: the same score each time.
        for (const [i, flag] of (['Yes', 'TRUE', true, 1, 'T', 't'] as const).entries()) {
          const res = await fetch(`${s.url}/score`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ requestId: `r${i}`, features: { amount: 0.7, flag } }),
          });
          expect(res.status).toBe(200);
          scores.push(((await res.json()) as { score: number }).score);
        }
        const items = [
          { requestId: 'r0', label: 'True' },
          { requestId: 'r1', label: 'yes' },
          { requestId: 'r2', label: 1 },
          { requestId: 'r3', label: 'False' },
          { requestId: 'r4', label: 'NO' },
          { requestId: 'r5', label: false },
        ];
        const fed = await fetch(`${s.url}/feedback`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ items }),
        });
        expect(fed.status).toBe(202);
        metrics = await (await fetch(`${s.url}/metrics`)).text();
      } finally {
        await s.close();
      }
      expect(new Set(scores).size).toBe(1);
      expect(metricValue(metrics, 'rareflow_feedback_total', { class: 'positive' })).toBe(3);
      expect(metricValue(metrics, 'rareflow_feedback_total', { class: 'negative' })).toBe(3);
      expect(metricValue(metrics, 'rareflow_feedback_refused_total')).toBe(0);
      const feedback = await withDuckDB(async (c) =>
        (
          await c.runAndReadAll(
            `SELECT request_id, label, positive FROM read_parquet(${sqlString(join(feedbackLogDir(dir, MODEL_NAME), '*.parquet'))}) ORDER BY request_id`,
          )
        ).getRowsJS(),
      );
      expect(feedback).toEqual([
        ['r0', 'true', true],
        ['r1', 'true', true],
        ['r2', 'true', true],
        ['r3', 'false', false],
        ['r4', 'false', false],
        ['r5', 'false', false],
      ]);
      // The prediction log keeps the boolean-like column as its 0/1, so drift reads numbers.
      const logged = await withDuckDB(async (c) =>
        (
          await c.runAndReadAll(
            `SELECT DISTINCT features FROM read_parquet(${sqlString(join(predictionLogDir(dir, MODEL_NAME), '*.parquet'))})`,
          )
        ).getRowsJS(),
      );
      expect(logged).toEqual([['{"amount":0.7,"flag":1}']]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
