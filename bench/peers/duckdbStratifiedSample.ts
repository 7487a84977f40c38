// Peer for bench/sampling.ts: DuckDB's own full-scan stratified sample, a window query that keeps `positives`
// positives and the rest negatives, written to Parquet. Run as its own process so both sides are timed alike.

import { DuckDBInstance } from '@duckdb/node-api';

const [input, out, positivesText, totalText] = process.argv.slice(2);
if (!input || !out || !positivesText || !totalText) {
  process.stderr.write('usage: duckdbStratifiedSample INPUT.parquet OUT.parquet POSITIVES TOTAL\n');
  process.exit(2);
}
const positives = Number(positivesText);
const negatives = Number(totalText) - positives;
const started = performance.now();
const instance = await DuckDBInstance.create(':memory:');
const c = await instance.connect();
await c.run(`SELECT setseed(0.5)`);
await c.run(
  `COPY (SELECT * EXCLUDE (rn) FROM (SELECT *, row_number() OVER (PARTITION BY label ORDER BY random()) AS rn FROM read_parquet('${input}')) ` +
    `WHERE (label = 1 AND rn <= ${positives}) OR (label = 0 AND rn <= ${negatives})) TO '${out}' (FORMAT parquet)`,
);
const reader = await c.runAndReadAll(`SELECT count(*), sum(label) FROM read_parquet('${out}')`);
const [rows, pos] = reader.getRowsJS()[0]!;
process.stdout.write(`${JSON.stringify({ rows: Number(rows), positives: Number(pos), seconds: (performance.now() - started) / 1000 })}\n`);
c.closeSync();
instance.closeSync();
