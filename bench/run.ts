// `npm run bench`: every speed bench as its own whole process, one after another on the same files, then ONE
// table of rareflow against its peers (bench/ratioTable.ts) from the rows each bench wrote (bench/benchResults.ts).
// Sections: BENCH_SECTIONS=sampling,neighbors,few-columns,forest,gbdt,predict,pipeline,serving,sample-stages (default all).
// A small run: BENCH_SMALL=1 (1M rows for sampling, 200k for predict and the pipeline, 20k for the forest, gbdt and ENN/ADASYN).

import { fileURLToPath } from 'node:url';
import { readBenchRows } from './benchResults.js';
import { measureProcess } from './processPeak.js';
import { formatRatioTable, type RatioRow } from './ratioTable.js';

/** Each section: its bench script, the result name it writes and the sizes of a small run. */
const sections = [
  { name: 'sampling', script: 'sampling.js', small: { BENCH_ROWS: '1000000', BENCH_RUNS: '1' } },
  { name: 'neighbors', script: 'neighborProcesses.js', result: 'neighborProcesses', small: { BENCH_ENN_ROWS: '20000', BENCH_RUNS: '1' } },
  { name: 'few-columns', script: 'fewColumnNeighbors.js', result: 'fewColumnNeighbors', small: { BENCH_ROWS: '20000', BENCH_RUNS: '1' } },
  { name: 'forest', script: 'forest.js', small: { BENCH_FOREST_ROWS: '20000' } },
  { name: 'gbdt', script: 'gbdt.js', small: { BENCH_GBDT_ROWS: '20000', BENCH_GBDT_RUNS: '1' } },
  { name: 'predict', script: 'predict.js', small: { BENCH_ROWS: '200000', BENCH_RUNS: '1' } },
  { name: 'pipeline', script: 'pipeline.js', small: { BENCH_ROWS: '200000' } },
  { name: 'serving', script: 'serving.js', small: { BENCH_SERVING_SECONDS: '4', BENCH_SERVING_MAX_SECONDS: '2' } },
  { name: 'sample-stages', script: 'sampleStages.js', result: 'sampleStages', small: { BENCH_ROWS: '200000' } },
];

const chosen = new Set((process.env.BENCH_SECTIONS ?? sections.map((s) => s.name).join(',')).split(','));
const unknown = [...chosen].filter((name) => !sections.some((s) => s.name === name));
if (unknown.length > 0) {
  process.stderr.write(
    `BENCH_SECTIONS: unknown section ${unknown.join(', ')}; expected some of ${sections.map((s) => s.name).join(', ')}\n`,
  );
  process.exit(2);
}
const small = process.env.BENCH_SMALL === '1';
const startedMs = Date.now();
const rows: RatioRow[] = [];
const failed: string[] = [];
for (const section of sections.filter((s) => chosen.has(s.name))) {
  const script = fileURLToPath(new URL(`./${section.script}`, import.meta.url));
  process.stdout.write(`\n== ${section.name}: node ${script}${small ? ' (small run)' : ''}\n`);
  // Sizes the caller set win over the small run's.
  const env = { ...process.env, ...(small ? Object.fromEntries(Object.entries(section.small).filter(([k]) => !process.env[k])) : {}) };
  const run = await measureProcess(process.execPath, [script], { env });
  process.stdout.write(run.stdout);
  process.stdout.write(`(${section.name}: ${run.seconds.toFixed(1)} s, peak RSS ${run.peakMb} MB of its largest process)\n`);
  if (run.status !== 0) {
    failed.push(section.name);
    process.stdout.write(`${section.name} failed with exit code ${run.status}:\n${run.stderr.slice(-2000)}\n`);
    continue;
  }
  rows.push(...(readBenchRows(section.result ?? section.name, startedMs) ?? []));
}
process.stdout.write(`\nrareflow against its peers (ratio: how many times faster rareflow is; node ${process.version})\n\n`);
process.stdout.write(`${formatRatioTable(rows)}\n`);
if (failed.length > 0) {
  process.stdout.write(`\nsections that failed (no rows above): ${failed.join(', ')}\n`);
  process.exitCode = 1;
}
