// `rareflow models list|show` and `rareflow runs list|show`: the registry read in place, or through a snapshot
// copy while a worker holds it; a human table by default, the records themselves under --json.

import { modelFileProblem } from './modelFileStates.js';
import { InvalidInputError } from '../core/invalidInputError.js';
import type { Registry } from '../data/registry.js';
import { openRegistryForReading } from '../data/registryReadAccess.js';
import { loadConfig } from '../infra/rareflowConfig.js';
import type { Say } from './cliArgs.js';
import { formatModelDetail, formatModelList, formatRunDetail, formatRunList } from './registryTables.js';

/** What a browse command shows: the machine form and its human table. */
export interface BrowseResult {
  value: unknown;
  text: string;
}

async function withRegistry<T>(work: (r: Registry) => Promise<T>): Promise<T> {
  const reader = await openRegistryForReading(loadConfig().registryPath);
  try {
    return await work(reader.registry);
  } finally {
    await reader.close();
  }
}

/** The input error for a model name the registry does not know, naming the ones it does. */
export async function unknownModelError(registry: Registry, name: string, flag = '--model'): Promise<InvalidInputError> {
  const names = await registry.modelNames();
  const known = names.length === 0 ? 'the registry has no models yet' : `models in the registry: ${names.join(', ')}`;
  return new InvalidInputError(flag, `${flag}: no model named "${name}" in the registry (${known})`);
}

export function modelsCommand(action: string, opts: { model?: string }, _say: Say): Promise<BrowseResult> {
  if (action === 'list') {
    return withRegistry(async (r) => {
      const models = [];
      for (const m of await r.modelSummaries()) {
        const champion = m.champion && (await r.modelVersions(m.modelName)).find((v) => v.modelSha256 === m.champion!.modelSha256);
        const problem = champion ? modelFileProblem(champion.uri) : undefined;
        models.push(problem ? { ...m, championFileProblem: problem } : m);
      }
      return { value: { models }, text: formatModelList(models) };
    });
  }
  if (action === 'show') {
    if (!opts.model)
      throw new InvalidInputError('--model', '--model is required for rareflow models show (a model name; see rareflow models list)');
    const name = opts.model;
    return withRegistry(async (r) => {
      const found = await r.modelDetail(name);
      if (!found) throw await unknownModelError(r, name);
      const detail = {
        ...found,
        versions: found.versions.map((v) => {
          const problem = modelFileProblem(v.uri);
          return problem ? { ...v, fileProblem: problem } : v;
        }),
      };
      return { value: detail, text: formatModelDetail(detail) };
    });
  }
  throw new InvalidInputError('models', `expected list, show or get, got "${action}"; see rareflow models --help`);
}

export function runsCommand(action: string, opts: { model?: string; limit?: number; run?: string }, _say: Say): Promise<BrowseResult> {
  if (action === 'list') {
    return withRegistry(async (r) => {
      if (opts.model !== undefined && !(await r.modelNames()).includes(opts.model)) throw await unknownModelError(r, opts.model);
      const runs = await r.runSummaries({
        ...(opts.model !== undefined ? { modelName: opts.model } : {}),
        ...(opts.limit !== undefined ? { limit: opts.limit } : {}),
      });
      return { value: { runs }, text: formatRunList(runs) };
    });
  }
  if (action === 'show') {
    if (!opts.run) throw new InvalidInputError('--run', '--run is required for rareflow runs show (a run id; see rareflow runs list)');
    const id = opts.run;
    return withRegistry(async (r) => {
      const detail = await r.runDetail(id);
      if (!detail) {
        const newest = (await r.runSummaries({ limit: 5 })).map((x) => x.runId);
        const known = newest.length === 0 ? 'the registry has no runs yet' : `newest runs: ${newest.join(', ')}`;
        throw new InvalidInputError('--run', `--run: no run "${id}" in the registry (${known}; see rareflow runs list)`);
      }
      return { value: detail, text: formatRunDetail(detail) };
    });
  }
  throw new InvalidInputError('runs', `expected list or show, got "${action}"; see rareflow runs --help`);
}
