// The `models` command group's `get`: the model file a reference names, verified, to a file or stdout. Loads its
// modules when it runs, so --help starts without DuckDB.

import { InvalidInputError } from '../../core/invalidInputError.js';
import { requiredString, stringFlag, type CommandSpec } from '../cliArgs.js';
import { json, modelReference } from './commonFlags.js';

export const modelsCommands: CommandSpec[] = [
  {
    name: 'models',
    summary: 'registered models: get writes the model file a reference names (verified by sha256) to a file or stdout',
    usage: 'rareflow models get --model FILE|NAME|NAME@ALIAS|NAME/VERSION [--out FILE] [--json]',
    positionals: 'get',
    flags: {
      model: modelReference,
      out: { type: 'string', help: 'file to write the model to (default: stdout)', placeholder: 'FILE' },
      json,
    },
    run: async (f, p) => {
      const action = p[0];
      if (action !== 'get')
        throw new InvalidInputError(
          'models',
          `rareflow models: expected get, got ${action === undefined ? 'nothing' : `"${action}"`}; see rareflow models --help`,
        );
      const out = stringFlag(f, 'out');
      return (await import('../modelsGetCommand.js')).modelsGetCommand({
        model: requiredString(f, 'model'),
        ...(out !== undefined ? { out } : {}),
        json: Boolean(f.json),
      });
    },
  },
];
