// `rareflow serve`: the scoring service of a model's published champion and canary (or of one fixed model), until
// SIGINT or SIGTERM; then it stops accepting, finishes in-flight requests and writes the prediction and feedback logs.

import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import { checkResourceName, isResourceName } from '../core/resourceName.js';
import { InvalidInputError } from '../core/invalidInputError.js';
import { parseModelReference } from '../data/modelReference.js';
import { servingModelDir, servingStatePath, type ServedModel } from '../data/servingState.js';
import { requireServableModel } from './knownModels.js';
import { loadModelReference } from './modelByReference.js';
import { loadConfig } from '../infra/rareflowConfig.js';
import { startScoringService, type ScoringService } from '../infra/scoringService.js';

export interface ServeOptions {
  model: string;
  /** @default '127.0.0.1' */
  host?: string;
  /** @default 8080; 0 picks a free port */
  port?: number;
  /** How often the logs are written, in ms. @default 1000 */
  flushMs?: number;
}

export type StopSignal = 'SIGINT' | 'SIGTERM';

/** Where the stop signals come from: the process, or an emitter a test controls. */
export interface StopSignalSource {
  once(signal: StopSignal, listener: () => void): unknown;
  off(signal: StopSignal, listener: () => void): unknown;
}

/** What `--model` asks serve for: a name whose published champion and canary it follows, or one fixed model. */
type ServeTarget =
  | { form: 'published'; modelName: string }
  | { form: 'fixed'; reference: string; logName: string; model: ServedModel; archivedReason?: string };

/**
 * `NAME` and `NAME@champion` follow the name's published champion and canary challenger as they move. Any other
 * reference (a model file, `NAME/VERSION`, another alias) is resolved as predict resolves it (the registry, sha256
 * verified) and served alone; its logs go under `NAME.vVERSION` (or `model-SHA12` for a file), apart from the
 * published model's, so the canary and drift windows never read its rows.
 */
async function serveTarget(reference: string): Promise<ServeTarget> {
  const ref = parseModelReference(reference);
  const isFile = await stat(reference).then(
    (s) => s.isFile(),
    () => false,
  );
  if (!isFile && (ref?.form === 'name' || (ref?.form === 'alias' && ref.alias === 'champion'))) {
    return { form: 'published', modelName: ref.name };
  }
  const { model, resolved } = await loadModelReference(reference);
  const path = resolved.path;
  const sha256 =
    resolved.source === 'registry'
      ? resolved.record.modelSha256
      : createHash('sha256')
          .update(await readFile(path))
          .digest('hex');
  const versioned = resolved.source === 'registry' ? `${resolved.record.modelName}.v${resolved.version}` : '';
  return {
    form: 'fixed',
    reference,
    logName: isResourceName(versioned) ? versioned : `model-${sha256.slice(0, 12)}`,
    model: { sha256, uri: pathToFileURL(path).href, kind: model.model.kind, threshold: model.threshold, runId: model.training.runId },
    ...(resolved.source === 'registry' && resolved.archivedReason ? { archivedReason: resolved.archivedReason } : {}),
  };
}

/**
 * Runs the service until a stop signal, then closes it and resolves. Prints one line with the URL through `say`;
 * the service's own events (loads, swaps, failures) go to stderr.
 */
export async function serveCommand(
  options: ServeOptions,
  say: (line: string) => void,
  signals: StopSignalSource = process,
  hooks: { onStarted?: (service: ScoringService) => void } = {},
): Promise<void> {
  const config = loadConfig();
  const target = await serveTarget(options.model);
  const modelName = target.form === 'fixed' ? target.logName : target.modelName;
  const statePath = servingStatePath(config.servingDir, checkResourceName(modelName, '--model'));
  if (target.form === 'published') await requireServableModel(modelName, config);
  const host = options.host ?? '127.0.0.1';
  const port = options.port ?? 8080;
  let service: ScoringService;
  try {
    service = await startScoringService({
      servingDir: config.servingDir,
      modelName,
      host,
      port,
      ...(options.flushMs !== undefined ? { flushMs: options.flushMs } : {}),
      log: (line) => process.stderr.write(`rareflow serve: ${line}\n`),
      ...(target.form === 'fixed' ? { fixed: { reference: target.reference, model: target.model } } : {}),
    });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE')
      throw new InvalidInputError('--port', `--port ${port}: the port is in use on ${host}; choose another --port (0 picks a free one)`);
    if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
      throw new InvalidInputError('--host', `--host ${host}: not an address of this machine; expected e.g. 127.0.0.1 or 0.0.0.0`);
    }
    if (code === 'EACCES') throw new InvalidInputError('--port', `--port ${port}: not allowed for this user; choose a port above 1023`);
    throw err;
  }
  hooks.onStarted?.(service);
  const unavailable = service.unavailableReason();
  say(
    target.form === 'fixed'
      ? `rareflow serve: scoring the fixed model ${target.reference} (sha256 ${target.model.sha256.slice(0, 12)}) at ${service.url} (no canary split, no hot swap; logs under ${servingModelDir(config.servingDir, modelName)}); ${target.archivedReason ? `note: this version was archived (${target.archivedReason}) and no alias points at it; ` : ''}Ctrl-C stops`
      : `rareflow serve: scoring model ${modelName} at ${service.url} (serving state ${statePath}); Ctrl-C stops${unavailable ? `; answering 503 for now: ${unavailable}` : ''}`,
  );
  const signal = await new Promise<StopSignal>((resolve) => {
    const onInt = () => stop('SIGINT');
    const onTerm = () => stop('SIGTERM');
    // Both handlers go after the first signal, so a second Ctrl-C takes Node's default action (exit) at once.
    const stop = (s: StopSignal) => {
      signals.off('SIGINT', onInt);
      signals.off('SIGTERM', onTerm);
      resolve(s);
    };
    signals.once('SIGINT', onInt);
    signals.once('SIGTERM', onTerm);
  });
  process.stderr.write(`rareflow serve: ${signal}: finishing in-flight requests and writing the logs\n`);
  await service.close();
}
