// `node dist/bench/neighbors.js`: rareflow's neighbour search, ENN and ADASYN against imbalanced-learn 0.14.2 and
// scikit-learn (bench/peers/neighborsPeer.py in .rareflow/bench-venv), side by side on generated and real data.
// Sections: BENCH_SECTIONS=parity,knn,adasyn,enn,approx,usearch,process (default all). Sizes: BENCH_ENN_ROWS, BENCH_APPROX_ROWS,
// BENCH_HNSW_ROWS; each line ends with the process's peak RSS so far. BENCH_ENN_FULL=0 skips ENN's search of every row; BENCH_PROCESS_RUNS whole `rareflow adasyn` processes per shape (default 5, the median is quoted).

import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { takeRows, type LabelledData } from '../core/dataset.js';
import { editedNearestNeighbours } from '../core/denoise/editedNearestNeighbours.js';
import { ExactNeighborIndex } from '../core/neighbors/exactNeighbors.js';
import { HnswNeighborIndex } from '../core/neighbors/hnswNeighbors.js';
import { IvfNeighborIndex } from '../core/neighbors/ivfNeighbors.js';
import { neighbourRecall } from '../core/neighbors/neighbourRecall.js';
import { adasyn } from '../core/oversample/adasyn.js';
import { seededRandom } from '../core/random.js';
import { readLabelledDataset } from '../data/datasetReader.js';
import { writeLabelledTable } from '../data/datasetWriter.js';
import { generateSyntheticDataset } from '../data/syntheticData.js';
import { packageRoot } from '../infra/rareflowConfig.js';
import { processPeakMb } from './benchResults.js';
import { median } from './processPeak.js';

const root = packageRoot();
const work = join(root, '.rareflow', 'bench');
mkdirSync(work, { recursive: true });
const python = join(root, '.rareflow', 'bench-venv', 'bin', 'python');
const peerScript = fileURLToPath(new URL('../../bench/peers/neighborsPeer.py', import.meta.url));
const sections = new Set((process.env.BENCH_SECTIONS ?? 'parity,knn,adasyn,enn,approx,usearch,process').split(','));
const lines: string[] = [];
const say = (s: string): void => {
  const line = `${s} [peak RSS so far ${processPeakMb()} MB]`;
  lines.push(line);
  process.stdout.write(`${line}\n`);
};

interface PeerOutput {
  rows: number;
  positives: number;
  adasyn?: { seconds: number; syntheticRows: number; counts?: number[]; delta?: number[] };
  enn?: { seconds: number; kept: number[] };
  reference?: { counts: number[]; delta: number[] };
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
  const csv = await generatedFile(rows, features, positiveRate, seed, 'csv');
  const loaded = await readLabelledDataset(csv, { label: 'label', positive: '1' });
  return { csv, data: loaded.data };
}

/** The generated set as a file; the same seed gives the same rows in CSV and Parquet. */
async function generatedFile(
  rows: number,
  features: number,
  positiveRate: number,
  seed: number,
  format: 'csv' | 'parquet',
): Promise<string> {
  const path = join(work, `neighbors-${rows}x${features}-${positiveRate}-${seed}.${format}`);
  if (!existsSync(path)) await generateSyntheticDataset({ rows, features, positiveRate, seed, out: path });
  return path;
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
    { name: 'pima', csv: '/work/shared/datasets/pima.csv', positive: 'positive' },
    { name: 'ecoli1', csv: '/work/shared/datasets/ecoli1.csv', positive: 'positive' },
    { name: 'haberman', csv: '/work/shared/datasets/haberman.csv', positive: 'positive' },
    { name: 'glass4', csv: '/work/shared/datasets/glass4.csv', positive: 'positive' },
    { name: 'segment0', csv: '/work/shared/datasets/segment0.csv', positive: 'positive' },
    { name: 'shuttle-2_vs_5', csv: '/work/shared/datasets/shuttle-2_vs_5.csv', positive: 'positive' },
  ];
  const small = await generated(20_000, 10, 0.02, 11);
  sets.push({ name: 'generated 20k×10 2%', csv: small.csv, positive: '1' });
  for (const set of sets) {
    if (!existsSync(set.csv)) {
      say(`parity ${set.name}: ${set.csv} missing, skipped`);
      continue;
    }
    const data = (await readLabelledDataset(set.csv, { label: 'label', positive: set.positive })).data;
    // segment0 has a constant column; imbalanced-learn keeps it, so the parity run does too.
    const ours = adasyn(data, { k: 5, random: seededRandom(1), rejectConstantFeatures: false });
    const enn = editedNearestNeighbours(data, { k: 3 });
    const theirs = peer(set.csv, set.positive, ['--reference']);
    say(
      `parity ${set.name} (${data.y.length} rows): ADASYN g_i agree with the independent exact reference on ` +
        `${agreement(ours.perRowCount, theirs?.reference?.counts ?? [])} (Δ_i ${agreement(ours.majorityNeighbours, theirs?.reference?.delta ?? [])}), ` +
        `with imbalanced-learn's allocation on ${agreement(ours.perRowCount, theirs?.adasyn?.counts ?? [])}` +
        ` (Δ_i ${agreement(ours.majorityNeighbours, theirs?.adasyn?.delta ?? [])}; the reference vs imbalanced-learn: ` +
        `${agreement(theirs?.reference?.counts ?? [], theirs?.adasyn?.counts ?? [])}); ENN kept agree on ${keptAgreement(enn.kept, theirs?.enn?.kept ?? [], data.y.length)}`,
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
    say(
      `ADASYN exact 200k×40 1%: ours ${ours.seconds.toFixed(2)}s (core call), ${ratio(ours.seconds, theirs?.adasyn?.seconds)} (fit_resample); g_i agree on ${agreement(ours.value.perRowCount, theirs?.adasyn?.counts ?? [])}`,
    );
  }
}

if (sections.has('enn')) {
  const rows = Number(process.env.BENCH_ENN_ROWS ?? 200_000);
  const { data: full } = await generated(200_000, 40, 0.01, 5);
  const data =
    rows >= full.y.length
      ? full
      : takeRows(
          full,
          Int32Array.from({ length: rows }, (_, i) => i),
        );
  const csv = join(work, `neighbors-enn-${rows}x40.csv`);
  if (!existsSync(csv)) {
    await writeLabelledTable(csv, { data, featureNames: Array.from({ length: 40 }, (_, i) => `f${i}`), labelName: 'label' });
  }
  const ours = time(() => editedNearestNeighbours(data, { k: 3 }));
  const theirs = peer(csv, '1', ['--no-adasyn']);
  say(
    `ENN k=3 ${rows}×40: ours ${ours.seconds.toFixed(2)}s, ${ratio(ours.seconds, theirs?.enn?.seconds)}; kept ${keptAgreement(ours.value.kept, theirs?.enn?.kept ?? [], rows)}`,
  );
  // The keep screen against exact search of every row (`--neighbors exact`); BENCH_ENN_FULL=0 skips this slow run.
  if (process.env.BENCH_ENN_FULL !== '0') {
    const full = time(() => editedNearestNeighbours(data, { k: 3, screen: false }));
    say(
      `ENN k=3 ${rows}×40 exact search of every row: ${full.seconds.toFixed(2)}s, screened/full ${(ours.seconds / full.seconds).toFixed(2)}×; ` +
        `kept ${keptAgreement(ours.value.kept, Array.from(full.value.kept), rows)}`,
    );
  }
}

if (sections.has('approx')) {
  // ADASYN's approximate shape: the minority rows (1%) against all rows, K = 5 plus self.
  const rows = Number(process.env.BENCH_APPROX_ROWS ?? 1_000_000);
  const { csv, data } = await generated(rows, 32, 0.01, 6);
  const minority = Int32Array.from({ length: data.y.length }, (_, i) => i).filter((i) => data.y[i] === 1);
  const exactCore = time(() => adasyn(data, { k: 5, random: seededRandom(1) }));
  const theirs = peer(csv, '1', ['--no-enn', '--no-counts']);
  say(
    `ADASYN ${rows}×32 1% with exact search: ours ${exactCore.seconds.toFixed(2)}s (core call), ${ratio(exactCore.seconds, theirs?.adasyn?.seconds)} (fit_resample)`,
  );
  const ivf = new IvfNeighborIndex(data.x);
  const exact = new ExactNeighborIndex(data.x);
  // Recall of the answers ADASYN gets: the whole minority batch is queried (as ADASYN does), then every 10th answer
  // is checked against exact search; also without the calibration queries, which are answered from a wider scan.
  const step = 10;
  const sample = minority.filter((_, i) => i % step === 0);
  for (const k of [5, 6]) {
    const search = time(() => ivf.queryRows(minority, k));
    const report = ivf.lastSearch!;
    const truth = exact.queryRows(sample, k);
    const calibration = new Set(
      Array.from({ length: report.calibrationQueries }, (_, j) => Math.floor((j * minority.length) / report.calibrationQueries)),
    );
    let hits = 0;
    let hitsOthers = 0;
    let others = 0;
    sample.forEach((_, s) => {
      const found = new Set(search.value.indices.subarray(s * step * k, s * step * k + k));
      let h = 0;
      for (let j = s * k; j < s * k + k; j++) if (found.has(truth.indices[j]!)) h++;
      hits += h;
      if (!calibration.has(s * step)) {
        hitsOthers += h;
        others++;
      }
    });
    say(
      `IVF ${rows}×32 (${ivf.lists} lists): build ${ivf.buildSeconds.toFixed(2)}s, ${minority.length} minority queries k=${k} ${search.seconds.toFixed(2)}s ` +
        `(${report.probes} probes, ${(100 * report.scannedShare).toFixed(1)}% of rows scanned, estimated recall ${report.estimatedRecall?.toFixed(3)}); ` +
        `recall@${k} ${(hits / (k * sample.length)).toFixed(4)} on ${sample.length} minority rows against exact search, ` +
        `${(hitsOthers / (k * others)).toFixed(4)} on the ${others} of them outside the calibration sample`,
    );
  }
  exact.close();
  const ivfCore = time(() => adasyn(data, { k: 5, random: seededRandom(1), index: ivf }));
  ivf.close();
  say(
    `ADASYN ${rows}×32 1% with IVF: ours ${(ivf.buildSeconds + ivfCore.seconds).toFixed(2)}s (build + core call), ${ratio(ivf.buildSeconds + ivfCore.seconds, theirs?.adasyn?.seconds)} (fit_resample)`,
  );
  const hnswRows = Number(process.env.BENCH_HNSW_ROWS ?? 100_000);
  if (hnswRows > 0) {
    const sub = takeRows(
      data,
      Int32Array.from({ length: hnswRows }, (_, i) => i),
    );
    const hnsw = new HnswNeighborIndex(sub.x, { m: 16, efConstruction: 200, ef: 100, seed: 1 });
    const subIvf = new IvfNeighborIndex(sub.x);
    const subExact = new ExactNeighborIndex(sub.x);
    const subSample = Int32Array.from({ length: 1000 }, (_, i) => Math.floor((i * hnswRows) / 1000));
    const hnswRecall = neighbourRecall(hnsw, subExact, subSample, 6);
    // IVF answers every row in one batch (a lone 1000-row batch would be 40% calibration queries, answered wider).
    const subAll = subIvf.queryRows(
      Int32Array.from({ length: hnswRows }, (_, i) => i),
      6,
    );
    const subTruth = subExact.queryRows(subSample, 6);
    let ivfHits = 0;
    subSample.forEach((row, s) => {
      const found = new Set(subAll.indices.subarray(row * 6, row * 6 + 6));
      for (let j = s * 6; j < s * 6 + 6; j++) if (found.has(subTruth.indices[j]!)) ivfHits++;
    });
    const ivfRecall = { recall: ivfHits / (6 * subSample.length) };
    subExact.close();
    subIvf.close();
    say(
      `${hnswRows}×32 recall@6 on ${hnswRecall.sampled} rows: HNSW (M=16, efConstruction=200, ef=100) build ${hnsw.buildSeconds.toFixed(1)}s, ` +
        `recall ${hnswRecall.recall.toFixed(4)}; IVF build ${subIvf.buildSeconds.toFixed(2)}s, recall ${ivfRecall.recall.toFixed(4)} (all ${hnswRows} rows queried in one batch)`,
    );
  }
}

if (sections.has('usearch')) {
  // usearch, a maintained HNSW library, against hnswlib-node at equal recall (the issue offers it behind the same
  // interface if it wins). It is installed privately into .rareflow/bench-node, as the Python peers go into their
  // venv; it is never a dependency of rareflow.
  const peers = join(root, '.rareflow', 'bench-node');
  const entry = join(peers, 'node_modules', 'usearch', 'package.json');
  if (!existsSync(entry)) {
    mkdirSync(peers, { recursive: true });
    writeFileSync(
      join(peers, 'package.json'),
      JSON.stringify({ name: 'rareflow-bench-node-peers', private: true, allowScripts: { usearch: true } }),
    );
    spawnSync('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', 'usearch@2.26.2'], { cwd: peers, stdio: 'inherit' });
  }
  if (!existsSync(entry)) {
    say('usearch: could not be installed into .rareflow/bench-node, skipped');
  } else {
    interface UsearchIndex {
      add(keys: BigUint64Array, vectors: Float32Array, threads: number): void;
      search(queries: Float32Array, k: number, threads: number): { keys: BigUint64Array };
    }
    const usearch = createRequire(entry)('usearch') as {
      Index: new (o: Record<string, unknown>) => UsearchIndex;
      MetricKind: { L2sq: unknown };
      ScalarKind: { F32: unknown };
    };
    const rows = Number(process.env.BENCH_HNSW_ROWS ?? 100_000);
    const k = 6;
    const { data } = await generated(rows, 32, 0.01, 7);
    const x32 = Float32Array.from(data.x.values);
    const exact = new ExactNeighborIndex(data.x);
    const sample = Int32Array.from({ length: 1000 }, (_, i) => Math.floor((i * rows) / 1000));
    const truth = exact.queryRows(sample, k);
    exact.close();
    const recallOf = (found: (s: number) => ArrayLike<number>): number => {
      let hits = 0;
      sample.forEach((_, s) => {
        const got = new Set(Array.from(found(s)));
        for (let j = s * k; j < s * k + k; j++) if (got.has(truth.indices[j]!)) hits++;
      });
      return hits / (k * sample.length);
    };
    const hnsw = new HnswNeighborIndex(data.x, { m: 16, efConstruction: 200, ef: 100, seed: 1 });
    const hnswSearch = time(() => hnsw.queryRows(sample, k));
    say(
      `${rows}×32 recall@${k} on 1000 rows: hnswlib-node (M=16, efConstruction=200, ef=100, one thread) build ${hnsw.buildSeconds.toFixed(1)}s, ` +
        `1000 queries ${hnswSearch.seconds.toFixed(3)}s, recall ${recallOf((s) => hnswSearch.value.indices.subarray(s * k, s * k + k)).toFixed(4)}`,
    );
    const queries = new Float32Array(sample.length * 32);
    sample.forEach((r, i) => queries.set(x32.subarray(r * 32, r * 32 + 32), i * 32));
    const keys = BigUint64Array.from({ length: rows }, (_, i) => BigInt(i));
    const build = (ef: number, threads: number) =>
      time(() => {
        const index = new usearch.Index({
          metric: usearch.MetricKind.L2sq,
          connectivity: 16,
          dimensions: 32,
          expansion_add: 200,
          expansion_search: ef,
          quantization: usearch.ScalarKind.F32,
        });
        index.add(keys, x32, threads);
        return index;
      });
    const answers = (index: UsearchIndex) => index.search(queries, k + 1, 1).keys;
    for (const [ef, threads] of [
      [64, 2],
      [100, 2],
      [200, 2],
      [100, 1],
    ] as const) {
      const built = build(ef, threads);
      const searched = time(() => built.value.search(queries, k + 1, threads));
      const recall = recallOf((s) => {
        const found = Array.from(searched.value.keys.subarray(s * (k + 1), s * (k + 1) + k + 1), Number);
        return found.filter((key) => key !== sample[s]).slice(0, k);
      });
      // Reproducibility, which rareflow's seeded runs need: a second build must give the same answers.
      const again = answers(build(ef, threads).value);
      const first = answers(built.value);
      const repeats = first.every((v, i) => v === again[i]);
      say(
        `  usearch 2.26.2 (connectivity 16, expansion_add 200, expansion_search ${ef}, ${threads === 1 ? 'one thread' : 'two threads'}): build ${built.seconds.toFixed(1)}s, ` +
          `1000 queries ${searched.seconds.toFixed(3)}s, recall ${recall.toFixed(4)}; a second build ${repeats ? 'gives the same answers' : 'gives different answers'}`,
      );
    }
  }
}

if (sections.has('process')) {
  // The whole `rareflow adasyn` process (start, read Parquet, search, oversample, write) against imbalanced-learn's
  // fit_resample call alone, as the issue asks, run after run (ours, then the peer) so both see the same machine.
  // The peer reads the same Parquet file with pyarrow; its import and read time is reported but not compared.
  const runs = Number(process.env.BENCH_PROCESS_RUNS ?? 5);
  const cli = fileURLToPath(new URL('../client/cli.js', import.meta.url));
  const processPeer = fileURLToPath(new URL('../../bench/peers/adasynProcessPeer.py', import.meta.url));
  const shapes = [
    { rows: 200_000, features: 40, seed: 5, flags: ['--exact', '--raw-distances'], name: 'exact' },
    { rows: Number(process.env.BENCH_APPROX_ROWS ?? 1_000_000), features: 32, seed: 6, flags: ['--raw-distances'], name: 'auto' },
  ];
  for (const shape of shapes) {
    const parquet = await generatedFile(shape.rows, shape.features, 0.01, shape.seed, 'parquet');
    const out = join(work, 'adasyn-process-out.arrow');
    const walls: number[] = [];
    const peerCalls: number[] = [];
    const peerWalls: number[] = [];
    let stats: { neighbors?: string; seconds?: number; syntheticRows?: number } = {};
    for (let run = 0; run < runs; run++) {
      let started = performance.now();
      const child = spawnSync(
        process.execPath,
        [cli, 'adasyn', '--input', parquet, '--label', 'label', ...shape.flags, '--out', out, '--json'],
        { encoding: 'utf8', maxBuffer: 1 << 26 },
      );
      walls.push((performance.now() - started) / 1000);
      if (child.status !== 0) throw new Error(`rareflow adasyn failed: ${child.stderr}`);
      stats = JSON.parse(child.stdout) as typeof stats;
      if (!existsSync(python)) continue;
      started = performance.now();
      const theirs = spawnSync(python, [processPeer, parquet, 'label'], { encoding: 'utf8', maxBuffer: 1 << 26 });
      peerWalls.push((performance.now() - started) / 1000);
      if (theirs.status !== 0) throw new Error(`the imbalanced-learn peer failed: ${theirs.stderr}`);
      peerCalls.push((JSON.parse(theirs.stdout) as { fit_resample_seconds: number }).fit_resample_seconds);
    }
    const wall = median(walls);
    const list = (xs: number[]) => `[${xs.map((w) => w.toFixed(2)).join(', ')}]`;
    say(
      `rareflow adasyn ${shape.flags.join(' ')} ${shape.rows}×${shape.features} 1% Parquet → .arrow (neighbors ${stats.neighbors}): ` +
        `whole process ${wall.toFixed(2)}s median of ${runs} ${list(walls)}, command's own seconds ${stats.seconds}` +
        (peerCalls.length > 0
          ? `; imbalanced-learn fit_resample call ${median(peerCalls).toFixed(2)}s ${list(peerCalls)} (its whole process ${median(peerWalls).toFixed(2)}s): ` +
            `call/our process ${(median(peerCalls) / wall).toFixed(2)}×`
          : ''),
    );
  }
}
