// The positive class as SQL: a label value, or a user's predicate over the row's columns, checked to be exactly one
// expression (no second statement, no subquery) before it is pasted into any query.

import { listValue, type DuckDBConnection } from '@duckdb/node-api';
import { InvalidInputError } from '../core/invalidInputError.js';
import { describeLabelledSource, positiveCondition } from './labelClasses.js';
import { sqlIdentifier } from './duckdbConnection.js';

/** What makes a row positive: a label value, or a SQL predicate over the row's columns (e.g. `revenue >= 1000`). */
export interface PositiveDefinition {
  label: string;
  positive?: string;
  predicate?: string;
  /** Multi-class sampling: the label values that count as positive in the scan (instead of `positive`). */
  positiveValues?: string[];
  /** Multi-class sampling: fetched rows are labelled with their class index into these values, not 0/1. */
  classes?: string[];
}

/** SQL for "this row is positive", checked against the files' columns (errors name the predicate or label). */
export async function positiveSql(connection: DuckDBConnection, source: string, what: string, def: PositiveDefinition): Promise<string> {
  if (def.predicate !== undefined) {
    if (def.predicate.trim() === '')
      throw new InvalidInputError('--positive-when', '--positive-when: the predicate is empty; expected SQL such as "revenue >= 1000"');
    await requireSingleExpression(connection, def.predicate, source);
    let type: string;
    try {
      const reader = await connection.runAndReadAll(`DESCRIBE SELECT (${def.predicate}) AS positive FROM ${source}`);
      type = String(reader.getRowsJS()[0]?.[1]);
    } catch (err) {
      const message = ((err as Error).message ?? String(err)).split('\n')[0];
      throw new InvalidInputError('--positive-when', `--positive-when "${def.predicate}" is not a usable predicate on ${what}: ${message}`);
    }
    rejectNonBooleanPredicate(def.predicate, type, what);
    return `COALESCE(CAST((${def.predicate}) AS BOOLEAN), false)`;
  }
  const { labelType } = await describeLabelledSource(connection, source, what, def.label);
  if (def.positiveValues !== undefined && def.positiveValues.length > 0) {
    return `(${def.positiveValues.map((v) => positiveCondition(sqlIdentifier(def.label), labelType, v)).join(' OR ')})`;
  }
  if (def.positive === undefined) throw new InvalidInputError('--positive', 'the positive label value is required for a scan');
  return positiveCondition(sqlIdentifier(def.label), labelType, def.positive);
}

/**
 * Refuses a predicate that is not a condition: a number or a text would be read as true or false by a cast (every
 * non-zero `code` a positive, `amount/1000` positive wherever the amount is not zero), which is not what anyone means.
 */
function rejectNonBooleanPredicate(predicate: string, type: string, what: string): void {
  if (type === 'BOOLEAN') return;
  const operand = /^\s*[A-Za-z_][A-Za-z0-9_]*\s*$/.test(predicate) ? predicate.trim() : `(${predicate})`;
  const example = /CHAR|TEXT|STRING/.test(type) ? `${operand} = 'yes'` : `${operand} = 1" or "${operand} > 0`;
  throw new InvalidInputError(
    '--positive-when',
    `--positive-when "${predicate}" gives values of type ${type} on ${what}, where a condition (true or false on each row) is expected: ` +
      `a number or a text is not taken as true or false; write the comparison that makes a row positive, such as "${example}"`,
  );
}

/** SQL counting the rows where `predicate` is neither true nor false (NULL: a column it reads is missing there). */
export function undecidedRowsSql(predicate: string): string {
  return `count(*) FILTER (WHERE CAST((${predicate}) AS BOOLEAN) IS NULL)`;
}

/**
 * Refuses a predicate that is NULL on `rows` rows of `what`: positiveSql would count them as negatives, where a label
 * missing on a row is refused. `revenue >= 1000` on a row without a revenue is not a negative the data says.
 */
export function rejectUndecidedRows(predicate: string, rows: number, what: string): void {
  if (rows === 0) return;
  throw new InvalidInputError(
    '--positive-when',
    `--positive-when "${predicate}" is neither true nor false on ${rows} row${rows === 1 ? '' : 's'} of ${what} (a column it reads is missing there); ` +
      `expected true or false on every row, as a label needs a class on every row: write "coalesce(${predicate}, false)" to count those rows as negatives, or fill the column`,
  );
}

/**
 * A predicate is pasted into SQL, so it must be exactly one expression over the row's columns before it is run
 * anywhere: DuckDB's own parser reads the statement it will be part of, which must stay one SELECT of one value
 * from one table, with no subquery (no reading other files or tables). Without this, `1) ...; COPY ... TO '...'`
 * would run a second statement on the worker.
 */
async function requireSingleExpression(connection: DuckDBConnection, predicate: string, source: string): Promise<void> {
  const reject = (why: string): never => {
    throw new InvalidInputError(
      '--positive-when',
      `--positive-when "${predicate}" is not a usable predicate: it ${why}; expected one SQL expression over the row's columns, such as "revenue >= 1000"`,
    );
  };
  const reader = await connection.runAndReadAll('SELECT json_serialize_sql(CAST($1 AS VARCHAR))', [
    `SELECT CAST((${predicate}) AS BOOLEAN) AS positive FROM rows`,
  ]);
  const parsed = JSON.parse(String(reader.getRowsJS()[0]?.[0])) as {
    error?: boolean;
    error_message?: string;
    statements?: Array<{ node?: Record<string, unknown> }>;
  };
  if (parsed.error) reject(`is not a single SQL expression (DuckDB: ${String(parsed.error_message).split('\n')[0]})`);
  const statements = parsed.statements ?? [];
  if (statements.length !== 1) reject(`makes ${statements.length} SQL statements, not one expression`);
  const node = statements[0]!.node ?? {};
  const list = node.select_list as Array<{ alias?: string }> | undefined;
  const from = node.from_table as { type?: string; table_name?: string } | undefined;
  const cte = (node.cte_map as { map?: unknown[] } | undefined)?.map ?? [];
  const single =
    node.type === 'SELECT_NODE' &&
    list?.length === 1 &&
    list[0]!.alias === 'positive' &&
    from?.type === 'BASE_TABLE' &&
    from.table_name === 'rows' &&
    node.where_clause === null &&
    (node.group_expressions as unknown[] | undefined)?.length === 0 &&
    node.having === null &&
    node.qualify === null &&
    node.sample === null &&
    (node.modifiers as unknown[] | undefined)?.length === 0 &&
    cte.length === 0;
  if (!single) reject('is not a single expression (it closes the expression and adds clauses of its own)');
  if (/"class":"SUBQUERY"|"type":"TABLE_FUNCTION"/.test(JSON.stringify(node)))
    reject('contains a subquery; a predicate may read only the columns of the row');
  // A row's class must be a function of the row: random(), uuid() or now() would label the same file differently on
  // every read (a seeded run that does not repeat, a test split whose labels change between stages).
  // (`current_date` and its like parse as a column name, and are the function unless the file has such a column.)
  const expression = JSON.stringify(node.select_list);
  const functions = [...expression.matchAll(/"function_name":"((?:[^"\\]|\\.)*)"/g)].map((m) => m[1]!.toLowerCase());
  const names = columnRefs(node.select_list).flatMap((parts) => (parts.length === 1 ? [parts[0]!.toLowerCase()] : []));
  const columns = names.length === 0 ? [] : (await connection.runAndReadAll(`SELECT * FROM ${source} LIMIT 0`)).columnNames();
  const called = [...functions, ...names.filter((n) => !columns.some((c) => c.toLowerCase() === n))];
  if (called.length > 0) {
    const unstable = await connection.runAndReadAll(
      `SELECT DISTINCT function_name FROM duckdb_functions() WHERE stability <> 'CONSISTENT' AND lower(function_name) IN (SELECT unnest($1::VARCHAR[])) ORDER BY 1`,
      [listValue(called)],
    );
    const unstableNames = unstable.getRowsJS().map((r) => String(r[0]));
    if (unstableNames.length > 0)
      reject(
        `calls ${unstableNames.join(', ')}, whose value changes from one read to the next, so the same rows would not keep their class`,
      );
  }
}

/**
 * The columns of `source` that `predicate` reads, as the file spells them (DuckDB matches names without regard to
 * case), from DuckDB's own parse of it. Call after positiveSql has accepted the predicate.
 */
export async function predicateColumns(connection: DuckDBConnection, predicate: string, source: string): Promise<string[]> {
  const reader = await connection.runAndReadAll('SELECT json_serialize_sql(CAST($1 AS VARCHAR))', [
    `SELECT CAST((${predicate}) AS BOOLEAN) AS positive FROM rows`,
  ]);
  const parsed = JSON.parse(String(reader.getRowsJS()[0]?.[0])) as { statements?: unknown };
  const read = new Set(columnRefs(parsed.statements).map((parts) => parts.at(-1)!.toLowerCase()));
  const columns = (await connection.runAndReadAll(`SELECT * FROM ${source} LIMIT 0`)).columnNames();
  return columns.filter((c) => read.has(c.toLowerCase()));
}

/** Every column reference in a node of DuckDB's parse tree (json_serialize_sql), as its name parts (`t.x` → t, x). */
function columnRefs(node: unknown): string[][] {
  const out: string[][] = [];
  const walk = (n: unknown): void => {
    if (Array.isArray(n)) n.forEach(walk);
    else if (n !== null && typeof n === 'object') {
      const ref = n as { class?: string; column_names?: string[] };
      if (ref.class === 'COLUMN_REF' && ref.column_names?.length) out.push(ref.column_names);
      Object.values(n).forEach(walk);
    }
  };
  walk(node);
  return out;
}
