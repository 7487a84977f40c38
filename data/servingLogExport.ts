// The labelled predictions of a serving window written as a training table, for a drift-triggered retrain.

import { InvalidInputError } from '../core/invalidInputError.js';
import { copyTableAtomically, requireDirectory } from './datasetWriter.js';
import { sqlIdentifier, sqlString, toNumber } from './duckdbConnection.js';
import { windowRowsSql, withLogParts } from './servingLogWindow.js';

export interface LabelledWindowExportOptions {
  servingDir: string;
  modelName: string;
  fromMs: number;
  toMs: number;
  /** Raw columns taken from each row's features, in order: numeric ones as DOUBLE (boolean-like ones as BOOLEAN), the others as text. */
  columns: Array<{ name: string; numeric: boolean; boolean?: boolean }>;
  /** Name of the label column written. */
  labelName: string;
  /** Label values written for feedback that is positive / negative. */
  labels: { positive: string; negative: string };
  /** Output Parquet file; its directory must exist. Written to a temp name beside it, then renamed. */
  out: string;
  /** Only rows served by this model (either arm). */
  modelSha256?: string;
  /**
   * Write each row's true class value as feedback gave it (a multi-class champion's window) instead of `labels`.
   * @default false
   */
  classLabels?: boolean;
}

/**
 * The labelled ok predictions of [fromMs, toMs) as a training table (a drift-triggered retrain): one row per
 * request (its latest prediction and latest feedback), the requested columns from its features, and the label.
 * Rows missing a column, or with a numeric column that is not a finite number, are skipped and counted.
 */
export async function exportLabelledServingWindow(
  o: LabelledWindowExportOptions,
): Promise<{ rows: number; positives: number; skipped: number }> {
  if (o.columns.length === 0) throw new InvalidInputError('columns', 'columns: expected at least one feature column to export');
  const names = new Set<string>();
  for (const c of [...o.columns.map((c) => c.name), o.labelName]) {
    if (names.has(c))
      throw new InvalidInputError(
        'columns',
        `column "${c}" is named twice among the exported columns and the label; expected distinct names`,
      );
    names.add(c);
  }
  await requireDirectory(o.out);
  const rowsSql = await windowRowsSql(o);
  // A JSON pointer (RFC 6901) names any key: "~" is written "~0" and "/" is written "~1".
  const path = (name: string) => sqlString(`/${name.replace(/~/g, '~0').replace(/\//g, '~1')}`);
  const projections = o.columns.map((c) =>
    c.boolean
      ? `TRY_CAST(json_extract_string(features, ${path(c.name)}) AS BOOLEAN) AS ${sqlIdentifier(c.name)}`
      : c.numeric
        ? `TRY_CAST(json_extract_string(features, ${path(c.name)}) AS DOUBLE) AS ${sqlIdentifier(c.name)}`
        : `json_extract_string(features, ${path(c.name)}) AS ${sqlIdentifier(c.name)}`,
  );
  const complete = o.columns
    .map((c) => (c.numeric && !c.boolean ? `isfinite(${sqlIdentifier(c.name)})` : `${sqlIdentifier(c.name)} IS NOT NULL`))
    .join(' AND ');
  const source =
    rowsSql === null
      ? 'SELECT CAST(NULL AS VARCHAR) AS request_id, CAST(NULL AS BIGINT) AS ts_ms, CAST(NULL AS VARCHAR) AS features, CAST(NULL AS BOOLEAN) AS truth, CAST(NULL AS VARCHAR) AS truth_class WHERE false'
      : `SELECT request_id, ts_ms, features, truth, truth_class FROM (${rowsSql}) WHERE status = 'ok' AND truth IS NOT NULL
         QUALIFY row_number() OVER (PARTITION BY request_id ORDER BY ts_ms DESC) = 1`;
  return withLogParts(o, async (c) => {
    await c.run(`CREATE TABLE labelled AS SELECT ts_ms, request_id, ${projections.join(', ')}, truth, truth_class FROM (${source})`);
    const counted = (
      await c.runAndReadAll(
        `SELECT count(*), count(*) FILTER (WHERE ${complete}), count(*) FILTER (WHERE ${complete} AND truth) FROM labelled`,
      )
    ).getRowsJS()[0]!;
    const label = o.classLabels
      ? `truth_class AS ${sqlIdentifier(o.labelName)}`
      : `CASE WHEN truth THEN ${sqlString(o.labels.positive)} ELSE ${sqlString(o.labels.negative)} END AS ${sqlIdentifier(o.labelName)}`;
    await c.run(
      `CREATE TABLE export AS SELECT ${o.columns.map((col) => sqlIdentifier(col.name)).join(', ')}, ${label} FROM labelled WHERE ${complete}${o.classLabels ? ' AND truth_class IS NOT NULL' : ''} ORDER BY ts_ms, request_id`,
    );
    await copyTableAtomically(c, 'export', o.out);
    const all = toNumber(counted[0]);
    const rows = toNumber(counted[1]);
    return { rows, positives: toNumber(counted[2]), skipped: all - rows };
  });
}
