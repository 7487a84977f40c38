// Finds a run's HTML run report in the artifact store: the validate activity stores the JSON and the HTML report
// together under one key file (<root>/keys/*.json), and the registry records only the JSON report's URI.

import { open, readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { keyRecordOf } from './artifactStore.js';

interface StoredRef {
  sha256?: unknown;
  uri?: unknown;
}

function localPath(uri: unknown): string | undefined {
  if (typeof uri !== 'string' || !uri.startsWith('file:')) return undefined;
  try {
    return fileURLToPath(uri);
  } catch {
    return undefined;
  }
}

async function head(path: string, bytes: number): Promise<string> {
  const f = await open(path, 'r');
  try {
    const buf = Buffer.alloc(bytes);
    const { bytesRead } = await f.read(buf, 0, bytes, 0);
    return buf.subarray(0, bytesRead).toString('utf8');
  } finally {
    await f.close();
  }
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * The local path of the HTML run report of `run`, or undefined when the store has none (an S3 store, a run that
 * has not validated yet, a report deleted since). With a report URI, the key file holding that JSON report names the
 * HTML; without one (a run still waiting for approval), the HTML whose header names the run is taken.
 */
export async function findRunReportHtml(
  artifactRoot: string,
  run: { runId: string; reportUri: string | null },
): Promise<string | undefined> {
  let names: string[];
  try {
    names = (await readdir(join(artifactRoot, 'keys'))).filter((n) => n.endsWith('.json'));
  } catch {
    return undefined;
  }
  const reportSha = run.reportUri ? /([0-9a-f]{64})\.json$/.exec(run.reportUri)?.[1] : undefined;
  const namesRun = new RegExp(`\\brun ${escapeRegExp(run.runId)}(?![A-Za-z0-9_.-])`);
  for (const name of names) {
    let entry: { report?: StoredRef; html?: StoredRef } | undefined;
    try {
      // Read as the store reads a record (its outputs, for the key it names).
      entry = keyRecordOf(await readFile(join(artifactRoot, 'keys', name), 'utf8'), name.slice(0, -'.json'.length));
    } catch {
      continue;
    }
    if (entry === undefined) continue;
    const htmlPath = localPath(entry.html?.uri);
    if (!entry.report || htmlPath === undefined) continue;
    if (reportSha !== undefined && entry.report.sha256 !== reportSha) continue;
    try {
      if (!(await stat(htmlPath)).isFile()) continue;
      if (reportSha === undefined && !namesRun.test(await head(htmlPath, 16_384))) continue;
    } catch {
      continue;
    }
    return htmlPath;
  }
  return undefined;
}
