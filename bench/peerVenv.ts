// The Python peers' private venv, .rareflow/bench-venv: created on first use with the packages a bench asks for.
// The peers are never dependencies of rareflow.

import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../infra/rareflowConfig.js';

/** Every package any peer script imports; imbalanced-learn pinned to the version the parity checks were made with. */
const peerPackages = ['imbalanced-learn==0.14.2', 'scikit-learn', 'pandas', 'pyarrow', 'scipy'];

/** The venv's python, with the peers' packages installed; undefined when BENCH_NO_PEERS is set or setup fails. */
export function peerPython(): string | undefined {
  if (process.env.BENCH_NO_PEERS) return undefined;
  const venv = join(packageRoot(), '.rareflow', 'bench-venv');
  const python = join(venv, 'bin', 'python');
  const ready = join(venv, '.rareflow-peers-installed');
  if (existsSync(ready)) return python;
  if (!existsSync(python)) {
    process.stderr.write(`creating the peers' venv ${venv} ...\n`);
    if (spawnSync('python3', ['-m', 'venv', venv], { stdio: 'inherit' }).status !== 0) return undefined;
  }
  process.stderr.write(`installing the peers (${peerPackages.join(', ')}) into ${venv} ...\n`);
  const pip = spawnSync(python, ['-m', 'pip', 'install', '--quiet', ...peerPackages], { stdio: 'inherit' });
  if (pip.status !== 0) return undefined;
  spawnSync(python, ['-c', `open(${JSON.stringify(ready)}, 'w').close()`]);
  return python;
}
