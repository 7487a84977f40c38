// The content-addressed artifact store on S3-compatible storage: objects at <prefix>/<sha[0:2]>/<sha>.<ext>, written
// with If-None-Match so concurrent writers of one artifact both succeed; every read verified and kept in a local cache.

import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { IntegrityError } from '../core/integrityError.js';
import { InvalidInputError } from '../core/invalidInputError.js';
import type { ArtifactRef } from '../core/pipelineTypes.js';
import { ArtifactStore, fileSha256, keyRecordOf, keyRecordText, moveFile, type ArtifactCheck } from './artifactStore.js';
import { BoundedFileCache } from './boundedFileCache.js';
import type { ObjectStore } from './objectStore.js';

export class S3ArtifactStore extends ArtifactStore {
  readonly remote: ObjectStore;
  readonly cache: BoundedFileCache;

  /** `cacheDir` holds verified downloads (bounded by `cacheBytes`) and the temp files of writes. */
  constructor(remote: ObjectStore, cacheDir: string, cacheBytes?: number) {
    super(cacheDir);
    this.remote = remote;
    this.cache = new BoundedFileCache(this.root, cacheBytes, ['tmp', 'keys']);
  }

  /** The store's URI (s3://bucket/prefix), as the worker's log and error messages name it. */
  get location(): string {
    return this.remote.uri;
  }

  /**
   * Uploads with If-None-Match: a 412 means another writer (or an earlier attempt) stored the key first; its bytes
   * are verified, and a damaged copy is replaced. The file then stays in the local cache.
   */
  override async putFile(tempPath: string, kind: string, ext: string): Promise<ArtifactRef> {
    const { sha256, bytes } = await this.hashTemp(tempPath, kind);
    const key = objectKey(sha256, ext);
    const written = await this.remote.put(key, { file: tempPath }, { ifNoneMatch: true });
    if (written === 'precondition-failed') {
      const present = await this.fetchRemote(key, sha256);
      if (present.status === 'ok') await this.cache.remove(present.temp);
      if (present.status === 'corrupt') await this.remote.put(key, { file: tempPath });
      if (present.status === 'missing') await this.remote.put(key, { file: tempPath }, { ifNoneMatch: true });
    }
    await this.admitFile(tempPath, this.fileOf(sha256, ext));
    return { sha256, uri: this.remote.uriOf(key), bytes, kind };
  }

  /** The cached file of an artifact is missing until `localFile` downloads it. */
  protected override missingText(path: string): string {
    return `is not in the local cache of ${this.remote.uri} (expected ${path}); read it with localFile first`;
  }

  /** Downloads `ref` into the cache unless it is there, verified against its sha256 (IntegrityError names the URI). */
  override async localFile(ref: ArtifactRef): Promise<string> {
    const path = this.localPathOf(ref);
    if (await this.cache.touch(path)) return path;
    const key = this.keyOfRef(ref);
    const fetched = await this.fetchRemote(key, ref.sha256);
    if (fetched.status === 'missing') {
      throw new InvalidInputError(
        `artifact ${ref.sha256}`,
        `artifact ${ref.kind} ${ref.sha256} is not in the store at ${this.remote.uri} (expected ${this.remote.uriOf(key)}); it was deleted or the store differs: check RAREFLOW_ARTIFACTS`,
      );
    }
    if (fetched.status === 'corrupt') throw new IntegrityError(this.remote.uriOf(key), ref.sha256, fetched.actualSha256, ref.kind);
    await this.admitFile(fetched.temp, path);
    return path;
  }

  override async has(ref: ArtifactRef): Promise<boolean> {
    return (await this.cache.touch(this.localPathOf(ref))) || (await this.remote.head(this.keyOfRef(ref))) !== null;
  }

  /**
   * Ok when a verified cached copy exists and the object is still stored; otherwise the object is downloaded and
   * re-hashed (and cached when it is intact).
   */
  override async check(ref: ArtifactRef): Promise<ArtifactCheck> {
    const key = this.keyOfRef(ref);
    const uri = this.remote.uriOf(key);
    const cached = this.localPathOf(ref);
    if ((await fileSha256(cached)) === ref.sha256 && (await this.remote.head(key)) !== null) {
      await this.cache.touch(cached);
      return { status: 'ok', path: uri };
    }
    const fetched = await this.fetchRemote(key, ref.sha256);
    if (fetched.status === 'missing') return { status: 'missing', path: uri };
    if (fetched.status === 'corrupt') return { status: 'corrupt', path: uri, actualSha256: fetched.actualSha256 };
    await this.admitFile(fetched.temp, cached);
    return { status: 'ok', path: uri };
  }

  /** The bytes of `ref`, checked against its sha256; a damaged cached copy is dropped and downloaded again. */
  override async readVerified(ref: ArtifactRef): Promise<Buffer> {
    for (let attempt = 0; ; attempt++) {
      const path = await this.localFile(ref);
      const bytes = await readFile(path);
      const actual = createHash('sha256').update(bytes).digest('hex');
      if (actual === ref.sha256) return bytes;
      await this.cache.remove(path);
      if (attempt > 0) throw new IntegrityError(this.remote.uriOf(this.keyOfRef(ref)), ref.sha256, actual, ref.kind);
    }
  }

  override async discardIfCorrupt(ref: ArtifactRef): Promise<boolean> {
    const found = await this.check(ref);
    if (found.status !== 'corrupt') return false;
    // Set aside under quarantine/, then removed from its key.
    const key = this.keyOfRef(ref);
    const damaged = await this.remote.get(key);
    if (damaged && damaged !== 'not-modified') await this.remote.put(`quarantine/${key}`, { bytes: damaged.body });
    await this.remote.delete(key);
    await this.cache.remove(this.localPathOf(ref));
    return true;
  }

  override async isQuarantined(ref: ArtifactRef): Promise<boolean> {
    return (await this.remote.head(`quarantine/${this.keyOfRef(ref)}`)) !== null;
  }

  override async findByKey(key: string): Promise<Record<string, ArtifactRef> | undefined> {
    this.keyFile(key);
    const found = await this.remote.get(`keys/${key}.json`);
    return found && found !== 'not-modified' ? keyRecordOf(found.body.toString('utf8'), key) : undefined;
  }

  /** One small object per key; a re-run that records the same key again writes the same outputs. */
  override async recordKey(key: string, outputs: Record<string, ArtifactRef>): Promise<void> {
    this.keyFile(key);
    await this.remote.put(`keys/${key}.json`, { bytes: keyRecordText(key, outputs) });
  }

  private keyOfRef(ref: ArtifactRef): string {
    const path = this.localPathOf(ref);
    return `${ref.sha256.slice(0, 2)}/${path.slice(path.lastIndexOf('/') + 1)}`;
  }

  /** Downloads `key` to a temp file and hashes it; the caller owns `temp` when the status is ok. */
  private async fetchRemote(
    key: string,
    sha256: string,
  ): Promise<{ status: 'ok'; temp: string } | { status: 'missing' } | { status: 'corrupt'; actualSha256: string }> {
    const temp = this.tempPath(key.slice(key.lastIndexOf('.') + 1));
    try {
      if ((await this.remote.download(key, temp)) === null) {
        await this.cache.remove(temp);
        return { status: 'missing' };
      }
      const hash = createHash('sha256');
      for await (const piece of createReadStream(temp)) hash.update(piece as Buffer);
      const actualSha256 = hash.digest('hex');
      if (actualSha256 === sha256) return { status: 'ok', temp };
      await this.cache.remove(temp);
      return { status: 'corrupt', actualSha256 };
    } catch (err) {
      await this.cache.remove(temp);
      throw err;
    }
  }

  private async admitFile(temp: string, path: string): Promise<void> {
    await mkdir(dirname(path), { recursive: true });
    await moveFile(temp, path);
    await this.cache.admit(path);
  }
}

function objectKey(sha256: string, ext: string): string {
  return `${sha256.slice(0, 2)}/${sha256}.${ext}`;
}
