// One serving log's pending rows, column by column, and how a batch of them becomes a new Parquet part file (an
// appender table, copied to a temp name, renamed in; on s3:// uploaded); the column layout of the prediction and feedback logs.

import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { DuckDBAppender, DuckDBConnection } from '@duckdb/node-api';
import { copyTableAtomically } from './datasetWriter.js';
import { sqlIdentifier } from './duckdbConnection.js';
import { isS3Uri } from './objectStore.js';
import { partStagingDir, s3PartName, uploadPart } from './s3ServingLogParts.js';

/** Part files readers may see: complete files only (temp files start with a dot). */
export const PART_FILE = /^part-.*\.parquet$/;
export const PART_GLOB = 'part-*.parquet';
/** Rows appended between two yields to the event loop, so a large batch never stalls requests for long (~1 ms). */
const appendSliceRows = 256;

type ColumnKind = 'varchar' | 'bigint' | 'double' | 'boolean';
export interface ColumnSpec {
  name: string;
  kind: ColumnKind;
}

export const PREDICTION_COLUMNS: readonly ColumnSpec[] = [
  { name: 'request_id', kind: 'varchar' },
  { name: 'ts_ms', kind: 'bigint' },
  { name: 'arm', kind: 'varchar' },
  { name: 'model_sha256', kind: 'varchar' },
  { name: 'score', kind: 'double' },
  { name: 'predicted_positive', kind: 'boolean' },
  { name: 'status', kind: 'varchar' },
  { name: 'latency_us', kind: 'bigint' },
  { name: 'features', kind: 'varchar' },
  // Added for multi-class models; parts written before it lack the column and read it as null.
  { name: 'predicted_class', kind: 'varchar' },
];

export const FEEDBACK_COLUMNS: readonly ColumnSpec[] = [
  { name: 'request_id', kind: 'varchar' },
  { name: 'ts_ms', kind: 'bigint' },
  { name: 'label', kind: 'varchar' },
  { name: 'positive', kind: 'boolean' },
];

const SQL_TYPE: Record<ColumnKind, string> = { varchar: 'VARCHAR', bigint: 'BIGINT', double: 'DOUBLE', boolean: 'BOOLEAN' };

export type Cell = string | number | boolean | null;

/** Part files of all writers of this process are numbered from one counter, so two writers never share a name. */
let partSequence = 0;

/** One log's pending rows, column by column (no object per row), and the directory its parts go to. */
export class PartLog {
  /** One array per column; row i is `columns[c][i]`. */
  private columns: Cell[][];
  private dropped = 0;

  constructor(
    readonly name: 'predictions' | 'feedback',
    readonly dir: string,
    private readonly specs: readonly ColumnSpec[],
    private readonly maxPendingRows: number,
  ) {
    this.columns = specs.map(() => []);
  }

  get pendingRows(): number {
    return this.columns[0]!.length;
  }

  get droppedRows(): number {
    return this.dropped;
  }

  push(c0: Cell, c1: Cell, c2: Cell, c3: Cell, c4?: Cell, c5?: Cell, c6?: Cell, c7?: Cell, c8?: Cell, c9?: Cell): void {
    const cols = this.columns;
    cols[0]!.push(c0);
    cols[1]!.push(c1);
    cols[2]!.push(c2);
    cols[3]!.push(c3);
    if (cols.length > 4) {
      cols[4]!.push(c4 ?? null);
      cols[5]!.push(c5 ?? null);
      cols[6]!.push(c6 ?? null);
      cols[7]!.push(c7 ?? null);
      cols[8]!.push(c8 ?? null);
      cols[9]!.push(c9 ?? null);
    }
  }

  /** Hands over the pending rows and starts an empty buffer. */
  take(): Cell[][] {
    const taken = this.columns;
    this.columns = this.specs.map(() => []);
    return taken;
  }

  /** Puts a batch whose write failed back in front of the newer rows, dropping the oldest past the cap. */
  putBack(batch: Cell[][]): void {
    const merged = batch.map((col, c) => col.concat(this.columns[c]!));
    const excess = merged[0]!.length - this.maxPendingRows;
    if (excess > 0) {
      for (const col of merged) col.splice(0, excess);
      this.dropped += excess;
    }
    this.columns = merged;
  }

  /** Writes `batch` as one new part file: appended to a fresh table of `session`, copied to Parquet, renamed in. */
  async write(connection: DuckDBConnection, batch: Cell[][]): Promise<void> {
    const rows = batch[0]!.length;
    if (rows === 0) return;
    const remote = isS3Uri(this.dir);
    await mkdir(remote ? partStagingDir() : this.dir, { recursive: true });
    const seq = ++partSequence;
    const table = `${this.name}_${seq}`;
    const defs = this.specs.map((s) => `${sqlIdentifier(s.name)} ${SQL_TYPE[s.kind]}`).join(', ');
    await connection.run(`CREATE TABLE ${sqlIdentifier(table)} (${defs})`);
    try {
      const appender = await connection.createAppender(table);
      try {
        for (let start = 0; start < rows; start += appendSliceRows) {
          const end = Math.min(rows, start + appendSliceRows);
          for (let r = start; r < end; r++) {
            for (let c = 0; c < this.specs.length; c++) appendCell(appender, this.specs[c]!.kind, batch[c]![r]!);
            appender.endRow();
          }
          if (end < rows) await new Promise<void>((resolve) => setImmediate(resolve));
        }
        appender.flushSync();
      } finally {
        appender.closeSync();
      }
      if (remote) {
        // On s3:// the part is written locally, then uploaded under a key no other replica uses.
        const name = s3PartName(seq);
        await copyTableAtomically(connection, table, join(partStagingDir(), name));
        await uploadPart(this.dir, name, join(partStagingDir(), name));
      } else {
        await copyTableAtomically(connection, table, join(this.dir, `part-${Date.now()}-${process.pid}-${seq}.parquet`));
      }
    } finally {
      await connection.run(`DROP TABLE IF EXISTS ${sqlIdentifier(table)}`);
    }
  }
}

function appendCell(appender: DuckDBAppender, kind: ColumnKind, v: Cell): void {
  if (v === null) {
    appender.appendNull();
    return;
  }
  switch (kind) {
    case 'varchar':
      appender.appendVarchar(v as string);
      break;
    case 'bigint':
      appender.appendBigInt(BigInt(Math.round(v as number)));
      break;
    case 'double':
      appender.appendDouble(v as number);
      break;
    case 'boolean':
      appender.appendBoolean(v as boolean);
      break;
  }
}
