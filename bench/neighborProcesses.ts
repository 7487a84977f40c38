// `node dist/bench/neighborProcesses.js`: the whole `rareflow denoise --method enn` and `rareflow adasyn` processes
// against whole Python processes running imbalanced-learn's EditedNearestNeighbours and ADASYN on the same Parquet
// file (200k × 40, 1% positives), run after run, with each process's peak RSS. Env: BENCH_ENN_ROWS, BENCH_RUNS.

import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateSyntheticDataset } from '../data/syntheticData.js';
import { packageRoot } from '../infra/rareflowConfig.js';
import { writeBenchRows } from './benchResults.js';
import { peerPython } from './peerVenv.js';
import { measureSucceeded, median, type MeasuredProcess } from './processPeak.js';
import type { RatioRow } from './ratioTable.js';

const rows = Number(process.env.BENCH_ENN_ROWS ?? 200_000);
const runs = Number(process.env.BENCH_RUNS ?? 3);
const features = 40;
const work = join(packageRoot(), '.rareflow', 'bench');
mkdirSync(work, { recursive: true });
// The same seed as bench/neighbors.ts's ENN and exact-ADASYN sections, so the figures compare.
const input = join(work, `neighbors-${rows}x${features}-0.01-5.parquet`);
if (!existsSync(input)) await generateSyntheticDataset({ rows, features, positiveRate: 0.01, seed: 5, out: input });

const cli = fileURLToPath(new URL('../client/cli.js', import.meta.url));
const peers = fileURLToPath(new URL('../../bench/peers/', import.meta.url));
const python = peerPython();

const run = measureSucceeded;

interface Side {
  seconds: number[];
  peakMb: number[];
}
const sides = () => ({ ours: { seconds: [], peakMb: [] } as Side, peer: { seconds: [], peakMb: [] } as Side });
const push = (side: Side, r: MeasuredProcess) => {
  side.seconds.push(r.seconds);
  side.peakMb.push(r.peakMb);
};
const enn = sides();
const ada = sides();
for (let i = 0; i < runs; i++) {
  push(
    enn.ours,
    await run(process.execPath, [
      cli,
      'denoise',
      '--input',
      input,
      '--label',
      'label',
      '--method',
      'enn',
      '--k',
      '3',
      '--out',
      join(work, 'enn-ours.parquet'),
    ]),
  );
  if (python) push(enn.peer, await run(python, [join(peers, 'ennProcessPeer.py'), input, join(work, 'enn-peer.parquet')]));
  push(
    ada.ours,
    await run(process.execPath, [
      cli,
      'adasyn',
      '--input',
      input,
      '--label',
      'label',
      '--exact',
      '--out',
      join(work, 'adasyn-ours.parquet'),
    ]),
  );
  if (python) push(ada.peer, await run(python, [join(peers, 'adasynProcessPeer.py'), input, 'label']));
}

const measure = (s: Side) =>
  s.seconds.length === 0 ? undefined : { value: median(s.seconds), unit: 's' as const, peakMb: median(s.peakMb) };
const note = `${(rows / 1000).toLocaleString('en')}k × ${features}, whole processes, median of ${runs}`;
const rowsOut: RatioRow[] = [
  { stage: 'ENN k=3 vs imbalanced-learn', note, rareflow: measure(enn.ours)!, goal: { kind: 'speedup', atLeast: 3 } },
  { stage: 'ADASYN k=5 vs imbalanced-learn', note, rareflow: measure(ada.ours)!, goal: { kind: 'speedup', atLeast: 1 } },
];
const ennPeer = measure(enn.peer);
const adaPeer = measure(ada.peer);
if (ennPeer) rowsOut[0]!.peer = ennPeer;
if (adaPeer) rowsOut[1]!.peer = adaPeer;
const line = (name: string, s: Side) =>
  s.seconds.length === 0
    ? `${name.padEnd(44)} skipped (no peer venv)`
    : `${name.padEnd(44)} median ${median(s.seconds).toFixed(2)}s, peak RSS ${median(s.peakMb)} MB (runs ${s.seconds.map((x) => x.toFixed(2)).join(', ')})`;
process.stdout.write(
  [
    `neighbour stages as whole processes on ${input}`,
    line('rareflow denoise --method enn --k 3', enn.ours),
    line('python + imbalanced-learn ENN (write Parquet)', enn.peer),
    line('rareflow adasyn --exact', ada.ours),
    line('python + imbalanced-learn ADASYN', ada.peer),
  ].join('\n') + '\n',
);
writeBenchRows('neighborProcesses', rowsOut);
