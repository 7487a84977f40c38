// The input files a sampling shard reads must be the ones the run described (and recorded by sha256 in its lineage):
// a file replaced or rewritten between the describe stage and the end of the scan would be sampled while the run
// names the old one. Each file's hash is taken while the scan runs (`fileSha256` reads a file again only when its
// identity changed since this process last hashed it, so a shard on the worker that described the run reads nothing
// twice) and its identity (inode, size, modification time) is compared before and after the scan.

import { InvalidInputError } from '../core/invalidInputError.js';
import { fileIdentity, fileSha256 } from './inputSources.js';

interface WatchedShard {
  segments?: Array<{ file: string }>;
  files?: string[];
  /** sha256 of each distinct file of the shard, in the order of first use; '' where unknown. */
  fileSha256s: string[];
}

/** The file's identity (`fileIdentity`), or `gone` for a file deleted meanwhile. */
const identity = (file: string) => fileIdentity(file).catch(() => 'gone');

/** Starts hashing the shard's files; `check()` after the scan refuses a file that is not the one described. */
export function watchInputFiles(shard: WatchedShard): { check(): Promise<void> } {
  const files = [...new Set(shard.segments?.map((s) => s.file) ?? shard.files ?? [])];
  const before = Promise.all(files.map(identity));
  const hashes = Promise.all(files.map((f, i) => (shard.fileSha256s[i] ? fileSha256(f).catch(() => 'gone') : Promise.resolve(''))));
  // Settled when check() runs; a rejection before then is not left unhandled.
  hashes.catch(() => undefined);
  before.catch(() => undefined);
  return {
    async check() {
      const [was, got, now] = await Promise.all([before, hashes, Promise.all(files.map(identity))]);
      files.forEach((file, i) => {
        const expected = shard.fileSha256s[i];
        const changed = (expected && got[i] !== expected) || was[i] !== now[i];
        if (!changed) return;
        throw new InvalidInputError(
          file,
          `${file} changed while the run read it (it is not the file the run described${expected ? `, sha256 ${expected.slice(0, 12)}` : ''}): the sample would come from another version of the input than the one recorded; run the retrain again once the file stays put`,
        );
      });
    },
  };
}
