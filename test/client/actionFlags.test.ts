// Commands whose actions share one flag table (models, runs, monitor, canary, schedule, registry) refuse a flag the
// action does not read: exit 2, one line naming the action, the flag and the flags it takes, before any work (no file
// written, no state directory made, Temporal never reached). A flag left to its default is not one the user typed.

import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { CommandSpec } from '../../client/cliArgs.js';
import { parseCommandLine } from '../../client/cliProgram.js';
import { dataCommands } from '../../client/commands/dataCommandTable.js';
import { modelCommands } from '../../client/commands/modelCommandTable.js';
import { orchestratedCommands } from '../../client/commands/orchestratedCommandTable.js';
import { registryCommands } from '../../client/commands/registryCommandTable.js';
import { registryMaintenanceCommands } from '../../client/commands/registryMaintenanceCommandTable.js';
import { runCli } from '../support/cliProcess.js';

const commands = [...dataCommands, ...modelCommands, ...orchestratedCommands, ...registryCommands, ...registryMaintenanceCommands];

const dir = mkdtempSync(join(tmpdir(), 'rareflow-action-flags-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
// A closed port: a command that got as far as Temporal would fail to connect (exit 3), never start a server.
const env = (home: string) => ({ RAREFLOW_HOME: home, RAREFLOW_TEMPORAL_PORT: '0', TEMPORAL_ADDRESS: '127.0.0.1:1' });

const strayFlagCases: Array<[string, string]> = [
  ['models show --model pb --out shown.json', 'models show does not take --out; it takes --model, --json'],
  ['models list --model pb', 'models list does not take --model; it takes --json'],
  ['runs show --run X --model nope --limit 1', 'runs show does not take --model or --limit; it takes --run, --json'],
  ['runs list --run x', 'runs list does not take --run; it takes --model, --limit, --json'],
  [
    'monitor start --model pb --out mdir2 --event x',
    'monitor start does not take --event or --out; it takes --model, --window, --hold, --cool-down, --label-delay, --min-positives, --pipeline-input, --json',
  ],
  ['monitor status --model pb --window 1h', 'monitor status does not take --window; it takes --model, --json'],
  ['monitor stop --model pb --hold 2', 'monitor stop does not take --hold; it takes --model, --by, --json'],
  ['canary status --model pb --why hello', 'canary status does not take --why; it takes --model, --json'],
  ['canary pause --model pb --why hello', 'canary pause does not take --why; it takes --model, --by, --json'],
  ['schedule list --model pb', 'schedule list does not take --model; it takes --json'],
  [
    'schedule create --model pb --every 1h --id custom',
    "schedule create does not take --id (a model's schedule is named by its model, one per model: pass --model); it takes --model, --every, --cron, --jitter, --json",
  ],
];

describe('a flag the action does not read', () => {
  for (const [line, message] of strayFlagCases) {
    it(`is refused by name, exit 2, and nothing is written: ${line}`, async () => {
      const [name] = line.split(' ');
      // Its own directory, holding its state directory (home) too: whatever the command writes is found there.
      const cwd = mkdtempSync(join(dir, 'case-'));
      const r = await runCli(line.split(' '), { cwd, env: env(join(cwd, 'home')), timeoutMs: 30_000 });
      expect(r.code, `${line}: ${r.stderr}`).toBe(2);
      expect(r.stderr, line).toBe(`rareflow ${name}: ${message}\n`);
      expect(r.stdout, line).toBe('');
      expect(readdirSync(cwd), `${line} wrote into ${cwd}`).toEqual([]);
    });
  }

  it('lets through the flags the action reads, and --json for every action', () => {
    const spec = (name: string) => commands.find((c) => c.name === name)!;
    const line = parseCommandLine(commands, spec('runs'), ['list', '--model', 'pb', '--limit', '2', '--json']);
    expect(line).toMatchObject({ kind: 'run', positionals: ['list'], flags: { model: 'pb', limit: 2, json: true } });
    const get = parseCommandLine(commands, spec('models'), ['get', '--model', 'pb', '--out', 'm.json', '--json']);
    expect(get).toMatchObject({ kind: 'run', flags: { model: 'pb', out: 'm.json', json: true } });
  });

  it('counts only flags the user typed: one filled from its default is not refused', () => {
    const spec: CommandSpec = {
      name: 'probe',
      summary: 'a command with a defaulted flag only one of its actions reads',
      positionals: 'one|two',
      actions: { one: ['size'], two: [] },
      flags: { size: { type: 'integer', help: 'a size', default: 3, placeholder: 'N' }, json: { type: 'boolean', help: 'JSON' } },
      run: () => Promise.resolve({ value: null }),
    };
    expect(parseCommandLine([spec], spec, ['two'])).toMatchObject({ kind: 'run', flags: { size: 3, json: false } });
    expect(() => parseCommandLine([spec], spec, ['two', '--size', '3'])).toThrow('probe two does not take --size; it takes --json');
    expect(parseCommandLine([spec], spec, ['one', '--size', '4'])).toMatchObject({ kind: 'run', flags: { size: 4 } });
  });
});

describe('the flags each action reads', () => {
  it('are declared for every action of every command with actions, and name flags of its table', () => {
    for (const c of commands.filter((x) => x.positionals !== undefined)) {
      expect(Object.keys(c.actions ?? {}), c.name).toEqual(c.positionals!.split('|'));
      const named = Object.values(c.actions!).flat();
      for (const flag of named) expect(Object.keys(c.flags), `${c.name}: --${flag}`).toContain(flag);
      // Every flag of the table but --json is read by some action (else it is refused everywhere).
      for (const flag of Object.keys(c.flags).filter((f) => f !== 'json')) expect(named, `${c.name}: --${flag}`).toContain(flag);
    }
  });
});
