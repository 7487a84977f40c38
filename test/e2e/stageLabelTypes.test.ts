// The data files `denoise` and `adasyn` write keep the label column's type: a Parquet input with an INTEGER 0/1 or a
// BOOLEAN label gave a Parquet output whose label was text ("0"/"1", "false"/"true"), so tools reading it next (or a
// join back to the input) saw another column than the one they wrote. Text labels stay text.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withDuckDB } from '../../data/duckdbConnection.js';
import { runCli } from '../support/cliProcess.js';

let dir: string;
const run = (args: string[]) => runCli(args, { cwd: dir });
const path = (name: string) => join(dir, name).replaceAll("'", "''");

/** The label column's type and its values with their counts in a written file. */
const labelOf = (name: string) =>
  withDuckDB(async (c) => {
    const types = (await c.runAndReadAll(`DESCRIBE SELECT * FROM '${path(name)}'`)).getRowsJS();
    const type = String(types.find((r) => r[0] === 'label')![1]);
    const values = (await c.runAndReadAll(`SELECT DISTINCT label FROM '${path(name)}' ORDER BY 1`))
      .getRowsJS()
      .map((r) => (typeof r[0] === 'bigint' ? Number(r[0]) : r[0]));
    return { type, values };
  });

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'rareflow-stage-label-types-'));
  await withDuckDB(async (c) => {
    // 600 rows, one positive in ten, two features with some overlap so ENN removes a few rows.
    const rows = `SELECT i::DOUBLE % 37 / 7 + (i % 10 = 0)::INT * 2 AS a, (i * 13 % 29)::DOUBLE / 5 AS b, (i % 10 = 0) AS positive FROM range(600) t(i)`;
    for (const [name, label] of [
      ['int', 'positive::INTEGER'],
      ['bigint', 'positive::BIGINT'],
      ['bool', 'positive'],
      ['text', "CASE WHEN positive THEN 'fraud' ELSE 'ok' END"],
    ] as const)
      await c.run(`COPY (SELECT a, b, ${label} AS label FROM (${rows})) TO '${path(`${name}.parquet`)}'`);
  });
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('denoise and adasyn keep the label type', () => {
  for (const [name, positive, type, values] of [
    ['int', '1', 'INTEGER', [0, 1]],
    ['bigint', '1', 'BIGINT', [0, 1]],
    ['bool', 'true', 'BOOLEAN', [false, true]],
    ['text', 'fraud', 'VARCHAR', ['fraud', 'ok']],
  ] as const) {
    it(`${type}`, async () => {
      const common = ['--input', `${name}.parquet`, '--label', 'label', '--positive', positive];
      const denoise = await run(['denoise', ...common, '--out', `${name}-enn.parquet`, '--removed', `${name}-removed.parquet`]);
      expect(denoise.code, denoise.stderr).toBe(0);
      expect(await labelOf(`${name}-enn.parquet`)).toEqual({ type, values });
      expect((await labelOf(`${name}-removed.parquet`)).type).toBe(type);
      const adasyn = await run(['adasyn', ...common, '--out', `${name}-adasyn.parquet`]);
      expect(adasyn.code, adasyn.stderr).toBe(0);
      expect(await labelOf(`${name}-adasyn.parquet`)).toEqual({ type, values });
    });
  }
});
