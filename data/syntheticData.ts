// The seeded generator behind `rareflow generate`: rare positives shifted from N(0, I) negatives on a few
// informative features, streamed batch by batch: each batch goes through a DuckDB appender into a Parquet part
// file, and the parts are copied into one Parquet or CSV file, so memory does not grow with the row count.

import type { DuckDBConnection } from '@duckdb/node-api';
import { mkdir, rm, statfs } from 'node:fs/promises';
import { dirname, extname, join } from 'node:path';
import { scratchPathBeside, sweepScratchBeside } from './scratchFiles.js';
import { InvalidInputError } from '../core/invalidInputError.js';
import { seededRandom, type RandomSource } from '../core/random.js';
import { appendTableColumns, copyTableAtomically, createTable, requireDirectory, type TableColumn } from './datasetWriter.js';
import { closeDuckDB, openDuckDB, sqlString } from './duckdbConnection.js';

export interface SyntheticDatasetOptions {
  /** Data rows. */
  rows: number;
  /** Prior of the positive class, 1e-4..0.5 (before drift). */
  positiveRate: number;
  /** Numeric feature columns f0..f{m-1}. */
  features: number;
  /** Leading numeric features whose mean differs between classes. @default min(features, 8) */
  informative?: number;
  /** String columns c0.. with values "a".."d" whose frequencies differ by class. @default 0 */
  categorical?: number;
  /**
   * Label noise: each positive's label flips to 0 with this probability, and negatives flip to 1 at the rate that
   * keeps the observed positive rate equal to the prior. 0..0.5. @default 0
   */
  labelNoise?: number;
  /**
   * Covariate and prior shift: informative means move by `drift` standard deviations (negative: away from the
   * positives' direction, so a stale model misses positives), the prior is × (1 + |drift|). @default 0
   */
  drift?: number;
  seed: number;
  /** Output file, .parquet or .csv. */
  out: string;
  /** Rows generated and appended per batch (memory bound; at most one part file of 122,880 rows is held). @default 100_000 */
  batchRows?: number;
  /**
   * Append a `sample_weight` column: 1 + (data row mod 4), so weights 1..4 in turn. It draws nothing from the
   * seeded stream, so every other column is the same as in the file generated without it.
   * @default false
   */
  sampleWeight?: boolean;
}

export interface SyntheticDatasetResult {
  rows: number;
  positives: number;
  path: string;
  seconds: number;
}

/**
 * Mahalanobis distance between the class means. With equal identity covariances the balanced Bayes rule
 * thresholds at the midpoint, so TPR = TNR = Φ(Δ/2) and the Bayes G-mean is Φ(1.05) ≈ 0.85 on the numeric features.
 */
const classSeparation = 2.1;
const categories = ['a', 'b', 'c', 'd'] as const;
/**
 * Buffer pool of the generator's in-memory DuckDB: it holds one batch, and the final copy of the parts streams
 * row group by row group, so a small cap is enough at any row count.
 */
const scratchMemoryLimit = '256MB';
/** Rows per Parquet part file: DuckDB's row-group size, so each part is one row group of the output. */
const partRows = 122_880;
/** Category frequencies per class; the difference adds a little signal per categorical column. */
const negativeCategoryCdf = [0.4, 0.7, 0.9, 1];
const positiveCategoryCdf = [0.2, 0.4, 0.7, 1];

/** Generate a labelled rare-event dataset by seed; the same options give the same file, byte for byte. */
export async function generateSyntheticDataset(opts: SyntheticDatasetOptions): Promise<SyntheticDatasetResult> {
  const started = performance.now();
  const params = validate(opts);
  await requireDirectory(opts.out);
  const { rows, features, informative, categorical, batchRows } = params;
  const prior = Math.min(0.5, params.positiveRate * (1 + Math.abs(params.drift)));
  const shift = informative > 0 ? classSeparation / Math.sqrt(informative) : 0;
  const noiseFromPositive = params.labelNoise;
  const noiseFromNegative = (params.labelNoise * prior) / (1 - prior);

  // Batches fill a table of at most one part, each part goes to its own Parquet file in a scratch folder next to
  // the output, and the parts are read back in order into the output file, so memory does not grow with the rows
  // (peak RSS at 20 features with the earlier single on-disk scratch table: 315 MB at 200k rows, 626 MB at 1M,
  // 1.42 GB at 10M).
  // Tagged with this process, so the folder a stopped generate left (Ctrl-C, SIGTERM, kill -9) is removed by the next
  // command that writes into the directory (it was left there for good, 8 GB after a stopped run of 10^12 rows).
  await sweepScratchBeside(opts.out);
  await requireDiskRoom(opts.out, rows, features);
  const scratch = scratchPathBeside(opts.out, 'parts');
  await mkdir(scratch);
  const session = await openDuckDB({ memoryLimit: scratchMemoryLimit });
  const random = seededRandom(opts.seed);
  const normal = gaussianSource(random);
  const x = new Float64Array(batchRows * features);
  const codes = Array.from({ length: categorical }, () => new Uint8Array(batchRows));
  const y = new Uint8Array(batchRows);
  const weights = opts.sampleWeight === true ? new Float64Array(batchRows) : undefined;
  const parts: string[] = [];
  let positives = 0;
  try {
    await session.connection.run(`SET temp_directory = ${sqlString(scratch)}`);
    const columns = (): TableColumn[] => [
      ...Array.from({ length: features }, (_, j): TableColumn => ({ name: `f${j}`, kind: 'matrix', values: x, cols: features, column: j })),
      ...codes.map((c, j): TableColumn => ({ name: `c${j}`, kind: 'coded', codes: c, dictionary: categories })),
      { name: 'label', kind: 'integer', values: y },
      ...(weights ? [{ name: 'sample_weight', kind: 'double', values: weights } satisfies TableColumn] : []),
    ];
    // Parts hold exactly `partRows` rows (the last one fewer), whatever the batch size, so the output's row groups
    // and so its bytes depend on the seed and options only.
    let inPart = 0;
    for (let start = 0; start < rows;) {
      const n = Math.min(batchRows, rows - start, partRows - inPart);
      for (let i = 0; i < n; i++) {
        const positive = random.next() < prior;
        const base = i * features;
        for (let j = 0; j < features; j++) x[base + j] = normal();
        if (params.drift !== 0) for (let j = 0; j < informative; j++) x[base + j]! += params.drift;
        if (positive) for (let j = 0; j < informative; j++) x[base + j]! += shift;
        const cdf = positive ? positiveCategoryCdf : negativeCategoryCdf;
        for (let j = 0; j < categorical; j++) {
          const u = random.next();
          let k = 0;
          while (u >= cdf[k]!) k++;
          codes[j]![i] = k;
        }
        let label = positive ? 1 : 0;
        if (params.labelNoise > 0 && random.next() < (positive ? noiseFromPositive : noiseFromNegative)) label = 1 - label;
        y[i] = label;
        positives += label;
        if (weights) weights[i] = 1 + ((start + i) % 4);
      }
      if (inPart === 0) await createTable(session.connection, 'part', columns());
      await appendTableColumns(session.connection, 'part', n, columns());
      start += n;
      inPart += n;
      if (inPart === partRows || start === rows) {
        parts.push(await writePart(session.connection, scratch, parts.length));
        inPart = 0;
      }
    }
    // One thread reads the parts in order and writes each row group as it comes: with more, the ordered copy
    // buffers row groups that arrive ahead of their turn.
    await session.connection.run('SET threads = 1');
    const list = parts.map(sqlString).join(', ');
    await session.connection.run(`CREATE VIEW synthetic AS SELECT * FROM read_parquet([${list}])`);
    await copyTableAtomically(session.connection, 'synthetic', opts.out);
  } finally {
    closeDuckDB(session);
    await rm(scratch, { recursive: true, force: true });
  }
  return { rows, positives, path: opts.out, seconds: Math.round((performance.now() - started) / 10) / 100 };
}

/**
 * Refuses `rows` rows of `features` numbers when the output and its scratch parts would not fit in the free space of
 * `out`'s file system: a lower bound of what is written (8 bytes a number in each Parquet copy, 18 as CSV text), so a
 * refusal is certain to be right and the disk is not filled for an hour before the write fails.
 */
async function requireDiskRoom(out: string, rows: number, features: number): Promise<void> {
  const numbers = rows * features;
  const needed = numbers * 8 + numbers * (extname(out).toLowerCase() === '.csv' ? 18 : 8);
  let free: number;
  try {
    const fs = await statfs(dirname(out));
    free = fs.bavail * fs.bsize;
  } catch {
    return;
  }
  if (needed <= free) return;
  const gb = (b: number) => `${(b / 1e9).toFixed(b < 1e10 ? 1 : 0)} GB`;
  throw new InvalidInputError(
    '--rows',
    `--rows ${rows}: writing ${out} takes at least ${gb(needed)} in ${dirname(out)} (the file and the parts it is written from), but only ${gb(free)} is free there; choose fewer rows or features, or another directory`,
  );
}

/** Copies table `part` to the next part file and drops it; returns the part's path. */
async function writePart(connection: DuckDBConnection, scratch: string, index: number): Promise<string> {
  const path = join(scratch, `part-${String(index).padStart(6, '0')}.parquet`);
  try {
    await connection.run(`COPY part TO ${sqlString(path)} (FORMAT parquet, ROW_GROUP_SIZE ${partRows})`);
  } finally {
    await connection.run('DROP TABLE part');
  }
  return path;
}

interface ValidParams {
  rows: number;
  positiveRate: number;
  features: number;
  informative: number;
  categorical: number;
  labelNoise: number;
  drift: number;
  batchRows: number;
}

function validate(opts: SyntheticDatasetOptions): ValidParams {
  const integer = (flag: string, value: number, min: number, max: number): number => {
    if (!Number.isInteger(value) || value < min || value > max) {
      throw new InvalidInputError(flag, `${flag} must be an integer from ${min} to ${max}, got ${value}`);
    }
    return value;
  };
  const real = (flag: string, value: number, min: number, max: number): number => {
    if (!Number.isFinite(value) || value < min || value > max) {
      throw new InvalidInputError(flag, `${flag} must be a number from ${min} to ${max}, got ${value}`);
    }
    return value;
  };
  const ext = extname(opts.out).toLowerCase();
  if (ext !== '.parquet' && ext !== '.csv') {
    throw new InvalidInputError('--out', `--out must end in .parquet or .csv, got ${opts.out}`);
  }
  integer('--seed', opts.seed, -0x80000000, 0xffffffff);
  const features = integer('--features', opts.features, 1, 10_000);
  return {
    rows: integer('--rows', opts.rows, 1, Number.MAX_SAFE_INTEGER),
    positiveRate: real('--positive-rate', opts.positiveRate, 1e-4, 0.5),
    features,
    informative: integer('--informative', opts.informative ?? Math.min(features, 8), 0, features),
    categorical: integer('--categorical', opts.categorical ?? 0, 0, 1000),
    labelNoise: real('--noise', opts.labelNoise ?? 0, 0, 0.5),
    drift: real('--drift', opts.drift ?? 0, -100, 100),
    batchRows: integer('--batch-rows', opts.batchRows ?? 100_000, 1, 10_000_000),
  };
}

/** Standard normal draws by the Box–Muller transform, using both values of each pair. */
function gaussianSource(random: RandomSource): () => number {
  let spare = 0;
  let hasSpare = false;
  return () => {
    if (hasSpare) {
      hasSpare = false;
      return spare;
    }
    let u = random.next();
    while (u === 0) u = random.next();
    const v = random.next();
    const r = Math.sqrt(-2 * Math.log(u));
    spare = r * Math.sin(2 * Math.PI * v);
    hasSpare = true;
    return r * Math.cos(2 * Math.PI * v);
  };
}
