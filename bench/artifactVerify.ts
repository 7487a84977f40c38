// What re-checking stored artifacts against their sha256 costs: loading a dataset artifact with and without the
// check, and the streamed check a memoised step runs on every output it reuses.
// Run: npx tsc -p tsconfig.json && node dist/bench/artifactVerify.js [rows] [cols]

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { seededRandom } from '../core/random.js';
import { readDatasetArrow } from '../data/arrowDataset.js';
import { ArtifactStore } from '../data/artifactStore.js';
import { loadDatasetArtifact, saveDatasetArtifact } from '../data/datasetArtifacts.js';
import { processPeakMb } from './benchResults.js';

const rows = Number(process.argv[2] ?? 1_000_000);
const cols = Number(process.argv[3] ?? 32);

async function best(label: string, repeats: number, work: () => Promise<unknown>): Promise<number> {
  let bestMs = Infinity;
  for (let i = 0; i < repeats; i++) {
    const started = performance.now();
    await work();
    bestMs = Math.min(bestMs, performance.now() - started);
  }
  console.log(`${label}: ${bestMs.toFixed(0)} ms (best of ${repeats}), peak RSS so far ${processPeakMb()} MB`);
  return bestMs;
}

const dir = mkdtempSync(join(tmpdir(), 'rareflow-verify-bench-'));
try {
  const store = new ArtifactStore(dir);
  const random = seededRandom(1);
  const values = new Float64Array(rows * cols);
  for (let i = 0; i < values.length; i++) values[i] = random.next();
  const y = new Uint8Array(rows);
  for (let i = 0; i < rows; i += 100) y[i] = 1;
  const ref = await saveDatasetArtifact(store, 'bench', {
    data: { x: { rows, cols, values }, y },
    featureNames: Array.from({ length: cols }, (_, c) => `f${c}`),
    labelName: 'label',
  });
  const mb = ref.bytes / 1e6;
  console.log(`dataset artifact: ${rows} rows × ${cols} columns, ${mb.toFixed(0)} MB`);
  const plain = await best('load without the check (readDatasetArrow)', 3, () => readDatasetArrow(store.pathOf(ref)));
  const verified = await best('load with the check (loadDatasetArtifact)', 3, () => loadDatasetArtifact(store, ref));
  const streamed = await best('streamed check of a reused output (ArtifactStore.check)', 3, () => store.check(ref));
  console.log(
    `check overhead on load: +${(verified - plain).toFixed(0)} ms (×${(verified / plain).toFixed(2)}); streamed check: ${(mb / (streamed / 1000)).toFixed(0)} MB/s`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
