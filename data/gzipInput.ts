// Checks that a gzip-compressed input (.csv.gz) is one whole gzip stream before DuckDB reads it: DuckDB reads a
// truncated gzip file as if it ended early, so a cut-off download would otherwise train on part of the data.

import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { Writable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { InvalidInputError } from '../core/invalidInputError.js';

/** Whether `path` names a gzip-compressed file by its extension. */
export function isGzipPath(path: string): boolean {
  return path.toLowerCase().endsWith('.gz');
}

/** Files already checked, keyed by path, size and modification time, so one command checks each file once. */
const checked = new Set<string>();

/**
 * Decompress `path` to nowhere and refuse it with an InvalidInputError naming the file when it is not gzip, is
 * truncated or is corrupt. The pass costs about a second per few hundred MB of compressed input.
 */
export async function requireWholeGzip(path: string): Promise<void> {
  const info = await stat(path);
  const key = `${path}\0${info.size}\0${info.mtimeMs}\0${info.ctimeMs}`;
  if (checked.has(key)) return;
  try {
    await pipeline(
      createReadStream(path),
      createGunzip(),
      new Writable({
        write(_chunk, _encoding, done) {
          done();
        },
      }),
    );
  } catch (err) {
    const reason = gzipFailure(err);
    // A read failure of the disk itself is not the file's fault: it stays an ordinary (retryable) error.
    if (reason === undefined) throw err;
    throw new InvalidInputError(
      `file ${path}`,
      `input file ${path} is not a readable gzip file (${reason}); expected a whole gzip-compressed CSV: download or compress it again, or name it .csv if it is not compressed`,
    );
  }
  checked.add(key);
}

function gzipFailure(err: unknown): string | undefined {
  const code = (err as { code?: string }).code;
  if (code === 'Z_BUF_ERROR') return 'it ends before the end of its compressed data: it is truncated';
  if (code === 'Z_DATA_ERROR') {
    const message = (err as Error).message;
    return message === 'incorrect header check' ? 'it does not start with a gzip header' : `corrupt compressed data: ${message}`;
  }
  return code?.startsWith('Z_') ? `${(err as Error).message}` : undefined;
}
