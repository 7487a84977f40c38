// Prints the chaos suite's summary as a Markdown table (cases and passes per area) from a vitest JSON report:
//   npx vitest run test/chaos --reporter=default --reporter=json --outputFile.json=.rareflow/chaos-results.json
//   node test/support/chaosSummaryTable.mjs .rareflow/chaos-results.json
// Tests titled "KNOWN BUG ..." are `it.fails` pins of bugs awaiting a fix; they are counted in their own column.

import { readFileSync } from 'node:fs';
import { relative } from 'node:path';

const path = process.argv[2] ?? '.rareflow/chaos-results.json';
const report = JSON.parse(readFileSync(path, 'utf8'));
const rows = new Map();
for (const file of report.testResults ?? []) {
  const name = relative(process.cwd(), file.name);
  for (const t of file.assertionResults ?? []) {
    const area = `${name.replace(/^test\/chaos\//, '').replace(/\.test\.ts$/, '')}: ${t.ancestorTitles[0] ?? ''}`;
    const row = rows.get(area) ?? { cases: 0, passed: 0, failed: 0, skipped: 0, knownBugs: 0, ms: 0 };
    row.cases += 1;
    // A pinned bug that stops failing (fixed) fails its `it.fails` test, and is counted as failed until unpinned.
    if (t.title.startsWith('KNOWN BUG') && t.status === 'passed') row.knownBugs += 1;
    else if (t.status === 'passed') row.passed += 1;
    else if (t.status === 'failed') row.failed += 1;
    else row.skipped += 1;
    row.ms += t.duration ?? 0;
    rows.set(area, row);
  }
}
const total = { cases: 0, passed: 0, failed: 0, skipped: 0, knownBugs: 0, ms: 0 };
const lines = ['| area | cases | passed | failed | known bugs pinned (it.fails) | seconds |', '|---|---:|---:|---:|---:|---:|'];
for (const [area, r] of rows) {
  for (const k of Object.keys(total)) total[k] += r[k];
  lines.push(`| ${area} | ${r.cases} | ${r.passed} | ${r.failed} | ${r.knownBugs} | ${(r.ms / 1000).toFixed(0)} |`);
}
lines.push(
  `| **total** | **${total.cases}** | **${total.passed}** | **${total.failed}** | **${total.knownBugs}** | **${(total.ms / 1000).toFixed(0)}** |`,
);
console.log(lines.join('\n'));
process.exitCode = total.failed > 0 ? 1 : 0;
