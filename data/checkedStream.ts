// Streamed DuckDB queries whose failure part-way is an error, not an early end. DuckDB's C API ends a streamed
// result the same way whether the query finished or failed (its stream fetch returns no chunk for both), and
// @duckdb/node-api does not read the error: a CSV cell that does not parse, found after the rows DuckDB sniffed the
// column types from, truncated a read silently (predict wrote 14,336 of 30,000 rows and exited 0). So a streamed
// query runs in a transaction of its own, which a failure aborts; at the end of the stream the transaction is
// checked, and a query that failed is run once more without streaming, to raise its own error.

import type { DuckDBConnection, DuckDBResult } from '@duckdb/node-api';

interface OpenStream {
  connection: DuckDBConnection;
  sql: string;
}

/** The streamed results whose end is not yet checked, and the stream holding each connection's transaction. */
const streams = new WeakMap<DuckDBResult, OpenStream>();
const transactionOf = new WeakMap<DuckDBConnection, DuckDBResult>();

/** Ends the transaction of an earlier stream on `connection` that was not read to its end (a scan that stopped early). */
async function releaseConnection(connection: DuckDBConnection): Promise<void> {
  const earlier = transactionOf.get(connection);
  if (earlier === undefined) return;
  transactionOf.delete(connection);
  streams.delete(earlier);
  await connection.run('ROLLBACK');
}

/** `connection.stream(sql)`, in a transaction of its own; read it with nextChunk or forEachChunk (data/resultChunks.ts). */
export async function streamQuery(connection: DuckDBConnection, sql: string): Promise<DuckDBResult> {
  await releaseConnection(connection);
  await connection.run('BEGIN TRANSACTION');
  let result: DuckDBResult;
  try {
    result = await connection.stream(sql);
  } catch (err) {
    await connection.run('ROLLBACK');
    throw err;
  }
  streams.set(result, { connection, sql });
  transactionOf.set(connection, result);
  return result;
}

/**
 * Called once `result` has given its last chunk: ends its transaction, and throws the query's own error when the
 * query failed part-way. A result not opened by streamQuery, or already checked, passes.
 */
export async function confirmStreamEnd(result: DuckDBResult): Promise<void> {
  const open = streams.get(result);
  if (open === undefined) return;
  streams.delete(result);
  const { connection, sql } = open;
  if (transactionOf.get(connection) !== result) return;
  transactionOf.delete(connection);
  try {
    await connection.run('SELECT 1');
  } catch {
    // The transaction was aborted: the query failed. Its error is raised by running it again, materialised into
    // one value (every column of every row is computed, and DuckDB's message names the file, line and column).
    await connection.run('ROLLBACK');
    await connection.run(`SELECT min(hash(streamed)) FROM (${sql}) AS streamed`);
    throw new Error(`a streamed read failed part-way and did not fail when read again; read it again (${sql.slice(0, 200)})`);
  }
  await connection.run('COMMIT');
}

/** Ends `result`'s transaction when its reader stops before the end (no check: the rest was not wanted). */
export async function releaseStream(result: DuckDBResult): Promise<void> {
  const open = streams.get(result);
  if (open === undefined) return;
  if (transactionOf.get(open.connection) === result) await releaseConnection(open.connection);
  streams.delete(result);
}
