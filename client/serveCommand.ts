// `rareflow serve`: the scoring service of one model on the configured serving directory, until SIGINT or SIGTERM;
// then it stops accepting, finishes in-flight requests and writes the prediction and feedback logs.

import { stat } from 'node:fs/promises';
import { checkResourceName } from '../core/resourceName.js';
import { InvalidInputError } from '../core/invalidInputError.js';
import { parseModelReference } from '../data/modelReference.js';
import { servingStatePath } from '../data/servingState.js';
import { requireServableModel } from './knownModels.js';
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

/**
 * The model name `--model` gives serve: `NAME` or `NAME@champion`. Serve follows the name's published champion and
 * canary challenger as they move, so a model file, a fixed `NAME/VERSION` or another alias is refused, pointing to
 * predict for scoring one fixed model.
 */
async function servedModelName(reference: string): Promise<string> {
  const ref = parseModelReference(reference);
  const isFile = await stat(reference).then(
    (s) => s.isFile(),
    () => false,
  );
  if (isFile || ref?.form === 'version' || (ref?.form === 'alias' && ref.alias !== 'champion')) {
    const given = isFile ? 'a model file' : ref?.form === 'version' ? 'a fixed version' : `the alias "${(ref as { alias: string }).alias}"`;
    throw new InvalidInputError(
      '--model',
      `--model ${reference}: rareflow serve takes a registered model name (NAME or NAME@champion) and serves its published champion with its canary challenger, got ${given}; to score one fixed model use rareflow predict --model ${reference}`,
    );
  }
  return ref?.form === 'alias' ? ref.name : reference;
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
  const modelName = await servedModelName(options.model);
  const statePath = servingStatePath(config.servingDir, checkResourceName(modelName, '--model'));
  await requireServableModel(modelName, config);
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
    `rareflow serve: scoring model ${modelName} at ${service.url} (serving state ${statePath}); Ctrl-C stops${unavailable ? `; answering 503 for now: ${unavailable}` : ''}`,
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
