// `rareflow serve` as a user runs it: a child process that prints its URL, and on SIGTERM finishes what is in
// flight and writes every logged row; and the same stop path in-process, with a request still arriving.

import { spawn } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { request } from 'node:http';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveCommand } from '../../client/serveCommand.js';
import { ArtifactStore } from '../../data/artifactStore.js';
import { sqlString, toNumber, withDuckDB } from '../../data/duckdbConnection.js';
import { feedbackLogDir, predictionLogDir } from '../../data/servingState.js';
import { CLI } from '../support/cliProcess.js';
import { MODEL_NAME, fitTestModel, generatedRows, post, publish, storeModel, tempDir, type StoredModel } from './servingFixtures.js';

let root: string;
let model: StoredModel;

beforeAll(async () => {
  root = tempDir('serve-cmd');
  model = await storeModel(new ArtifactStore(join(root, 'artifacts')), await fitTestModel('logreg', 31));
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

async function rowCount(dir: string): Promise<number> {
  return withDuckDB(async (c) =>
    toNumber((await c.runAndReadAll(`SELECT count(*) FROM read_parquet(${sqlString(join(dir, 'part-*.parquet'))})`)).getRowsJS()[0]![0]),
  );
}

/** Sends `n` scored requests and their labels; resolves when all are answered. */
async function traffic(url: string, n: number, prefix: string): Promise<void> {
  const { rows, labels } = generatedRows(n, 32);
  const answers = await Promise.all(rows.map((row, i) => post(`${url}/score`, { requestId: `${prefix}-${i}`, features: row })));
  expect(answers.every((a) => a.status === 200)).toBe(true);
  const items = Array.from(labels, (y, i) => ({ requestId: `${prefix}-${i}`, label: y === 1 ? 'fraud' : 'ok' }));
  expect((await post(`${url}/feedback`, { items })).json).toEqual({ accepted: n });
}

describe('rareflow serve', () => {
  it('prints its URL, and on SIGTERM persists every prediction and feedback row and exits 0', async () => {
    const home = tempDir('serve-home');
    const servingDir = join(home, 'serving');
    await publish(servingDir, 1, model.served);
    // A flush interval longer than the test: every row reaches disk only through the SIGTERM path.
    const child = spawn(process.execPath, [CLI, 'serve', '--model', MODEL_NAME, '--port', '0', '--flush-ms', '600000'], {
      env: { ...process.env, RAREFLOW_HOME: home, RAREFLOW_SERVING: servingDir },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (d) => {
        stdout += d;
        const m = /at (http:\/\/127\.0\.0\.1:\d+) /.exec(stdout);
        if (m) resolve(m[1]!);
      });
      child.on('close', (code) => reject(new Error(`rareflow serve exited with ${code} before printing its URL: ${stderr}`)));
    });
    expect(stdout.split('\n')[0]).toMatch(new RegExp(`^rareflow serve: scoring model ${MODEL_NAME} at http://127\\.0\\.0\\.1:\\d+ `));
    await traffic(url, 150, 'child');
    child.kill('SIGTERM');
    expect(await exited, stderr).toBe(0);
    expect(await rowCount(predictionLogDir(servingDir, MODEL_NAME))).toBe(150);
    expect(await rowCount(feedbackLogDir(servingDir, MODEL_NAME))).toBe(150);
    rmSync(home, { recursive: true, force: true });
  });

  it('stops on a signal from the source it is given, answering a request whose body was still arriving', async () => {
    const servingDir = tempDir('serve-signal');
    await publish(servingDir, 1, model.served);
    const saved = process.env.RAREFLOW_SERVING;
    process.env.RAREFLOW_SERVING = servingDir;
    const signals = new EventEmitter();
    const lines: string[] = [];
    let started!: () => void;
    const ready = new Promise<void>((resolve) => (started = resolve));
    const stopped = serveCommand({ model: MODEL_NAME, port: 0, flushMs: 600_000 }, (line) => lines.push(line), signals as never, {
      onStarted: () => started(),
    });
    try {
      await ready;
      const url = /at (http:\/\/\S+) /.exec(lines[0]!)![1]!;
      await traffic(url, 40, 'inproc');
      // Half a request body now, the rest after the stop signal.
      const body = JSON.stringify({ requestId: 'late', features: generatedRows(1, 33).rows[0] });
      const answer = new Promise<{ status: number; text: string }>((resolve, reject) => {
        const req = request(
          `${url}/score`,
          { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
          (res) => {
            let text = '';
            res.on('data', (d) => (text += d));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
          },
        );
        req.on('error', reject);
        req.write(body.slice(0, 10));
        setTimeout(() => {
          signals.emit('SIGTERM');
          setTimeout(() => req.end(body.slice(10)), 50);
        }, 50);
      });
      const late = await answer;
      expect(late.status).toBe(200);
      expect(JSON.parse(late.text)).toMatchObject({ requestId: 'late', modelVersion: model.ref.sha256 });
      await stopped;
      expect(await rowCount(predictionLogDir(servingDir, MODEL_NAME))).toBe(41);
      expect(await rowCount(feedbackLogDir(servingDir, MODEL_NAME))).toBe(40);
      expect(signals.listenerCount('SIGTERM') + signals.listenerCount('SIGINT')).toBe(0);
    } finally {
      if (saved === undefined) delete process.env.RAREFLOW_SERVING;
      else process.env.RAREFLOW_SERVING = saved;
      signals.emit('SIGINT');
      await stopped;
      rmSync(servingDir, { recursive: true, force: true });
    }
  });
});
