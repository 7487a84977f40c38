// Where each bench leaves its ratio-table rows (.rareflow/bench/results/<bench>.json), so `npm run bench` can run
// the benches as whole processes and gather one table from them.

import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../infra/rareflowConfig.js';
import type { RatioRow } from './ratioTable.js';

const resultsDir = join(packageRoot(), '.rareflow', 'bench', 'results');

/** Write `rows` as the latest result of `bench` (write-then-rename, so a reader never sees half a file). */
export function writeBenchRows(bench: string, rows: RatioRow[]): string {
  mkdirSync(resultsDir, { recursive: true });
  const path = join(resultsDir, `${bench}.json`);
  writeFileSync(`${path}.tmp`, JSON.stringify({ bench, writtenAt: new Date().toISOString(), rows }, null, 2));
  renameSync(`${path}.tmp`, path);
  return path;
}

/** The rows `bench` last wrote at or after `sinceMs`, or undefined when it has written none since. */
export function readBenchRows(bench: string, sinceMs = 0): RatioRow[] | undefined {
  let written: { writtenAt: string; rows: RatioRow[] };
  try {
    written = JSON.parse(readFileSync(join(resultsDir, `${bench}.json`), 'utf8')) as typeof written;
  } catch {
    return undefined;
  }
  return Date.parse(written.writtenAt) >= sinceMs ? written.rows : undefined;
}

/** This process's peak resident memory so far (MB), for stages measured in-process. */
export function processPeakMb(): number {
  return Math.round(process.resourceUsage().maxRSS / 1024);
}
