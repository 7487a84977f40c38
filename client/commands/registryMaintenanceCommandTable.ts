// The `registry` command: `registry migrate` copies a DuckDB registry file into a PostgreSQL registry, verified
// table by table. It needs no Temporal and no worker.

import { InvalidInputError } from '../../core/invalidInputError.js';
import { requiredString, type CommandSpec } from '../cliArgs.js';
import { json } from './commonFlags.js';

export const registryMaintenanceCommands: CommandSpec[] = [
  {
    name: 'registry',
    summary: 'registry maintenance: migrate copies a DuckDB registry into PostgreSQL, verified by row counts and checksums',
    usage: 'rareflow registry migrate --from PATH.duckdb --to postgres://user:password@host:port/database [--json]',
    positionals: 'migrate',
    actions: { migrate: ['from', 'to'] },
    flags: {
      from: {
        type: 'string',
        help: 'the DuckDB registry file to copy (stop its registry worker first)',
        placeholder: 'PATH',
        required: true,
      },
      to: { type: 'string', help: 'the PostgreSQL registry to copy into (created when empty)', placeholder: 'URL', required: true },
      json,
    },
    run: async (f, p, say) => {
      if (p[0] !== 'migrate') {
        throw new InvalidInputError(
          'registry',
          `rareflow registry: expected migrate, got ${p[0] === undefined ? 'nothing' : `"${p[0]}"`}; see rareflow registry --help`,
        );
      }
      const { copyRegistryToPostgres } = await import('../../data/registryCopy.js');
      const { maskedUrl } = await import('../../data/registryLocation.js');
      const from = requiredString(f, 'from');
      const to = requiredString(f, 'to');
      const tables = await copyRegistryToPostgres(from, to);
      const width = Math.max(...tables.map((t) => t.table.length));
      for (const t of tables) say(`${t.table.padEnd(width)}  ${String(t.rows).padStart(9)} rows  sha256 ${t.checksum.slice(0, 16)}`);
      const rows = tables.reduce((sum, t) => sum + t.rows, 0);
      return {
        value: { from, to: maskedUrl(to), tables },
        shownToHuman: true,
        text: `copied ${tables.length} tables (${rows} rows) from ${from} to ${maskedUrl(to)}; every table's row count and checksum match`,
      };
    },
  },
];
