// `node dist/bench/fewColumnNeighbors.js` (`npm run bench:few-columns`): exact neighbour search over few columns.
// (1) In process: every row's 4 nearest over BENCH_ROWS (100,000) uniformly random rows, the k-d tree against the
// blocked SIMD search, for each column count of BENCH_COLS (2,3,4,5,6), with the same results checked.
// (2) Whole processes: `rareflow denoise --method enn --k 3` on skin_segmentation from ../shared/datasets (245,057
// rows of 3 columns, most of them copies of a few thousand points) against imbalanced-learn's ENN, run after run
// (BENCH_RUNS, 3); skipped when the file is not there.

import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ExactNeighborIndex } from '../core/neighbors/exactNeighbors.js';
import { seededRandom } from '../core/random.js';
import { readLabelledDataset } from '../data/datasetReader.js';
import { writeLabelledTable } from '../data/datasetWriter.js';
import { packageRoot } from '../infra/rareflowConfig.js';
import { writeBenchRows } from './benchResults.js';
import { peerPython } from './peerVenv.js';
import { measureSucceeded, median, type MeasuredProcess } from './processPeak.js';
import type { RatioRow } from './ratioTable.js';

const rows = Number(process.env.BENCH_ROWS ?? 100_000);
const columnCounts = (process.env.BENCH_COLS ?? '2,3,4,5,6').split(',').map(Number);
const runs = Number(process.env.BENCH_RUNS ?? 3);
const k = 4;
const lines: string[] = [`every row's ${k} nearest of ${rows.toLocaleString('en')} uniformly random rows, in process`];

for (const cols of columnCounts) {
  const random = seededRandom(7 + cols);
  const values = Float64Array.from({ length: rows * cols }, () => random.next());
  const ids = Int32Array.from({ length: rows }, (_, i) => i);
  const timed = (kdTree: boolean) => {
    const started = performance.now();
    const index = new ExactNeighborIndex({ rows, cols, values }, { kdTree });
    try {
      return { result: index.queryRows(ids, k), seconds: (performance.now() - started) / 1000 };
    } finally {
      index.close();
    }
  };
  const tree = timed(true);
  const blocked = timed(false);
  const same = tree.result.indices.every((r, i) => r === blocked.result.indices[i]);
  if (!same) throw new Error(`${cols} columns: the k-d tree and the blocked search disagree; this is a bug`);
  lines.push(`  ${cols} columns: k-d tree ${tree.seconds.toFixed(2)} s, blocked search ${blocked.seconds.toFixed(2)} s, same neighbours`);
}

const skin = join(packageRoot(), '..', 'shared', 'datasets', 'skin_segmentation.csv');
const python = peerPython();
const rowsOut: RatioRow[] = [];
if (existsSync(skin)) {
  const work = join(packageRoot(), '.rareflow', 'bench');
  mkdirSync(work, { recursive: true });
  const input = join(work, 'skin_segmentation.parquet');
  if (!existsSync(input)) {
    const { data, featureNames } = await readLabelledDataset(skin, { label: 'label', positive: '1' });
    await writeLabelledTable(input, { data, featureNames, labelName: 'label' });
  }
  const cli = fileURLToPath(new URL('../client/cli.js', import.meta.url));
  const peer = fileURLToPath(new URL('../../bench/peers/ennProcessPeer.py', import.meta.url));
  const ours: MeasuredProcess[] = [];
  const theirs: MeasuredProcess[] = [];
  for (let i = 0; i < runs; i++) {
    const args = ['denoise', '--input', input, '--label', 'label', '--positive', '1', '--method', 'enn', '--k', '3'];
    ours.push(await measureSucceeded(process.execPath, [cli, ...args, '--out', join(work, 'skin-enn-ours.parquet')]));
    if (python) theirs.push(await measureSucceeded(python, [peer, input, join(work, 'skin-enn-peer.parquet')]));
  }
  const measure = (m: MeasuredProcess[]) => ({
    value: median(m.map((r) => r.seconds)),
    unit: 's' as const,
    peakMb: median(m.map((r) => r.peakMb)),
  });
  const row: RatioRow = {
    stage: 'ENN k=3 on 3 columns vs imbalanced-learn',
    note: `skin_segmentation, 245,057 rows, whole processes, median of ${runs}`,
    rareflow: measure(ours),
    goal: { kind: 'speedup', atLeast: 1 },
  };
  if (theirs.length > 0) row.peer = measure(theirs);
  rowsOut.push(row);
  lines.push(
    `rareflow denoise --method enn on skin_segmentation: median ${row.rareflow.value.toFixed(2)} s` +
      (row.peer ? `; python + imbalanced-learn: median ${row.peer.value.toFixed(2)} s` : '; no peer venv'),
  );
} else {
  lines.push(`${skin} not found: the whole-process comparison is skipped`);
}
process.stdout.write(`${lines.join('\n')}\n`);
writeBenchRows('fewColumnNeighbors', rowsOut);
