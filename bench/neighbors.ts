// `node dist/bench/neighbors.js`: rareflow's neighbour search, ENN and ADASYN against imbalanced-learn 0.14.2 and
// scikit-learn (bench/peers/neighborsPeer.py in .rareflow/bench-venv), side by side on generated and real data.
// Sections: BENCH_SECTIONS=parity,knn,adasyn,enn,approx (default all). Sizes: BENCH_ENN_ROWS, BENCH_APPROX_ROWS, BENCH_HNSW_ROWS.

import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { takeRows, type LabelledData } from '../core/dataset.js';
import { editedNearestNeighbours } from '../core/denoise/editedNearestNeighbours.js';
import { ExactNeighborIndex } from '../core/neighbors/exactNeighbors.js';
import { HnswNeighborIndex } from '../core/neighbors/hnswNeighbors.js';
import { neighbourRecall } from '../core/neighbors/neighbourRecall.js';
import { adasyn } from '../core/oversample/adasyn.js';
import { seededRandom } from '../core/random.js';
import { readLabelledDataset } from '../data/datasetReader.js';
import { writeLabelledTable } from '../data/datasetWriter.js';
import { generateSyntheticDataset } from '../data/syntheticData.js';
import { packageRoot } from '../infra/rareflowConfig.js';

const root = packageRoot();
const work = join(root, '.rareflow', 'bench');
mkdirSync(work, { recursive: true });
const python = join(root, '.rareflow', 'bench-venv', 'bin', 'python');
const peerScript = fileURLToPath(new URL('../../bench/peers/neighborsPeer.py', import.meta.url));
const sections = new Set((process.env.BENCH_SECTIONS ?? 'parity,knn,adasyn,enn,approx').split(','));
const lines: string[] = [];
const say = (s: string): void => {
  lines.push(s);
  process.stdout.write(`${s}\n`);
};

interface PeerOutput {
  rows: number;
  positives: number;
  adasyn?: { seconds: number; syntheticRows: number; counts?: number[]; delta?: number[] };
  enn?: { seconds: number; kept: number[] };
}

function peer(csv: string, positive: string, flags: string[]): PeerOutput | undefined {
  if (!existsSync(python)) return undefined;
  const out = execFileSync(python, [peerScript, csv, 'label', positive, ...flags], { encoding: 'utf8', maxBuffer: 1 << 30 });
  return JSON.parse(out) as PeerOutput;
}

function time<T>(f: () => T): { value: T; seconds: number } {
  const t = performance.now();
  const value = f();
  return { value, seconds: (performance.now() - t) / 1000 };
}

async function generated(rows: number, features: number, positiveRate: number, seed: number): Promise<{ csv: string; data: LabelledData }> {
  const csv = join(work, `neighbors-${rows}x${features}-${positiveRate}-${seed}.csv`);
  if (!existsSync(csv)) await generateSyntheticDataset({ rows, features, positiveRate, seed, out: csv });
  const loaded = await readLabelledDataset(csv, { label: 'label', positive: '1' });
  return { csv, data: loaded.data };
}

function agreement(a: ArrayLike<number>, b: ArrayLike<number>): string {
  if (a.length !== b.length) return `length ${a.length} vs ${b.length}`;
  let same = 0;
  for (let i = 0; i < a.length; i++) if (a[i] === b[i]) same++;
  return `${((100 * same) / a.length).toFixed(2)}% of ${a.length}`;
}

function keptAgreement(ours: Int32Array, theirs: number[], rows: number): string {
  const a = new Uint8Array(rows);
  const b = new Uint8Array(rows);
  for (const r of ours) a[r] = 1;
  for (const r of theirs) b[r] = 1;
  return `${agreement(a, b)} rows (kept ${ours.length} vs ${theirs.length})`;
}

const ratio = (ours: number, theirs: number | undefined): string =>
  theirs === undefined ? 'peer —' : `peer ${theirs.toFixed(2)}s, ours/peer ${(ours / theirs).toFixed(2)}×`;

say(`rareflow neighbours bench; node ${process.version}; peer ${existsSync(python) ? python : 'missing (create .rareflow/bench-venv)'}`);

if (sections.has('parity')) {
  // g_i parity: ADASYN K = 5, β = 1 on real and generated data, against imbalanced-learn's own arithmetic.
  const sets: { name: string; csv: string; positive: string }[] = [
    { name: 'page-blocks0', csv: '/work/shared/datasets/page-blocks0.csv', positive: 'positive' },
    { name: 'yeast3', csv: '/work/shared/datasets/yeast3.csv', positive: 'positive' },
  ];
  const small = await generated(20_000, 10, 0.02, 11);
  sets.push({ name: 'generated 20k×10 2%', csv: small.csv, positive: '1' });
  for (const set of sets) {
    if (!existsSync(set.csv)) {
      say(`parity ${set.name}: ${set.csv} missing, skipped`);
      continue;
    }
    const data = (await readLabelledDataset(set.csv, { label: 'label', positive: set.positive })).data;
    const ours = adasyn(data, { k: 5, random: seededRandom(1) });
    const enn = editedNearestNeighbours(data, { k: 3 });
    const theirs = peer(set.csv, set.positive, []);
    say(
      `parity ${set.name} (${data.y.length} rows): ADASYN g_i agree on ${agreement(ours.perRowCount, theirs?.adasyn?.counts ?? [])}` +
        `, Δ_i on ${agreement(ours.majorityNeighbours, theirs?.adasyn?.delta ?? [])}; ENN kept agree on ${keptAgreement(enn.kept, theirs?.enn?.kept ?? [], data.y.length)}`,
    );
  }
}

if (sections.has('knn') || sections.has('adasyn')) {
  const { csv, data } = await generated(200_000, 40, 0.01, 5);
  if (sections.has('knn')) {
    // ADASYN's query shape: the minority rows, k = 5 plus self, over all rows.
    const minority = Int32Array.from({ length: data.y.length }, (_, i) => i).filter((i) => data.y[i] === 1);
    for (const threads of [1, 2]) {
      const index = new ExactNeighborIndex(data.x, { threads });
      index.queryRows(minority.subarray(0, 8), 5);
      const q = time(() => index.queryRows(minority, 5));
      index.close();
      say(`exact kNN ${minority.length} queries × 200k×40, k=5, threads=${threads}: ${q.seconds.toFixed(2)}s`);
    }
  }
  if (sections.has('adasyn')) {
    const ours = time(() => adasyn(data, { k: 5, random: seededRandom(1) }));
    const theirs = peer(csv, '1', ['--no-enn']);
    say(`ADASYN exact 200k×40 1%: ours ${ours.seconds.toFixed(2)}s (core call), ${ratio(ours.seconds, theirs?.adasyn?.seconds)} (fit_resample); g_i agree on ${agreement(ours.value.perRowCount, theirs?.adasyn?.counts ?? [])}`);
  }
}

if (sections.has('enn')) {
  const rows = Number(process.env.BENCH_ENN_ROWS ?? 200_000);
  const { data: full } = await generated(200_000, 40, 0.01, 5);
  const data = rows >= full.y.length ? full : takeRows(full, Int32Array.from({ length: rows }, (_, i) => i));
  const csv = join(work, `neighbors-enn-${rows}x40.csv`);
  if (!existsSync(csv)) {
    await writeLabelledTable(csv, { data, featureNames: Array.from({ length: 40 }, (_, i) => `f${i}`), labelName: 'label' });
  }
  const ours = time(() => editedNearestNeighbours(data, { k: 3 }));
  const theirs = peer(csv, '1', ['--no-adasyn']);
  say(`ENN k=3 ${rows}×40: ours ${ours.seconds.toFixed(2)}s, ${ratio(ours.seconds, theirs?.enn?.seconds)}; kept ${keptAgreement(ours.value.kept, theirs?.enn?.kept ?? [], rows)}`);
}

if (sections.has('approx')) {
  const rows = Number(process.env.BENCH_APPROX_ROWS ?? 1_000_000);
  const { csv, data } = await generated(rows, 32, 0.01, 6);
  const ours = time(() => adasyn(data, { k: 5, random: seededRandom(1) }));
  const theirs = peer(csv, '1', ['--no-enn', '--no-counts']);
  say(`ADASYN ${rows}×32 1% with exact search: ours ${ours.seconds.toFixed(2)}s, ${ratio(ours.seconds, theirs?.adasyn?.seconds)}`);
  const hnswRows = Number(process.env.BENCH_HNSW_ROWS ?? 100_000);
  const sub = takeRows(data, Int32Array.from({ length: hnswRows }, (_, i) => i));
  const hnsw = new HnswNeighborIndex(sub.x, { m: 16, efConstruction: 200, ef: 100, seed: 1 });
  const exact = new ExactNeighborIndex(sub.x);
  const sample = Int32Array.from({ length: 1000 }, (_, i) => Math.floor((i * hnswRows) / 1000));
  const recall = neighbourRecall(hnsw, exact, sample, 6);
  exact.close();
  say(`HNSW ${hnswRows}×32 (M=16, efConstruction=200, ef=100): build ${hnsw.buildSeconds.toFixed(1)}s, recall@6 ${recall.recall.toFixed(4)} on ${recall.sampled} rows`);
}
