// The drift-check stage on a multi-class champion's serving log: the logged predicted and true class values reach
// the report's class verdict, and a shift of the class prior is detected.

import { rmSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { buildDriftReference } from '../../core/drift/driftReference.js';
import { seededRandom } from '../../core/random.js';
import { ServingLog } from '../../data/servingLog.js';
import { checkServedWindow, type StoredReference } from '../../stages/driftWindow.js';
import { tempDir } from '../serve/servingFixtures.js';

const MODEL = 'animals';
const SHA = 'c'.repeat(64);
const CLASSES = ['cat', 'dog', 'eel'];
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function stored(): StoredReference {
  const random = seededRandom(1);
  const n = 2000;
  const values = Float64Array.from({ length: n }, () => random.next());
  const y = Uint8Array.from({ length: n }, () => (random.next() < 0.6 ? 1 : 0));
  const scores = Float64Array.from({ length: n }, () => random.next());
  const reference = buildDriftReference({ rows: n, cols: 1, values, names: ['size'] }, y, scores, 0.5, {
    positive: { recall: 0.9, precision: 0.9 },
    negative: { recall: 0.9, precision: 0.9 },
  });
  reference.classes = { classes: CLASSES, prior: [0.6, 0.3, 0.1], predicted: [0.6, 0.3, 0.1], recall: [0.9, 0.9, 0.9] };
  return { reference, rawPrior: 0.6, fitPrior: 0, featureIndexes: [0] };
}

/** 1500 rows with class shares `prior`, every row labelled, each predicted right with probability 0.9. */
async function writeWindow(dir: string, prior: number[], seed: number): Promise<void> {
  const random = seededRandom(seed);
  const log = await ServingLog.open({ servingDir: dir, modelName: MODEL, flushMs: 60_000 });
  for (let i = 0; i < 1500; i++) {
    let u = random.next();
    let c = 0;
    while (c < prior.length - 1 && u >= prior[c]!) u -= prior[c++]!;
    const predicted = random.next() < 0.9 ? c : (c + 1) % 3;
    const features = JSON.stringify({ size: random.next() });
    log.logPrediction(`r${i}`, 1000 + i, 'champion', SHA, 0.7, predicted === 0, 'ok', 900, features, CLASSES[predicted]!);
    log.logFeedback(`r${i}`, 5000 + i, CLASSES[c]!, c === 0);
  }
  await log.close();
}

async function check(prior: number[], seed: number) {
  const dir = tempDir('drift-classes');
  dirs.push(dir);
  await writeWindow(dir, prior, seed);
  const { report } = await checkServedWindow({
    stored: stored(),
    servingDir: dir,
    modelName: MODEL,
    fromMs: 0,
    toMs: 10_000,
    modelSha256: SHA,
  });
  return report!;
}

describe('checkServedWindow for a multi-class champion', () => {
  it('detects a shift of the class prior in the served window', async () => {
    const report = await check([0.35, 0.3, 0.35], 2);
    expect(report.classDrift!.labelPrior!.drifted).toBe(true);
    expect(report.classDrift!.labelPrior!.n).toBe(1500);
    expect(report.drifted).toBe(true);
    expect(report.reasons.some((r) => r.startsWith('label prior shifted over 3 classes in 1500 rows'))).toBe(true);
  });

  it('finds the class prior and recalls steady in a window like the reference', async () => {
    const report = await check([0.6, 0.3, 0.1], 3);
    expect(report.classDrift!.drifted, report.classDrift!.reasons.join('; ')).toBe(false);
    expect(report.classDrift!.recall.map((r) => r.support)).toEqual([expect.any(Number), expect.any(Number), expect.any(Number)]);
    expect(report.classDrift!.recall.every((r) => r.current !== null)).toBe(true);
  });
});
