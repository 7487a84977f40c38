// The data files a retrain request names, checked before the request is sent when the worker runs on this machine
// (the embedded server, no TEMPORAL_ADDRESS): a missing file or a directory would otherwise be accepted with exit 0
// and fail later in the worker. With a cluster the worker's files are not this machine's, so nothing is checked.

import { statSync } from 'node:fs';
import { InvalidInputError } from '../core/invalidInputError.js';
import { isS3Uri } from '../data/objectStore.js';
import { isGlob } from '../data/inputSources.js';
import { externalTemporalTarget } from '../infra/temporalServer.js';

/** Refuses a local path in `paths` that is not a file, when the worker reads this machine's files. */
export function requireLocalInputFiles(paths: readonly string[], what: string): void {
  if (externalTemporalTarget()) return;
  for (const path of paths) {
    if (isS3Uri(path) || isGlob(path)) continue;
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
