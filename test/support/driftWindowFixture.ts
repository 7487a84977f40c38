// A rareflow home with one monitored model for drift-report tests: a stored drift reference (two numeric features
// and one categorical) under the champion's key, a serving log with one steady and one drifted window (the
// drifted one shifts `amount` and brings an unseen channel), feedback labels, and the monitor's window records.

import { join } from 'node:path';
import { buildDriftReference } from '../../core/drift/driftReference.js';
import { seededRandom, type RandomSource } from '../../core/random.js';
import { ArtifactStore } from '../../data/artifactStore.js';
import { monitorWindowId, recordMonitorWindow } from '../../data/monitorWindows.js';
import { ServingLog } from '../../data/servingLog.js';
import { driftReferenceKey, type StoredReference } from '../../stages/driftWindow.js';

export const FIXTURE_MODEL = 'card-fraud';
export const FIXTURE_SHA = 'a'.repeat(64);
/** The steady window, then the drifted one (ms since the epoch). */
export const STEADY = { fromMs: 1_700_000_000_000, toMs: 1_700_000_600_000 };
export const DRIFTED = { fromMs: 1_700_000_600_000, toMs: 1_700_001_200_000 };

export interface DriftFixture {
  artifactRoot: string;
  servingDir: string;
  /** The environment the CLI reads these from. */
  env: Record<string, string>;
}

function normal(random: RandomSource): number {
  const u = Math.max(random.next(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random.next());
}

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));
const scoreOf = (amount: number, age: number) => sigmoid(2 * amount + 0.5 * age - 4);

function channel(random: RandomSource, shifted: boolean): string {
  const u = random.next();
  if (shifted) return u < 0.4 ? 'web' : u < 0.7 ? 'app' : u < 0.8 ? 'shop' : 'kiosk';
  return u < 0.6 ? 'web' : u < 0.9 ? 'app' : 'shop';
}

function storedReference(): StoredReference {
  const random = seededRandom(7);
  const rows = 4000;
  const values = new Float64Array(rows * 2);
  const labels = new Uint8Array(rows);
  const channels: string[] = [];
  for (let r = 0; r < rows; r++) {
    const amount = normal(random);
    const age = normal(random);
    values[r * 2] = amount;
    values[r * 2 + 1] = age;
    labels[r] = random.next() < scoreOf(amount, age) ? 1 : 0;
    channels.push(channel(random, false));
  }
  const scores = Float64Array.from({ length: 2000 }, () => scoreOf(normal(random), normal(random)));
  const reference = buildDriftReference(
    { rows, cols: 2, values, names: ['amount', 'age'] },
    labels,
    scores,
    0.5,
    { positive: { recall: 0.6, precision: 0.7 }, negative: { recall: 0.98, precision: 0.97 } },
    { seed: 3, categorical: { names: ['channel'], values: [channels] } },
  );
  return { reference, rawPrior: 0.05, fitPrior: 0, featureIndexes: [0, 1] };
}

/** Writes the fixture under `home` (artifacts/ and serving/). */
export async function writeDriftFixture(home: string): Promise<DriftFixture> {
  const artifactRoot = join(home, 'artifacts');
  const servingDir = join(home, 'serving');
  const artifacts = new ArtifactStore(artifactRoot);
  const ref = await artifacts.putBytes(JSON.stringify(storedReference()), 'drift-reference', 'json');
  await artifacts.recordKey(driftReferenceKey(FIXTURE_SHA), { reference: ref });

  const log = await ServingLog.open({ servingDir, modelName: FIXTURE_MODEL, flushMs: 60_000 });
  const random = seededRandom(11);
  for (const [window, shifted] of [
    [STEADY, false],
    [DRIFTED, true],
  ] as const) {
    const rows = 1500;
    for (let i = 0; i < rows; i++) {
      const id = `${shifted ? 'd' : 's'}${i}`;
      const ts = window.fromMs + Math.floor(((window.toMs - window.fromMs) * i) / rows);
      const amount = normal(random) + (shifted ? 0.8 : 0);
      const age = normal(random);
      const score = scoreOf(amount, age);
      const features = JSON.stringify({ amount, age, channel: channel(random, shifted) });
      log.logPrediction(id, ts, 'champion', FIXTURE_SHA, score, score >= 0.5, 'ok', 900, features);
      if (i % 2 === 0) {
        const positive = random.next() < score;
        log.logFeedback(id, ts + 1, positive ? 'fraud' : 'ok', positive);
      }
    }
    await recordMonitorWindow(servingDir, FIXTURE_MODEL, {
      id: monitorWindowId(window.fromMs, window.toMs),
      fromMs: window.fromMs,
      toMs: window.toMs,
      championSha256: FIXTURE_SHA,
      status: 'checked',
      rows,
      labelled: rows / 2,
      drifted: shifted,
      options: {},
    });
  }
  await log.close();
  return {
    artifactRoot,
    servingDir,
    env: {
      RAREFLOW_HOME: home,
      RAREFLOW_ARTIFACTS: artifactRoot,
      RAREFLOW_SERVING: servingDir,
      RAREFLOW_REGISTRY: join(home, 'registry.duckdb'),
    },
  };
}
