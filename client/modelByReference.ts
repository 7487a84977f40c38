// The model a `--model` reference names (a file, NAME, NAME@ALIAS or NAME/VERSION), loaded for predict, evaluate
// and `models get`: a registered one through the configured registry, verified against its sha256.

import { InvalidInputError } from '../core/invalidInputError.js';
import { parseModelArtifact, type ModelArtifact } from '../core/models/modelArtifact.js';
import { resolveModelReference, type ResolvedModel } from '../data/modelReference.js';
import { loadConfig } from '../infra/rareflowConfig.js';
import { loadModelFile } from './localFiles.js';

const toStderr = (line: string) => process.stderr.write(`${line}\n`);

/** Where a registered model came from, for a command's JSON (absent for a model file). */
export function registeredModelField(resolved: ResolvedModel) {
  if (resolved.source === 'file') return {};
  const r = resolved.record;
  return { registered: { name: r.modelName, version: resolved.version, aliases: resolved.aliases, sha256: r.modelSha256, runId: r.runId } };
}

/** Resolves `reference` (notes on stderr) without parsing the model: `models get` copies the bytes as they are. */
export function resolveModelFlag(reference: string, note: (line: string) => void = toStderr): Promise<ResolvedModel> {
  const config = loadConfig();
  return resolveModelReference(reference, {
    registryPath: config.registryPath,
    cache: { cacheDir: config.cacheDir, cacheBytes: config.cacheBytes },
    note,
  });
}

/** The model `reference` names, parsed, with where it came from. */
export async function loadModelReference(
  reference: string,
  note: (line: string) => void = toStderr,
): Promise<{ model: ModelArtifact; resolved: ResolvedModel }> {
  const resolved = await resolveModelFlag(reference, note);
  if (resolved.source === 'file') return { model: await loadModelFile(resolved.path), resolved };
  let json: unknown;
  try {
    json = JSON.parse(resolved.bytes.toString('utf8'));
  } catch {
    throw new InvalidInputError(`--model ${reference}`, `--model ${reference}: ${resolved.path} is not a rareflow model (not JSON)`);
  }
  return { model: parseModelArtifact(json, resolved.path), resolved };
}
