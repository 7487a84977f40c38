// Content-addressed artifact store on a directory: files live at <root>/<sha[0:2]>/<sha>.<ext>, arrive by rename
// (never half-written), and a key index lets a re-run activity find the outputs of its earlier attempt.

import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, mkdirSync, statSync } from 'node:fs';
import { access, copyFile, mkdir, readFile, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { IntegrityError } from '../core/integrityError.js';
import { InvalidInputError } from '../core/invalidInputError.js';
import type { ArtifactRef } from '../core/pipelineTypes.js';

/**
 * A key record's outputs, or undefined when the record is damaged (cut short, not JSON, not a map of references):
 * then the step is recomputed and its record written again. Before, a truncated record failed the activity with a
 * bare JSON SyntaxError on every retry and every re-run of that spec.
 */
export function keyRecordOf(text: string, key: string): Record<string, ArtifactRef> | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined;
  // A record names its own key (keyRecordText): one copied over another key's file (a bad copy or sync of the store)
  // held another step's outputs, reused as this step's without a word (a run that recorded seed 11 trained on seed
  // 101's split). It is no record: the step is computed again and records itself. Records written before they named
  // their key are the outputs alone.
  const named = parsed as { key?: unknown; outputs?: unknown };
  if (typeof named.key === 'string' && typeof named.outputs === 'object' && named.outputs !== null) {
    if (named.key !== key) return undefined;
    parsed = named.outputs;
  }
  const refs = Object.values(parsed as Record<string, unknown>);
  const isRef = (r: unknown) =>
    typeof r === 'object' && r !== null && typeof (r as ArtifactRef).sha256 === 'string' && typeof (r as ArtifactRef).uri === 'string';
  return refs.every(isRef) ? (parsed as Record<string, ArtifactRef>) : undefined;
}

/** The text of the record of `outputs` under `key`, as keyRecordOf reads it. */
export function keyRecordText(key: string, outputs: Record<string, ArtifactRef>): string {
  return JSON.stringify({ key, outputs });
}

/** What re-hashing a stored artifact found. */
export type ArtifactCheck = { status: 'ok' | 'missing'; path: string } | { status: 'corrupt'; path: string; actualSha256: string };

export class ArtifactStore {
  readonly root: string;

  constructor(root: string) {
    this.root = resolve(root);
  }

  /** sha256 (hex) of a canonical JSON of `parts`: object keys sorted at every depth, so key order never matters. */
  static keyOf(parts: unknown): string {
    return createHash('sha256').update(canonicalJson(parts)).digest('hex');
  }

  /**
   * A fresh path under the store's root (same filesystem, so putFile's rename is atomic); its directory exists.
   * The name carries this process's owner tag, so `sweepOrphanedTemp` can tell a crashed writer's file from a live one.
   */
  tempPath(ext: string): string {
    mkdirSync(join(this.root, 'tmp'), { recursive: true });
    return join(this.root, 'tmp', `${Date.now().toString(36)}-${randomBytes(8).toString('hex')}${OWNER_TAG}.${ext}`);
  }

  /**
   * Removes temp files that no live writer owns: those of a process of this host that has exited (killed mid-write),
   * of an earlier process that had this one's pid, and any temp file older than `maxAgeMs` (other hosts' included).
   * Files of live processes are left alone, so it is safe while other workers write to a shared store.
   * Worker start calls it; returns the paths removed.
   */
  async sweepOrphanedTemp(maxAgeMs = 86_400_000): Promise<string[]> {
    const candidates: string[] = [];
    const list = async (dir: string, onlyTmp: boolean) => {
      try {
        for (const name of await readdir(dir)) if (!onlyTmp || name.endsWith('.tmp')) candidates.push(join(dir, name));
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      }
    };
    await list(join(this.root, 'tmp'), false);
    await list(join(this.root, 'keys'), true);
    let shards: string[] = [];
    try {
      shards = (await readdir(this.root)).filter((n) => /^[0-9a-f]{2}$/.test(n));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    for (const shard of shards) await list(join(this.root, shard), true);
    const removed: string[] = [];
    for (const path of candidates) {
      let orphaned = ownerIsGone(path);
      if (!orphaned) {
        try {
          orphaned = Date.now() - (await stat(path)).mtimeMs > maxAgeMs;
        } catch {
          continue;
        }
      }
      if (orphaned) {
        await rm(path, { force: true, recursive: true });
        removed.push(path);
      }
    }
    return removed;
  }

  /** Move the file at `tempPath` into the store under its content hash; an identical artifact already present wins. */
  async putFile(tempPath: string, kind: string, ext: string): Promise<ArtifactRef> {
    const { sha256, bytes } = await this.hashTemp(tempPath, kind);
    const target = this.fileOf(sha256, ext);
    // An identical artifact already present wins, unless its bytes were damaged since: then the new copy replaces it.
    if ((await fileSha256(target)) === sha256) {
      await rm(tempPath, { force: true });
    } else {
      await mkdir(join(this.root, sha256.slice(0, 2)), { recursive: true });
      await moveFile(tempPath, target);
    }
    return { sha256, uri: pathToFileURL(target).href, bytes, kind };
  }

  /** sha256 and size of a file about to be stored; a missing file is an InvalidInputError. */
  protected async hashTemp(tempPath: string, kind: string): Promise<{ sha256: string; bytes: number }> {
    const hash = createHash('sha256');
    let bytes = 0;
    try {
      for await (const piece of createReadStream(tempPath)) {
        hash.update(piece as Buffer);
        bytes += (piece as Buffer).length;
      }
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
        throw new InvalidInputError(`file ${tempPath}`, `cannot store ${tempPath} as a ${kind} artifact: the file does not exist`);
      }
      throw err;
    }
    return { sha256: hash.digest('hex'), bytes };
  }

  /** Store bytes (a string is stored as UTF-8). */
  async putBytes(bytes: Uint8Array | string, kind: string, ext: string): Promise<ArtifactRef> {
    const temp = this.tempPath(ext);
    await writeFile(temp, bytes);
    return this.putFile(temp, kind, ext);
  }

  /** Local path of a stored artifact; throws when the store does not hold it. */
  pathOf(ref: ArtifactRef): string {
    const path = this.localPathOf(ref);
    try {
      // Synchronous on purpose: callers use the path straight away, and the check is one stat.
      statSync(path);
    } catch {
      throw new InvalidInputError(`artifact ${ref.sha256}`, `artifact ${ref.kind} ${ref.sha256} ${this.missingText(path)}`);
    }
    return path;
  }

  /** Why an artifact's file is missing, after "artifact KIND SHA": here, a store root that differs or a deletion. */
  protected missingText(path: string): string {
    return `is not in the store at ${this.root} (expected ${path}); it was deleted or the store root differs: check --artifacts`;
  }

  /** A local file holding the artifact's bytes: the stored file here; a verified cached download in a remote store. */
  async localFile(ref: ArtifactRef): Promise<string> {
    return this.pathOf(ref);
  }

  async has(ref: ArtifactRef): Promise<boolean> {
    return exists(this.localPathOf(ref));
  }

  /** Re-hashes the stored file of `ref` (streamed): ok, missing, or corrupt with the sha256 it has now. */
  async check(ref: ArtifactRef): Promise<ArtifactCheck> {
    const path = this.localPathOf(ref);
    const actualSha256 = await fileSha256(path);
    if (actualSha256 === null) return { status: 'missing', path };
    return actualSha256 === ref.sha256 ? { status: 'ok', path } : { status: 'corrupt', path, actualSha256 };
  }

  /** The bytes of a stored artifact, checked against its sha256; an IntegrityError names the file when they differ. */
  async readVerified(ref: ArtifactRef): Promise<Buffer> {
    return readFileVerified(this.pathOf(ref), ref.sha256, ref.kind);
  }

  /**
   * Moves the stored file of `ref` out of the store when its bytes no longer match its sha256 (before recomputing it),
   * into `quarantine/` beside the store's folders, where it can be looked at and where a reader that misses it learns
   * that it was damaged, not deleted; true if moved.
   */
  async discardIfCorrupt(ref: ArtifactRef): Promise<boolean> {
    const found = await this.check(ref);
    if (found.status !== 'corrupt') return false;
    const to = quarantinePathOf(found.path);
    await mkdir(dirname(to), { recursive: true });
    await rename(found.path, to).catch(() => rm(found.path, { force: true }));
    return true;
  }

  /** Whether the file of `ref` was set aside by discardIfCorrupt (damaged), rather than never written or deleted. */
  async isQuarantined(ref: ArtifactRef): Promise<boolean> {
    return exists(quarantinePathOf(this.localPathOf(ref)));
  }

  /** Outputs recorded under `key` by an earlier run, or undefined. */
  async findByKey(key: string): Promise<Record<string, ArtifactRef> | undefined> {
    try {
      return keyRecordOf(await readFile(this.keyFile(key), 'utf8'), key);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
  }

  /** Record `outputs` under `key` (written to a temp file, then renamed). */
  async recordKey(key: string, outputs: Record<string, ArtifactRef>): Promise<void> {
    const file = this.keyFile(key);
    await mkdir(join(this.root, 'keys'), { recursive: true });
    const temp = `${file}.${randomBytes(6).toString('hex')}${OWNER_TAG}.tmp`;
    await writeFile(temp, keyRecordText(key, outputs));
    await rename(temp, file);
  }

  protected fileOf(sha256: string, ext: string): string {
    return join(this.root, sha256.slice(0, 2), `${sha256}.${ext}`);
  }

  /**
   * Where this store keeps `ref`: derived from the sha256 and the URI's extension, not from the URI's directory,
   * so workers that mount the shared store at different paths still find each other's artifacts.
   */
  protected localPathOf(ref: ArtifactRef): string {
    if (!/^[0-9a-f]{64}$/.test(ref.sha256)) {
      throw new InvalidInputError(`artifact ${ref.sha256}`, `artifact reference has sha256 "${ref.sha256}", expected 64 hex digits`);
    }
    const ext = /\.([A-Za-z0-9]+)$/.exec(ref.uri)?.[1];
    if (!ext)
      throw new InvalidInputError(`artifact ${ref.sha256}`, `artifact URI ${ref.uri} has no file extension; expected …/<sha256>.<ext>`);
    return this.fileOf(ref.sha256, ext);
  }

  protected keyFile(key: string): string {
    if (!/^[A-Za-z0-9_.-]+$/.test(key)) {
      throw new InvalidInputError(
        'artifact key',
        `artifact key "${key}" may hold only letters, digits, "_", "." and "-"; use ArtifactStore.keyOf(parts)`,
      );
    }
    return join(this.root, 'keys', `${key}.json`);
  }
}

/**
 * `~<host>.<pid>.<incarnation>~` in every temp name: the host as 8 hex digits of its name's sha256, the writer's pid,
 * and a random token per process start (a restarted container's worker often gets the same pid again).
 */
const HOST_TAG = createHash('sha256').update(hostname()).digest('hex').slice(0, 8);
const INCARNATION = randomBytes(4).toString('hex');
export const OWNER_TAG = `~${HOST_TAG}.${process.pid}.${INCARNATION}~`;
const OWNER_PATTERN = /~([0-9a-f]{8})\.(\d+)\.([0-9a-f]{8})~/;

/** True when the temp file at `path` was written by a process of this host that no longer runs. */
export function ownerIsGone(path: string): boolean {
  const m = OWNER_PATTERN.exec(path.slice(path.lastIndexOf('/') + 1));
  if (!m || m[1] !== HOST_TAG) return false;
  const pid = Number(m[2]);
  if (pid === process.pid) return m[3] !== INCARNATION;
  try {
    process.kill(pid, 0);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
      const sorted: Record<string, unknown> = {};
      for (const k of Object.keys(v as object).sort()) sorted[k] = (v as Record<string, unknown>)[k];
      return sorted;
    }
    if (typeof v === 'bigint') return v.toString();
    return v;
  });
}

/** The bytes of the file at `path`, checked against `sha256`; an IntegrityError names the file when they differ. */
export async function readFileVerified(path: string, sha256: string, what: string): Promise<Buffer> {
  const bytes = await readFile(path);
  const actual = createHash('sha256').update(bytes).digest('hex');
  if (actual !== sha256) throw new IntegrityError(path, sha256, actual, what);
  return bytes;
}

/** sha256 (hex) of the file at `path`, streamed; null when there is no such file. */
export async function fileSha256(path: string): Promise<string | null> {
  const hash = createHash('sha256');
  try {
    for await (const piece of createReadStream(path)) hash.update(piece as Buffer);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  return hash.digest('hex');
}

/** Whether anything is at `path` that this process can reach (a file, a directory). */
export async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

/** Rename, or copy then delete when the temp file sits on another filesystem. */
export async function moveFile(from: string, to: string): Promise<void> {
  try {
    await rename(from, to);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EXDEV') throw err;
    const temp = `${to}.${randomBytes(6).toString('hex')}${OWNER_TAG}.tmp`;
    await copyFile(from, temp);
    await rename(temp, to);
    await rm(from, { force: true });
  }
}

/**
 * Where discardIfCorrupt sets aside a damaged stored file: `ROOT/quarantine/NAME` for `ROOT/xx/NAME` (the store keeps
 * each file under the first two hex digits of its sha256).
 */
export function quarantinePathOf(storedPath: string): string {
  return join(dirname(dirname(storedPath)), 'quarantine', basename(storedPath));
}
