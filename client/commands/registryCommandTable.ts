// The registry browsing commands (models, runs, ui): read-only views of what retrains recorded, without Temporal.

import { InvalidInputError } from '../../core/invalidInputError.js';
import { numberFlag, requiredString, stringFlag, type CommandSpec } from '../cliArgs.js';
import { json, modelReference } from './commonFlags.js';

const browse = () => import('../registryBrowseCommands.js');

export const registryCommands: CommandSpec[] = [
  {
    name: 'models',
    summary:
      'registered models: list them (champion, challenger, versions, last run), show one (versions, aliases, promotions), or get a model file (verified by sha256)',
    usage:
      'rareflow models list [--json] | show --model NAME [--json] | get --model FILE|NAME|NAME@ALIAS|NAME/VERSION [--out FILE] [--json]',
    positionals: 'list|show|get',
    actions: { list: [], show: ['model'], get: ['model', 'out'] },
    flags: {
      model: { ...modelReference, required: false, help: 'model name (show), or model reference (get)' },
      out: { type: 'string', help: 'file to write the model to (get; default: stdout)', placeholder: 'FILE' },
      json,
    },
    run: async (f, p, say) => {
      const action = p[0];
      if (!action) throw new InvalidInputError('models', 'expected list, show or get; see rareflow models --help');
      const model = stringFlag(f, 'model');
      if (action === 'get') {
        const out = stringFlag(f, 'out');
        return (await import('../modelsGetCommand.js')).modelsGetCommand({
          model: requiredString(f, 'model'),
          ...(out !== undefined ? { out } : {}),
          json: Boolean(f.json),
        });
      }
      const r = await (await browse()).modelsCommand(action, model !== undefined ? { model } : {}, say);
      if (!f.json) say(r.text);
      return { value: r.value, shownToHuman: true };
    },
  },
  {
    name: 'runs',
    summary: 'retrain runs across models: list them (trigger, status, outcome, times) or show one (metrics per class, gates, approvals)',
    usage: 'rareflow runs list [--model NAME] [--limit N] [--json] | show --run ID [--json]',
    positionals: 'list|show',
    actions: { list: ['model', 'limit'], show: ['run'] },
    flags: {
      model: { type: 'string', help: 'only the runs of this model (list)', placeholder: 'NAME' },
      limit: { type: 'integer', help: 'at most this many runs, newest first (list)', min: 1, placeholder: 'N' },
      run: { type: 'string', help: 'retrain run id (show)', placeholder: 'ID' },
      json,
    },
    run: async (f, p, say) => {
      const action = p[0];
      if (!action) throw new InvalidInputError('runs', 'expected list or show; see rareflow runs --help');
      const model = stringFlag(f, 'model');
      const limit = numberFlag(f, 'limit');
      const run = stringFlag(f, 'run');
      const r = await (
        await browse()
      ).runsCommand(
        action,
        { ...(model !== undefined ? { model } : {}), ...(limit !== undefined ? { limit } : {}), ...(run !== undefined ? { run } : {}) },
        say,
      );
      if (!f.json) say(r.text);
      return { value: r.value, shownToHuman: true };
    },
  },
  {
    name: 'ui',
    summary: 'a read-only web view of the registry: models, versions, runs, canaries, drift and approvals waiting',
    usage: 'rareflow ui [--host 127.0.0.1] [--port 8090]',
    flags: {
      host: { type: 'string', help: 'address to listen on (default 127.0.0.1: loopback only)', placeholder: 'ADDR' },
      port: { type: 'integer', help: 'HTTP port (default 8090; 0 picks a free one)', min: 0, max: 65535, placeholder: 'P' },
    },
    run: async (f, _p, say) => {
      const ui = await import('../uiCommand.js');
      await ui.uiCommand({ host: stringFlag(f, 'host') ?? '127.0.0.1', port: numberFlag(f, 'port') ?? ui.DEFAULT_UI_PORT }, say);
      return { value: { stopped: true }, shownToHuman: true };
    },
  },
];
