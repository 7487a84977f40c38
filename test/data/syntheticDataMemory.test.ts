// The generator streams: its peak memory does not grow with the row count (each size runs in its own process).

import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, expect, test } from 'vitest';

const generator = pathToFileURL(join(import.meta.dirname, '..', '..', 'dist', 'data', 'syntheticData.js')).href;

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rareflow-generate-memory-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Peak RSS (MB) of a fresh process that generates `rows` × 8 rows to Parquet. */
function generatorPeakMb(rows: number): number {
  const script = `const { generateSyntheticDataset } = await import(${JSON.stringify(generator)});
    await generateSyntheticDataset({ rows: ${rows}, positiveRate: 0.01, features: 8, seed: 1, out: ${JSON.stringify(join(dir, `${rows}.parquet`))} });
    process.stdout.write(String(process.resourceUsage().maxRSS));`;
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
  return Number(out) / 1024;
}

test('six times the rows adds no more than 75 MB to the peak', () => {
  const small = generatorPeakMb(100_000);
  const large = generatorPeakMb(600_000);
  // The generator that kept every row in one scratch table added 151 MB here. Streaming adds 17 to 44 MB from run to
  // run (allocator and garbage-collector timing; 44 under a loaded CI run), so the bound sits halfway between.
  expect(large - small).toBeLessThan(75);
}, 60_000);
