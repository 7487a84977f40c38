// `node dist/bench/ennAgreement.js` (`npm run bench:enn-agreement`): on every two-class file in ../shared/datasets,
// edited nearest neighbours (k = 3, standardised distances) as the denoise stage runs it by default (`--neighbors
// auto`: keep screen, index chosen by size) against the search of every row (`--neighbors exact`): how many rows get
// the same keep/remove decision. Rows with a missing feature are left out, as the stage would refuse them.
// Env: ENN_AGREEMENT_DATASETS=a,b (only these).

import { readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { takeRows } from '../core/dataset.js';
import { oneHotGroups } from '../core/features/oneHotFeatures.js';
import { numericType } from '../data/columnTypes.js';
import { readLabelledDataset } from '../data/datasetReader.js';
import { describeColumns } from '../data/inputSources.js';
import { filterAndType } from '../stages/denoise.js';

const datasetsDir = fileURLToPath(new URL('../../../shared/datasets', import.meta.url));
const only = process.env.ENN_AGREEMENT_DATASETS?.split(',').map((s) => s.trim());

const say = (line: string) => process.stdout.write(`${line}\n`);
say('ENN k=3 on every two-class shared file: the default search (auto) against the search of every row (exact)');
say('| dataset | rows | index (auto) | removed auto | removed exact | same decision | seconds auto | seconds exact |');
say('|---|---|---|---|---|---|---|---|');

let worst = 1;
let sets = 0;
for (const file of readdirSync(datasetsDir).sort()) {
  const name = basename(file, '.csv');
  if (!file.endsWith('.csv') || (only && !only.includes(name))) continue;
  const path = join(datasetsDir, file);
  const columns = await describeColumns(path);
  const categorical = columns.filter((c) => c.name !== 'label' && !numericType.test(c.type)).map((c) => c.name);
  let loaded;
  try {
    loaded = await readLabelledDataset(path, { label: 'label', categorical, keepMissingFeatures: true });
  } catch (e) {
    // Three or more classes: ENN's keep/remove rule is the same, but the stage takes two-class labels.
    say(`| ${name} | skipped: ${(e as Error).message.split(';')[0]} | | | | | | |`);
    continue;
  }
  const { cols, values } = loaded.data.x;
  const complete: number[] = [];
  for (let r = 0; r < loaded.data.y.length; r++) if (values.subarray(r * cols, (r + 1) * cols).every(Number.isFinite)) complete.push(r);
  const data = takeRows(loaded.data, complete);
  const groups = oneHotGroups(loaded.featureNames, loaded.categorical);
  const t0 = performance.now();
  const auto = filterAndType(data, 'enn', 3, 'auto', 'standardise', 1, groups);
  const t1 = performance.now();
  const exact = filterAndType(data, 'enn', 3, 'exact', 'standardise', 1, groups);
  const t2 = performance.now();
  const keptAuto = new Uint8Array(data.y.length);
  const keptExact = new Uint8Array(data.y.length);
  for (const r of auto.cleaning.kept) keptAuto[r] = 1;
  for (const r of exact.cleaning.kept) keptExact[r] = 1;
  let same = 0;
  for (let r = 0; r < data.y.length; r++) if (keptAuto[r] === keptExact[r]) same++;
  const share = same / data.y.length;
  worst = Math.min(worst, share);
  sets++;
  say(
    `| ${name} | ${data.y.length} | ${auto.index.kind} | ${data.y.length - auto.cleaning.kept.length} | ` +
      `${data.y.length - exact.cleaning.kept.length} | ${(100 * share).toFixed(3)}% | ${((t1 - t0) / 1000).toFixed(2)} | ${((t2 - t1) / 1000).toFixed(2)} |`,
  );
}
say(`\n${sets} files; the lowest share of identical decisions: ${(100 * worst).toFixed(3)}% (goal ≥ 99%)`);
