// Stage commands hand over what the pipeline records: ADASYN lineage columns in every output format, exact He et al.
// allocation per seed row, readers ignoring `_` columns, and denoise's removed rows with reason codes.

import { mkdtempSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuckDBInstance } from '@duckdb/node-api';
import { tableFromIPC } from 'apache-arrow';
import { runCli } from '../support/cliProcess.js';

type Row = Record<string, unknown>;
let dir: string;
let duck: DuckDBInstance;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'rareflow-lineage-'));
  duck = await DuckDBInstance.create();
});
afterAll(() => duck.closeSync());

async function readRows(path: string): Promise<Row[]> {
  if (path.endsWith('.arrow'))
    return tableFromIPC(readFileSync(path))
      .toArray()
      .map((r) => r.toJSON() as Row);
  const c = await duck.connect();
  try {
    const rows = (await c.runAndReadAll(`SELECT * FROM '${path}'`)).getRowObjectsJS();
    return rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, typeof v === 'bigint' ? Number(v) : v])));
  } finally {
    c.closeSync();
  }
}

/** Indices of the k nearest rows of `rows` to row q (itself excluded), squared euclidean, ties to the lower row. */
function nearest(x: number[][], q: number, rows: number[], k: number): number[] {
  return rows
    .filter((r) => r !== q)
    .map((r) => ({ r, d: x[r]!.reduce((s, v, c) => s + (v - x[q]![c]!) ** 2, 0) }))
    .sort((a, b) => a.d - b.d || a.r - b.r)
    .slice(0, k)
    .map((e) => e.r);
}

function roundHalfEven(v: number): number {
  const f = Math.floor(v);
  const diff = v - f;
  if (diff > 0.5) return f + 1;
  if (diff < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}

/** He et al. 2008 steps 1–3: g_i per minority row (ascending row order), computed independently of rareflow. */
function heAllocation(x: number[][], y: number[], k: number): Map<number, number> {
  const all = y.map((_, i) => i);
  const minority = all.filter((i) => y[i] === 1);
  const G = roundHalfEven(y.length - 2 * minority.length);
  const r = minority.map((i) => nearest(x, i, all, k).filter((j) => y[j] === 0).length / k);
  const sum = r.reduce((a, b) => a + b, 0);
  return new Map(minority.map((i, m) => [i, roundHalfEven((r[m]! / sum) * G)]));
}

// 2 features; positives 10–14 sit among negatives to different degrees.
const X = [
  [0, 0],
  [1, 0],
  [0, 1],
  [1, 1],
  [2, 2],
  [3, 1],
  [5, 5],
  [6, 5],
  [5, 6],
  [8, 8],
  [0.5, 0.5],
  [2.5, 1.5],
  [5.5, 5.5],
  [9, 9],
  [9.5, 8.5],
];
const Y = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1];
const csv = (x: number[][], y: number[]) => ['a,b,label', ...x.map((r, i) => `${r[0]},${r[1]},${y[i]}`)].join('\n') + '\n';

describe('rareflow adasyn lineage columns', () => {
  it.each(['csv', 'parquet', 'arrow'])(
    'every row carries them in .%s; each synthetic row lies on its seed–neighbour segment at _gap',
    async (ext) => {
      const input = join(dir, 'hand.csv');
      writeFileSync(input, csv(X, Y));
      const out = join(dir, `hand-out.${ext}`);
      const r = await runCli(
        ['adasyn', '--input', input, '--label', 'label', '--k', '2', '--exact', '--raw-distances', '--seed', '3', '--out', out, '--json'],
        { cwd: dir },
      );
      expect(r.code, r.stderr).toBe(0);
      expect(r.json().lineageColumns).toEqual(['_synthetic', '_seed_row', '_neighbor_row', '_gap']);
      const rows = await readRows(out);
      expect(Object.keys(rows[0]!)).toEqual(['a', 'b', 'label', '_synthetic', '_seed_row', '_neighbor_row', '_gap']);
      const n = X.length;
      expect(rows.length).toBe(n + (r.json().syntheticRows as number));
      rows.slice(0, n).forEach((row, i) => {
        expect({ ...row, label: Number(row.label) }).toEqual({
          a: X[i]![0],
          b: X[i]![1],
          label: Y[i],
          _synthetic: false,
          _seed_row: -1,
          _neighbor_row: -1,
          _gap: null,
        });
      });
      const minority = Y.flatMap((v, i) => (v === 1 ? [i] : []));
      const perSeed = new Map<number, number>();
      for (const row of rows.slice(n)) {
        const seed = row._seed_row as number;
        const neighbour = row._neighbor_row as number;
        const gap = row._gap as number;
        expect(row._synthetic).toBe(true);
        expect(Number(row.label)).toBe(1);
        expect(nearest(X, seed, minority, 2)).toContain(neighbour);
        expect(gap).toBeGreaterThanOrEqual(0);
        expect(gap).toBeLessThan(1);
        for (const [c, name] of ['a', 'b'].entries())
          expect(row[name] as number).toBeCloseTo(X[seed]![c]! + gap * (X[neighbour]![c]! - X[seed]![c]!), 12);
        perSeed.set(seed, (perSeed.get(seed) ?? 0) + 1);
      }
      for (const [seed, g] of heAllocation(X, Y, 2)) expect(perSeed.get(seed) ?? 0, `row ${seed}`).toBe(g);
    },
  );

  it('--no-lineage leaves the columns out; train ignores them in a file that has them, and says so once', async () => {
    const input = join(dir, 'hand.csv');
    writeFileSync(input, csv(X, Y));
    const plain = join(dir, 'plain.parquet');
    const r = await runCli(['adasyn', '--input', input, '--label', 'label', '--k', '2', '--no-lineage', '--out', plain, '--json'], {
      cwd: dir,
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.json().lineageColumns).toEqual([]);
    expect(Object.keys((await readRows(plain))[0]!)).toEqual(['a', 'b', 'label']);
    const withLineage = join(dir, 'hand-out.csv');
    const model = join(dir, 'model.json');
    const t = await runCli(['train', '--input', withLineage, '--label', 'label', '--kind', 'logreg', '--out', model, '--json'], {
      cwd: dir,
    });
    expect(t.code, t.stderr).toBe(0);
    expect(t.json().ignoredColumns).toEqual({
      columns: ['_synthetic', '_seed_row', '_neighbor_row', '_gap'],
      reason: expect.stringContaining('never features'),
    });
    expect((JSON.parse(readFileSync(model, 'utf8')) as { featureNames: string[] }).featureNames).toEqual(['a', 'b']);
  });

  it('per-seed-row counts equal the exact He et al. allocation on a generated 20k × 10 file', async () => {
    const gen = join(dir, 'gen.csv');
    expect(
      (
        await runCli(['generate', '--rows', '20000', '--positive-rate', '0.01', '--features', '10', '--seed', '4', '--out', gen], {
          cwd: dir,
        })
      ).code,
    ).toBe(0);
    const out = join(dir, 'gen-out.arrow');
    const r = await runCli(['adasyn', '--input', gen, '--label', 'label', '--exact', '--raw-distances', '--out', out, '--json'], {
      cwd: dir,
    });
    expect(r.code, r.stderr).toBe(0);
    const input = await readRows(gen);
    const names = Object.keys(input[0]!).filter((c) => c !== 'label');
    const x = input.map((row) => names.map((c) => row[c] as number));
    const y = input.map((row) => Number(row.label));
    const rows = await readRows(out);
    // Several record batches: every real row reads false / -1 / -1 / null, every synthetic row has a gap.
    expect(
      rows
        .slice(0, input.length)
        .every((row) => row._synthetic === false && row._seed_row === -1 && row._neighbor_row === -1 && row._gap === null),
    ).toBe(true);
    expect(rows.slice(input.length).every((row) => row._synthetic === true && typeof row._gap === 'number')).toBe(true);
    const perSeed = new Map<number, number>();
    for (const row of rows.slice(input.length)) perSeed.set(row._seed_row as number, (perSeed.get(row._seed_row as number) ?? 0) + 1);
    const expected = heAllocation(x, y, 5);
    let equal = 0;
    for (const [seed, g] of expected) if ((perSeed.get(seed) ?? 0) === g) equal++;
    expect(expected.size).toBeGreaterThan(150);
    expect(equal / expected.size).toBeGreaterThanOrEqual(0.99);
  });
});

describe('rareflow denoise --removed', () => {
  // Negatives 0–3, a positive at 2.5 among them, a negative at 10 next to positives 11–13, negatives 20–23.
  const line = [0, 1, 2, 3, 10, 11, 12, 13, 2.5, 20, 21, 22, 23];
  const labels = ['neg', 'neg', 'neg', 'neg', 'neg', 'pos', 'pos', 'pos', 'pos', 'neg', 'neg', 'neg', 'neg'];
  const input = () => {
    const path = join(dir, 'line.csv');
    writeFileSync(path, ['v,label', ...line.map((v, i) => `${v},${labels[i]}`)].join('\n') + '\n');
    return path;
  };

  it('writes each removed row with its reason and, for ENN, the neighbour labels that decided it', async () => {
    const removed = join(dir, 'removed.parquet');
    const r = await runCli(
      [
        'denoise',
        '--input',
        input(),
        '--label',
        'label',
        '--positive',
        'pos',
        '--k',
        '3',
        '--raw-distances',
        '--out',
        join(dir, 'clean.csv'),
        '--removed',
        removed,
        '--json',
      ],
      { cwd: dir },
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.json().removed).toEqual({ file: removed, rows: 5, columns: ['row', 'label', 'reason', 'neighbour_labels'] });
    const x = line.map((v) => [v]);
    const expected = [0, 1, 2, 3, 4].map((row) => ({
      row,
      label: 'neg',
      reason: 'enn',
      neighbour_labels: nearest(
        x,
        row,
        line.map((_, i) => i),
        3,
      )
        .map((j) => labels[j])
        .join(','),
    }));
    expect(await readRows(removed)).toEqual(expected);
    expect(expected[0]!.neighbour_labels).toBe('neg,neg,pos');
  });

  it('Tomek links: reason tomek, no neighbour labels', async () => {
    const removed = join(dir, 'removed-tomek.csv');
    const r = await runCli(
      [
        'denoise',
        '--input',
        input(),
        '--label',
        'label',
        '--positive',
        'pos',
        '--method',
        'tomek',
        '--raw-distances',
        '--out',
        join(dir, 'clean-t.csv'),
        '--removed',
        removed,
        '--json',
      ],
      { cwd: dir },
    );
    expect(r.code, r.stderr).toBe(0);
    const rows = await readRows(removed);
    expect(rows.length).toBe(r.json().removed && (r.json().removed as { rows: number }).rows);
    for (const row of rows) expect(Object.keys(row)).toEqual(['row', 'label', 'reason']);
    expect(rows.every((row) => row.reason === 'tomek')).toBe(true);
  });

  it.each([
    ['removed.txt', '--removed: expected a .csv or .parquet file, got "removed.txt" (extension ".txt")'],
    ['no-such-dir/removed.csv', '--removed: the directory of no-such-dir/removed.csv does not exist'],
    ['clean-bad.csv', '--removed: clean-bad.csv is also the --out file'],
  ])('bad --removed %s: exit 2, one line naming it, nothing written', async (removed, message) => {
    const out = join(dir, 'clean-bad.csv');
    const r = await runCli(
      ['denoise', '--input', input(), '--label', 'label', '--positive', 'pos', '--out', 'clean-bad.csv', '--removed', removed],
      { cwd: dir },
    );
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain(message);
    expect(existsSync(out)).toBe(false);
    expect(existsSync(join(dir, 'removed.txt'))).toBe(false);
  });
});
