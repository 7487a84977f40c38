// What batch scoring and evaluate say about a scoring input before they trust its scores: cells scored with a
// stand-in (scoringInputGaps.ts) and categories the model never saw (unseenCategories.ts), counted in one read of the
// input, and true/false columns where the model learnt numbers (booleanInputColumns.ts, from the column types alone).

import { inputColumnsOf, type ModelArtifact } from '../core/models/modelArtifact.js';
import { booleanForNumberWarnings } from './booleanInputColumns.js';
import { toNumber, withDuckDB } from './duckdbConnection.js';
import { inexactIntegerColumns, inexactIntegerWarnings } from './inexactIntegerColumns.js';
import { describeColumns, formatOf, tableSource, type ColumnDescription } from './inputSources.js';
import { scoringGapCheck } from './scoringInputGaps.js';
import { unseenCategoryCheck } from './unseenCategories.js';

/** Aggregates over the input's rows, and the warnings read from their values (in the same order) and the row count. */
export interface InputCheck {
  aggregates: string[];
  warnings(values: readonly unknown[], rows: number): string[];
}

/** Whole numbers past 2⁵³ in a numeric model column, which are scored as the nearest double (a scan only when the file has 64-bit integer columns). */
async function roundedIntegerWarnings(model: ModelArtifact, input: string): Promise<string[]> {
  const format = formatOf(input);
  if (format === 'arrow') return [];
  const numeric = inputColumnsOf(model)
    .filter((c) => c.kind === 'numeric')
    .map((c) => c.name);
  const found = await withDuckDB((c) =>
    inexactIntegerColumns(c, tableSource(format, [input]), numeric, format === 'csv' ? input : undefined),
  );
  return inexactIntegerWarnings(found, 'the model scores the rounded values (neighbouring values read alike)');
}

/**
 * The warnings of every check on `source` (the table function reading `input`), with at most one scan of its rows;
 * `described`: the input's columns when the caller has them already.
 */
export async function scoringInputWarnings(
  model: ModelArtifact,
  input: string,
  source: string,
  described?: readonly ColumnDescription[],
): Promise<string[]> {
  const typeOf = new Map((described ?? (await describeColumns(input))).map((c) => [c.name, c.type]));
  const checks = [scoringGapCheck(model, input), unseenCategoryCheck(model, input, typeOf)].filter((c) => c !== undefined);
  const warnings = await booleanForNumberWarnings(input, model, typeOf);
  warnings.push(...(await roundedIntegerWarnings(model, input)));
  if (checks.length === 0) return warnings;
  const row = await withDuckDB(
    async (conn) =>
      (await conn.runAndReadAll(`SELECT count(*), ${checks.flatMap((c) => c.aggregates).join(', ')} FROM ${source}`)).getRowsJS()[0] ?? [],
  );
  const rows = toNumber(row[0] ?? 0);
  let at = 1;
  for (const check of checks) {
    warnings.push(...check.warnings(row.slice(at, at + check.aggregates.length), rows));
    at += check.aggregates.length;
  }
  return warnings;
}
