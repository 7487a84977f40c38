// The data files a retrain request names, checked before the request is sent: a path the pipeline could never read
// would otherwise be accepted with exit 0 and fail later in the worker. What holds on every machine is checked
// always (a path is not empty; its extension names CSV or Parquet, one format for all). Whether the files exist is
// checked only when the worker runs on this machine (the embedded server, no TEMPORAL_ADDRESS): with a cluster the
// worker's files are not this machine's.

import { statSync } from 'node:fs';
import { extname, resolve } from 'node:path';
import { InvalidInputError } from '../core/invalidInputError.js';
import { sqlString, withDuckDB } from '../data/duckdbConnection.js';
import { isS3Uri } from '../data/objectStore.js';
import { formatOf, isGlob } from '../data/inputSources.js';
import { externalTemporalTarget } from '../infra/temporalServer.js';

/** The format a retrain reads `path` in, or a refusal naming `what`. */
function retrainFormat(path: string, what: string): 'csv' | 'parquet' {
  if (path.trim() === '') {
    throw new InvalidInputError(
      what,
      `${what}: an empty path; expected a CSV or Parquet file, or a glob such as dir/*.parquet; nothing was sent`,
    );
  }
  let format: ReturnType<typeof formatOf>;
  try {
    format = formatOf(path);
  } catch {
    throw new InvalidInputError(
      what,
      `${what}: cannot tell the format of ${path} from its extension "${extname(path)}"; expected .csv, .csv.gz or .parquet; nothing was sent`,
    );
  }
  if (format === 'arrow') {
    throw new InvalidInputError(
      what,
      `${what}: ${path} is an Arrow file, which train, fit and evaluate read but a retrain does not; expected .csv, .csv.gz or .parquet (write it as Parquet first); nothing was sent`,
    );
  }
  return format;
}

/** Files matching a local glob, as the worker's DuckDB will expand it. */
async function globMatches(pattern: string): Promise<number> {
  return withDuckDB(async (connection) => {
    const reader = await connection.runAndReadAll(`SELECT count(*) FROM glob(${sqlString(resolve(pattern))})`);
    return Number(reader.getRowsJS()[0]?.[0] ?? 0);
  });
}

/**
 * Refuses, naming `what`, paths a retrain could not read: an empty one, one whose extension is not CSV or Parquet,
 * CSV beside Parquet, and (when the worker reads this machine's files) a missing file, a directory or a glob that
 * matches nothing.
 */
export async function requireRetrainInputs(paths: readonly string[], what: string): Promise<void> {
  const formats = new Set(paths.map((p) => retrainFormat(p, what)));
  if (formats.size > 1) {
    throw new InvalidInputError(
      what,
      `${what}: expected all .csv or all .parquet files, got ${paths.join(', ')}; convert them to one format first; nothing was sent`,
    );
  }
  if (externalTemporalTarget()) return;
  for (const path of paths) {
    if (isS3Uri(path)) continue;
    if (isGlob(path)) {
      if ((await globMatches(path)) === 0) throw new InvalidInputError(what, `${what}: no file matches ${path}; nothing was sent`);
      continue;
    }
    let kind: 'missing' | 'directory' | 'file';
    try {
      kind = statSync(path).isDirectory() ? 'directory' : 'file';
    } catch {
      kind = 'missing';
    }
    if (kind === 'missing') throw new InvalidInputError(what, `${what}: ${path} does not exist; nothing was sent`);
    if (kind === 'directory') {
      throw new InvalidInputError(
        what,
        `${what}: ${path} is a directory; expected a CSV or Parquet file (or a glob such as dir/*.parquet); nothing was sent`,
      );
    }
  }
}
