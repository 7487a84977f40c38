// A local directory of downloaded objects bounded in bytes: the least recently used files go first when a new one
// pushes the total over the bound. Last use is the file's mtime, so processes sharing the directory agree on it.

import { statSync } from 'node:fs';
import { readdir, rm, stat, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { InvalidInputError } from '../core/invalidInputError.js';

/** @default 4 GiB */
export const DEFAULT_CACHE_BYTES = 4 * 1024 ** 3;

interface Entry {
  bytes: number;
  usedMs: number;
}

export class BoundedFileCache {
  readonly dir: string;
  readonly maxBytes: number;
  private readonly skip: Set<string>;
  private index: Map<string, Entry> | undefined;
  private total = 0;
  /** The last use stamped in this process: uses within one millisecond still get distinct, ordered stamps. */
  private lastUsedMs = 0;

  /** `skip` names top-level folders under `dir` that are not cached objects (temp files, key records). */
  constructor(dir: string, maxBytes = DEFAULT_CACHE_BYTES, skip: string[] = []) {
    this.dir = dir;
    this.maxBytes = maxBytes;
    this.skip = new Set(skip);
  }

  /** Bytes the cache holds now, by its index. */
  async bytesHeld(): Promise<number> {
    await this.load();
    return this.total;
  }

  /** Marks `path` as just used; false when the file is not there (evicted by another process, or never cached). */
  async touch(path: string): Promise<boolean> {
    const now = new Date();
    try {
      await utimes(path, now, now);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
        this.forget(path);
        return false;
      }
      throw err;
    }
    const entry = this.index?.get(path);
    if (entry) entry.usedMs = this.stamp();
    return true;
  }

  /**
   * Counts the file now at `path` (already moved in place) and evicts least recently used files beyond the bound,
   * never one of `pinned` (the files a reader is about to open with it).
   */
  async admit(path: string, pinned: ReadonlySet<string> = new Set()): Promise<void> {
    await this.load();
    const bytes = statSync(path).size;
    this.forget(path);
    this.index!.set(path, { bytes, usedMs: this.stamp() });
    this.total += bytes;
    if (this.total <= this.maxBytes) return;
    const oldestFirst = [...this.index!.entries()].filter(([p]) => p !== path && !pinned.has(p)).sort((a, b) => a[1].usedMs - b[1].usedMs);
    for (const [victim] of oldestFirst) {
      if (this.total <= this.maxBytes) break;
      await rm(victim, { force: true });
      this.forget(victim);
    }
  }

  /** Now, or just after the last stamp when the clock has not moved on. */
  private stamp(): number {
    this.lastUsedMs = Math.max(Date.now(), this.lastUsedMs + 0.001);
    return this.lastUsedMs;
  }

  /** Drops `path` from the cache and the disk. */
  async remove(path: string): Promise<void> {
    await rm(path, { force: true });
    this.forget(path);
  }

  private forget(path: string): void {
    const entry = this.index?.get(path);
    if (!entry) return;
    this.total -= entry.bytes;
    this.index!.delete(path);
  }

  /** Builds the index from the directory once per process (files cached by earlier runs count too). */
  private async load(): Promise<void> {
    if (this.index) return;
    const index = new Map<string, Entry>();
    let total = 0;
    const walk = async (dir: string, top: boolean): Promise<void> => {
      let names: string[];
      try {
        names = await readdir(dir);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
        throw err;
      }
      for (const name of names) {
        if (top && this.skip.has(name)) continue;
        if (name.endsWith('.tmp')) continue;
        const path = join(dir, name);
        try {
          const s = await stat(path);
          if (s.isDirectory()) await walk(path, false);
          else {
            index.set(path, { bytes: s.size, usedMs: s.mtimeMs });
            total += s.size;
          }
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
        }
      }
    };
    await walk(this.dir, true);
    if (this.index) return;
    this.index = index;
    this.total = total;
  }
}

/** RAREFLOW_CACHE_BYTES: a whole number of bytes, or with a K/M/G/T suffix (powers of 1024). */
export function cacheBytesOf(text: string | undefined): number {
  if (text === undefined || text.trim() === '') return DEFAULT_CACHE_BYTES;
  const m = /^\s*(\d+)\s*([KMGT]?)i?B?\s*$/i.exec(text);
  if (!m || Number(m[1]) === 0) {
    throw new InvalidInputError(
      'RAREFLOW_CACHE_BYTES',
      `RAREFLOW_CACHE_BYTES is "${text}": expected a positive size in bytes such as 4294967296 or 4G`,
    );
  }
  return Number(m[1]) * 1024 ** ' KMGT'.indexOf((m[2] || ' ').toUpperCase());
}
