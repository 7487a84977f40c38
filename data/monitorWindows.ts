// The drift monitor's checked windows, one small JSON file each under the serving directory
// (<model>/monitor-windows/<fromMs>-<toMs>.json), so `rareflow monitor report` finds a window, its champion and the
// options it was judged with without asking Temporal, and after the monitor's own short history has moved on.

import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { DriftOptions } from '../core/drift/driftOptions.js';
import type { ArtifactRef } from '../core/pipelineTypes.js';
import { servingModelDir } from './servingState.js';

export interface MonitorWindowRecord {
  /** `<fromMs>-<toMs>`: what `--window` takes. */
  id: string;
  fromMs: number;
  toMs: number;
  /** The champion whose rows were checked; null when none was published. */
  championSha256: string | null;
  status: string;
  rows: number;
  labelled: number;
  drifted: boolean;
  /** The options of the check, so a report judges the window as the monitor did. */
  options: Partial<DriftOptions>;
  /** The label delay of the check (its label tests read the window this long before); absent: none. */
  labelDelayMs?: number;
  /** The stored DriftReport of the check, when it ran. */
  report?: ArtifactRef;
}

const WINDOW_FILE = /^(\d+)-(\d+)\.json$/;

export function monitorWindowId(fromMs: number, toMs: number): string {
  return `${Math.round(fromMs)}-${Math.round(toMs)}`;
}

function windowsDir(servingDir: string, modelName: string): string {
  return join(servingModelDir(servingDir, modelName), 'monitor-windows');
}

/** Records one checked window (write-then-rename; a retried check rewrites the same file). */
export async function recordMonitorWindow(servingDir: string, modelName: string, record: MonitorWindowRecord): Promise<void> {
  const dir = windowsDir(servingDir, modelName);
  await mkdir(dir, { recursive: true });
  const path = join(dir, `${record.id}.json`);
  const temp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    await writeFile(temp, `${JSON.stringify(record)}\n`);
    await rename(temp, path);
  } catch (err) {
    await rm(temp, { force: true });
    throw err;
  }
}

/**
 * The recorded windows of a model, oldest first; none when the monitor has not recorded any. A record that does not
 * parse (cut short) is left out and its path added to `damaged`: one such file once failed every report with a bare
 * JSON error, naming no file.
 */
export async function listMonitorWindows(servingDir: string, modelName: string, damaged: string[] = []): Promise<MonitorWindowRecord[]> {
  let names: string[];
  try {
    names = await readdir(windowsDir(servingDir, modelName));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const records: MonitorWindowRecord[] = [];
  for (const name of names.filter((n) => WINDOW_FILE.test(n))) {
    const path = join(windowsDir(servingDir, modelName), name);
    try {
      records.push(JSON.parse(await readFile(path, 'utf8')) as MonitorWindowRecord);
    } catch (err) {
      if (!(err instanceof SyntaxError)) throw err;
      damaged.push(path);
    }
  }
  return records.sort((a, b) => a.fromMs - b.fromMs || a.toMs - b.toMs);
}
