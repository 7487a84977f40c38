// `rareflow ui`: the read-only registry browser on a local port until Ctrl-C; and the same browser inside `rareflow dev`.

import { InvalidInputError } from '../core/invalidInputError.js';
import type { Registry } from '../data/registry.js';
import { loadConfig } from '../infra/rareflowConfig.js';
import { startUiServer, type UiServer } from '../infra/ui/uiServer.js';
import type { Say } from './cliArgs.js';

/** The UI's port unless --port says otherwise. */
export const DEFAULT_UI_PORT = 8090;

export async function uiCommand(opts: { host: string; port: number }, say: Say): Promise<void> {
  const config = loadConfig();
  const ui = await startUiServer({
    registryPath: config.registryPath,
    artifactRoot: config.artifactRoot,
    reportRoots: [config.artifactRoot, config.stateDir],
    host: opts.host,
    port: opts.port,
  });
  say(`rareflow UI at ${ui.url} (read-only; registry ${config.registryPath}). Ctrl-C stops.`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await ui.close();
}

/**
 * The UI of `rareflow dev`, reading through the registry handle of the worker in this process (a second DuckDB
 * instance on the same file in one process would not be locked out). Port 8090 unless taken, then a free one.
 */
export async function startDevUi(registry: Registry | undefined, say: Say): Promise<UiServer> {
  const config = loadConfig();
  const options = {
    registryPath: config.registryPath,
    artifactRoot: config.artifactRoot,
    reportRoots: [config.artifactRoot, config.stateDir],
    host: '127.0.0.1',
    ...(registry ? { registry: async () => ({ registry, close: async () => {} }) } : {}),
  };
  let ui: UiServer;
  try {
    ui = await startUiServer({ ...options, port: DEFAULT_UI_PORT });
    say(`rareflow UI (registry browser) at ${ui.url}`);
  } catch (err) {
    if (!(err instanceof InvalidInputError) || err.subject !== '--port') throw err;
    ui = await startUiServer({ ...options, port: 0 });
    say(`rareflow UI (registry browser) at ${ui.url} (port ${DEFAULT_UI_PORT} is taken)`);
  }
  return ui;
}
