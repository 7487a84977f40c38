// The denoise and adasyn commands set rows of sample_weight 0 aside, as the pipeline's stages do: counted in the
// JSON, kept in the output, never a neighbour or a seed.

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cliProcess.js';

let dir: string;
/** `rareflow COMMAND` on weighted.csv with k = 3 and exact neighbours, writing `out`. */
const stage = (command: string, out: string) =>
  runCli([command, '--input', 'weighted.csv', '--label', 'label', '--k', '3', '--neighbors', 'exact', '--out', out, '--json'], {
    cwd: dir,
  });

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'rareflow-zero-weight-'));
  // 20 positives and 80 negatives overlapping, then a negative at (20, 20) with three weight-0 positives on it and
  // three negatives a little further; the first two positives weigh 0 too.
  const lines = ['a,b,sample_weight,label'];
  for (let i = 0; i < 100; i++) {
    const positive = i < 20;
    const a = ((positive ? 0 : 1) + Math.sin(i * 1.7) * 1.2).toFixed(4);
    const b = ((positive ? 0 : 1) + Math.cos(i * 2.3) * 1.2).toFixed(4);
    lines.push(`${a},${b},${i < 2 ? 0 : 1},${positive ? 1 : 0}`);
  }
  lines.push('20,20,1,0', '20.01,20,0,1', '20,20.01,0,1', '20.01,20.01,0,1', '19.5,19.5,1,0', '19.6,19.5,1,0', '19.5,19.6,1,0');
  writeFileSync(join(dir, 'weighted.csv'), `${lines.join('\n')}\n`);
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

const csv = (name: string) =>
  readFileSync(join(dir, name), 'utf8')
    .trim()
    .split('\n')
    .map((l) => l.split(','));

describe('rows of weight 0 in the stage commands', () => {
  it('denoise keeps them and never lets them remove a row', async () => {
    const r = await stage('denoise', 'clean.csv');
    expect(r.code, r.stderr).toBe(0);
    expect(r.json<{ zeroWeightRowsSetAside: number }>().zeroWeightRowsSetAside).toBe(5);
    const rows = csv('clean.csv');
    const header = rows[0]!;
    const body = rows.slice(1);
    expect(body.filter((row) => Number(row[header.indexOf('sample_weight')]) === 0)).toHaveLength(5);
    // The negative at (20, 20): its nearest weighted rows are negatives, so it stays.
    expect(body.some((row) => Number(row[0]) === 20 && Number(row[1]) === 20)).toBe(true);
  });

  it('adasyn never seeds from them nor interpolates towards them', async () => {
    const r = await stage('adasyn', 'more.csv');
    expect(r.code, r.stderr).toBe(0);
    const j = r.json<{ zeroWeightRowsSetAside: number; syntheticRows: number }>();
    expect(j.zeroWeightRowsSetAside).toBe(5);
    expect(j.syntheticRows).toBeGreaterThan(0);
    const rows = csv('more.csv');
    const header = rows[0]!;
    const [seed, neighbour, weight] = ['_seed_row', '_neighbor_row', 'sample_weight'].map((c) => header.indexOf(c)) as [
      number,
      number,
      number,
    ];
    const body = rows.slice(1);
    const synthetic = body.slice(107);
    expect(synthetic).toHaveLength(j.syntheticRows);
    for (const row of synthetic) {
      expect(Number(body[Number(row[seed])]![weight])).toBeGreaterThan(0);
      expect(Number(body[Number(row[neighbour])]![weight])).toBeGreaterThan(0);
      expect(Number(row[weight])).toBeGreaterThan(0);
    }
  });
});
